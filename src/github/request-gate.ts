// Every GitHub request passes this gate, below Octokit, on the raw HTTP exchange.
//
// Rate limits: GitHub asks that, once it answers a rate limit, no write is sent until retry-after has
// passed: not only the refused one. Writes overlap until the first limit; from then on they wait out
// retry-after and go one at a time. Where Octokit's throttling plugin is off (hosts other than
// github.com), the gate also sends a refused request again once the wait is over.
//
// Failures: a 5xx answer (or a 429 without retry-after), a reset connection or a timeout is sent
// again after 1, 4 and 9 seconds (@octokit/plugin-retry's schedule, which this replaces: the plugin
// runs every request through a Bottleneck queue of its own, 5 ms a request measured in
// docs/benchmarks.md). A POST whose fate is unknown is not sent again: it would open a second issue
// where the first one was created.
import { setTimeout as sleep } from 'node:timers/promises'
import type { HttpFetch, HttpRequestInit, HttpResponse } from '../http/transport.js'

export interface RequestGateOptions {
  /** How long one second of retry-after or backoff lasts (shortened in tests). */
  secondMs?: number
  /** Send a rate-limited request again after the wait, up to this many times; 0 leaves that to Octokit. */
  resendLimited?: number
  /** A wait longer than this is not waited out: the refusal is returned as it is. */
  maxWaitMs?: number
  /** Sends after a failure; 0 turns retries off. */
  retries?: number
  onLimit?: (waitMs: number, method: string, url: string, willResend: boolean) => void
  onRetry?: (failure: string, method: string, url: string, retry: number, of: number, waitMs: number) => void
}

const DEFAULT_RETRIES = 3

export class RequestGate {
  private blockedUntil = 0
  private serial = false
  private queue: Promise<unknown> = Promise.resolve()
  private readonly secondMs: number
  private readonly resendLimited: number
  private readonly maxWaitMs: number
  private readonly retries: number

  constructor(private readonly options: RequestGateOptions = {}) {
    this.secondMs = options.secondMs ?? 1000
    this.resendLimited = options.resendLimited ?? 0
    this.maxWaitMs = options.maxWaitMs ?? 15 * 60_000
    this.retries = options.retries ?? DEFAULT_RETRIES
  }

  wrap(inner: HttpFetch): HttpFetch {
    return (input, init) => this.send(inner, input, init, (init?.method ?? 'GET').toUpperCase())
  }

  private async send(
    inner: HttpFetch,
    input: string,
    init: HttpRequestInit | undefined,
    method: string
  ): Promise<HttpResponse> {
    const isWrite = method !== 'GET' && method !== 'HEAD'
    let limited = 0
    let failed = 0
    for (;;) {
      let response: HttpResponse
      try {
        response = await (isWrite && this.serial ? this.inTurn(() => inner(input, init)) : inner(input, init))
      } catch (error) {
        // Unknown fate: the request may have been carried out, so only a repeatable one goes again.
        if (method === 'POST' || failed >= this.retries) throw error
        await this.backOff(++failed, describeFailure(error), method, input)
        continue
      }
      const waitMs = this.limitWaitMs(response)
      if (waitMs === undefined) {
        // A 429 that says nothing of how long to wait is a failure like a 5xx.
        if ((response.status >= 500 || response.status === 429) && failed < this.retries) {
          await this.backOff(++failed, `HTTP ${response.status}`, method, input)
          continue
        }
        return response
      }
      this.serial = true
      this.blockedUntil = Math.max(this.blockedUntil, Date.now() + waitMs)
      const resend = limited++ < this.resendLimited && waitMs <= this.maxWaitMs
      this.options.onLimit?.(waitMs, method, input, resend)
      if (!resend) return response
      if (!isWrite) await this.waitIfBlocked()
    }
  }

  /** Once limited, writes go one at a time, each after the wait GitHub asked for: resent ones too. */
  private inTurn(send: () => Promise<HttpResponse>): Promise<HttpResponse> {
    const turn = this.queue.then(async () => {
      await this.waitIfBlocked()
      return send()
    })
    this.queue = turn.catch(() => undefined)
    return turn
  }

  private async backOff(failures: number, failure: string, method: string, url: string): Promise<void> {
    const waitMs = failures ** 2 * this.secondMs
    this.options.onRetry?.(failure, method, url, failures, this.retries, waitMs)
    await sleep(waitMs)
  }

  private async waitIfBlocked(): Promise<void> {
    for (let wait = this.blockedUntil - Date.now(); wait > 0; wait = this.blockedUntil - Date.now()) {
      await sleep(wait)
    }
  }

  /** retry-after on a 403 or 429; or, for the primary limit, the time until x-ratelimit-reset. */
  private limitWaitMs(response: HttpResponse): number | undefined {
    if (response.status !== 403 && response.status !== 429) return undefined
    const retryAfter = Number(response.headers.get('retry-after'))
    if (retryAfter > 0) return retryAfter * this.secondMs
    if (response.headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(response.headers.get('x-ratelimit-reset')) * 1000
      return Number.isFinite(reset) ? Math.max(0, reset - Date.now()) : undefined
    }
    return undefined
  }
}

function describeFailure(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: string; code?: string }
  if (name === 'TimeoutError') return 'no answer in time'
  return code ? `connection failed, ${code}` : 'connection failed'
}
