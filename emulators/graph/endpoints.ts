// The Graph API endpoints the rotator uses, each with the checks Meta makes before it answers.
// Every answer, errors included, carries the app's usage headers once the app made enough calls.
import type { JsonResponse, ParsedRequest } from '../loopback-server.js'
import { grantsFor, systemUserGrants } from './assets.js'
import {
  assertUsable,
  authenticate,
  authenticateClient,
  callerToken,
  paramsOf,
  parseAppToken,
  tokenProblem,
  type Params,
  type ProofPolicy
} from './auth.js'
import {
  CANNOT_PARSE_TOKEN,
  GraphError,
  cannotParseToken,
  errorResponse,
  missingParameter,
  tokenOfAnotherApp,
  unsupportedRequest,
  unsupportedVersion
} from './errors.js'
import { accounts, pageNode } from './pages.js'
import {
  checkRecentUse,
  generateForBusiness,
  managesBusiness,
  mintSystemUserToken,
  notManager
} from './system-user-tokens.js'
import { SIXTY_DAYS, copyGrants, type GraphSystemUser, type GraphTokenRecord, type GraphWorld } from './world.js'

export type ExpiredVersions = 'refuses' | 'upgrades'

export interface GraphSite {
  versions: readonly string[]
  expiredVersions: ExpiredVersions
  /** Where this server listens, for the `next` links of paginated answers. */
  baseUrl: string
}

export interface Call {
  world: GraphWorld
  request: ParsedRequest
  params: Params
  version: string
  baseUrl: string
}

export function handleGraphRequest(world: GraphWorld, site: GraphSite, request: ParsedRequest): JsonResponse {
  const params = paramsOf(request)
  const caller = usageSubject(world, request, params)
  const version = servedVersion(site, request.segments[0] ?? '')
  let response: JsonResponse
  try {
    if (version === undefined) throw unsupportedVersion(request.segments[0] ?? '', site.versions)
    response = route(world, site, { ...request, segments: [version, ...request.segments.slice(1)] }, params, caller)
  } catch (error) {
    if (!(error instanceof GraphError)) throw error
    response = errorResponse(error)
  }
  const answeredAs: Record<string, string> = version === undefined ? {} : { 'facebook-api-version': version }
  return { ...response, headers: { ...world.usage.headers(caller), ...answeredAs, ...response.headers } }
}

/** The version that answers a call: the one asked for, the oldest accepted one for an expired version (when upgraded), or none. */
function servedVersion(site: GraphSite, asked: string): string | undefined {
  if (site.versions.includes(asked)) return asked
  const oldest = [...site.versions].sort((a, b) => versionNumber(a) - versionNumber(b))[0]
  const expired = /^v\d+\.\d+$/.test(asked) && oldest !== undefined && versionNumber(asked) < versionNumber(oldest)
  return expired && site.expiredVersions === 'upgrades' ? oldest : undefined
}

function versionNumber(version: string): number {
  const [major = 0, minor = 0] = version.slice(1).split('.').map(Number)
  return major * 1000 + minor
}

function route(
  world: GraphWorld,
  site: GraphSite,
  request: ParsedRequest,
  params: Params,
  caller: UsageSubject
): JsonResponse {
  const [version = '', node = '', edge, ...rest] = request.segments
  const method = request.method
  world.policyBlocks.check(method, request.path)
  world.usage.record(request.path, caller)
  const call: Call = { world, request, params, version, baseUrl: site.baseUrl }
  // Graph accepts the oauth parameters as a query string or as a POST form.
  const getOrPost = method === 'GET' || method === 'POST'

  if (rest.length === 0) {
    if (node === 'debug_token' && edge === undefined && method === 'GET') return debugToken(call)
    if (node === 'oauth' && edge === 'access_token' && getOrPost) return exchangeToken(call)
    if (node === 'oauth' && edge === 'revoke' && getOrPost) return revokeToken(call)
    if (node === 'me' && edge === undefined && method === 'GET') return me(call)
    if (edge === 'accounts' && method === 'GET') return accounts(call, node)
    if (edge === 'applications' && method === 'POST') return installApp(call, node)
    if (edge === 'access_tokens' && method === 'POST') return generateSystemUserToken(call, node)
    if (edge === 'system_user_access_tokens' && method === 'POST') return generateForBusiness(call, node)
    if (edge === undefined && method === 'GET' && world.pages.has(node)) return pageNode(call, node)
    if (edge === undefined && method === 'GET' && /^(act_)?\d+$/.test(node)) return assetNode(call, node)
  }
  // Everything else, including the retired /{system-user-id}/ads_access_token, does not exist.
  throw unsupportedRequest(method, node)
}

interface UsageSubject {
  appId?: string
  /** Set for calls on behalf of a business: those made with a system user token. */
  businessId?: string
}

/** Whose limits a call counts against: the app of its token (or client_id), and the business of a system user. */
function usageSubject(world: GraphWorld, request: ParsedRequest, params: Params): UsageSubject {
  const value = callerToken(request, params)
  const appToken = value === undefined ? undefined : parseAppToken(value)
  if (appToken) return { appId: appToken.appId }
  const token = value === undefined ? undefined : world.tokens.get(value)
  if (!token) return { appId: params.client_id }
  const businessId = token.type === 'SYSTEM_USER' ? world.systemUsers.get(token.userId)?.businessId : undefined
  return { appId: token.appId, businessId }
}

