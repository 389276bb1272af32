// The fault matrix (see matrix.ts) of the requests a system user's reach adds: its pages' tokens
// (page-secrets with a system user token) and the assets asked about when a new token's grants list
// no targets.
import { faultMatrix } from './matrix.js'
import { SYSTEM_USER_REACH_SCENARIOS } from './harness.js'

faultMatrix('system-user-reach', SYSTEM_USER_REACH_SCENARIOS)
