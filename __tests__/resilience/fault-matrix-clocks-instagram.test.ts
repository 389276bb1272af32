// The fault matrix (see matrix.ts) with GitHub's clock 6 minutes either side of the runner's and a
// stale first read-back of every write, and of strategy instagram (tokens that cannot be revoked: every
// destination must hold a usable one).
import { faultMatrix } from './matrix.js'
import { CLOCK_SCENARIOS, INSTAGRAM_SCENARIO } from './harness.js'

faultMatrix('clocks-instagram', [...CLOCK_SCENARIOS, INSTAGRAM_SCENARIO])
