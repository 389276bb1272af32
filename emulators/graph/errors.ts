// Meta's error body, {"error":{message,type,code,error_subcode?,is_transient?,error_user_title?,
// error_user_msg?,fbtrace_id}}, and the errors the endpoints share, in Meta's words.
import { randomBytes } from 'node:crypto'
import type { JsonResponse } from '../loopback-server.js'
import type { InvalidationSubcode } from './world.js'

export interface ErrorDetails {
  isTransient?: boolean
  /** Meta's own words for the person, shown by careful clients. */
  userTitle?: string
  userMessage?: string
}

export class GraphError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly type: 'OAuthException' | 'GraphMethodException' = 'OAuthException',
    readonly subcode?: number,
    readonly details: ErrorDetails = {}
  ) {
    super(message)
  }
}

/** The shape both Meta hosts answer with (graph.facebook.com and graph.instagram.com). */
export interface MetaError {
  message: string
  type: string
  code: number
  subcode?: number
  details?: ErrorDetails
}

export function errorResponse(error: MetaError): JsonResponse {
  const fbtraceId = randomBytes(18).toString('base64url')
  const { isTransient, userTitle, userMessage } = error.details ?? {}
  return {
    status: 400,
    headers: { 'x-fb-trace-id': fbtraceId },
    body: {
      error: {
        message: error.message,
        type: error.type,
        code: error.code,
        ...(error.subcode === undefined ? {} : { error_subcode: error.subcode }),
        ...(isTransient === undefined ? {} : { is_transient: isTransient }),
        ...(userTitle === undefined ? {} : { error_user_title: userTitle }),
        ...(userMessage === undefined ? {} : { error_user_msg: userMessage }),
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

/**
 * A token in one of the states Meta reports with code 190 and a subcode. The messages are those
 * Meta's API answers; the titles and texts for the person follow the recovery column of Meta's
 * error-handling guide.
 */
export function tokenInvalidated(subcode: InvalidationSubcode, userId: string, appId: string): GraphError {
  const [message, userTitle, userMessage] = INVALIDATIONS[subcode](userId, appId)
  return new GraphError(`Error validating access token: ${message}`, 190, 'OAuthException', subcode, {
    userTitle,
    userMessage
  })
}

const INVALIDATIONS: Record<InvalidationSubcode, (userId: string, appId: string) => [string, string, string]> = {
  458: (userId, appId) => [
    `User ${userId} has not authorized application ${appId}.`,
    'App Not Installed',
    'You have not logged into this app, or you removed it. Log into the app again to use it.'
  ],
  459: () => [
    'You cannot access the app till you log in to www.facebook.com and follow the instructions given.',
    'User Checkpointed',
    'Log in at https://www.facebook.com or https://m.facebook.com to correct an issue with your account.'
  ],
  460: () => [
    'The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
    'Password Changed',
    'Your password was changed or your session was reset for security reasons. Log into the app again.'
  ],
  464: () => [
    'Sessions for the user are not allowed because the user is not a confirmed user.',
    'Unconfirmed User',
    'Log in at https://www.facebook.com or https://m.facebook.com to confirm your account.'
  ],
  467: () => [
    'The session is invalid because the user logged out.',
    'Invalid Access Token',
    'Your access token has expired, been revoked, or is otherwise invalid. Log into the app again.'
  ]
}

/** Code 368: Meta blocks the action for a while; a client must report it, not loop on it. */
export function temporarilyBlocked(): GraphError {
  return new GraphError(
    '(#368) The action attempted has been deemed abusive or is otherwise disallowed',
    368,
    'OAuthException',
    1390008,
    {
      isTransient: false,
      userTitle: "You're Temporarily Blocked",
      userMessage:
        'It looks like you were misusing this feature by going too fast. You’ve been temporarily blocked from using it.'
    }
  )
}

/**
 * The answer to a permission name that does not exist, before anything is minted. Meta's wording
 * here is unverified (its login dialog says "Invalid Scopes: …"): clients should go by the code.
 */
export function invalidScopes(names: string[]): GraphError {
  return new GraphError(`(#100) Invalid scope for a system user token: ${names.join(', ')}`, 100)
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
export function metaTime(epochSeconds: number): string {
  const part = Object.fromEntries(pacificTime.formatToParts(epochSeconds * 1000).map((p) => [p.type, p.value]))
  return `${part.weekday}, ${part.day}-${part.month}-${part.year} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`
}
