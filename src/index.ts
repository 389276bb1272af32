// Entry point of the bundled action (action.yml).
import { actionsCoreIO } from './action-io.js'
import { runAction } from './main.js'

await runAction(actionsCoreIO(), process.env)
