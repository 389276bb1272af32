// Entry point of the bundled finish action (finish/action.yml).
import { actionsCoreIO } from '../action-io.js'
import { failOnUnexpected } from '../unexpected.js'
import { runFinishAction } from './finish-action.js'

// The io's own setFailed: it hides every credential the run masked.
const io = actionsCoreIO()
await failOnUnexpected(
  () => runFinishAction(io, process.env),
  (message) => io.setFailed(message)
)
