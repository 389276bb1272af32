// The fault matrix (see matrix.ts) of strategy generate (with install-app, the old token revoked) and of
// grace mode (previous-secret-name and previous-token).
import { faultMatrix } from './matrix.js'
import { SCENARIOS } from './harness.js'

faultMatrix(
  'generate-grace',
  SCENARIOS.filter((s) => s.name.startsWith('generate') || s.name.startsWith('grace'))
)
