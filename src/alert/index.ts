// Entry point of the bundled alert action (alert/action.yml).
import { workflowIO } from '../workflow-io.js'
import { runAlertAction } from './alert-action.js'

await runAlertAction(workflowIO, process.env)
