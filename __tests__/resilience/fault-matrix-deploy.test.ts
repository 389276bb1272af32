// The fault matrix (see matrix.ts) of deploy-workflows: every request of a rotation that dispatches
// two deploy workflows and follows their runs (the dispatch checks, the dispatches, the polls, and the
// rotation's own), with the invariant extended by (f): no consumer that was dispatched is left
// holding a revoked token.
import { faultMatrix } from './matrix.js'
import { DEPLOY_SCENARIO } from './harness.js'

faultMatrix('deploy', [DEPLOY_SCENARIO])
