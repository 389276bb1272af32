// GitHub's secondary rate limit on content-creating requests (PUT, POST, PATCH, DELETE), as a
// sliding window. A client that is told `retry-after: N` must wait N seconds: a write sent earlier
// is rejected again and counted in `retriedTooEarly`.
export interface SecondaryRateLimitConfig {
  writesPerWindow: number
  windowMs: number
}

export interface RateLimitCounters {
  writesAccepted: number
  writesRejected: number
  retriedTooEarly: number
}

export const WRITE_METHODS = ['PUT', 'POST', 'PATCH', 'DELETE']

export class SecondaryRateLimit {
  readonly counters: RateLimitCounters = { writesAccepted: 0, writesRejected: 0, retriedTooEarly: 0 }
  private acceptedAt: number[] = []
  private blockedUntil = 0

  constructor(private readonly config: SecondaryRateLimitConfig | undefined) {}

  /** Undefined when the write may go ahead, else the seconds to announce in `retry-after`. */
  admit(now = Date.now()): number | undefined {
    if (this.config && now < this.blockedUntil) {
      this.counters.retriedTooEarly += 1
      return this.reject(Math.max(1, Math.ceil((this.blockedUntil - now) / 1000)))
    }
    if (this.config) {
      const { writesPerWindow, windowMs } = this.config
      this.acceptedAt = this.acceptedAt.filter((t) => t > now - windowMs)
      const oldest = this.acceptedAt[0]
      if (oldest !== undefined && this.acceptedAt.length >= writesPerWindow) {
        // Whole seconds, at least 1, even when a test scales the window below a second.
        const seconds = Math.max(1, Math.ceil((oldest + windowMs - now) / 1000))
        this.blockedUntil = now + seconds * 1000
        return this.reject(seconds)
      }
      this.acceptedAt.push(now)
    }
    this.counters.writesAccepted += 1
    return undefined
  }

  private reject(seconds: number): number {
    this.counters.writesRejected += 1
    return seconds
  }
}
