// Entry point of the bundled action (action.yml).
import { actionsCoreIO } from './action-io.js'
import { runAction } from './main.js'
import { failOnUnexpected } from './unexpected.js'

// The io's own setFailed: it hides every credential the run masked.
const io = actionsCoreIO()
await failOnUnexpected(
  () => runAction(io, process.env),
  (message) => io.setFailed(message)
)
