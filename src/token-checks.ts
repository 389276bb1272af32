// The judgements made on tokens, as pure functions: is the current token fit to rotate, is the
// rotation due, is the new token fit to store, does it reach what the old one reached. Each failure
// says what to do about it.
import { DEFAULT_DATA_ACCESS_WARNING_SECONDS, Input } from './contract.js'
import { tokenFix } from './graph/graph-fixes.js'
import type { Grant, TokenInfo, TokenKind } from './graph/meta-tokens.js'
import type { InputNaming } from './input-naming.js'
import { RotationError } from './rotation-error.js'
import type { GraphSettings } from './settings.js'

function newTokenFix(naming: InputNaming): string {
  return `Generate a new token (Business settings > Users > System users > Generate new token; for a user token, log in to the app or use the Graph API Explorer), store it in ${naming.credentialHolder(Input.Token)}, and re-run.`
}

const DAY_MS = 86_400_000

/** A date as people read it: `2026-01-28 14:03 UTC`. */
export function dateText(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** `in 59 days`, `in 5 hours`, `3 days ago`. */
export function relativeText(date: Date, now: Date): string {
  const ms = date.getTime() - now.getTime()
  const abs = Math.abs(ms)
  const [amount, unit] =
    abs >= 2 * DAY_MS
      ? [Math.round(abs / DAY_MS), 'day']
      : abs >= 7_200_000
        ? [Math.round(abs / 3_600_000), 'hour']
        : [Math.max(1, Math.floor(abs / 60_000)), 'minute']
  const span = `${amount} ${unit}${amount === 1 ? '' : 's'}`
  return ms >= 0 ? `in ${span}` : `${span} ago`
}

/** `14 days`, `36 hours`, `90 minutes`. */
export function durationText(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`
  return `${Math.round(seconds / 60)} minutes`
}

/** An expiry in messages: `2026-01-28 14:03 UTC (in 59 days)`, or `never`. */
export function expiryText(expiresAt: Date | null | undefined, now: Date): string {
  if (expiresAt === undefined) return 'unknown'
  return expiresAt === null ? 'never' : `${dateText(expiresAt)} (${relativeText(expiresAt, now)})`
}

/** The outputs' form: ISO 8601 without milliseconds, `never`, or empty when unknown. */
export function expiryOutput(expiresAt: Date | null | undefined): string {
  if (expiresAt === undefined) return ''
  return expiresAt === null ? 'never' : expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

export function outputTokenType(kind: TokenKind | 'instagram'): string {
  return kind === 'system-user' || kind === 'user' || kind === 'page' || kind === 'instagram' ? kind : 'unknown'
}

function isExpired(info: TokenInfo, now: Date): boolean {
  return info.problem?.subcode === 463 || (!!info.expiresAt && info.expiresAt <= now)
}

/**
 * Why a token cannot be refreshed: expired (with the date); a system user token Meta refuses is
 * dead (revoked, most likely); any other, not valid for Meta's reason, which its fix answers.
 */
function invalidity(info: TokenInfo, now: Date): string {
  if (isExpired(info, now))
    return `expired${info.expiresAt ? ` on ${dateText(info.expiresAt)}` : ''}, and an expired token cannot be refreshed`
  const reason = info.problem?.message ?? 'Meta gave no reason'
  if (isDead(info))
    return `dead: Meta no longer accepts it (${reason}), and a revoked or invalidated token cannot be refreshed`
  return `not valid (${reason}); an invalid token cannot be refreshed and nothing was changed`
}

/** A system user token refused for any reason but the app's removal (458): revoked, or otherwise gone for good. */
function isDead(info: TokenInfo): boolean {
  return info.kind === 'system-user' && info.problem?.subcode !== 458
}

/**
 * The fix for the reason Meta gives (the 190 subcode: app removed, checkpoint, password changed…),
 * else a new token. Checkpoints, passwords and confirmations are a person's: a system user token
 * refused for any reason but the app's removal (458) is replaced, and the likeliest to have revoked
 * it is a rotation, which stored its successor in the secret.
 */
function invalidityFix(info: TokenInfo, now: Date, settings: GraphSettings, naming: InputNaming): string {
  const subcode = info.problem?.subcode
  if (isExpired(info, now)) return newTokenFix(naming)
  if (isDead(info)) return revokedFix(settings.secretName, naming)
  return tokenFix(subcode, naming) ?? newTokenFix(naming)
}

/** A system user token that was revoked, most likely by a rotation that stored its successor. */
function revokedFix(secretName: string, naming: InputNaming): string {
  if (!naming.inWorkflow) {
    return `A rotation may have revoked it and stored its successor in ${secretName}, whose value GitHub never shows. ${newTokenFix(naming)}`
  }
  return `A rotation may have revoked it and stored its successor in ${secretName}: pass ${secretName} as ${naming.name(Input.Token)} (a run reads a secret when its job starts, so a new run gets the successor). Otherwise ${newTokenFix(naming).replace(/^G/, 'g')}`
}

/** The token in `token`, before anything is minted (strategy refresh). */
export function checkCurrentToken(info: TokenInfo, settings: GraphSettings, naming: InputNaming, now: Date): void {
  const fail = (message: string, fix: string): never => {
    throw new RotationError('check', message, fix)
  }
  const set = naming.setting
  if (!info.isValid) {
    fail(
      `The current token (${naming.name(Input.Token)}) is ${invalidity(info, now)}.`,
      invalidityFix(info, now, settings, naming)
    )
  }
  if (info.appId !== settings.app.id) {
    fail(
      `The current token (${naming.name(Input.Token)}) belongs to Meta app ${info.appId || 'unknown'}, not to ${naming.name(Input.AppId)} ${settings.app.id}.`,
      `Pass the ${naming.name(Input.AppId)} and ${naming.name(Input.AppSecret)} of the app that issued the token, or a token of this app.`
    )
  }
  if (info.kind === 'page') {
    fail(
      'The current token is a page token; page tokens are not refreshed.',
      `Pass the long-lived user token or the system user token in ${naming.name(Input.Token)} and list the pages in ${naming.name(Input.PageSecrets)}: their tokens are derived from it.`
    )
  }
  if (info.kind !== 'system-user' && info.kind !== 'user') {
    fail(
      `The current token is of type '${info.kind}', which cannot be refreshed.`,
      'Pass a system user token or a long-lived user token.'
    )
  }
  if (info.kind === 'system-user' && info.expiresAt === null && !settings.expiring) {
    fail(
      'The current token is a permanent system user token: refreshing it changes nothing.',
      `Use ${set(Input.Strategy, 'generate')} to replace it with a new one, or ${set(Input.Expiring, 'true')} to turn it into a 60-day token.`
    )
  }
  const missing = settings.scopes.filter((scope) => !info.scopes.includes(scope))
  if (missing.length > 0) {
    fail(
      `The current token lacks the required scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; a refreshed token would lack ${missing.length > 1 ? 'them' : 'it'} too.`,
      `Grant the permission to the system user or user and generate a new token, or remove it from ${naming.name(Input.Scopes)}.`
    )
  }
  if (settings.revoke === 'true' && info.kind !== 'system-user') {
    fail(
      `${set(Input.Revoke, 'true')}, but the current token is a ${outputTokenType(info.kind)} token and Meta revokes only system user tokens.`,
      `Use ${set(Input.Revoke, 'auto')} (revokes when it can) or ${set(Input.Revoke, 'false')}.`
    )
  }
}

/**
 * A user token whose data access ends soon can no longer read data, whatever its expiry, and no
 * refresh moves that date: only the person logging in again does. Checked on every run, skips too.
 */
export function checkDataAccess(info: TokenInfo, rotateBeforeSeconds: number | undefined, now: Date): void {
  const ends = info.dataAccessExpiresAt
  if (info.kind !== 'user' || !ends) return
  const window = (rotateBeforeSeconds ?? DEFAULT_DATA_ACCESS_WARNING_SECONDS) * 1000
  if (ends.getTime() - now.getTime() > window) return
  throw new RotationError(
    'check',
    `The user token's data access ${ends <= now ? 'ended' : 'ends'} on ${dateText(ends)} (${relativeText(ends, now)}): after that it cannot read data, whatever its expiry, and no refresh moves that date.`,
    loginAgainFix(ends, now)
  )
}

