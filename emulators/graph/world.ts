// What the emulated Meta knows: apps, tokens, businesses, system users and the assets assigned to
// them, pages, and who logged in when, on a clock that tests can move forward.
import { randomBytes, randomInt } from 'node:crypto'
import { MetaClock } from '../meta-clock.js'
import { PolicyBlocks } from './policy-blocks.js'
import type { AccessTokensEndpoint } from './system-user-tokens.js'
import { Usage } from './usage.js'

export type GraphTokenType = 'USER' | 'PAGE' | 'SYSTEM_USER'

export type AssetKind =
  'page' | 'ad_account' | 'whatsapp_business_account' | 'instagram_account' | 'catalog' | 'business'

export interface GraphAsset {
  id: string
  kind: AssetKind
}

/** debug_token's granular_scopes entry: the assets a permission is limited to. */
export interface GranularScope {
  scope: string
  targetIds?: string[]
}

/** The 190 subcodes a token can be put in besides expiry (463): see errors.ts for Meta's words. */
export type InvalidationSubcode = 458 | 459 | 460 | 464 | 467

export interface GraphTokenRecord {
  value: string
  appId: string
  type: GraphTokenType
  scopes: string[]
  /** The system user for SYSTEM_USER tokens; the user for USER and PAGE tokens. */
  userId: string
  issuedAt: number
  /** Epoch seconds; 0 = never. */
  expiresAt: number
  revoked: boolean
  pageId?: string
  /** Epoch seconds when the app loses access to the person's data; 0 for system user tokens. */
  dataAccessExpiresAt: number
  granularScopes: GranularScope[]
  /** The assets it really reaches, when granular_scopes does not list them (systemUserGrantTargets 'unlisted'). */
  reaches?: string[]
  /** Set by invalidateToken: the token fails with code 190 and this subcode. */
  invalidation?: InvalidationSubcode
}

export interface GraphApp {
  id: string
  secret: string
  /** The app setting "Require App Secret": every call with a user, page or system user token needs appsecret_proof. */
  requireAppSecretProof: boolean
  name: string
}

export interface GraphBusiness {
  id: string
  adminUserIds: string[]
  /** People with a role in the business who are not admins. */
  employeeUserIds: string[]
}

export interface GraphSystemUser {
  /** The app-scoped id: debug_token's user_id, and the node of /{system-user-id}/access_tokens. */
  id: string
  /** The id Business settings shows for it, which the Graph API does not take for it (code 100/33). */
  businessManagerId: string
  businessId: string
  installedAppIds: Set<string>
  admin: boolean
  assets: GraphAsset[]
}

export interface GraphPage {
  id: string
  name: string
  /** People who manage the page themselves: it is in their /me/accounts. */
  managerUserIds: string[]
  /** The business that holds the page: people with a role in it reach the page only through it. */
  businessId?: string
}

export interface TokenSpec {
  appId: string
  type: GraphTokenType
  scopes?: string[]
  /** Seconds; 0 = never; default 60 days. */
  expiresIn?: number
  userId?: string
  pageId?: string
  /** Seconds before now that the token was issued (a secret's token is rarely brand new); default 0. */
  issuedAgo?: number
  /** Epoch seconds; default 90 days after issue for user and page tokens, 0 for system user tokens. */
  dataAccessExpiresAt?: number
  /** Default: each scope without target_ids. */
  granularScopes?: GranularScope[]
  /** The assets it reaches besides those its granular scopes list. */
  reaches?: string[]
}

/**
 * Whether a system user token's granular_scopes list the assets it reaches (target_ids), or list none
 * although it reaches them (Meta's WhatsApp permission docs show such tokens; unverified which Meta does when).
 */
export type SystemUserGrantTargets = 'listed' | 'unlisted'

/** Whether exchanging a long-lived user token moves its expiry (unverified: Meta's reports disagree). */
export type UserTokenExchange = 'extends' | 'keeps-expiry'
/** Whether a refreshed system user token copies the old token's targets or snapshots the assignments anew (unverified). */
export type SystemUserRefreshTargets = 'copies' | 'snapshots'
/** How long a page token read with a system user token lives (unverified: Meta documents only those from user tokens). */
export type SystemUserPageTokens = 'never-expire' | 'system-user-lifetime'
/** What an app token of an app id that does not exist is answered (unverified): see GraphEmulator.unknownAppToken. */
export type UnknownAppToken = 'cannot-parse' | 'bad-signature'

/** Whether oauth/revoke lets a token revoke itself (caller = revoke_token; unverified): see GraphEmulator.selfRevocation. */
export type SelfRevocation = 'allowed' | 'refused'

export const DAY = 86_400
/** Lifetime of an expiring system user token and of a long-lived user token: 5,184,000 s. */
export const SIXTY_DAYS = 60 * DAY
/** debug_token's data_access_expires_at is 90 days after the grant. */
export const DATA_ACCESS_WINDOW = 90 * DAY

