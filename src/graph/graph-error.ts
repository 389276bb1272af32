// How a Graph API failure is described and whether it is worth another try.
import { outsideText } from '../outside-text.js'

export type GraphFailureKind = 'api' | 'network' | 'timeout' | 'malformed'

export interface GraphFailure {
  kind: GraphFailureKind
  status?: number
  code?: number
  subcode?: number
  type?: string
  fbtraceId?: string
  /** Meta's own words for the person (`error_user_title`, `error_user_msg`). */
  userTitle?: string
  userMessage?: string
  transient: boolean
  /** How long Meta asked us to wait: retry-after, or the usage headers' estimate. */
  retryAfterMs?: number
  /**
   * The call was refused because of the app token (app-id|app-secret), not the token it was about:
   * Meta could not read it (no app has that id), or its secret is not the app's.
   */
  appCredentials?: 'app-id' | 'app-secret'
  /** Which API, and the input that points at it, for a call that got no answer. */
  unreachable?: { api: string; urlInput: string }
}

/** A Graph call that failed. Its message is redacted, one line, and never carries a URL. */
export class GraphError extends Error {
  constructor(
    message: string,
    readonly failure: GraphFailure
  ) {
    super(message)
    this.name = 'GraphError'
  }

  /** `(#190/463, fbtrace_id AbC)`: what a user quotes to Meta support. */
  get reference(): string {
    const { code, subcode, fbtraceId } = this.failure
    const parts = [code === undefined ? undefined : `#${code}${subcode ? `/${subcode}` : ''}`]
    if (fbtraceId) parts.push(`fbtrace_id ${fbtraceId}`)
    const text = parts.filter(Boolean).join(', ')
    return text ? ` (${text})` : ''
  }

  /** Meta's words for the person, when it gave them: `Title: message`. */
  get userFacing(): string | undefined {
    const { userTitle, userMessage } = this.failure
    const text = [userTitle, userMessage].filter(Boolean).join(': ')
    return text || undefined
  }
}

const THROTTLING_CODES = new Set([4, 17, 32, 341, 613])

export function isThrottlingCode(code: number): boolean {
  return THROTTLING_CODES.has(code) || (code >= 80000 && code <= 80014)
}

/** Graph's own transient codes: 1 and 2 (temporary), throttling, and the business use case range. */
export function isTransientGraphCode(code: number): boolean {
  return code === 1 || code === 2 || isThrottlingCode(code)
}

interface GraphErrorBody {
  message?: unknown
  type?: unknown
  code?: unknown
  error_subcode?: unknown
  error_user_title?: unknown
  error_user_msg?: unknown
  fbtrace_id?: unknown
  is_transient?: unknown
}

const integer = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined

/** Meta's trace ids are short runs of letters, digits, `_` and `-`; anything else is not one. */
const TRACE_ID = /^[\w-]{1,80}$/

/**
 * Turns an error body into a failure. Every string in it is Meta's and made one inert line, redacted
 * before it is cut to length: a secret echoed across the cut would otherwise leave its beginning.
 * `code 1` with a client-secret message is Meta's wrong-secret answer, not a blip.
 */
export function classifyGraphError(
  status: number,
  body: GraphErrorBody,
  redact: (text: string) => string = (text) => text
): GraphFailure & { message: string } {
  const text = (value: unknown, max?: number): string | undefined =>
    typeof value === 'string' && value.trim() ? outsideText(redact(value), max) : undefined
  const traceId = typeof body.fbtrace_id === 'string' ? redact(body.fbtrace_id.trim()) : undefined
  const code = integer(body.code)
  const message = text(body.message) ?? `HTTP ${status}`
  const wrongSecret = code === 1 && /client secret|app secret/i.test(message)
  const transient =
    !wrongSecret &&
    ((code !== undefined && isTransientGraphCode(code)) ||
      body.is_transient === true ||
      (code === undefined && (status >= 500 || status === 429)))
  return {
    kind: 'api',
    message,
    status,
    code,
    subcode: integer(body.error_subcode),
    type: text(body.type, 80),
    fbtraceId: traceId !== undefined && TRACE_ID.test(traceId) ? traceId : undefined,
    userTitle: text(body.error_user_title, 200),
    userMessage: text(body.error_user_msg),
    transient
  }
}

/**
 * How long Meta asks us to wait: `retry-after` (seconds), or the longest
 * `estimated_time_to_regain_access` (minutes) in X-Business-Use-Case-Usage, the one header Meta
 * documents it in. Both headers may be absent (Meta adds usage headers only once an app made enough calls).
 */
export function retryAfterMs(headers: Record<string, string>): number | undefined {
  const retryAfter = Number(headers['retry-after'])
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000
  const minutes = Math.max(0, ...regainMinutes(headers['x-business-use-case-usage']))
  return minutes > 0 ? minutes * 60_000 : undefined
}

/** Every `estimated_time_to_regain_access` in X-Business-Use-Case-Usage: `{business-id: [{…}, …]}`. */
function regainMinutes(header: string | undefined): number[] {
  if (!header) return []
  try {
    const parsed = JSON.parse(header) as unknown
    if (!parsed || typeof parsed !== 'object') return []
    const entries: unknown[] = Object.values(parsed as Record<string, unknown>).flatMap((value: unknown) =>
      Array.isArray(value) ? (value as unknown[]) : []
    )
    return entries
      .map((entry) => Number((entry as { estimated_time_to_regain_access?: unknown })?.estimated_time_to_regain_access))
      .filter((minutes) => Number.isFinite(minutes) && minutes > 0)
  } catch {
    return []
  }
}