/** What a person must do when Meta will not give a user token more time. */
export function loginAgainFix(by: Date, now: Date): string {
  return (
    `A person must log in to the app again${by > now ? ` before ${dateText(by)}` : ''} (through the app's Facebook Login, or in the Graph API Explorer for a token made by hand), ` +
    'then put the new long-lived token in the secret and re-run.'
  )
}

/**
 * A user token debug_token gives `expires_at: 0` (Meta's "never"): a refresh could only give it an
 * expiry, so none is made; its data access, which checkDataAccess guards on every run, is its limit.
 */
export function neverExpiringUserToken(info: TokenInfo, now: Date): string {
  const ends = info.dataAccessExpiresAt
  const access = ends
    ? `its data access ends on ${dateText(ends)} (${relativeText(ends, now)}), and only a login moves that date`
    : 'Meta gives no end to its data access either'
  return `Meta says the user token never expires (debug_token's expires_at is 0): a refresh could only give it an expiry, so nothing was changed; ${access}.`
}

/** Whether `rotate-before` says the rotation can wait. A token that never expires is always far enough away. */
export function rotationCanWait(info: TokenInfo, rotateBeforeSeconds: number | undefined, now: Date): boolean {
  if (rotateBeforeSeconds === undefined || info.expiresAt === undefined) return false
  if (info.expiresAt === null) return true
  return info.expiresAt.getTime() - now.getTime() > rotateBeforeSeconds * 1000
}

