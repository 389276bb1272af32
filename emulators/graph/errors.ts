// Meta's error body, {"error":{message,type,code,error_subcode?,fbtrace_id}}, and the errors the
// endpoints share.
import { randomBytes } from 'node:crypto'
import type { JsonResponse } from '../loopback-server.js'

export class GraphError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly type: 'OAuthException' | 'GraphMethodException' = 'OAuthException',
    readonly subcode?: number
  ) {
    super(message)
  }
}

export function errorResponse(error: GraphError): JsonResponse {
  const fbtraceId = randomBytes(18).toString('base64url')
  return {
    status: 400,
    headers: { 'x-fb-trace-id': fbtraceId },
    body: {
      error: {
        message: error.message,
        type: error.type,
        code: error.code,
        ...(error.subcode === undefined ? {} : { error_subcode: error.subcode }),
        fbtrace_id: fbtraceId
      }
    }
  }
}

export const CANNOT_PARSE_TOKEN = 'Invalid OAuth access token - Cannot parse access token'

export function cannotParseToken(): GraphError {
  return new GraphError(CANNOT_PARSE_TOKEN, 190)
}

export function sessionExpired(expiresAt: number, now: number): GraphError {
  const message = `Error validating access token: Session has expired on ${metaTime(expiresAt)}. The current time is ${metaTime(now)}.`
  return new GraphError(message, 190, 'OAuthException', 463)
}

export function sessionInvalidated(): GraphError {
  const message = 'Error validating access token: The session was invalidated explicitly using an API call.'
  return new GraphError(message, 190, 'OAuthException', 460)
}

export function tokenOfAnotherApp(appId: string): GraphError {
  return new GraphError(`Error validating access token: The access token does not belong to application ${appId}.`, 190)
}

export function proofRequired(): GraphError {
  return new GraphError('API calls from the server require an appsecret_proof argument', 100, 'GraphMethodException')
}

export function proofInvalid(): GraphError {
  return new GraphError('Invalid appsecret_proof provided in the API argument', 100, 'GraphMethodException')
}

export function missingParameter(name: string): GraphError {
  return new GraphError(`(#100) The parameter ${name} is required`, 100)
}

export function unsupportedRequest(method: string, objectId: string): GraphError {
  const message =
    `Unsupported ${method.toLowerCase()} request. Object with ID '${objectId}' does not exist, cannot be loaded ` +
    'due to missing permissions, or does not support this operation. Please read the Graph API documentation ' +
    'at https://developers.facebook.com/docs/graph-api'
  return new GraphError(message, 100, 'GraphMethodException', 33)
}

export function unsupportedVersion(version: string, supported: readonly string[]): GraphError {
  const message = `(#2635) Unsupported Graph API version '${version}'. Please call one of: ${supported.join(', ')}.`
  return new GraphError(message, 2635)
}

const pacificTime = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Los_Angeles',
  weekday: 'long',
  day: '2-digit',
  month: 'short',
  year: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short'
})

/** Meta's way of writing a time in error messages: "Tuesday, 14-Jan-25 10:00:00 PST". */
function metaTime(epochSeconds: number): string {
  const part = Object.fromEntries(pacificTime.formatToParts(epochSeconds * 1000).map((p) => [p.type, p.value]))
  return `${part.weekday}, ${part.day}-${part.month}-${part.year} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`
}
