// Octokit as this action needs it: @actions/github's getOctokit with the throttling and retry plugins,
// the API version pinned, requests carried by the shared HTTP stack, and GitHub's rate limits honoured
// the way GitHub asks (https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api):
// - writes on github.com go one at a time, a second apart (the throttling plugin's pacing);
// - once a limit is hit, no request is sent until retry-after has passed, not only the refused one,
//   and from then on writes go one at a time, a second apart;
// - a limit without retry-after is waited out for at least a minute, longer each time.
// Enterprise Server sets no rate limit by default: there requests go out unpaced (the plugin's queues
// cost about a millisecond per request and stage, measured in docs/benchmarks.md) until the host
// answers a limit; from then on every request goes through the paced client, the refused one first.
import { getOctokit } from '@actions/github'
import type { Octokit } from '@octokit/core'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
import type { RotationLog } from '../action-io.js'
import { HttpFailure } from '../http/http-stack.js'
import { MAY_HAVE_LANDED, mayHaveLanded, readGitHubError } from './github-error.js'

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
/**
 * Answers no retry changes: the plugin's own list, and 409, a conflict with what exists (a variable
 * created by another run), which is an answer about state, not a passing failure.
 */
const NOT_RETRIED = [400, 401, 403, 404, 409, 410, 422, 451]

/** GitHub: without retry-after, wait at least a minute. */
const DEFAULT_LIMIT_SECONDS = 60

export function isGitHubDotCom(baseUrl: string): boolean {
  return new URL(baseUrl).hostname === 'api.github.com'
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const dotCom = isGitHubDotCom(options.baseUrl)
  if (dotCom) return pacedClient(options, dotCom).octokit
  // Made only once a limit is hit: most runs away from github.com never need it.
  let pacedOnce: ReturnType<typeof pacedClient> | undefined
  const paced = () => (pacedOnce ??= pacedClient(options, dotCom))
  const unpaced = octokit(options, { enabled: false }, { doNotRetry: [...NOT_RETRIED, 429] })
  let limited = false
  unpaced.hook.wrap('request', async (request, requestOptions) => {
    // The paced client must not run this client's hooks again.
    const { request: { hook: _hook, ...carried } = {}, ...endpoint } = requestOptions
    const viaPaced = (earlier?: unknown) =>
      paced().octokit.request({
        ...endpoint,
        // An earlier attempt that may have landed still counts once the request goes the paced way.
        request: mayHaveLanded(earlier) ? { ...carried, [MAY_HAVE_LANDED]: true } : carried
      })
    if (limited) return viaPaced()
    try {
      return await request(requestOptions)
    } catch (error) {
      const seconds = limitSeconds(error)
      if (seconds === undefined) throw error
      limited = true
      options.log.warning(
        `GitHub rate limit on ${requestOptions.method} ${requestOptions.url}: from now on requests are paced; waiting ${seconds} s, then retrying.`
      )
      paced().hold(seconds)
      return viaPaced(error)
    }
  })
  return unpaced
}

/** A client with the throttling plugin: GitHub's pacing (on github.com), its limits waited out, writes held once limited. */
function pacedClient(
  options: GitHubClientOptions,
  dotCom: boolean
): { octokit: GitHubClient; hold: (seconds: number) => void } {
  const { log } = options
  const second = options.secondMs ?? 1000
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
  let heldUntil = 0

  /**
   * No request at all until the wait is over (the plugin delays only the refused one), the ones it
   * sends again included: a spacing as long as the wait puts every later request behind it. From
   * then on, writes go one at a time, a second apart.
   */
  function hold(seconds: number): void {
    const until = Date.now() + seconds * second
    // Refusals that arrive together (the writes in flight when the limit came) make one hold, not many.
    if (until <= heldUntil + second) return
    heldUntil = until
    // The writes' own gate is held too: were only the requests held, the writes would pass their
    // one-a-second gate during the hold, queue up behind it and all go at once when it ends.
    const gates = [requests, writes]
    void (async () => {
      // Bottleneck's types say updateSettings is synchronous; it settles a tick later, so it is awaited.
      await Promise.all([
        Promise.resolve(requests.updateSettings({ minTime: seconds * second })),
        Promise.resolve(writes.updateSettings({ maxConcurrent: 1, minTime: seconds * second }))
      ])
      await Promise.all(gates.map((gate) => gate.schedule({ priority: 0, weight: 0 }, () => Promise.resolve())))
      await Promise.all([
        Promise.resolve(requests.updateSettings({ minTime: 0 })),
        Promise.resolve(writes.updateSettings({ maxConcurrent: 1, minTime: second }))
      ])
    })()
  }

  // Each repeat waits longer: the hold delays the plugin's retry too, until retry-after and more have passed.
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

  const client = octokit(
    options,
    {
      id,
      ...groups,
      retryAfterBaseValue: second,
      fallbackSecondaryRateRetryAfter: DEFAULT_LIMIT_SECONDS,
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary')
    },
    { doNotRetry: NOT_RETRIED }
  )
  return { octokit: client, hold }
}

