// GitHub's secondary rate limits on content-creating requests (PUT, POST, PATCH, DELETE): a sliding
// window (about 80 a minute on github.com) and, optionally, the hourly cap (about 500). A refused
// write gets a 403, with `retry-after: N` (no write may come for N seconds) or, as GitHub also does,
// without it: then the client must wait at least a minute. A write sent earlier than it was told is
// rejected again, and counted in `retriedTooEarly` when the client could have known: a repeat of a
// refused request, or any write arriving after the answer had time to reach the client (writes
// already on their way when the limit was announced are rejected but not held against it).
export interface SecondaryRateLimitConfig {
  writesPerWindow: number
  windowMs: number
  /** Default true. false: the 403 has no retry-after, and the client must wait at least `minuteMs`. */
  retryAfter?: boolean
  /** The minute a client must wait without retry-after, scaled for tests; default 60_000. */
  minuteMs?: number
  /** The hourly cap on content-creating requests; default none. */
  writesPerHour?: number
  /** The hour of that cap, scaled for tests; default 3_600_000. */
  hourMs?: number
  /** How long one second of retry-after lasts, scaled for tests as the client's is; default 1000. */
  secondMs?: number
}

export interface RateLimitCounters {
  writesAccepted: number
  writesRejected: number
  retriedTooEarly: number
}

/** A refused write: the seconds to announce in retry-after, or undefined to announce none. */
export interface Refusal {
  retryAfterSeconds: number | undefined
}

export const WRITE_METHODS = ['PUT', 'POST', 'PATCH', 'DELETE']

export class SecondaryRateLimit {
  readonly counters: RateLimitCounters = { writesAccepted: 0, writesRejected: 0, retriedTooEarly: 0 }
  private acceptedAt: number[] = []
  /** Writes are refused until then. */
  private blockedUntil = 0
  /** When the client was last told it is limited, and the earliest retry that answer allowed. */
  private toldAt = 0
  private retryAt = 0
  private readonly refused = new Set<string>()

  /** `inFlightMs`: how long an answer may take to reach the client (the emulated latency and some). */
  constructor(
    private config: SecondaryRateLimitConfig | undefined,
    private readonly inFlightMs: () => number = () => 100
  ) {}

  /** Replaces the limits and forgets every write so far (the counters keep counting). */
  configure(config: SecondaryRateLimitConfig | undefined): void {
    this.config = config
    this.acceptedAt = []
    this.blockedUntil = 0
    this.refused.clear()
  }

  /** Undefined when the write may go ahead, else how it is refused. */
  admit(request: string, now = Date.now()): Refusal | undefined {
    const config = this.config
    if (config && now < this.blockedUntil) {
      const knew = this.refused.has(request) || now > this.toldAt + this.inFlightMs()
      if (now < this.retryAt && knew) this.counters.retriedTooEarly += 1
      // A retry the client was allowed to make gets a fresh answer, with its own "wait at least a minute".
      if (now >= this.retryAt) this.tell(config, now)
      this.refused.add(request)
      return this.reject(now)
    }
    this.refused.clear()
    if (config) {
      const oldestKept = now - Math.max(config.windowMs, config.writesPerHour === undefined ? 0 : hour(config))
      this.acceptedAt = this.acceptedAt.filter((t) => t > oldestKept)
      const until = this.limitedUntil(config, now)
      if (until !== undefined) {
        // Whole seconds, at least 1, even when a test scales the window below a second.
        const announced = now + Math.max(1, Math.ceil((until - now) / second(config))) * second(config)
        this.blockedUntil = config.retryAfter === false ? Math.max(until, now + minute(config)) : announced
        this.tell(config, now)
        this.refused.add(request)
        return this.reject(now)
      }
      this.acceptedAt.push(now)
    }
    this.counters.writesAccepted += 1
    return undefined
  }

  /** When the write arriving `now` may go ahead, if a limit is reached. */
  private limitedUntil(config: SecondaryRateLimitConfig, now: number): number | undefined {
    const inWindow = this.acceptedAt.filter((t) => t > now - config.windowMs)
    const oldestInWindow = inWindow[0]
    if (oldestInWindow !== undefined && inWindow.length >= config.writesPerWindow) {
      return oldestInWindow + config.windowMs
    }
    if (config.writesPerHour === undefined) return undefined
    const inHour = this.acceptedAt.filter((t) => t > now - hour(config))
    const oldestInHour = inHour[0]
    return oldestInHour !== undefined && inHour.length >= config.writesPerHour ? oldestInHour + hour(config) : undefined
  }

  private tell(config: SecondaryRateLimitConfig, now: number): void {
    this.toldAt = now
    this.retryAt = config.retryAfter === false ? now + minute(config) : this.blockedUntil
  }

  private reject(now: number): Refusal {
    this.counters.writesRejected += 1
    const retryAfterSeconds =
      this.config?.retryAfter === false || !this.config
        ? undefined
        : Math.max(1, Math.ceil((this.blockedUntil - now) / second(this.config)))
    return { retryAfterSeconds }
  }
}

const second = (config: SecondaryRateLimitConfig): number => config.secondMs ?? 1000
const minute = (config: SecondaryRateLimitConfig): number => config.minuteMs ?? 60 * second(config)
const hour = (config: SecondaryRateLimitConfig): number => config.hourMs ?? 3600 * second(config)
