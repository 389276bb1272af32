// Octokit as this action needs it: retries for 5xx and network failures, GitHub's primary and
// secondary rate limits honoured (retry-after), a timeout on every request, and no request logged.
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'
import type { RotationLog } from '../rotation-log.js'

export type GitHubClient = ReturnType<typeof getOctokit>

export interface GitHubClientOptions {
  token: string
  baseUrl: string
  timeoutMs: number
  log: RotationLog
  /** Writes under way at once where GitHub sets no pace of its own (Enterprise Server, tests). */
  maxConcurrentWrites: number
  /** Multiplies every wait (retry-after, backoff); 1000 means seconds, as GitHub means them. */
  retryAfterBaseMs?: number
}

const MAX_RATE_LIMIT_RETRIES = 5
const MAX_WAIT_SECONDS = 15 * 60

export function isGitHubDotCom(baseUrl: string): boolean {
  return new URL(baseUrl).hostname === 'api.github.com'
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { log } = options
  const retryAfterBaseValue = options.retryAfterBaseMs ?? 1000
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const again = retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_WAIT_SECONDS
      log.warning(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: ${again ? `waiting ${retryAfter} s as asked, then retrying` : 'giving up'}.`
      )
      return again
    }
  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      request: { fetch: fetchWithTimeout(options.timeoutMs) },
      retry: { retryAfterBaseValue },
      throttle: {
        retryAfterBaseValue,
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
        // On github.com the plugin's own pacing stays (writes one at a time, a second apart, as
        // GitHub advises); elsewhere no limit is set by default, so writes may overlap.
        ...(isGitHubDotCom(options.baseUrl)
          ? {}
          : { write: new Bottleneck.Group({ maxConcurrent: options.maxConcurrentWrites, minTime: 0 }) })
      },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => log.debug(`octokit: ${message}`),
        error: (message: string) => log.debug(`octokit: ${message}`)
      }
    },
    retry,
    throttling
  )
}

function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout
    return fetch(input, { ...init, signal })
  }
}
