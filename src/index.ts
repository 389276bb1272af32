// Entry point of the bundled action (action.yml).
import { actionsCoreIO } from './actions-core-io.js'
import { runAction } from './main.js'

await runAction(actionsCoreIO, process.env)
