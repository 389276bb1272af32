// Two rotations of one secret from the same token: the one that comes to revoke second finds the
// replaced token already revoked. That is not a token the person must replace: it is a lost race,
// judged by reading back what this run wrote. Secrets written again since are the other run's; a new
// token no secret can hold any more is revoked, so nothing stays alive unseen.
import { Input } from '../contract.js'
import type { Destination } from '../github/destinations.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError } from '../rotation-error.js'
import { placeText, samePlace } from './outcomes.js'
import type { SecretOutcome } from './result.js'
import { capitalized, ReplacedAlreadyRevoked } from './revocation.js'
import type { SecretWrites } from './secret-writes.js'

export interface LostRace {
  /** In words: the replaced token, or the token from previous-token. */
  label: string
  ready: Destination[]
  main: SecretOutcome[]
  writer: SecretWrites
  naming: InputNaming
  /** Revokes this run's new token once no secret holds it; true when it was revoked. */
  revokeNew: () => Promise<boolean>
  /** When this run's new token expires, in words: said when it could not be revoked. */
  newExpiry: string
}

export async function lostRace({ label, ready, main, writer, naming, revokeNew, newExpiry }: LostRace): Promise<never> {
  const overwritten: SecretOutcome[] = []
  const ours: SecretOutcome[] = []
  for (const outcome of main.filter((o) => 'holds' in o && o.holds === 'new')) {
    const destination = ready.find((d) => samePlace(outcome, d) && d.secretName.toUpperCase() === outcome.name)
    const since = destination ? await writer.overwrittenSince(destination, outcome.name) : undefined
    ;(since === true ? overwritten : ours).push(outcome)
  }
  const where = (list: SecretOutcome[]) => `${list[0]?.name} in ${list.map(placeText).join(', ')}`
  const raced = `${capitalized(label)} was already revoked when this run came to revoke it: another rotation of this secret ran at the same time, from the same token, and revoked it first.`
  const concurrency = `${naming.inWorkflow ? 'Give the workflow a concurrency group' : 'Never run two rotations of this secret at once'} so rotations never overlap.`
  if (ours.length === 0) {
    const revoked = await revokeNew()
    throw new RotationError(
      'revoke',
      `${raced} Every destination was written again after this run wrote it (${where(overwritten)}): they hold the other run's token. This run's new token is held by no secret${revoked ? ', so it was revoked' : ` and revoking it failed: it stays valid, unused, until ${newExpiry}`}.`,
      `Nothing to put back: the other run's token is in every destination (its summary says so).${revoked ? '' : " Revoke this run's new token by hand (Business settings > Users > System users > Revoke tokens)."} ${concurrency}`
    )
  }
  const otherRun = overwritten.length > 0 ? ` ${where(overwritten)} hold the other run's token.` : ''
  throw new RotationError(
    'revoke',
    `${raced} ${where(ours)} may still hold this run's new token;${otherRun || ' no secret was seen written again since.'} Both tokens stay valid.`,
    `Once the other run is over, re-run from the token held in ${naming.name(Input.SecretName)}: one run then writes every destination with one token. ${concurrency}`
  )
}

/** Revokes the replaced token; one found already revoked is judged as a lost race. */
export async function revokeOrLoseRace(
  revoke: () => Promise<string | undefined>,
  race: Omit<LostRace, 'label'>
): Promise<string | undefined> {
  return revoke().catch((error: unknown) => {
    if (!(error instanceof ReplacedAlreadyRevoked)) throw error
    return lostRace({ ...race, label: error.label })
  })
}
