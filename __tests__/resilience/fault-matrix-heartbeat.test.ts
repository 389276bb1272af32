// The fault matrix (see matrix.ts) of heartbeat-url: the /start and the success ping of a rotation,
// hit by every fault, once and for good, with the invariant extended by (g): a fault at the heartbeat
// never fails the rotation (and, as for every point, never loses a token).
import { faultMatrix } from './matrix.js'
import { HEARTBEAT_SCENARIO } from './harness.js'

faultMatrix('heartbeat', [HEARTBEAT_SCENARIO])
