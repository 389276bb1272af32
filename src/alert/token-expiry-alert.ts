// The alert for a github-token about to die. The rotation succeeded, but the personal access token
// that writes the secret expires within warn-before (the rotation's rotate-before, or 14 days): once it
// does, every rotation fails before writing anything, and then the Meta token dies at its own expiry.
// So the issue opens now, as for a failure, while there is time to act; it closes on a later run that
// reports a token with more time left (or none told, as with GitHub App authentication).
import { parseDurationSeconds } from '../duration.js'
import { DEFAULT_TOKEN_WARNING_SECONDS, tokenExpiryWarning } from '../github/token-expiry.js'
import type { RotationAlert } from './failure-alert.js'

/** The failed-step the issue names for a github-token close to its expiry. */
export const GITHUB_TOKEN_STEP = 'github-token'

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/

/** The two inputs, checked: what is wrong with them, for the input error. */
export function tokenExpiryProblems(expiresAt: string, warnBefore: string, names: [string, string]): string[] {
  const problems: string[] = []
  if (expiresAt && expiresAt !== 'never' && !(ISO.test(expiresAt) && !Number.isNaN(Date.parse(expiresAt)))) {
    problems.push(
      `'${names[0]}' must be an ISO 8601 time (the rotation's github-token-expires-at output), never, or empty`
    )
  }
  if (warnBefore && parseDurationSeconds(warnBefore) === undefined) {
    problems.push(`'${names[1]}' must be a duration such as 14d, 36h or 90m`)
  }
  return problems
}

/** A successful rotation whose github-token dies within warn-before, as the failure it is about to become. */
export function withTokenExpiry(alert: RotationAlert, expiresAt: string, warnBefore: string, now: Date): RotationAlert {
  if (alert.outcome !== 'success' || !expiresAt || expiresAt === 'never') return alert
  const dies = new Date(expiresAt)
  const threshold = (parseDurationSeconds(warnBefore) ?? DEFAULT_TOKEN_WARNING_SECONDS) * 1000
  if (dies.getTime() - now.getTime() > threshold) return alert
  return { ...alert, outcome: 'failure', failedStep: GITHUB_TOKEN_STEP, error: tokenExpiryWarning(dies, now) }
}
