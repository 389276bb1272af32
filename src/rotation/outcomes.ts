// Judgments over the destinations' outcomes, pure: which hold the new token, which step failed, what
// the failure says and what the summary notes. The protocol acts on them; the tests call them directly.
import { Input } from '../contract.js'
import type { Destination } from '../github/destinations.js'
import type { TokenInfo } from '../graph/meta-tokens.js'
import type { InputNaming } from '../input-naming.js'
import { fixAction, RotationError, type RotationStep } from '../rotation-error.js'
import { expiryText } from '../token-checks.js'
import type { SecretOutcome, SecretPlace } from './result.js'

/** The destination and the secret's name there, as the outcomes name them. */
export function secretPlace(destination: Destination, name: string): SecretPlace {
  return {
    kind: destination.kind,
    type: destination.secretType,
    target: destination.target,
    ...(destination.environment ? { environment: destination.environment } : {}),
    name: name.toUpperCase()
  }
}

/** `target (environment)`, as the failure lists and notes name a destination. */
export function placeText(outcome: SecretPlace): string {
  return `${outcome.target}${outcome.environment ? ` (${outcome.environment})` : ''}`
}

/** Whether an outcome is of this destination (its place; the secret's name is not compared). */
export function samePlace(outcome: SecretPlace, destination: Destination): boolean {
  return (
    outcome.kind === destination.kind &&
    outcome.type === destination.secretType &&
    outcome.target === destination.target &&
    (outcome.environment ?? '') === (destination.environment ?? '')
  )
}

/** The writes of each destination's own secret (not grace mode's previous slot, not the pages'). */
export function mainWrites(secrets: SecretOutcome[], destinations: Destination[]): SecretOutcome[] {
  return secrets.filter(
    (s) => s.status !== 'checked' && destinations.some((d) => samePlace(s, d) && d.secretName.toUpperCase() === s.name)
  )
}

/** The writes into grace mode's slots. */
function previousSlotWrites(secrets: SecretOutcome[], destinations: Destination[]): SecretOutcome[] {
  return secrets.filter((s) =>
    destinations.some((d) => samePlace(s, d) && d.previousSecretName?.toUpperCase() === s.name)
  )
}

export function storedSomewhere(main: SecretOutcome[]): boolean {
  return main.some((s) => s.status !== 'checked' && s.holds === 'new')
}

/** Whether any destination holds, or may hold, the new token: then it must stay alive. */
export function mayHoldNew(main: SecretOutcome[]): boolean {
  return main.some((s) => s.status !== 'checked' && (s.holds === 'new' || s.holds === 'new or old'))
}

export function unsettledNote(main: SecretOutcome[]): string | undefined {
  if (!main.some((s) => s.status === 'failed' && s.holds === 'new or old')) return undefined
  return 'A write whose outcome could not be settled may have stored the new token, so the new token was left alive.'
}

export function anyFailed(secrets: SecretOutcome[]): boolean {
  return secrets.some((s) => s.status === 'failed')
}

/** The step failed writes failed in: confirm when every one of them failed only at the read-back. */
export function failedWritesStep(secrets: SecretOutcome[]): 'store' | 'confirm' {
  return secrets.every((s) => s.status !== 'failed' || s.failedIn === 'confirm') ? 'confirm' : 'store'
}

export function oldTokenStillWorks(current: TokenInfo | undefined, now: Date): string {
  return current && current.expiresAt !== undefined
    ? `The old token was not revoked and keeps working until ${expiryText(current.expiresAt, now)}.`
    : 'The old token was not revoked and keeps working.'
}

export interface MovedOver {
  secrets: SecretOutcome[]
  /** The destinations, whose grace mode's slots (previous-secret-name) are looked at. */
  destinations: Destination[]
  /** Whether previous-token was given. */
  previousTokenGiven: boolean
  /** previous-token as debug_token saw it. */
  previous: TokenInfo | undefined
  now: Date
  naming: InputNaming
}

