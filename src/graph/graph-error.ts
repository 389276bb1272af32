// How a Graph API failure is described and whether it is worth another try.

export type GraphFailureKind = 'api' | 'network' | 'timeout' | 'malformed'

export interface GraphFailure {
  kind: GraphFailureKind
  status?: number
  code?: number
  subcode?: number
  type?: string
  fbtraceId?: string
  transient: boolean
  /** How long Meta asked us to wait (retry-after, or the business use case estimate). */
  retryAfterMs?: number
  /** The call was refused because of the app token (app-id|app-secret), not the token it was about. */
  appCredentials?: boolean
}

/** A Graph call that failed. Its message is already redacted and never carries a URL. */
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
}

const THROTTLING_CODES = new Set([4, 17, 32, 341, 613])

/** Graph's own transient codes: 1 and 2 (temporary), throttling, and the 80000 business use case range. */
export function isTransientGraphCode(code: number): boolean {
  return code === 1 || code === 2 || THROTTLING_CODES.has(code) || (code >= 80000 && code <= 80014)
}

export function isThrottlingCode(code: number): boolean {
  return THROTTLING_CODES.has(code) || (code >= 80000 && code <= 80014)
}

interface GraphErrorBody {
  message?: unknown
  type?: unknown
  code?: unknown
  error_subcode?: unknown
  fbtrace_id?: unknown
  is_transient?: unknown
}

/** Turns an error body into a failure; `code 1` with a client-secret message is Meta's wrong-secret answer, not a blip. */
export function classifyGraphError(status: number, body: GraphErrorBody): GraphFailure & { message: string } {
  const code = typeof body.code === 'number' ? body.code : undefined
  const message = typeof body.message === 'string' ? body.message : `HTTP ${status}`
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
    subcode: typeof body.error_subcode === 'number' ? body.error_subcode : undefined,
    type: typeof body.type === 'string' ? body.type : undefined,
    fbtraceId: typeof body.fbtrace_id === 'string' ? body.fbtrace_id : undefined,
    transient
  }
}

/**
 * Reads how long Meta asks us to wait: `retry-after` (seconds), or the longest
 * `estimated_time_to_regain_access` (minutes) in `x-business-use-case-usage`.
 */
export function retryAfterMs(headers: Pick<Headers, 'get'>): number | undefined {
  const retryAfter = Number(headers.get('retry-after'))
  if (Number.isFinite(retryAfter) && retryAfter > 0) return retryAfter * 1000
  const usage = headers.get('x-business-use-case-usage')
  if (!usage) return undefined
  try {
    const parsed = JSON.parse(usage) as Record<string, Array<{ estimated_time_to_regain_access?: number }>>
    const minutes = Object.values(parsed)
      .flat()
      .map((entry) => entry.estimated_time_to_regain_access ?? 0)
    const longest = Math.max(0, ...minutes)
    return longest > 0 ? longest * 60_000 : undefined
  } catch {
    return undefined
  }
}
