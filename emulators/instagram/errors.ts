// Instagram's error body, Meta's shape: {"error":{message,type,code,error_subcode?,fbtrace_id}},
// where the type is OAuthException for token problems and IGApiException for the rest.
import { metaTime } from '../graph/errors.js'

export { errorResponse } from '../graph/errors.js'

export class InstagramError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly type: 'OAuthException' | 'IGApiException' = 'IGApiException',
    readonly subcode?: number
  ) {
    super(message)
  }
}

/** What graph.instagram.com answers to any path or method it does not have. */
export const unsupportedRequest = (method: string): InstagramError =>
  new InstagramError(`Unsupported request - method type: ${method.toLowerCase()}`, 100)

export const cannotParseToken = (): InstagramError =>
  new InstagramError('Invalid OAuth access token - Cannot parse access token', 190, 'OAuthException')

export const sessionExpired = (expiresAt: number, now: number): InstagramError =>
  new InstagramError(
    `Error validating access token: Session has expired on ${metaTime(expiresAt)}. The current time is ${metaTime(now)}.`,
    190,
    'OAuthException',
    463
  )

export const sessionInvalidated = (): InstagramError =>
  new InstagramError(
    'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
    190,
    'OAuthException',
    460
  )

export const sessionReplaced = (): InstagramError =>
  new InstagramError(
    'Error validating access token: The session was invalidated explicitly using an API call.',
    190,
    'OAuthException',
    460
  )

export const missingParameter = (name: string): InstagramError =>
  new InstagramError(`(#100) The parameter ${name} is required`, 100)

export const unsupportedVersion = (version: string, supported: readonly string[]): InstagramError =>
  new InstagramError(
    `(#2635) Unsupported Graph API version '${version}'. Please call one of: ${supported.join(', ')}.`,
    2635
  )
