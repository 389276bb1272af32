// Entry point of the bundled action (action.yml).
import { run } from './local-action.js'

await run()
