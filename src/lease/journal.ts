// The journal, in the lease variable: which token a rotation replaced, which it minted, and which
// destinations hold which, as fingerprints. A fingerprint is HMAC-SHA256 of the token, keyed with the
// app secret when there is one (the variable is readable by anyone who may read the repository's
// settings; without the key nobody can test a guessed token against it), else with a fixed label
// (Instagram: no app secret is given; a token is long and random, so its hash gives nothing away).
import { createHmac } from 'node:crypto'
import { mainWrites, placeText } from '../rotation/outcomes.js'
import type { RotationResult } from '../rotation/result.js'

export interface Journal {
  /** Fingerprint of the token the rotation replaced. */
  replaced?: string
  /** When the replaced token expires (ISO 8601; null: never), for a re-run that cannot revoke it. */
  replacedExpiresAt?: string | null
  /** Fingerprint of the token it minted. */
  minted?: string
  /** Each destination (its secret, in words) → which of the two it holds. */
  holders: Record<string, 'minted' | 'replaced' | 'unknown'>
  /** Every destination holds the minted token, and the run ended well. */
  complete: boolean
  /** The run that wrote it, in words with its link. */
  by: string
  at: string
}

const LABEL = 'meta-token-rotator journal v1'

export function fingerprint(token: string, key: string | undefined): string {
  return createHmac('sha256', key || LABEL)
    .update(`${LABEL}\n${token}`)
    .digest('hex')
    .slice(0, 32)
}

/** The journal of a run that minted, from its result; undefined when it minted nothing that any secret holds. */
export function journalOf(
  result: RotationResult,
  replacedToken: string | undefined,
  key: string | undefined,
  by: string,
  at: Date
): Journal | undefined {
  if (!result.newToken || result.dryRun) return undefined
  const holders: Journal['holders'] = {}
  for (const outcome of mainWrites(result.secrets, result.destinations)) {
    const holds = 'holds' in outcome ? outcome.holds : undefined
    holders[`${outcome.name} in ${placeText(outcome)}`] =
      holds === 'new' ? 'minted' : holds === 'old' ? 'replaced' : 'unknown'
  }
  const values = Object.values(holders)
  return {
    ...(replacedToken ? { replaced: fingerprint(replacedToken, key) } : {}),
    ...(replacedToken && result.previousExpiresAt !== undefined
      ? { replacedExpiresAt: result.previousExpiresAt?.toISOString() ?? null }
      : {}),
    minted: fingerprint(result.newToken, key),
    holders,
    // A run that failed after that (a revocation) is not complete: its re-run goes on as without a journal.
    complete: !result.failure && values.length > 0 && values.every((h) => h === 'minted'),
    by,
    at: at.toISOString()
  }
}