type ThrottleOptions = NonNullable<Parameters<typeof throttling>[1]['throttle']>

function octokit(
  options: GitHubClientOptions,
  throttle: ThrottleOptions,
  retryOptions: { doNotRetry?: number[] } = {}
): GitHubClient {
  const { log } = options
  return getOctokit(
    options.token,
    {
      baseUrl: options.baseUrl,
      userAgent: 'meta-token-rotator',
      request: { fetch: options.fetch },
      throttle,
      retry: { retryAfterBaseValue: options.secondMs ?? 1000, ...retryOptions },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => log.debug(`octokit: ${message}`),
        error: (message: string) => log.debug(`octokit: ${message}`)
      }
    },
    pinnedApiVersion,
    markMayHaveLanded,
    throttling,
    notRetried,
    retry
  )
}

/** How long a rate-limited answer asks to wait, in seconds; undefined for any other failure. */
function limitSeconds(error: unknown): number | undefined {
  const { status, said, headers } = readGitHubError(error)
  if (status !== 403 && status !== 429) return undefined
  const retryAfter = Number(headers['retry-after'])
  if (retryAfter > 0) return retryAfter
  if (headers['x-ratelimit-remaining'] === '0') {
    const reset = Number(headers['x-ratelimit-reset']) * 1000
    return Number.isFinite(reset) ? Math.max(1, Math.ceil((reset - Date.now()) / 1000) + 1) : DEFAULT_LIMIT_SECONDS
  }
  return status === 429 || /secondary rate limit/i.test(said) ? DEFAULT_LIMIT_SECONDS : undefined
}

/** Every request asks for the same REST API version, whatever GitHub's default becomes. */
function pinnedApiVersion(octokit: Octokit): void {
  octokit.hook.before('request', (options) => {
    options.headers['x-github-api-version'] = GITHUB_API_VERSION
  })
}

/**
 * An attempt that got no answer, or a 5xx, may have been carried out: marked on the request's
 * options, which every later attempt shares and the final error carries. Registered before the
 * throttling and retry plugins, so it sees each attempt, not only the last (read by mayHaveLanded).
 */
function markMayHaveLanded(octokit: Octokit): void {
  octokit.hook.error('request', (error, options) => {
    const { response, status } = error as { response?: unknown; status?: number }
    if (!response || (status !== undefined && status >= 500)) {
      ;(options.request as Record<string, unknown>)[MAY_HAVE_LANDED] = true
    }
    throw error
  })
}

/**
 * Requests never sent again: a POST that got no answer may have been carried out (sent again, it would
 * open a second issue), and an answer over the body cap would only be as large the next time. The
 * retry plugin, registered after this, reads the retries allowed from the request options.
 */
function notRetried(octokit: Octokit): void {
  octokit.hook.error('request', (error, options) => {
    const { response, cause } = error as { response?: unknown; cause?: unknown }
    const tooLarge = cause instanceof HttpFailure && cause.kind === 'too-large'
    if ((options.method === 'POST' && !response) || tooLarge) options.request.retries = 0
    throw error
  })
}