export function ok(body: unknown): JsonResponse {
  return { status: 200, body }
}

// GET /debug_token?input_token=…
// Problems with the input token are not errors: they are reported inside `data`.
function debugToken({ world, request, params }: Call): JsonResponse {
  authenticate(world, request, params)
  if (!params.input_token) throw missingParameter('input_token')
  return ok({ data: describeToken(world, params.input_token) })
}

function describeToken(world: GraphWorld, value: string): Record<string, unknown> {
  const appToken = parseAppToken(value)
  const app = appToken && world.apps.get(appToken.appId)
  if (app && appToken.secret === app.secret)
    return { app_id: app.id, type: 'APP', application: app.name, is_valid: true }

  const token = world.tokens.get(value)
  if (!token) return { error: { code: 190, message: CANNOT_PARSE_TOKEN }, is_valid: false, scopes: [] }
  const problem = tokenProblem(world, token)
  return {
    app_id: token.appId,
    type: token.type,
    application: world.app(token.appId).name,
    data_access_expires_at: token.dataAccessExpiresAt,
    ...(problem ? { error: { code: problem.code, message: problem.message, subcode: problem.subcode } } : {}),
    // Optional in Meta's reference; the switch leaves it out (which answers lack it is unverified).
    ...(world.debugTokenOmitsExpiresAt ? {} : { expires_at: token.expiresAt }),
    is_valid: problem === undefined,
    // Meta gives issued_at for long-lived tokens only (short-lived ones have none); the switch drops it for all.
    ...(world.debugTokenOmitsIssuedAt || !world.isLongLived(token) ? {} : { issued_at: token.issuedAt }),
    ...(token.pageId === undefined ? {} : { profile_id: token.pageId }),
    scopes: token.scopes,
    granular_scopes: token.granularScopes.map(({ scope, targetIds }) =>
      targetIds ? { scope, target_ids: targetIds } : { scope }
    ),
    user_id: token.userId
  }
}

// GET|POST /oauth/access_token?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token
//   [&set_token_expires_in_60_days=true]
function exchangeToken({ world, params }: Call): JsonResponse {
  const app = authenticateClient(world, params)
  if (params.grant_type !== 'fb_exchange_token') {
    throw new GraphError('(#100) grant_type must be fb_exchange_token for a token exchange', 100)
  }
  if (!params.fb_exchange_token) throw missingParameter('fb_exchange_token')
  const old = world.tokens.get(params.fb_exchange_token)
  if (!old) throw cannotParseToken()
  if (old.appId !== app.id) throw tokenOfAnotherApp(app.id)
  // An expired token cannot be exchanged: rotation has to happen before expiry.
  assertUsable(world, old)
  if (old.type === 'PAGE') {
    throw new GraphError('(#100) A page access token cannot be exchanged; get it again from /{user-id}/accounts', 100)
  }

  // Without the flag a system user token is not refreshed: the same string comes back, unchanged.
  if (old.type === 'SYSTEM_USER' && params.set_token_expires_in_60_days !== 'true') {
    return ok(grant(old.value, old.expiresAt === 0 ? 0 : old.expiresAt - world.now()))
  }
  const expiresAt = exchangedExpiry(world, old)
  const grants =
    old.type === 'SYSTEM_USER'
      ? systemUserGrants(world.systemUserGrantTargets, refreshedGrants(world, old), refreshedReach(world, old))
      : { granularScopes: refreshedGrants(world, old) }
  if (world.exchangeReturnsSameToken) {
    old.expiresAt = expiresAt
    return ok(grant(old.value, expiresAt - world.now()))
  }
  // The old token keeps working until its own expiry: that is Meta's zero-downtime rotation.
  // Data access is the person's, so the new token carries it unchanged.
  const fresh = world.issueToken({
    appId: app.id,
    type: old.type,
    scopes: old.scopes,
    userId: old.userId,
    expiresIn: expiresAt - world.now(),
    dataAccessExpiresAt: old.dataAccessExpiresAt,
    ...grants
  })
  return ok(grant(fresh, expiresAt - world.now()))
}

/** 60 days from now; or, for a long-lived user token in 'keeps-expiry' mode, its old expiry until the person logs in again. */
function exchangedExpiry(world: GraphWorld, old: GraphTokenRecord): number {
  const extended = world.now() + SIXTY_DAYS
  if (old.type !== 'USER' || !world.isLongLived(old)) return extended
  const loggedIn = world.freshLogins.delete(old.userId)
  return world.userTokenExchange === 'keeps-expiry' && !loggedIn && old.expiresAt !== 0 ? old.expiresAt : extended
}

function refreshedGrants(world: GraphWorld, old: GraphTokenRecord): GraphTokenRecord['granularScopes'] {
  const systemUser = old.type === 'SYSTEM_USER' ? world.systemUsers.get(old.userId) : undefined
  if (systemUser && world.systemUserRefreshTargets === 'snapshots') return grantsFor(old.scopes, systemUser.assets)
  return copyGrants(old.granularScopes)
}