/** The freshly minted token, before it is stored anywhere. */
export function checkNewToken(info: TokenInfo, settings: GraphSettings, current: TokenInfo | undefined): void {
  const fail = (message: string, fix: string): never => {
    throw new RotationError('verify', message, fix)
  }
  const keep = 'nothing was written; the current token was left in place.'
  if (!info.isValid) {
    fail(
      `Meta handed back a token that debug_token says is not valid; ${keep}`,
      'Re-run; if it persists, quote this to Meta support.'
    )
  }
  if (info.appId !== settings.app.id) {
    fail(
      `The new token belongs to app ${info.appId}, not app-id ${settings.app.id}; ${keep}`,
      "Check the app id and the admin token's business."
    )
  }
  const expectedKind: TokenKind | undefined = settings.strategy === 'generate' ? 'system-user' : current?.kind
  if (expectedKind && info.kind !== expectedKind) {
    fail(
      `The new token is a ${info.kind} token, not a ${expectedKind} token; ${keep}`,
      'Re-run; if it persists, quote this to Meta support.'
    )
  }
  if (settings.strategy === 'generate' && info.userId && info.userId !== settings.systemUserId) {
    fail(
      `The new token belongs to system user ${info.userId}, not ${settings.systemUserId}; ${keep}`,
      "Check 'system-user-id' and the admin token's business."
    )
  }
  const missing = settings.scopes.filter((scope) => !info.scopes.includes(scope))
  if (missing.length > 0) {
    fail(
      `The new token lacks the required scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; ${keep}`,
      'Grant the permission to the system user (Business settings > System users > Assign assets / permissions), then re-run.'
    )
  }
  // Equal is fine: two refreshes in the same second share an expiry. Earlier would shorten the token's life.
  // A user token not extended is judged by checkUserTokenExtended: a person must log in again.
  if (current?.kind !== 'user' && current?.expiresAt && info.expiresAt && info.expiresAt < current.expiresAt) {
    fail(
      `The new token expires on ${dateText(info.expiresAt)}, before the current one (${dateText(current.expiresAt)}); ${keep}`,
      'Re-run; if it persists, generate a new token by hand.'
    )
  }
}

