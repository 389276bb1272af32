// A loopback Meta Graph API for tests, the demo and the benchmark. It makes the checks the real
// Graph API makes (app secret, appsecret_proof, token expiry and revocation, which app a token
// belongs to, who may manage a system user), so that a client passing against it is meaningful.
//
//   graph/world.ts      what Meta knows: apps, tokens, businesses, system users, pages, the clock
//   graph/auth.ts       access tokens, app tokens, appsecret_proof, client_id/client_secret
//   graph/endpoints.ts  debug_token, oauth/access_token, oauth/revoke, system user tokens, accounts
//   graph/errors.ts     Meta's error body and the shared errors
import { LoopbackServer } from './loopback-server.js'
import { handleGraphRequest } from './graph/endpoints.js'
import { GraphWorld, type GraphTokenRecord, type GraphTokenType } from './graph/world.js'

export type { GraphTokenRecord, GraphTokenType } from './graph/world.js'
export { appSecretProof } from './graph/auth.js'

export interface GraphEmulatorOptions {
  latencyMs?: number
  /** Accepted API versions; default ['v24.0', 'v25.0', 'v26.0']. */
  versions?: string[]
}

export const DEFAULT_GRAPH_VERSIONS: readonly string[] = ['v24.0', 'v25.0', 'v26.0']

export class GraphEmulator {
  /** The requests log, injectFault and latencyMs. */
  readonly server: LoopbackServer
  private readonly world = new GraphWorld()

  private constructor(options: GraphEmulatorOptions) {
    const versions = options.versions ?? DEFAULT_GRAPH_VERSIONS
    this.server = new LoopbackServer(
      (request) => handleGraphRequest(this.world, { versions, baseUrl: this.url }, request),
      { latencyMs: options.latencyMs }
    )
  }

  static async start(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
    const emulator = new GraphEmulator(options)
    await emulator.server.start()
    return emulator
  }

  /** e.g. http://127.0.0.1:PORT, without the version. */
  get url(): string {
    return this.server.url
  }

  stop(): Promise<void> {
    return this.server.stop()
  }

  /** The emulated clock in epoch seconds: real time plus whatever advanceClock added. */
  now(): number {
    return this.world.now()
  }

  advanceClock(seconds: number): void {
    this.world.advanceClock(seconds)
  }

  /** When true, oauth/access_token hands back the same string it was given (seen in the wild), extending its expiry. */
  get exchangeReturnsSameToken(): boolean {
    return this.world.exchangeReturnsSameToken
  }

  set exchangeReturnsSameToken(value: boolean) {
    this.world.exchangeReturnsSameToken = value
  }

  /** Default page size of /accounts. */
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
  }): string {
    return this.world.issueToken(spec)
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

  addBusiness(business: { id: string; adminUserIds?: string[] }): void {
    this.world.businesses.set(business.id, { id: business.id, adminUserIds: [...(business.adminUserIds ?? [])] })
  }

  addSystemUser(systemUser: { id: string; businessId: string; installedAppIds?: string[]; admin?: boolean }): void {
    if (!this.world.businesses.has(systemUser.businessId)) {
      throw new Error(`graph emulator: add business ${systemUser.businessId} before its system users`)
    }
    this.world.systemUsers.set(systemUser.id, {
      id: systemUser.id,
      businessId: systemUser.businessId,
      installedAppIds: new Set(systemUser.installedAppIds),
      admin: systemUser.admin ?? false
    })
  }

  isAppInstalled(systemUserId: string, appId: string): boolean {
    return this.world.systemUsers.get(systemUserId)?.installedAppIds.has(appId) ?? false
  }

  addPage(page: { id: string; name: string; managerUserIds: string[] }): void {
    this.world.pages.set(page.id, { id: page.id, name: page.name, managerUserIds: [...page.managerUserIds] })
  }
}
