// rotate-before judges the token passed in; a skip must also judge the destinations. A secret last
// written before that token was issued cannot hold it (a run that stopped midway left it on the old
// token, which expires sooner): then the run goes on instead of skipping, and says why.
import { mapWithConcurrency } from '../concurrency.js'
import { describeDestination, type Destination } from '../github/destinations.js'
import type { SecretStore } from '../github/secret-store.js'
import type { TokenInfo } from '../graph/meta-tokens.js'
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import type { Settings } from '../settings.js'
import type { CheckedToken } from '../strategies/token-source.js'
import type { Notes } from './notes.js'

/**
 * GitHub's updated_at and Meta's issued_at come from two clocks: a secret counts as written before
 * the token only by more than this, once GitHub's clock is set against the runner's.
 */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60_000

export interface StaleCheck {
  store: SecretStore
  now: Date
  maxConcurrency: number
}

/** Why the run must not skip, in words; undefined when every destination's secret may hold `current`. */
export async function whyNotSkip(
  destinations: Destination[],
  current: TokenInfo,
  { store, now, maxConcurrency }: StaleCheck
): Promise<string | undefined> {
  const issuedAt = current.issuedAt
  if (!issuedAt) {
    return 'Meta did not say when the current token was issued (debug_token had no issued_at), so whether every destination holds it cannot be told: the run rotates instead of skipping.'
  }
  const written = await mapWithConcurrency(destinations, maxConcurrency, (destination) =>
    store.lastWritten(destination, destination.secretName).then(
      (at) => at ?? ('missing' as const),
      () => 'unreadable' as const
    )
  )
  // Read after those answers, whose Date headers set GitHub's clock.
  const githubNow = store.githubNow()
  const githubAhead = githubNow === undefined ? 0 : githubNow - now.getTime()
  const judged = destinations.map((destination, index) => {
    const at = written[index]
    if (typeof at === 'number' && at - githubAhead >= issuedAt.getTime() - CLOCK_SKEW_MARGIN_MS) return undefined
    const what = describeDestination(destination)
    if (at === 'missing') return `${destination.secretName} does not exist in the ${what}`
    if (at === 'unreadable') return `${destination.secretName} in the ${what} could not be read`
    return `${destination.secretName} in the ${what} was last written before the current token was issued`
  })
  const stale = judged.filter((reason): reason is string => reason !== undefined)
  if (stale.length === 0) return undefined
  return `The current token is far from expiry, but ${stale.join('; ')}: no such secret can hold that token (a run stopped midway, or it was never written), so this run rotates and writes every destination instead of skipping.`
}

export interface SkipJudged {
  settings: Pick<Settings, 'destinations' | 'maxConcurrency'>
  services: { store: SecretStore; clock: Clock; log: RotationLog; notes: Notes }
}

/** Whether a skip stands once the destinations are judged too; when not, the log and the summary say why. */
export async function skipStands(
  current: CheckedToken | undefined,
  { settings, services }: SkipJudged
): Promise<boolean> {
  if (!current) return true
  const { store, clock, log, notes } = services
  const why = await whyNotSkip(settings.destinations, current.info, {
    store,
    now: clock.now(),
    maxConcurrency: settings.maxConcurrency
  })
  notes.add(why)
  if (why) log.warning(why)
  return !why
}