/**
 * Grace mode writes the previous slot first. Where it landed, the token from previous-token is no
 * longer kept; a failed run revokes nothing, and a re-run cannot know that token any more: said.
 */
export function movedOverNote({
  secrets,
  destinations,
  previousTokenGiven,
  previous,
  now,
  naming
}: MovedOver): string | undefined {
  if (!previousTokenGiven || !previous?.isValid) return undefined
  const written = (s: SecretOutcome) => s.status === 'created' || s.status === 'updated'
  // A write only the read-back failed, or one whose outcome is unknown, may have landed.
  const maybe = (s: SecretOutcome) => s.status === 'failed' && (s.failedIn === 'confirm' || s.unsettled === true)
  const moved = previousSlotWrites(secrets, destinations).filter((s) => written(s) || maybe(s))
  if (moved.length === 0) return undefined
  const slots = new Set(moved.map((s) => s.name))
  const where =
    slots.size === 1
      ? `${moved[0]?.name} in ${moved.map(placeText).join(', ')}`
      : moved.map((s) => `${s.name} in ${placeText(s)}`).join(', ')
  const holds = moved.every(written) ? (slots.size === 1 ? 'now holds' : 'now hold') : 'holds (or may hold)'
  const byHand =
    previous.kind === 'system-user'
      ? ': once no secret holds it, revoke it by hand (Business settings > Users > System users > Revoke tokens).'
      : '.'
  return `${where} ${holds} the replaced token, so the token from ${naming.name(Input.PreviousToken)} is no longer kept there. It was not revoked and stays valid until ${expiryText(previous.expiresAt, now)}${byHand}`
}

export interface FailedOutcomes {
  step: RotationStep
  secrets: SecretOutcome[]
  dryRun: boolean
  /** What the failure means for the run, after the count. */
  message: string
  /** The closing sentence, which says "re-run" once for every fix. */
  closing: string
}

/** The failure of a step some destinations failed in, listing each; undefined when none failed. */
export function failureOf({ step, secrets, dryRun, message, closing }: FailedOutcomes): RotationError | undefined {
  const failed = secrets.flatMap((s) => (s.status === 'failed' ? [s] : []))
  if (failed.length === 0) return undefined
  const counted = secrets.filter((s) => s.status !== 'checked' || dryRun)
  const what = step === 'prepare' ? 'destination check' : 'secret write'
  const lines = failed.map((s) => `${s.name} in ${placeText(s)}: ${s.error}`)
  return new RotationError(
    step,
    `${failed.length} of ${counted.length} ${what}${counted.length > 1 ? 's' : ''} failed. ${message}\n  - ${lines.join('\n  - ')}`,
    `${[...new Set(failed.map((s) => fixAction(s.fix)))].join(' ')} ${closing}`
  )
}

/**
 * Destinations that failed their checks before minting: the dry run's verdict, or, in a real run, the
 * failure when none of them can be written. Undefined when none failed.
 */
export function failedChecks(secrets: SecretOutcome[], dryRun: boolean): RotationError | undefined {
  return failureOf({
    step: 'prepare',
    secrets,
    dryRun,
    message: dryRun
      ? 'Dry run: some destinations did not pass their checks; nothing was minted, written or revoked.'
      : 'No destination can be written; nothing was minted, written or revoked.',
    closing: dryRun ? 'Then run the dry run again.' : 'Then re-run.'
  })
}

/** Ten or more repositories of one owner, each with its own copy: one organization secret would do. */
export function organizationSecretSuggestions(destinations: Destination[]): string[] {
  if (destinations.some((d) => d.kind === 'organization')) return []
  const owners = new Map<string, number>()
  for (const d of destinations) {
    if (d.kind !== 'repository') continue
    const owner = d.target.split('/')[0] as string
    owners.set(owner, (owners.get(owner) ?? 0) + 1)
  }
  return [...owners]
    .filter(([, count]) => count >= 10)
    .map(
      ([owner, count]) =>
        `${count} repositories of ${owner} get their own copy: an organization secret (organization: ${owner}, visibility: selected, selected-repositories) is one write instead of ${count}.`
    )
}
