// Entry point of the bundled alert action (alert/action.yml).
import { actionsCoreIO } from '../action-io.js'
import { runAlertAction } from './alert-action.js'

await runAlertAction(actionsCoreIO(), process.env)
