// Entry point of the bundled finish action (finish/action.yml).
import { actionsCoreIO } from '../action-io.js'
import { runFinishAction } from './finish-action.js'

await runFinishAction(actionsCoreIO(), process.env)
