// Strategy generate, before and at the mint: the admin token must be this app's (Meta checks its
// appsecret_proof against the app the token belongs to), the system user is named by its app-scoped
// id (debug_token's user_id), and the refusals of POST /{system-user-id}/access_tokens that have a
// fix of their own say so.
import type { Clock } from '../clock.js'
import { Input } from '../contract.js'
import { GraphError } from '../graph/graph-error.js'
import { explainGraphFailure } from '../graph/graph-fixes.js'
import type { TokenInfo } from '../graph/meta-tokens.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError } from '../rotation-error.js'
import type { GenerateSettings } from '../settings.js'

const TOKEN_DEBUGGER = 'the Access Token Debugger (developers.facebook.com/tools/debug/accesstoken) shows it as User ID'
const WHERE_THE_ID_IS = `debug_token's user_id for one of the system user's tokens; ${TOKEN_DEBUGGER}`

/** `1234 (Name)`: an app as debug_token names it. */
function appNamed(info: TokenInfo): string {
  const id = info.appId || 'unknown'
  return info.appName ? `${id} (${info.appName})` : id
}

/**
 * The admin token, read with debug_token before anything is minted, must be of app-id. One Meta
 * cannot read, or no longer accepts, is left to the mint: Meta's refusal there carries its own fix.
 */
export function checkAdminToken(info: TokenInfo, settings: GenerateSettings, naming: InputNaming): void {
  const appId = settings.app.id
  if (!info.appId || info.appId === appId) return
  throw new RotationError(
    'check',
    `${naming.name(Input.AdminToken)} belongs to Meta app ${appNamed(info)}, not to ${naming.name(Input.AppId)} ${appId}: Meta refuses to mint with another app's token (its appsecret_proof, made with ${naming.name(Input.AppSecret)}, does not match), so nothing was minted or written.`,
    `Put a token of app ${appId} in ${naming.credentialHolder(Input.AdminToken)}: a Business Manager admin's (the Graph API Explorer, with app ${appId} selected) or an admin system user's, generated for app ${appId}. Or, if app ${info.appId} is the app the tokens are for, set ${naming.name(Input.AppId)} and ${naming.name(Input.AppSecret)} to that app's. Then re-run.`
  )
}

/**
 * The system user generate mints for: system-user-id, or the user_id debug_token gives for the
 * current token. A given id that is not that user_id is refused before minting: it is most often
 * the id Business settings shows, which Meta's access_tokens call does not take. A user_id that is
 * not a number is no id: it would become part of the mint's URL path.
 */
export function systemUserIdFor(
  current: TokenInfo | undefined,
  settings: GenerateSettings,
  naming: InputNaming
): string {
  const given = settings.systemUserId
  const owner =
    current &&
    current.appId === settings.app.id &&
    current.kind === 'system-user' &&
    /^\d{1,20}$/.test(current.userId ?? '')
      ? current.userId
      : undefined
  const name = naming.name(Input.SystemUserId)
  if (given && owner && given !== owner) {
    throw new RotationError(
      'check',
      `${name} ${given} is not the app-scoped id of the system user whose token is in ${naming.name(Input.Token)}: debug_token gives its user_id as ${owner}. Meta mints only for the app-scoped id (an id from Business settings, such as a Business Manager id, is another id); nothing was minted.`,
      `Set ${naming.setting(Input.SystemUserId, owner)} (${WHERE_THE_ID_IS}), or leave ${name} empty to take it from ${naming.name(Input.Token)}; if ${naming.name(Input.Token)} holds another system user's token, pass the current token of system user ${given} instead.`
    )
  }
  const id = given ?? owner
  if (id) return id
  throw new RotationError(
    'check',
    `${name} is empty and debug_token names no system user of ${naming.name(Input.AppId)} ${settings.app.id} for the token in ${naming.name(Input.Token)} (${current ? `a ${current.kind} token of app ${appNamed(current)}` : 'no token'}), so there is no system user to mint for; nothing was minted.`,
    `Set ${name} to the app-scoped id of the system user (${WHERE_THE_ID_IS}), or pass that system user's current token in ${naming.name(Input.Token)}.`
  )
}

/** Meta's refusal of POST /{system-user-id}/access_tokens to apps that have not called it for 90 days (wording unverified). */
export function isRecentUseRefusal(error: unknown): boolean {
  if (!(error instanceof GraphError) || error.failure.kind !== 'api') return false
  return error.failure.code === 3 || /within the last 90 days/i.test(error.message)
}

/**
 * The mint's failures that have a fix of their own: the 90-day refusal (mint with the business's
 * endpoint instead), and an id Meta knows no system user by (the Business Manager id, most often).
 * Undefined for the rest, which the Graph fixes explain.
 */
export function generateFailure(
  what: string,
  error: unknown,
  settings: GenerateSettings,
  systemUserId: string,
  services: { clock: Clock; naming: InputNaming }
): RotationError | undefined {
  if (!(error instanceof GraphError)) return undefined
  const { naming } = services
  const { message } = explainGraphFailure(what, error, services.clock, naming)
  if (settings.generateEndpoint === 'system-user' && isRecentUseRefusal(error)) {
    return new RotationError(
      'mint',
      `${message} Meta makes POST /{system-user-id}/access_tokens available only to apps that have called it within the last 90 days, and app ${settings.app.id} has not; nothing was minted.`,
      `Mint with the business's endpoint instead (POST /{business-id}/system_user_access_tokens): set ${naming.setting(Input.GenerateEndpoint, 'business')} and ${naming.name(Input.BusinessId)} to the id of the Business Manager that owns system user ${systemUserId} (Business settings > Business info), then re-run.`
    )
  }
  const unknownObject = error.failure.code === 100 && error.failure.subcode === 33
  if (unknownObject && settings.generateEndpoint === 'system-user') {
    return new RotationError(
      'mint',
      `${message} Meta knows no system user ${systemUserId} that this admin token may mint for; nothing was minted.`,
      `Set ${naming.name(Input.SystemUserId)} to the app-scoped id of the system user (${WHERE_THE_ID_IS}): the id Business settings shows, such as a Business Manager id, is another id. Or leave ${naming.name(Input.SystemUserId)} empty and pass the system user's current token in ${naming.name(Input.Token)}: the id is then read from it.`
    )
  }
  return undefined
}
