// Octokit as this action needs it: retries for 5xx and network failures, GitHub's primary and
// secondary rate limits honoured (retry-after), a timeout on every request, and no request logged.
// Built on @octokit/core rather than @actions/github's getOctokit: that one also loads a proxy-aware
// undici and the REST method tables, which a rotation does not use (15 ms of every start, measured
// in docs/benchmarks.md).
import { Octokit } from '@octokit/core'
import { throttling } from '@octokit/plugin-throttling'
import { createTransport, type HttpFetch } from '../http/transport.js'
import type { RotationLog } from '../rotation-log.js'
import { RequestGate } from './request-gate.js'

const RotatorOctokit = Octokit.plugin(throttling)

export type GitHubClient = InstanceType<typeof RotatorOctokit>

export interface GitHubClientOptions {
  token: string
  baseUrl: string
  timeoutMs: number
  /** Where HTTPS_PROXY and NO_PROXY come from (the runner's environment). */
  proxyEnv?: NodeJS.ProcessEnv
  log: RotationLog
  /** Multiplies every wait (retry-after, backoff); 1000 means seconds, as GitHub means them. */
  retryAfterBaseMs?: number
  /** The HTTP exchange under the gate; tests use it to send api.github.com's requests to the emulator. */
  transport?: HttpFetch
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
    log.warning(
      `GitHub ${kind}rate limit on ${method} ${url}: ${again ? `waiting ${seconds} s as asked, then retrying` : 'giving up'}.`
    )
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
  // RequestGate alone reacts to whatever limit the host does set.
  const dotCom = isGitHubDotCom(options.baseUrl)
  const gate = new RequestGate({
    secondMs: retryAfterBaseValue,
    resendLimited: dotCom ? 0 : MAX_RATE_LIMIT_RETRIES,
    maxWaitMs: MAX_WAIT_SECONDS * 1000,
    // On github.com the plugin reports (and retries) the limit itself.
    onLimit: (waitMs, method, url, resend) => {
      if (!dotCom) reportLimit('', method, url, Math.ceil(waitMs / retryAfterBaseValue), resend)
    },
    onRetry: (failure, method, url, retry, of, waitMs) =>
      log.info(`GitHub ${method} ${url} failed (${failure}); retry ${retry} of ${of} in ${Math.round(waitMs)} ms.`)
  })
  return new RotatorOctokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: 'meta-token-rotator',
    request: {
      fetch: gate.wrap(
        options.transport ?? createTransport({ timeoutMs: options.timeoutMs, proxyEnv: options.proxyEnv })
      )
    },
    throttle: dotCom
      ? { retryAfterBaseValue, onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') }
      : { enabled: false },
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: string) => log.debug(`octokit: ${message}`),
      error: (message: string) => log.debug(`octokit: ${message}`)
    }
  })
}
