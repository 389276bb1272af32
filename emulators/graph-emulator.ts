// A loopback Meta Graph API for tests, the demo and the benchmark. It makes the checks the real
// Graph API makes (app secret, appsecret_proof, token expiry and revocation, which app a token
// belongs to, who may manage a system user), so that a client passing against it is meaningful.
//
//   graph/world.ts          what Meta knows: apps, tokens, businesses, system users, pages (on meta-clock.ts)
//   graph/auth.ts           access tokens, app tokens, appsecret_proof, client_id/client_secret
//   graph/endpoints.ts      debug_token, oauth/access_token, oauth/revoke, system user tokens
//   graph/system-user-tokens.ts  minting for a system user; the business's system_user_access_tokens
//   graph/pages.ts          /me/accounts and /{page-id}, and the page tokens they hand out
//   graph/assets.ts         which assets a permission reaches (granular_scopes)
//   graph/usage.ts          X-App-Usage, X-Business-Use-Case-Usage and throttling
//   graph/policy-blocks.ts  code 368 on chosen calls
//   graph/errors.ts         Meta's error body and the shared errors
import type { JsonResponse, ParsedRequest } from './loopback-server.js'
import { MetaEmulator } from './meta-emulator.js'
import { handleGraphRequest, type ExpiredVersions } from './graph/endpoints.js'
import type { PolicyBlockRule } from './graph/policy-blocks.js'
import type { ThrottleSpec } from './graph/usage.js'
import type { AccessTokensEndpoint } from './graph/system-user-tokens.js'
import {
  GraphWorld,
  newObjectId,
  type GranularScope,
  type GraphAsset,
  type GraphSystemUser,
  type GraphTokenRecord,
  type GraphTokenType,
  type InvalidationSubcode,
  type SelfRevocation,
  type SystemUserGrantTargets,
  type SystemUserPageTokens,
  type SystemUserRefreshTargets,
  type UnknownAppToken,
  type UserTokenExchange
} from './graph/world.js'

export type {
  AssetKind,
  GranularScope,
  GraphAsset,
  GraphTokenRecord,
  GraphTokenType,
  InvalidationSubcode,
  SelfRevocation,
  SystemUserGrantTargets,
  SystemUserPageTokens,
  SystemUserRefreshTargets,
  UnknownAppToken,
  UserTokenExchange
} from './graph/world.js'
export type { ExpiredVersions } from './graph/endpoints.js'
export type { AccessTokensEndpoint } from './graph/system-user-tokens.js'
export type { PolicyBlockRule } from './graph/policy-blocks.js'
export type { ThrottleSpec } from './graph/usage.js'
export { appSecretProof } from './graph/auth.js'
export { assetKindOf } from './graph/assets.js'
export { SYSTEM_USER_SCOPES } from './graph/scopes.js'

export interface GraphEmulatorOptions {
  latencyMs?: number
  /** Accepted API versions; default ['v24.0', 'v25.0', 'v26.0', 'v27.0']. */
  versions?: string[]
  /** Default 'refuses'. */
  expiredVersions?: ExpiredVersions
  /** Default 'extends'. */
  userTokenExchange?: UserTokenExchange
  /** Default 'copies'. */
  systemUserRefreshTargets?: SystemUserRefreshTargets
  /**
   * Meta's wall clock in epoch milliseconds (advanceClock adds to it); default the real one. A frozen
   * clock keeps tests that compare seconds from seeing a second tick between two requests.
   */
  clock?: () => number
}

export const DEFAULT_GRAPH_VERSIONS: readonly string[] = ['v24.0', 'v25.0', 'v26.0', 'v27.0']

export class GraphEmulator extends MetaEmulator<GraphWorld> {
  private readonly versions: readonly string[]
  /**
   * A call to a version older than every accepted one: 'refuses' it (code 2635), or 'upgrades' it,
   * answering as the oldest accepted version (Meta's versioning guide says calls to a version no longer
   * available are defaulted to the next usable one). Either way the answer's facebook-api-version says
   * which version answered.
   */
  expiredVersions: ExpiredVersions

