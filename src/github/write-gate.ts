// GitHub asks that, once it answers a rate limit, no write is sent until retry-after has passed: not
// only the refused one. Every request passes this gate. Writes overlap until the first limit; from
// then on they wait out retry-after and go one at a time. Where Octokit's throttling plugin is off
// (hosts other than github.com), the gate also sends a refused request again once the wait is over.

export interface WriteGateOptions {
  /** How long one second of retry-after lasts (shortened in tests, as the plugins' base). */
  secondMs?: number
  /** Send a rate-limited request again after the wait, up to this many times; 0 leaves that to Octokit. */
  resendLimited?: number
  /** A wait longer than this is not waited out: the refusal is returned as it is. */
  maxWaitMs?: number
  onLimit?: (waitMs: number, method: string, url: string, willResend: boolean) => void
}

export class WriteGate {
  private blockedUntil = 0
  private serial = false
  private queue: Promise<unknown> = Promise.resolve()
  private readonly secondMs: number
  private readonly resendLimited: number
  private readonly maxWaitMs: number

  constructor(private readonly options: WriteGateOptions = {}) {
    this.secondMs = options.secondMs ?? 1000
    this.resendLimited = options.resendLimited ?? 0
    this.maxWaitMs = options.maxWaitMs ?? 15 * 60_000
  }

  wrap(inner: typeof fetch): typeof fetch {
    return (input, init) => {
      const method = (init?.method ?? 'GET').toUpperCase()
      const isWrite = method !== 'GET' && method !== 'HEAD'
      if (!isWrite || !this.serial) return this.send(inner, input, init, isWrite)
      const turn = this.queue.then(() => this.send(inner, input, init, isWrite))
      this.queue = turn.catch(() => undefined)
      return turn
    }
  }

  private async send(inner: typeof fetch, input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1], isWrite: boolean): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      if (isWrite) await this.waitIfBlocked()
      const response = await inner(input, init)
      const waitMs = this.limitWaitMs(response)
      if (waitMs === undefined) return response
      this.serial = true
      this.blockedUntil = Math.max(this.blockedUntil, Date.now() + waitMs)
      const resend = attempt < this.resendLimited && waitMs <= this.maxWaitMs
      this.options.onLimit?.(waitMs, init?.method ?? 'GET', String(input), resend)
      if (!resend) return response
      if (!isWrite) await this.waitIfBlocked()
    }
  }

  private async waitIfBlocked(): Promise<void> {
    for (let wait = this.blockedUntil - Date.now(); wait > 0; wait = this.blockedUntil - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }

  /** retry-after on a 403 or 429; or, for the primary limit, the time until x-ratelimit-reset. */
  private limitWaitMs(response: Response): number | undefined {
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
