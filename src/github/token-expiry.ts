// The github-token's own expiry. A personal access token with an expiry is told in every answer GitHub
// gives it (`github-authentication-token-expiration: 2026-12-12 10:00:00 UTC`), and when it dies every
// rotation fails at the first GitHub request, the alert included if it uses the same token. Nothing else
// reads that header, so the run does: the summary says when the secrets-writing token dies, and within
// rotate-before (or 14 days) the run warns and the failure alert opens its issue while there is time.
// A GitHub App installation token (`ghs_…`) has no such header: it lives an hour (the `expires_at` of
// POST /app/installations/{id}/access_tokens) and is minted again for each run, so it cannot lapse between runs.
import { DEFAULT_DATA_ACCESS_WARNING_SECONDS } from '../contract.js'
import { dateText, relativeText } from '../token-checks.js'

export const EXPIRATION_HEADER = 'github-authentication-token-expiration'
/** The same 14 days the data-access check uses when rotate-before is empty. */
export const DEFAULT_TOKEN_WARNING_SECONDS = DEFAULT_DATA_ACCESS_WARNING_SECONDS

/** `2026-12-12 10:00:00 UTC`, or with a numeric zone `2026-12-12 02:00:00 -0800`; undefined otherwise. */
export function parseTokenExpiration(value: string | null | undefined): Date | undefined {
  const match = /^\s*(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})\s*(UTC|GMT|Z|[+-]\d{2}:?\d{2})\s*$/i.exec(value ?? '')
  if (!match) return undefined
  const [, day, time, zone = 'UTC'] = match
  const offset = /^(UTC|GMT|Z)$/i.test(zone) ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`
  const parsed = new Date(`${day}T${time}${offset}`)
  return Number.isNaN(parsed.getTime()) ? undefined : parsed
}

export type GitHubTokenKind = 'fine-grained' | 'classic' | 'installation' | 'other'

/** What the token's prefix says it is (GitHub's documented prefixes). */
export function gitHubTokenKind(token: string): GitHubTokenKind {
  if (token.startsWith('github_pat_')) return 'fine-grained'
  if (token.startsWith('ghp_')) return 'classic'
  if (token.startsWith('ghs_')) return 'installation'
  return 'other'
}

const KIND_WORDS: Record<GitHubTokenKind, string> = {
  'fine-grained': 'a fine-grained personal access token',
  classic: 'a classic personal access token',
  installation: 'a GitHub App installation token',
  other: 'a GitHub token'
}

/** Reads the expiry off every answer to the github-token. */
export class GitHubTokenExpiry {
  /** The latest expiry GitHub told; undefined when no answer carried one. */
  expiresAt: Date | undefined
  readonly kind: GitHubTokenKind

  constructor(token: string) {
    this.kind = gitHubTokenKind(token)
  }

  /** The same fetch, noting the header of each answer. */
  watch(fetch: typeof globalThis.fetch): typeof globalThis.fetch {
    return async (...args: Parameters<typeof globalThis.fetch>) => {
      const response = await fetch(...args)
      const told = parseTokenExpiration(response.headers.get(EXPIRATION_HEADER))
      if (told) this.expiresAt = told
      return response
    }
  }

  /** For the `github-token-expires-at` output: ISO 8601, or empty when GitHub told none. */
  output(): string {
    return this.expiresAt ? this.expiresAt.toISOString() : ''
  }

  /** The sentence for the summary, and a warning when the token dies within the threshold. */
  report(now: Date, thresholdSeconds: number | undefined): { note?: string; warning?: string } {
    const what = `The github-token (${KIND_WORDS[this.kind]})`
    if (!this.expiresAt) {
      if (this.kind === 'installation') {
        return { note: `${what} lives an hour and is minted for each run: it cannot expire between runs.` }
      }
      return this.kind === 'other' ? {} : { note: `${what} has no expiry that GitHub told.` }
    }
    const when = `${dateText(this.expiresAt)} (${relativeText(this.expiresAt, now)})`
    const within =
      this.expiresAt.getTime() - now.getTime() <= (thresholdSeconds ?? DEFAULT_TOKEN_WARNING_SECONDS) * 1000
    if (!within) return { note: `${what} that writes the secrets expires on ${when}.` }
    const warning = tokenExpiryWarning(this.expiresAt, now)
    return { note: warning, warning }
  }
}

/** What to say when the token that writes the secrets dies soon: what breaks, by when, and the lasting fix. */
export function tokenExpiryWarning(expiresAt: Date, now: Date): string {
  const passed = expiresAt.getTime() <= now.getTime()
  return (
    `The github-token that writes the secrets ${passed ? 'expired' : 'expires'} on ${dateText(expiresAt)} (${relativeText(expiresAt, now)}): ` +
    'from then on every rotation fails before it writes anything, and the Meta token dies at its own expiry. ' +
    'Regenerate the token and update its secret, or better, switch to GitHub App authentication ' +
    '(actions/create-github-app-token mints a token for each run, which never lapses between runs).'
  )
}
