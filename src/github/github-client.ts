// Octokit as this action needs it: @actions/github's getOctokit with the throttling and retry plugins,
// the API version pinned, requests carried by the shared HTTP stack, and GitHub's rate limits honoured
// the way GitHub asks (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api):
// - writes on github.com go one at a time, a second apart (the plugin's pacing); elsewhere up to
//   max-concurrency at once;
// - once any limit is hit, no write is sent until retry-after has passed, not only the refused one,
//   and from then on writes go one at a time, a second apart;
// - a secondary limit without retry-after is waited out for at least a minute, longer each time.
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { Octokit } from '@octokit/core'
import Bottleneck from 'bottleneck/light.js'
import type { RotationLog } from '../action-io.js'

export type GitHubClient = ReturnType<typeof getOctokit>

/** The REST API version every request asks for (2026-03-10 brings breaking changes). */
export const GITHUB_API_VERSION = '2022-11-28'

export interface GitHubClientOptions {
  token: string
  baseUrl: string
  /** The HTTP exchange under Octokit: the shared stack's fetch. */
  fetch: typeof fetch
  log: RotationLog
  /** Requests in flight at once away from github.com. */
  maxConcurrency: number
  /** How long one of GitHub's seconds lasts (retry-after, pacing, backoff); tests shorten it. */
  secondMs?: number
}

const MAX_LIMIT_RETRIES = 5
const MAX_WAIT_SECONDS = 15 * 60

export function isGitHubDotCom(baseUrl: string): boolean {
  return new URL(baseUrl).hostname === 'api.github.com'
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { log } = options
  const second = options.secondMs ?? 1000
  const dotCom = isGitHubDotCom(options.baseUrl)
  // Limiter groups of this client alone (the plugin's defaults are shared by every client in the process).
  const groups = {
    global: new Bottleneck.Group({ maxConcurrent: dotCom ? 10 : options.maxConcurrency }),
    auth: new Bottleneck.Group({ maxConcurrent: 1 }),
    write: new Bottleneck.Group(
      dotCom ? { maxConcurrent: 1, minTime: second } : { maxConcurrent: options.maxConcurrency }
    ),
    search: new Bottleneck.Group({ maxConcurrent: 1, minTime: 2 * second }),
    notifications: new Bottleneck.Group(dotCom ? { maxConcurrent: 1, minTime: 3 * second } : { maxConcurrent: 1 })
  }
  const id = 'meta-token-rotator'
  const requests = groups.global.key(id)
  const writes = groups.write.key(id)
  let limited = false
  let heldUntil = 0

  // Each repeat waits longer: the hold below delays the plugin's retry too, until retry-after and more have passed.
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const seconds = retryAfter * 2 ** retryCount
      const again = retryCount < MAX_LIMIT_RETRIES && seconds <= MAX_WAIT_SECONDS
      log.warning(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: ${again ? `waiting ${seconds} s, then retrying` : 'giving up'}.`
      )
      if (again) hold(seconds)
      return again
    }

  /**
   * No request at all until the wait is over (the plugin delays only the refused one), the ones it
   * sends again included: a spacing as long as the wait puts every later request behind it. From
   * then on, writes go one at a time, a second apart.
   */
  function hold(seconds: number): void {
    const until = Date.now() + seconds * second
    if (!limited) {
      limited = true
      void writes.updateSettings({ maxConcurrent: 1, minTime: second })
    }
    if (until <= heldUntil) return
    heldUntil = until
    void (async () => {
      // Bottleneck's types say updateSettings is synchronous; it settles a tick later, so it is awaited.
      await Promise.resolve(requests.updateSettings({ minTime: seconds * second }))
      await requests.schedule({ priority: 0, weight: 0 }, () => Promise.resolve())
      await Promise.resolve(requests.updateSettings({ minTime: 0 }))
    })()
  }

  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      userAgent: 'meta-token-rotator',
      request: { fetch: options.fetch },
      throttle: {
        id,
        ...groups,
        retryAfterBaseValue: second,
        fallbackSecondaryRateRetryAfter: 60,
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary')
      },
      retry: { retryAfterBaseValue: second },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => log.debug(`octokit: ${message}`),
        error: (message: string) => log.debug(`octokit: ${message}`)
      }
    },
    pinnedApiVersion,
    throttling,
    unknownPostOutcomeNotRetried,
    retry
  )
}

/** Every request asks for the same REST API version, whatever GitHub's default becomes. */
function pinnedApiVersion(octokit: Octokit): void {
  octokit.hook.before('request', (options) => {
    options.headers['x-github-api-version'] = GITHUB_API_VERSION
  })
}

/**
 * A POST that got no answer may have been carried out: sent again, it would open a second issue.
 * The retry plugin, registered after this, reads the retries allowed from the request options.
 */
function unknownPostOutcomeNotRetried(octokit: Octokit): void {
  octokit.hook.error('request', (error, options) => {
    if (options.method === 'POST' && !(error as { response?: unknown }).response) options.request.retries = 0
    throw error
  })
}
