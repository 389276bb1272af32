// Some writes failed: nothing is revoked, the old token keeps working, and a new token that no
// destination can hold is revoked. The run then fails, listing each destination and its fix.
import type { Clock } from '../clock.js'
import type { TokenInfo } from '../graph/meta-tokens.js'
import type { InputNaming } from '../input-naming.js'
import type { Settings } from '../settings.js'
import type { Notes } from './notes.js'
import {
  failedWritesStep,
  failureOf,
  mayHoldNew,
  movedOverNote,
  oldTokenStillWorks,
  unsettledNote
} from './outcomes.js'
import type { SecretOutcome } from './result.js'
import type { NewToken, RevokeOrphan } from './verify.js'

export interface FailedWrites {
  settings: Pick<Settings, 'destinations' | 'previousToken' | 'dryRun'>
  services: { clock: Clock; naming: InputNaming; notes: Notes; revokeOrphan: RevokeOrphan }
  /** Every outcome so far, the destination checks included. */
  secrets: SecretOutcome[]
  /** The writes of the secret named by secret-name. */
  main: SecretOutcome[]
  fresh: NewToken
  current: TokenInfo | undefined
  previous: TokenInfo | undefined
}

export async function failAfterWrites({
  settings,
  services,
  secrets,
  main,
  fresh,
  current,
  previous
}: FailedWrites): Promise<void> {
  const { clock, naming, notes } = services
  const now = clock.now()
  const { destinations } = settings
  const previousTokenGiven = Boolean(settings.previousToken)
  notes.add(movedOverNote({ secrets, destinations, previousTokenGiven, previous, now, naming }))
  notes.add(unsettledNote(main))
  if (!mayHoldNew(main)) await services.revokeOrphan(fresh.token, { info: fresh.info })
  const failure = failureOf({
    step: failedWritesStep(secrets),
    secrets,
    dryRun: settings.dryRun,
    message: `Not every destination holds the new token. ${oldTokenStillWorks(current, now)}`,
    closing: 'Then re-run: the run that gets every destination written completes the rotation.'
  })
  if (failure) throw failure
}
