// Entry point of the bundled alert action (alert/action.yml).
import { actionsCoreIO } from '../action-io.js'
import { failOnUnexpected } from '../unexpected.js'
import { runAlertAction } from './alert-action.js'

// The io's own setFailed: it hides every credential the run masked.
const io = actionsCoreIO()
await failOnUnexpected(
  () => runAlertAction(io, process.env),
  (message) => io.setFailed(message)
)
