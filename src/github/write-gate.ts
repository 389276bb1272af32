// GitHub asks that, once it answers a rate limit, no write is sent until retry-after has passed: not
// only the refused one. Octokit's throttling plugin delays the refused request only, so every write
// passes this gate. Writes overlap until the first limit; from then on they go one at a time.

export class WriteGate {
  private blockedUntil = 0
  private serial = false
  private queue: Promise<unknown> = Promise.resolve()

  /** `secondMs`: how long one second of retry-after lasts (shortened in tests, as the plugins' base). */
  constructor(private readonly secondMs = 1000) {}

  wrap(inner: typeof fetch): typeof fetch {
    return (input, init) => {
      const method = (init?.method ?? 'GET').toUpperCase()
      if (method === 'GET' || method === 'HEAD') return inner(input, init)
      if (!this.serial) return this.send(inner, input, init)
      const turn = this.queue.then(() => this.send(inner, input, init))
      this.queue = turn.catch(() => undefined)
      return turn
    }
  }

  private async send(inner: typeof fetch, input: Parameters<typeof fetch>[0], init: Parameters<typeof fetch>[1]): Promise<Response> {
    for (let wait = this.blockedUntil - Date.now(); wait > 0; wait = this.blockedUntil - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
    const response = await inner(input, init)
    const waitMs = this.limitWaitMs(response)
    if (waitMs !== undefined) {
      this.serial = true
      this.blockedUntil = Math.max(this.blockedUntil, Date.now() + waitMs)
    }
    return response
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
