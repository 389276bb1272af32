// The last line of every entry: a throw nothing else caught (a bug, or a failure before the run
// could report its own) still ends the step failed, with what to check, in one inert line that
// shows no credential.
import { looksLikeCredential } from './credential-shape.js'
import { errorMessage } from './rotation-error.js'
import { outsideText } from './outside-text.js'

/** What a user does after a run stopped somewhere unknown: it may have stopped after a write. */
export const CHECK_SECRETS_FIX =
  'Check the secrets before re-running (a re-run from the token you pass completes the rotation), and report this error.'

/** The unexpected error as one line for the log: no line break, no credential-shaped word. */
export function unexpectedMessage(error: unknown): string {
  let text = outsideText(errorMessage(error))
  // Any run of token characters: an error's text may hold one inside a path or a URL.
  for (const word of text.split(/[^\w|-]+/).filter(looksLikeCredential)) text = text.split(word).join('***')
  return `${stoppedUnexpectedly(text)} Fix: ${CHECK_SECRETS_FIX}`
}

/** What happened, in the words every entry uses: `[unexpected] The run stopped on …`. */
export function stoppedUnexpectedly(detail: string): string {
  return `[unexpected] The run stopped on an unexpected error: ${detail}`
}

/** Runs an entry; whatever it throws ends in `fail` with the check-your-secrets message. */
export async function failOnUnexpected(entry: () => Promise<unknown>, fail: (message: string) => void): Promise<void> {
  try {
    await entry()
  } catch (error) {
    fail(unexpectedMessage(error))
  }
}
