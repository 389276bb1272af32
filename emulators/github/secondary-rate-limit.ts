// GitHub's secondary rate limit on content-creating requests (PUT, POST, PATCH, DELETE), as a
// sliding window. A client that is told `retry-after: N` must send no write for N seconds: a write
// sent earlier is rejected again, and counted in `retriedTooEarly` when the client could have known:
// a repeat of a refused request, or any write arriving after the answer had time to reach the client
// (writes already on their way when the limit was announced are rejected but not held against it).
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
  private blockedSince = 0
  private readonly refused = new Set<string>()

  /** `inFlightMs`: how long an answer may take to reach the client (the emulated latency and some). */
  constructor(
    private readonly config: SecondaryRateLimitConfig | undefined,
    private readonly inFlightMs: () => number = () => 100
  ) {}

  /** Undefined when the write may go ahead, else the seconds to announce in `retry-after`. */
  admit(request: string, now = Date.now()): number | undefined {
    if (this.config && now < this.blockedUntil) {
      if (this.refused.has(request) || now > this.blockedSince + this.inFlightMs()) this.counters.retriedTooEarly += 1
      this.refused.add(request)
      return this.reject(Math.max(1, Math.ceil((this.blockedUntil - now) / 1000)))
    }
    this.refused.clear()
    if (this.config) {
      const { writesPerWindow, windowMs } = this.config
      this.acceptedAt = this.acceptedAt.filter((t) => t > now - windowMs)
      const oldest = this.acceptedAt[0]
      if (oldest !== undefined && this.acceptedAt.length >= writesPerWindow) {
        // Whole seconds, at least 1, even when a test scales the window below a second.
        const seconds = Math.max(1, Math.ceil((oldest + windowMs - now) / 1000))
        this.blockedUntil = now + seconds * 1000
        this.blockedSince = now
        this.refused.add(request)
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