  private constructor(options: GraphEmulatorOptions) {
    super(new GraphWorld(options.clock), options.latencyMs)
    this.versions = options.versions ?? DEFAULT_GRAPH_VERSIONS
    this.expiredVersions = options.expiredVersions ?? 'refuses'
    this.world.userTokenExchange = options.userTokenExchange ?? 'extends'
    this.world.systemUserRefreshTargets = options.systemUserRefreshTargets ?? 'copies'
  }

  static start(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
    return new GraphEmulator(options).listen()
  }

  protected handle(request: ParsedRequest): JsonResponse {
    const site = { versions: this.versions, expiredVersions: this.expiredVersions, baseUrl: this.url }
    return handleGraphRequest(this.world, site, request)
  }

  /** When true, oauth/access_token hands back the same string it was given (seen in the wild), extending its expiry. */
  get exchangeReturnsSameToken(): boolean {
    return this.world.exchangeReturnsSameToken
  }

  set exchangeReturnsSameToken(value: boolean) {
    this.world.exchangeReturnsSameToken = value
  }

  /** When true, debug_token answers without issued_at (optional in Meta's reference: which answers lack it is unverified). */
  get debugTokenOmitsIssuedAt(): boolean {
    return this.world.debugTokenOmitsIssuedAt
  }

  set debugTokenOmitsIssuedAt(value: boolean) {
    this.world.debugTokenOmitsIssuedAt = value
  }

  /** When true, debug_token answers without expires_at: an expiry the run cannot know, never read as "never". */
  get debugTokenOmitsExpiresAt(): boolean {
    return this.world.debugTokenOmitsExpiresAt
  }

  set debugTokenOmitsExpiresAt(value: boolean) {
    this.world.debugTokenOmitsExpiresAt = value
  }

  /**
   * Exchanging a long-lived user token: 'extends' gives 60 fresh days; 'keeps-expiry' hands back a
   * token with the old expiry until the person logs in again (userLogsIn). Meta's behaviour is unverified.
   */
  get userTokenExchange(): UserTokenExchange {
    return this.world.userTokenExchange
  }

  set userTokenExchange(value: UserTokenExchange) {
    this.world.userTokenExchange = value
  }

  /**
   * Refreshing a system user token: 'copies' the old token's target_ids, or 'snapshots' the system
   * user's assignments as they are now. Meta's behaviour is unverified.
   */
  get systemUserRefreshTargets(): SystemUserRefreshTargets {
    return this.world.systemUserRefreshTargets
  }

  set systemUserRefreshTargets(value: SystemUserRefreshTargets) {
    this.world.systemUserRefreshTargets = value
  }

  /**
   * An app token (APP_ID|APP_SECRET) whose app id names no app: 'cannot-parse' answers as for any
   * unreadable token, 'bad-signature' as for a wrong secret. Which one Meta gives is unverified.
   */
  get unknownAppToken(): UnknownAppToken {
    return this.world.unknownAppToken
  }

  set unknownAppToken(value: UnknownAppToken) {
    this.world.unknownAppToken = value
  }

  /**
   * oauth/revoke with the token to revoke as the caller: Meta's page does not say whether a token may
   * revoke itself, so both answers are emulated ('allowed' by default, 'refused' with code 100).
   */
  get selfRevocation(): SelfRevocation {
    return this.world.selfRevocation
  }

  set selfRevocation(value: SelfRevocation) {
    this.world.selfRevocation = value
  }

  /** How long a page token read with a system user token lives: 'never-expire' (default) or 'system-user-lifetime'. */
  get systemUserPageTokens(): SystemUserPageTokens {
    return this.world.systemUserPageTokens
  }

  set systemUserPageTokens(value: SystemUserPageTokens) {
    this.world.systemUserPageTokens = value
  }

  /** Whether system user tokens minted from now on list their assets in granular_scopes ('listed', default) or not ('unlisted'). */
  get systemUserGrantTargets(): SystemUserGrantTargets {
    return this.world.systemUserGrantTargets
  }

  set systemUserGrantTargets(value: SystemUserGrantTargets) {
    this.world.systemUserGrantTargets = value
  }

