// Entry point of the bundled action (action.yml).
import { workflowIO } from './workflow-io.js'
import { runAction } from './main.js'

await runAction(workflowIO, process.env)