export class GraphWorld extends MetaClock {
  readonly apps = new Map<string, GraphApp>()
  readonly tokens = new Map<string, GraphTokenRecord>()
  readonly businesses = new Map<string, GraphBusiness>()
  readonly systemUsers = new Map<string, GraphSystemUser>()
  readonly pages = new Map<string, GraphPage>()
  /** `${userToken} ${pageId}` → page token: the same user token asking again gets the same page token. */
  readonly pageTokens = new Map<string, string>()
  /** People who logged in to the app again since their token was last exchanged. */
  readonly freshLogins = new Set<string>()
  readonly usage = new Usage(() => this.now())
  readonly policyBlocks = new PolicyBlocks()
  exchangeReturnsSameToken = false
  /** debug_token leaves out issued_at (it is optional in Meta's reference; some answers lack it). */
  debugTokenOmitsIssuedAt = false
  /** debug_token leaves out expires_at: the token's expiry cannot be known. */
  debugTokenOmitsExpiresAt = false
  userTokenExchange: UserTokenExchange = 'extends'
  systemUserRefreshTargets: SystemUserRefreshTargets = 'copies'
  unknownAppToken: UnknownAppToken = 'cannot-parse'
  accessTokensEndpoint: AccessTokensEndpoint = 'open'
  /** When each app last minted with /{system-user-id}/access_tokens (epoch seconds). */
  readonly accessTokensQueriedAt = new Map<string, number>()
  systemUserPageTokens: SystemUserPageTokens = 'never-expire'
  systemUserGrantTargets: SystemUserGrantTargets = 'listed'
  accountsPageSize = 25
  selfRevocation: SelfRevocation = 'allowed'
  app(id: string): GraphApp {
    const app = this.apps.get(id)
    if (!app) throw new Error(`graph emulator: unknown app ${id}`)
    return app
  }

  issueToken(spec: TokenSpec): string {
    this.app(spec.appId)
    let value = newTokenValue()
    while (this.tokens.has(value)) value = newTokenValue()
    const now = this.now()
    const issuedAt = now - (spec.issuedAgo ?? 0)
    const expiresIn = spec.expiresIn ?? SIXTY_DAYS
    const scopes = [...(spec.scopes ?? [])]
    const record: GraphTokenRecord = {
      value,
      appId: spec.appId,
      type: spec.type,
      scopes,
      userId: spec.userId ?? newObjectId(),
      issuedAt,
      expiresAt: expiresIn === 0 ? 0 : now + expiresIn,
      revoked: false,
      dataAccessExpiresAt:
        spec.dataAccessExpiresAt ?? (spec.type === 'SYSTEM_USER' ? 0 : issuedAt + DATA_ACCESS_WINDOW),
      granularScopes: copyGrants(spec.granularScopes ?? scopes.map((scope) => ({ scope }))),
      ...(spec.reaches ? { reaches: [...spec.reaches] } : {})
    }
    if (spec.type === 'PAGE') record.pageId = spec.pageId ?? newObjectId()
    this.tokens.set(value, record)
    return value
  }

  isExpired(token: GraphTokenRecord): boolean {
    return token.expiresAt !== 0 && token.expiresAt <= this.now()
  }

  isUsable(value: string): boolean {
    const token = this.tokens.get(value)
    return token !== undefined && !token.revoked && token.invalidation === undefined && !this.isExpired(token)
  }

  /** Issued for a long time (about 60 days, or never expiring), as opposed to a short-lived token of an hour or two. */
  isLongLived(token: GraphTokenRecord): boolean {
    return token.expiresAt === 0 || token.expiresAt - token.issuedAt > DAY
  }

  /** The person logged in to the app again: their data access runs 90 days from now, and the next exchange extends. */
  logIn(userId: string): void {
    const renewed = this.now() + DATA_ACCESS_WINDOW
    for (const token of this.tokens.values()) {
      if (token.userId === userId && token.type !== 'SYSTEM_USER') token.dataAccessExpiresAt = renewed
    }
    this.freshLogins.add(userId)
  }

  /**
   * Whether the token reads the asset (GET /{asset-id}): one its grants reach (listed or not) and,
   * for a system user, still assigned to it. An ad account answers at act_{id} as well as at its id.
   */
  readsAsset(token: GraphTokenRecord, assetId: string): boolean {
    const bare = assetId.replace(/^act_/, '')
    const matches = (id: string) => id.replace(/^act_/, '') === bare
    const reached = [...(token.reaches ?? []), ...token.granularScopes.flatMap((g) => g.targetIds ?? [])]
    if (!reached.some(matches)) return false
    if (token.type === 'USER') return true
    if (token.type !== 'SYSTEM_USER') return false
    return (this.systemUsers.get(token.userId)?.assets ?? []).some((asset) => matches(asset.id))
  }

  /** Whether the user (or system user) may manage the page: directly, through a business role, or as an assigned asset. */
  managesPage(token: GraphTokenRecord, page: GraphPage): boolean {
    if (token.type === 'SYSTEM_USER') {
      return this.systemUsers.get(token.userId)?.assets.some((a) => a.kind === 'page' && a.id === page.id) ?? false
    }
    if (token.type !== 'USER') return false
    if (page.managerUserIds.includes(token.userId)) return true
    const business = page.businessId === undefined ? undefined : this.businesses.get(page.businessId)
    return business !== undefined && [...business.adminUserIds, ...business.employeeUserIds].includes(token.userId)
  }
}

export function copyGrants(grants: GranularScope[]): GranularScope[] {
  return grants.map(({ scope, targetIds }) => (targetIds ? { scope, targetIds: [...targetIds] } : { scope }))
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Looks like a real Graph token: "EAA" and about 150 letters and digits. */
function newTokenValue(): string {
  let value = 'EAA'
  for (const byte of randomBytes(150)) value += TOKEN_ALPHABET.charAt(byte % TOKEN_ALPHABET.length)
  return value
}

/** A 15-digit id, like Meta's user and page ids. */
export function newObjectId(): string {
  return '1' + String(randomInt(0, 10 ** 14)).padStart(14, '0')
}