/** What a refreshed system user token reaches besides what it lists: what the old one did ('copies'), or nothing more. */
function refreshedReach(world: GraphWorld, old: GraphTokenRecord): string[] {
  return world.systemUserRefreshTargets === 'copies' ? (old.reaches ?? []) : []
}

/** expires_in is left out for a token that never expires. */
function grant(accessToken: string, expiresIn: number): Record<string, unknown> {
  return { access_token: accessToken, token_type: 'bearer', ...(expiresIn === 0 ? {} : { expires_in: expiresIn }) }
}

// GET|POST /oauth/revoke?client_id&client_secret&revoke_token&access_token
// client_id, client_secret, the caller's app and revoke_token's app must all be the same app.
function revokeToken({ world, request, params }: Call): JsonResponse {
  const app = authenticateClient(world, params)
  const caller = authenticate(world, request, params)
  if (caller.kind === 'app') {
    throw new GraphError('(#190) oauth/revoke needs the access token of a user or system user of the app', 190)
  }
  if (caller.app.id !== app.id) throw tokenOfAnotherApp(app.id)

  if (!params.revoke_token) throw missingParameter('revoke_token')
  const target = world.tokens.get(params.revoke_token)
  if (!target) throw cannotParseToken()
  if (target.appId !== app.id) throw tokenOfAnotherApp(app.id)
  if (target.type !== 'SYSTEM_USER') throw new GraphError('revoke_token must be a system user access token', 100)
  assertUsable(world, target)
  if (world.selfRevocation === 'refused' && caller.accessToken === params.revoke_token) {
    throw new GraphError('(#100) A token cannot be used to revoke itself.', 100)
  }
  target.revoked = true
  return ok({ success: true })
}

// POST /{system-user-id}/applications  business_app=APP_ID
function installApp(call: Call, systemUserId: string): JsonResponse {
  const systemUser = systemUserForManager(call, systemUserId, 'when-app-requires')
  systemUser.installedAppIds.add(businessApp(call))
  return ok({ success: true })
}

// POST /{system-user-id}/access_tokens  business_app, scope, appsecret_proof[, set_token_expires_in_60_days=true]
function generateSystemUserToken(call: Call, systemUserId: string): JsonResponse {
  // This endpoint wants appsecret_proof even when the app does not require it elsewhere.
  const systemUser = systemUserForManager(call, systemUserId, 'always')
  const appId = businessApp(call)
  checkRecentUse(call.world, appId)
  const sixtyDays = call.params.set_token_expires_in_60_days === 'true'
  const accessToken = mintSystemUserToken(call.world, systemUser, appId, call.params.scope, sixtyDays)
  call.world.accessTokensQueriedAt.set(appId, call.world.now())
  return ok({ access_token: accessToken })
}

/**
 * The caller must be an admin of the system user's business, or a system user of that business. A
 * system user is named by its app-scoped id: its Business Manager id is no object here (code 100/33).
 */
function systemUserForManager(call: Call, systemUserId: string, policy: ProofPolicy): GraphSystemUser {
  const { world, request, params } = call
  const caller = authenticate(world, request, params, policy)
  const systemUser = world.systemUsers.get(systemUserId)
  if (!systemUser) throw unsupportedRequest(request.method, systemUserId)
  if (!managesBusiness(world, caller, systemUser.businessId)) throw notManager(systemUser.businessId)
  return systemUser
}

function businessApp({ world, params }: Call): string {
  const appId = params.business_app
  if (!appId) throw missingParameter('business_app')
  if (!world.apps.has(appId)) throw new GraphError(`(#100) business_app ${appId} is not a valid app id`, 100)
  return appId
}

// GET /{asset-id}?fields=id (an ad account at act_{id}): the asset's id when the caller's token reaches
// it, else, like any object Meta will not show, "does not exist, cannot be loaded due to missing permissions".
function assetNode({ world, request, params }: Call, assetId: string): JsonResponse {
  const caller = authenticate(world, request, params)
  if (caller.kind === 'app' || !world.readsAsset(caller.token, assetId))
    throw unsupportedRequest(request.method, assetId)
  for (const field of (params.fields ?? 'id').split(',').map((f) => f.trim())) {
    if (field !== 'id' && field !== '') throw new GraphError(`(#100) Tried accessing nonexisting field (${field})`, 100)
  }
  return ok({ id: assetId })
}

// GET /me
function me({ world, request, params }: Call): JsonResponse {
  const caller = authenticate(world, request, params)
  if (caller.kind === 'app') {
    throw new GraphError('An active access token must be used to query information about the current user.', 2500)
  }
  const { token } = caller
  if (token.type === 'PAGE') {
    return ok({ id: token.pageId, name: world.pages.get(token.pageId ?? '')?.name ?? 'Page' })
  }
  const name = token.type === 'SYSTEM_USER' ? `System user ${token.userId}` : `User ${token.userId}`
  return ok({ id: token.userId, name })
}
