// Minting system user tokens: what POST /{system-user-id}/access_tokens and the business's
// POST /{business-id}/system_user_access_tokens share, the 90-day restriction of the first
// (switchable: its wording is unverified), and the second endpoint, validated against the
// parameters of Business.json in Meta's SDK specs (facebook-business-sdk-codegen).
import type { JsonResponse } from '../loopback-server.js'
import { grantsFor, systemUserGrants } from './assets.js'
import { authenticate, type Caller } from './auth.js'
import type { Call } from './endpoints.js'
import { GraphError, invalidScopes, missingParameter, unsupportedRequest } from './errors.js'
import { SYSTEM_USER_SCOPES } from './scopes.js'
import { DAY, SIXTY_DAYS, type GraphAsset, type GraphSystemUser, type GraphWorld } from './world.js'

/** How long a call to /{system-user-id}/access_tokens keeps an app allowed, when only recent apps are. */
export const RECENT_USE_WINDOW = 90 * DAY

/** Whether /{system-user-id}/access_tokens answers every app, or only apps that called it within 90 days. */
export type AccessTokensEndpoint = 'open' | 'recent-apps-only'

/** The refusal's shape is invented (code 3, "capability"): Meta's real answer is unverified. */
export function notRecentlyUsed(): GraphError {
  return new GraphError(
    '(#3) This endpoint is temporarily only available to apps that have queried it within the last 90 days. ' +
      'Use POST /{business-id}/system_user_access_tokens instead.',
    3
  )
}

/** /{system-user-id}/access_tokens, when only recent apps may call it; a successful call counts as use. */
export function checkRecentUse(world: GraphWorld, appId: string): void {
  if (world.accessTokensEndpoint !== 'recent-apps-only') return
  const last = world.accessTokensQueriedAt.get(appId)
  if (last === undefined || world.now() - last > RECENT_USE_WINDOW) throw notRecentlyUsed()
}

/** An admin (person) of the business, or one of its system users. */
export function managesBusiness(world: GraphWorld, caller: Caller, businessId: string): boolean {
  const token = caller.kind === 'token' ? caller.token : undefined
  const business = world.businesses.get(businessId)
  return (
    (token?.type === 'USER' && (business?.adminUserIds.includes(token.userId) ?? false)) ||
    (token?.type === 'SYSTEM_USER' && world.systemUsers.get(token.userId)?.businessId === businessId)
  )
}

export function notManager(businessId: string): GraphError {
  return new GraphError(
    `(#200) The access token must belong to an admin or a system user of business ${businessId}`,
    200
  )
}

/** The token itself: the app installed for the system user, known scopes, a snapshot of the assignments. */
export function mintSystemUserToken(
  world: GraphWorld,
  systemUser: GraphSystemUser,
  appId: string,
  scopeParam: string | undefined,
  sixtyDays: boolean,
  assets: GraphAsset[] = systemUser.assets
): string {
  if (!systemUser.installedAppIds.has(appId)) {
    throw new GraphError(
      `(#100) The app ${appId} is not installed for system user ${systemUser.id}: ` +
        `install it first with POST /${systemUser.id}/applications`,
      100
    )
  }
  const scopes = [...new Set((scopeParam ?? '').split(',').map((s) => s.trim()))].filter(Boolean)
  if (scopes.length === 0) throw missingParameter('scope')
  const invalid = scopes.filter((scope) => !SYSTEM_USER_SCOPES.has(scope))
  if (invalid.length > 0) throw invalidScopes(invalid)
  return world.issueToken({
    appId,
    type: 'SYSTEM_USER',
    scopes,
    userId: systemUser.id,
    expiresIn: sixtyDays ? SIXTY_DAYS : 0,
    ...systemUserGrants(world.systemUserGrantTargets, grantsFor(scopes, assets))
  })
}

/** Business.json's parameters of system_user_access_tokens, and the two every token-bearing call may carry. */
const BUSINESS_TOKEN_PARAMS = new Set([
  'system_user_id',
  'scope',
  'asset',
  'set_token_expires_in_60_days',
  'fetch_only',
  'access_token',
  'appsecret_proof'
])
const UNSIGNED_INT = /^\d{1,20}$/

// POST /{business-id}/system_user_access_tokens  system_user_id, scope[, asset][, set_token_expires_in_60_days]
// [, fetch_only], appsecret_proof, access_token. No business_app: the token is for the app of access_token.
export function generateForBusiness({ world, request, params }: Call, businessId: string): JsonResponse {
  const caller = authenticate(world, request, params, 'always')
  if (!world.businesses.has(businessId)) throw unsupportedRequest(request.method, businessId)
  const unknown = Object.keys(params).filter((name) => !BUSINESS_TOKEN_PARAMS.has(name))
  if (unknown.length > 0) throw new GraphError(`(#100) Param ${unknown[0]} is not a valid parameter`, 100)
  const sixtyDays = bool(params, 'set_token_expires_in_60_days')
  bool(params, 'fetch_only')
  if (!managesBusiness(world, caller, businessId)) throw notManager(businessId)
  const systemUser = systemUserOf(world, caller, businessId, params.system_user_id)
  const assets = assetsOf(systemUser, params.asset)
  const accessToken = mintSystemUserToken(world, systemUser, caller.app.id, params.scope, sixtyDays, assets)
  return { status: 200, body: { access_token: accessToken } }
}

function bool(params: Record<string, string>, name: string): boolean {
  const value = params[name]
  if (value === undefined) return false
  if (value !== 'true' && value !== 'false') throw new GraphError(`(#100) Param ${name} must be a boolean`, 100)
  return value === 'true'
}

/** system_user_id (optional in the spec: the caller itself, when it is a system user), a system user of this business. */
function systemUserOf(world: GraphWorld, caller: Caller, businessId: string, id: string | undefined): GraphSystemUser {
  const callerSelf = caller.kind === 'token' && caller.token.type === 'SYSTEM_USER' ? caller.token.userId : undefined
  const wanted = id ?? callerSelf
  if (wanted === undefined) throw missingParameter('system_user_id')
  if (!UNSIGNED_INT.test(wanted)) throw new GraphError('(#100) Param system_user_id must be a valid unsigned int', 100)
  const systemUser = world.systemUsers.get(wanted)
  if (!systemUser || systemUser.businessId !== businessId) {
    throw new GraphError(`(#100) system_user_id ${wanted} is not a system user of business ${businessId}`, 100)
  }
  return systemUser
}

/** asset: a list of unsigned ints (a comma list or a JSON array), each assigned to the system user. */
function assetsOf(systemUser: GraphSystemUser, value: string | undefined): GraphAsset[] {
  if (value === undefined) return systemUser.assets
  let ids: unknown[]
  try {
    ids = value.trim().startsWith('[') ? (JSON.parse(value) as unknown[]) : value.split(',')
  } catch {
    throw new GraphError('(#100) Param asset must be an array of unsigned ints', 100)
  }
  const texts = (Array.isArray(ids) ? ids : [ids]).map((id) => String(id).trim())
  if (texts.some((id) => !UNSIGNED_INT.test(id)))
    throw new GraphError('(#100) Param asset must be an array of unsigned ints', 100)
  const unassigned = texts.filter((id) => !systemUser.assets.some((asset) => asset.id === id))
  if (unassigned.length > 0) {
    throw new GraphError(`(#100) Asset ${unassigned[0]} is not assigned to system user ${systemUser.id}`, 100)
  }
  return systemUser.assets.filter((asset) => texts.includes(asset.id))
}
