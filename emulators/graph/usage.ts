// How much of its rate limits an app has used, as Meta reports it once the app made enough calls: X-App-Usage
// (platform limits) and, for calls on behalf of a business (system user tokens),
// X-Business-Use-Case-Usage; both are percentages over a rolling hour. A test can throttle the app:
// usage at 100 %, estimated_time_to_regain_access in minutes, and calls answered with Meta's
// throttling error until the emulated clock passes the regain time (or a number of calls went by).
import { matchesPath } from '../loopback-server.js'
import { GraphError } from './errors.js'

export interface ThrottleSpec {
  /** 4 (app), 17 (user), 32 (page), 613 (ad account) or 80000–80014 (business use case). */
  code: number
  /** estimated_time_to_regain_access; the throttle lifts once the emulated clock passes it. Default 60. */
  minutes?: number
  /** Lift it after this many throttled calls, if that comes first. */
  calls?: number
  /** Throttle only the calls whose path (without the query) matches. */
  path?: RegExp | string
}

interface Throttle {
  code: number
  regainAt: number
  callsLeft: number
  path?: RegExp | string
}

const APP_LIMITS: Record<number, string> = {
  4: '(#4) Application request limit reached',
  17: '(#17) User request limit reached',
  32: '(#32) Page request limit reached',
  613: '(#613) Calls to this api have exceeded the rate limit.'
}

/** Business use case throttling codes: the use case and what Meta says there were too many calls to. */
const BUSINESS_USE_CASES: Record<number, [type: string, target: string]> = {
  80000: ['ads_insights', 'from this ad-account'],
  80001: ['pages', 'to this Page account'],
  80002: ['instagram', 'to this Instagram account'],
  80003: ['custom_audience', 'to this ad-account'],
  80004: ['ads_management', 'to this ad-account'],
  80005: ['leadgen', 'to this ad-account'],
  80006: ['messenger', 'to this Messenger account'],
  80008: ['whatsapp_business_management', 'to this WhatsApp Business account'],
  80009: ['catalog_management', 'to this Catalog'],
  80014: ['catalog_batch', 'to this Catalog']
}

const HOUR = 3600

export class Usage {
  /** Calls an app may make in an hour before its usage reads 100 %. */
  appCallsPerHour = 10_000
  /**
   * Meta adds the usage headers to the answers of "any endpoint that receives enough requests from
   * your app": below this many calls of the app in the rolling hour (and no throttle), they are left
   * out. How many is enough is unverified; 0 puts them on every answer.
   */
  headersFromCalls = 25
  private calls: Array<{ at: number; appId?: string; businessId?: string }> = []
  private throttle: Throttle | undefined
  /** The throttle the call being answered ran into: its answer still reports it, even when it was the last one. */
  private answering: Throttle | undefined

  constructor(private readonly now: () => number) {}

  start(spec: ThrottleSpec): void {
    const { code } = spec
    if (!(code in APP_LIMITS) && !(code >= 80000 && code <= 80014)) {
      throw new Error(`graph emulator: ${code} is not a throttling code (4, 17, 32, 613, 80000–80014)`)
    }
    this.throttle = {
      code,
      regainAt: this.now() + (spec.minutes ?? 60) * 60,
      callsLeft: spec.calls ?? Number.POSITIVE_INFINITY,
      path: spec.path
    }
  }

  stop(): void {
    this.throttle = undefined
  }

  get throttled(): boolean {
    return this.activeThrottle() !== undefined
  }

  /** Counts a call, and throws the throttling error when the call is throttled. */
  record(path: string, caller: { appId?: string; businessId?: string }): void {
    const now = this.now()
    this.calls = this.calls.filter((call) => call.at > now - HOUR)
    this.calls.push({ at: now, ...caller })
    const throttle = this.activeThrottle()
    if (!throttle || (throttle.path !== undefined && !matchesPath(throttle.path, path))) return
    throttle.callsLeft -= 1
    this.answering = throttle
    throw throttlingError(throttle.code)
  }

  /** The usage headers of an answer to this caller. */
  headers(caller: { appId?: string; businessId?: string }): Record<string, string> {
    const throttle = this.answering ?? this.activeThrottle()
    this.answering = undefined
    const regain = throttle ? Math.ceil((throttle.regainAt - this.now()) / 60) : 0
    const percent = (count: number): number =>
      throttle ? 100 : Math.min(100, Math.round((count * 100) / this.appCallsPerHour))
    const appCalls = this.calls.filter((call) => call.appId === caller.appId).length
    if (!throttle && appCalls < this.headersFromCalls) return {}
    const appUsage = percent(appCalls)
    const headers: Record<string, string> = {
      'x-app-usage': JSON.stringify({ call_count: appUsage, total_cputime: appUsage, total_time: appUsage })
    }
    if (caller.businessId !== undefined) {
      const businessUsage = percent(this.calls.filter((call) => call.businessId === caller.businessId).length)
      const type = (throttle && BUSINESS_USE_CASES[throttle.code]?.[0]) ?? 'ads_management'
      headers['x-business-use-case-usage'] = JSON.stringify({
        [caller.businessId]: [
          {
            type,
            call_count: businessUsage,
            total_cputime: businessUsage,
            total_time: businessUsage,
            estimated_time_to_regain_access: regain
          }
        ]
      })
    }
    return headers
  }

  private activeThrottle(): Throttle | undefined {
    const throttle = this.throttle
    if (throttle && (throttle.callsLeft <= 0 || this.now() >= throttle.regainAt)) this.throttle = undefined
    return this.throttle
  }
}

function throttlingError(code: number): GraphError {
  const appLimit = APP_LIMITS[code]
  if (appLimit) return new GraphError(appLimit, code, 'OAuthException', undefined, { isTransient: true })
  const target = BUSINESS_USE_CASES[code]?.[1] ?? 'to this ad-account'
  return new GraphError(
    `(#${code}) There have been too many calls ${target}. Wait a bit and try again. ` +
      'For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.',
    code,
    'OAuthException',
    2446079,
    { isTransient: true }
  )
}
