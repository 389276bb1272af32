// The judgements made on tokens, as pure functions: is the current token fit to rotate, is the
// rotation due, and is the new token fit to store. Each failure says what to do about it.
import type { TokenInfo, TokenKind } from './graph/meta-tokens.js'
import { RotationError } from './rotation-error.js'
import type { Settings } from './settings.js'

const NEW_TOKEN_FIX =
  'generate a new token (Business settings > Users > System users > Generate new token; for a user token, the Graph API Explorer), store it in the secret, and re-run.'

export function expiryText(expiresAt: Date | null | undefined): string {
  if (expiresAt === undefined) return 'unknown'
  return expiresAt === null ? 'never' : expiresAt.toISOString()
}

export function outputTokenType(kind: TokenKind): string {
  return kind === 'system-user' || kind === 'user' || kind === 'page' ? kind : 'unknown'
}

/** What makes a token unusable, in words: expired (with the date), revoked, or Meta's own reason. */
function invalidity(info: TokenInfo, now: Date): string {
  if (info.problem?.subcode === 463 || (info.expiresAt && info.expiresAt <= now)) {
    return `expired${info.expiresAt ? ` on ${info.expiresAt.toISOString()}` : ''}`
  }
  return `not valid (${info.problem?.message ?? 'Meta gave no reason'})`
}

/** The token in `token`, before anything is minted. */
export function checkCurrentToken(info: TokenInfo, settings: Settings, now: Date): void {
  const fail = (message: string, fix: string): never => {
    throw new RotationError('check', message, fix)
  }
  if (!info.isValid) {
    fail(
      `The current token ('token') is ${invalidity(info, now)}; an invalid token cannot be refreshed and nothing was changed.`,
      NEW_TOKEN_FIX
    )
  }
  if (info.appId !== settings.appId) {
    fail(
      `The current token ('token') belongs to Meta app ${info.appId || 'unknown'}, not to app-id ${settings.appId}.`,
      'pass the app-id and app-secret of the app that issued the token, or a token of this app.'
    )
  }
  if (settings.strategy === 'refresh') {
    if (info.kind === 'page') {
      fail(
        'The current token is a page token; page tokens are not refreshed.',
        "pass the long-lived user token in 'token' and list the pages in 'page-secrets': their tokens are derived from it."
      )
    }
    if (info.kind !== 'system-user' && info.kind !== 'user') {
      fail(
        `The current token is of type '${info.kind}', which cannot be refreshed.`,
        'pass a system user token or a long-lived user token.'
      )
    }
    if (info.kind === 'system-user' && info.expiresAt === null && !settings.expiring) {
      fail(
        'The current token is a permanent system user token: refreshing it changes nothing.',
        'use strategy: generate to replace it with a new one, or expiring: true to turn it into a 60-day token.'
      )
    }
  }
  const missing = settings.scopes.filter((scope) => !info.scopes.includes(scope))
  if (settings.strategy === 'refresh' && missing.length > 0) {
    fail(
      `The current token lacks the required scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; a refreshed token would lack ${missing.length > 1 ? 'them' : 'it'} too.`,
      "grant the permission to the system user or user and generate a new token, or remove it from 'scopes'."
    )
  }
  if (settings.revoke === 'true' && info.kind !== 'system-user') {
    fail(
      `revoke: true, but the current token is a ${outputTokenType(info.kind)} token and Meta revokes only system user tokens.`,
      'use revoke: auto (revokes when it can) or revoke: false.'
    )
  }
  if (settings.pageSecrets.length > 0 && info.kind !== 'user') {
    fail("'page-secrets' needs a long-lived user token in 'token'.", 'pass the user token that manages the pages.')
  }
}

/** Whether `rotate-before` says the rotation can wait. A token that never expires is always far enough away. */
export function rotationCanWait(info: TokenInfo, rotateBeforeSeconds: number | undefined, now: Date): boolean {
  if (rotateBeforeSeconds === undefined) return false
  if (info.expiresAt === null) return true
  return info.expiresAt.getTime() - now.getTime() > rotateBeforeSeconds * 1000
}

/** The freshly minted token, before it is stored anywhere. */
export function checkNewToken(info: TokenInfo, settings: Settings, current: TokenInfo | undefined): void {
  const fail = (message: string, fix: string): never => {
    throw new RotationError('verify', message, fix)
  }
  const keep = 'nothing was written; the current token was left in place.'
  if (!info.isValid)
    fail(
      `Meta handed back a token that debug_token says is not valid; ${keep}`,
      're-run; if it persists, quote this to Meta support.'
    )
  if (info.appId !== settings.appId) {
    fail(
      `The new token belongs to app ${info.appId}, not app-id ${settings.appId}; ${keep}`,
      "check 'app-id' and the admin token's business."
    )
  }
  const expectedKind: TokenKind | undefined = settings.strategy === 'generate' ? 'system-user' : current?.kind
  if (expectedKind && info.kind !== expectedKind) {
    fail(
      `The new token is a ${info.kind} token, not a ${expectedKind} token; ${keep}`,
      're-run; if it persists, quote this to Meta support.'
    )
  }
  const missing = settings.scopes.filter((scope) => !info.scopes.includes(scope))
  if (missing.length > 0) {
    fail(
      `The new token lacks the required scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ${keep}`,
      'grant the permission to the system user (Business settings > System users > Assign assets / permissions), then re-run.'
    )
  }
  // Equal is fine: two refreshes in the same second share an expiry. Earlier would shorten the token's life.
  if (current?.expiresAt && info.expiresAt && info.expiresAt < current.expiresAt) {
    fail(
      `The new token expires on ${info.expiresAt.toISOString()}, before the current one (${current.expiresAt.toISOString()}); ${keep}`,
      're-run; if it persists, generate a new token by hand.'
    )
  }
}