  /** Calls an app may make in a rolling hour before X-App-Usage reads 100; default 10,000 (usage stays near 0). */
  get appCallsPerHour(): number {
    return this.world.usage.appCallsPerHour
  }

  set appCallsPerHour(value: number) {
    this.world.usage.appCallsPerHour = value
  }

  /** Default page size of /accounts. */
  /** Usage headers only once the app made this many calls in the rolling hour (or while throttled); default 25, 0: always. */
  get usageHeadersFromCalls(): number {
    return this.world.usage.headersFromCalls
  }

  set usageHeadersFromCalls(value: number) {
    this.world.usage.headersFromCalls = value
  }

  get accountsPageSize(): number {
    return this.world.accountsPageSize
  }

  set accountsPageSize(value: number) {
    this.world.accountsPageSize = value
  }

  addApp(app: { id: string; secret: string; requireAppSecretProof?: boolean; name?: string }): void {
    this.world.apps.set(app.id, {
      id: app.id,
      secret: app.secret,
      requireAppSecretProof: app.requireAppSecretProof ?? true,
      name: app.name ?? `App ${app.id}`
    })
  }

  issueToken(spec: {
    appId: string
    type: GraphTokenType
    scopes?: string[]
    /** Seconds from now; 0 = never; default 60 days. */
    expiresIn?: number
    /** Seconds before now that it was issued; default 0. */
    issuedAgo?: number
    userId?: string
    pageId?: string
    /** User and page tokens: data access ends this many seconds from now; default 90 days after issue. */
    dataAccessExpiresIn?: number
    /** Default: each scope without target_ids. */
    granularScopes?: GranularScope[]
  }): string {
    const { dataAccessExpiresIn, ...rest } = spec
    const dataAccessExpiresAt =
      dataAccessExpiresIn === undefined || spec.type === 'SYSTEM_USER' ? undefined : this.now() + dataAccessExpiresIn
    return this.world.issueToken({ ...rest, dataAccessExpiresAt })
  }

  /**
   * Puts a token in one of the states Meta reports with code 190: 458 the person removed the app,
   * 459 checkpointed, 460 password changed, 464 unconfirmed user, 467 invalid (logged out).
   * (463, expired, comes from the clock.)
   */
  invalidateToken(value: string, subcode: InvalidationSubcode): void {
    const token = this.world.tokens.get(value)
    if (!token) throw new Error('graph emulator: invalidateToken of an unknown token')
    token.invalidation = subcode
  }

  /** The person logs in to the app again: data access runs 90 days from now, and their next exchange extends. */
  userLogsIn(userId: string): void {
    this.world.logIn(userId)
  }

  /** The live record: tests may read it (or tamper with it). */
  token(value: string): GraphTokenRecord | undefined {
    return this.world.tokens.get(value)
  }

  /** Known, not revoked, not expired at now(). */
  isUsable(value: string): boolean {
    return this.world.isUsable(value)
  }

  tokensOfApp(appId: string): GraphTokenRecord[] {
    return [...this.world.tokens.values()].filter((token) => token.appId === appId)
  }

  /** Every token ever issued, of every app (the leak scan looks for each of them). */
  allTokens(): GraphTokenRecord[] {
    return [...this.world.tokens.values()]
  }

  /** Every app's secret, as added (the leak scan looks for each of them). */
  appSecrets(): Array<{ appId: string; secret: string }> {
    return [...this.world.apps.values()].map((app) => ({ appId: app.id, secret: app.secret }))
  }

  /** `employeeUserIds`: people with a non-admin role, who reach the business's pages through it. */
  addBusiness(business: { id: string; adminUserIds?: string[]; employeeUserIds?: string[] }): void {
    this.world.businesses.set(business.id, {
      id: business.id,
      adminUserIds: [...(business.adminUserIds ?? [])],
      employeeUserIds: [...(business.employeeUserIds ?? [])]
    })
  }

