// The action as one function, for runners that import an entry and call its run() instead of
// executing a file: GitHub's @github/local-action (`npx @github/local-action run . src/local-action.ts .env`).
// src/index.ts, the bundle's entry, calls it too, so both run the same thing.
import { actionsCoreIO } from './action-io.js'
import { runAction } from './main.js'
import { failOnUnexpected } from './unexpected.js'

/** One run of the action from the INPUT_* variables of process.env; never throws, fails the step instead. */
export async function run(): Promise<void> {
  // The io's own setFailed: it hides every credential the run masked.
  const io = actionsCoreIO()
  await failOnUnexpected(
    () => runAction(io, process.env),
    (message) => io.setFailed(message)
  )
}
