// Octokit as this action needs it: retries for 5xx and network failures, GitHub's primary and
// secondary rate limits honoured (retry-after), a timeout on every request, and no request logged.
import { getOctokit } from '@actions/github'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import type { RotationLog } from '../rotation-log.js'
import { WriteGate } from './write-gate.js'

export type GitHubClient = ReturnType<typeof getOctokit>

export interface GitHubClientOptions {
  token: string
  baseUrl: string
  timeoutMs: number
  log: RotationLog
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
  const reportLimit = (kind: string, method: string, url: string, seconds: number, again: boolean): void =>
    log.warning(`GitHub ${kind}rate limit on ${method} ${url}: ${again ? `waiting ${seconds} s as asked, then retrying` : 'giving up'}.`)
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const again = retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_WAIT_SECONDS
      reportLimit(`${kind} `, request.method, request.url, retryAfter, again)
      return again
    }
  // On github.com, Octokit's throttling plugin paces writes as GitHub advises (a second apart, issues
  // and comments three) and retries rate-limited requests. Enterprise Server sets no limit by
  // default: there the plugin would only add latency and a cap of ten requests in flight, so the
  // WriteGate alone reacts to whatever limit the host does set.
  const dotCom = isGitHubDotCom(options.baseUrl)
  const gate = new WriteGate({
    secondMs: retryAfterBaseValue,
    resendLimited: dotCom ? 0 : MAX_RATE_LIMIT_RETRIES,
    maxWaitMs: MAX_WAIT_SECONDS * 1000,
    // On github.com the plugin reports (and retries) the limit itself.
    onLimit: (waitMs, method, url, resend) => {
      if (!dotCom) reportLimit('', method, url, Math.ceil(waitMs / retryAfterBaseValue), resend)
    }
  })
  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      request: { fetch: gate.wrap(fetchWithTimeout(options.timeoutMs)) },
      retry: { retryAfterBaseValue },
      throttle: dotCom
        ? { retryAfterBaseValue, onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') }
        : { enabled: false },
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

/**
 * Every request, body included, must end within `timeoutMs`. The timer is cleared as soon as the
 * exchange is over: a pending AbortSignal.timeout would keep each request's objects alive for the
 * whole timeout, which adds up when a run makes thousands of requests.
 */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal
    try {
      const response = await fetch(input, { ...init, signal })
      // GitHub's answers here are small JSON: read whole under the timer, then handed on.
      const body = await response.arrayBuffer()
      const empty = response.status === 204 || response.status === 304
      return new Response(empty ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers })
    } finally {
      clearTimeout(timer)
    }
  }
}
