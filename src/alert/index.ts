// Entry point of the bundled alert action (alert/action.yml).
import { actionsCoreIO } from '../actions-core-io.js'
import { runAlertAction } from './alert-action.js'

await runAlertAction(actionsCoreIO, process.env)