/**
 * Meta extends a long-lived user token only after the person used the app: a refresh that hands
 * back the same expiry means a person must log in again, before that expiry.
 */
export function checkUserTokenExtended(info: TokenInfo, current: TokenInfo, now: Date): void {
  if (current.kind !== 'user' || !current.expiresAt || !info.expiresAt || info.expiresAt > current.expiresAt) return
  throw new RotationError(
    'mint',
    `Meta did not extend the user token: the refreshed token still expires on ${dateText(info.expiresAt)} (${relativeText(info.expiresAt, now)}). Meta extends a long-lived user token only after the person uses the app; nothing was written and the current token keeps working until then.`,
    loginAgainFix(info.expiresAt, now)
  )
}

/** Assets (per scope) the replaced token reached and the new one does not. */
export interface LostAssets {
  scope: string
  /** Undefined: the whole scope is gone. */
  targetIds?: string[]
  /** The new token still has the scope but lists no asset for it. */
  noneListed?: boolean
}

/**
 * What the replaced token reached that the new one does not, per scope. `target_ids` lists the
 * assets a grant is limited to, and a system user token lists its assignments as they were when it
 * was minted. A grant without `target_ids` is read both ways Meta's documentation allows:
 *  - on the replaced token, nothing can be named as lost, so nothing is;
 *  - on the new token, after the replaced one listed assets, it may reach them all or none (the
 *    system user lost every assignment of that kind): the assets are marked `noneListed`, and the
 *    rotation asks Meta about each with the new token (asset-reach.ts) before calling it lost.
 */
export function lostAssets(before: Grant[], after: Grant[]): LostAssets[] {
  const lost: LostAssets[] = []
  for (const grant of before) {
    const now = after.find((g) => g.scope === grant.scope)
    if (!now) {
      lost.push({ scope: grant.scope, ...(grant.targetIds ? { targetIds: grant.targetIds } : {}) })
      continue
    }
    if (!grant.targetIds || grant.targetIds.length === 0) continue
    if (!now.targetIds) {
      lost.push({ scope: grant.scope, targetIds: grant.targetIds, noneListed: true })
      continue
    }
    const missing = grant.targetIds.filter((id) => !now.targetIds?.includes(id))
    if (missing.length > 0) lost.push({ scope: grant.scope, targetIds: missing })
  }
  return lost
}

export function describeLostAssets(lost: LostAssets[]): string {
  return lost
    .map((l) =>
      l.targetIds
        ? `${l.scope}: ${l.targetIds.join(', ')}${l.noneListed ? ' (the new token lists no asset for it, and cannot read these)' : ''}`
        : `${l.scope} (the whole permission)`
    )
    .join('; ')
}

/**
 * Listed pages the user or system user does not reach: at `check` (the current token, before
 * anything is minted) or at `mint` (the new token, a page lost in between).
 */
export function unreachablePages(
  step: 'check' | 'mint',
  owner: Pick<TokenInfo, 'kind' | 'userId'>,
  pageIds: string[],
  naming: InputNaming
): RotationError {
  const done = step === 'check' ? 'nothing was minted or written' : 'nothing was written'
  const pages = `page${pageIds.length > 1 ? 's' : ''} ${pageIds.join(', ')}`
  const id = owner.userId ?? ''
  const remove = `or remove ${pageIds.length > 1 ? 'them' : 'it'} from ${naming.name(Input.PageSecrets)}`
  if (owner.kind === 'system-user') {
    return new RotationError(
      step,
      `System user ${id} cannot reach ${pages} (Meta answers GET /{page-id} with the token as not found or not permitted); ${done}.`,
      `Assign the page${pageIds.length > 1 ? 's' : ''} to system user ${id} (Business settings > Users > System users > Assign assets, with a task on the page), then re-run; ${remove}.`
    )
  }
  return new RotationError(
    step,
    `User ${id} cannot reach ${pages} (neither in /me/accounts nor through a business); ${done}.`,
    `Give the user a task on the page (Page settings > Page access, or Business settings > Accounts > Pages), ${remove}.`
  )
}
