// The fault matrix (see matrix.ts) of strategy refresh: a system user token in two repositories, and
// a user token whose pages' tokens go into their own secrets.
import { faultMatrix } from './matrix.js'
import { SCENARIOS } from './harness.js'

faultMatrix(
  'refresh',
  SCENARIOS.filter((s) => s.name.startsWith('refresh'))
)