  /** `id` is the app-scoped id (debug_token's user_id); `businessManagerId`, the one Business settings shows (default: a new id). */
  addSystemUser(systemUser: {
    id: string
    businessManagerId?: string
    businessId: string
    installedAppIds?: string[]
    admin?: boolean
    assets?: GraphAsset[]
  }): void {
    if (!this.world.businesses.has(systemUser.businessId)) {
      throw new Error(`graph emulator: add business ${systemUser.businessId} before its system users`)
    }
    this.world.systemUsers.set(systemUser.id, {
      id: systemUser.id,
      businessManagerId: systemUser.businessManagerId ?? newObjectId(),
      businessId: systemUser.businessId,
      installedAppIds: new Set(systemUser.installedAppIds),
      admin: systemUser.admin ?? false,
      assets: (systemUser.assets ?? []).map((asset) => ({ ...asset }))
    })
  }

  /** Assigns an asset to a system user: tokens generated from now on list it in target_ids. */
  assignAsset(systemUserId: string, asset: GraphAsset): void {
    const { assets } = this.systemUser(systemUserId)
    if (!assets.some((a) => a.id === asset.id && a.kind === asset.kind)) assets.push({ ...asset })
  }

  unassignAsset(systemUserId: string, assetId: string): void {
    const systemUser = this.systemUser(systemUserId)
    systemUser.assets = systemUser.assets.filter((a) => a.id !== assetId)
  }

  /** The assets assigned to a system user now. */
  assetsOf(systemUserId: string): GraphAsset[] {
    return this.systemUser(systemUserId).assets.map((asset) => ({ ...asset }))
  }

  /** The id Business settings shows for the system user: not the id its Graph API calls take. */
  businessManagerIdOf(systemUserId: string): string {
    return this.systemUser(systemUserId).businessManagerId
  }

  /**
   * POST /{system-user-id}/access_tokens: 'open' to every app, or 'recent-apps-only', refusing apps that
   * have not minted with it within the last 90 days (code 3; Meta's wording and code are unverified).
   */
  get accessTokensEndpoint(): AccessTokensEndpoint {
    return this.world.accessTokensEndpoint
  }

  set accessTokensEndpoint(value: AccessTokensEndpoint) {
    this.world.accessTokensEndpoint = value
  }

  /** The app minted with /{system-user-id}/access_tokens this many seconds ago. */
  appMintedWithAccessTokens(appId: string, secondsAgo: number): void {
    this.world.accessTokensQueriedAt.set(appId, this.now() - secondsAgo)
  }

  isAppInstalled(systemUserId: string, appId: string): boolean {
    return this.world.systemUsers.get(systemUserId)?.installedAppIds.has(appId) ?? false
  }

  /**
   * `managerUserIds`: people who manage the page themselves (it is in their /me/accounts).
   * `businessId`: the business holding it; people with a role there reach it only with GET /{page-id}.
   */
  addPage(page: { id: string; name: string; managerUserIds?: string[]; businessId?: string }): void {
    this.world.pages.set(page.id, {
      id: page.id,
      name: page.name,
      managerUserIds: [...(page.managerUserIds ?? [])],
      businessId: page.businessId
    })
  }

  /**
   * Throttles the app: usage headers at 100 %, estimated_time_to_regain_access = `minutes`, and the
   * (matching) calls answered with Meta's throttling error for `code`, with is_transient: true, until
   * the emulated clock passes the regain time or `calls` calls went by.
   */
  throttle(spec: ThrottleSpec): void {
    this.world.usage.start(spec)
  }

  stopThrottling(): void {
    this.world.usage.stop()
  }

  /** Whether a throttle is in force now. */
  get throttled(): boolean {
    return this.world.usage.throttled
  }

  /** Answers the matching calls with code 368 ("temporarily blocked for policies violations"). */
  blockForPolicy(rule: PolicyBlockRule = {}): void {
    this.world.policyBlocks.add(rule)
  }

  clearPolicyBlocks(): void {
    this.world.policyBlocks.clear()
  }

  private systemUser(id: string): GraphSystemUser {
    const systemUser = this.world.systemUsers.get(id)
    if (!systemUser) throw new Error(`graph emulator: unknown system user ${id}`)
    return systemUser
  }
}
