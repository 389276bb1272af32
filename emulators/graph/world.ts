// What the emulated Meta knows: apps, tokens, businesses, system users and pages, on a clock that
// tests can move forward.
import { randomBytes, randomInt } from 'node:crypto'

export type GraphTokenType = 'USER' | 'PAGE' | 'SYSTEM_USER'

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
}

export interface GraphSystemUser {
  id: string
  businessId: string
  installedAppIds: Set<string>
  admin: boolean
}

export interface GraphPage {
  id: string
  name: string
  managerUserIds: string[]
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
}

export const DAY = 86_400
/** Lifetime of an expiring system user token and of a long-lived user token: 5,184,000 s. */
export const SIXTY_DAYS = 60 * DAY
/** debug_token's data_access_expires_at is 90 days after the grant. */
export const DATA_ACCESS_WINDOW = 90 * DAY

export class GraphWorld {
  readonly apps = new Map<string, GraphApp>()
  readonly tokens = new Map<string, GraphTokenRecord>()
  readonly businesses = new Map<string, GraphBusiness>()
  readonly systemUsers = new Map<string, GraphSystemUser>()
  readonly pages = new Map<string, GraphPage>()
  /** `${userToken} ${pageId}` → page token: the same user token asking again gets the same page token. */
  readonly pageTokens = new Map<string, string>()
  exchangeReturnsSameToken = false
  accountsPageSize = 25
  private clockOffset = 0

  now(): number {
    return Math.floor(Date.now() / 1000) + this.clockOffset
  }

  advanceClock(seconds: number): void {
    this.clockOffset += seconds
  }

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
    const record: GraphTokenRecord = {
      value,
      appId: spec.appId,
      type: spec.type,
      scopes: [...(spec.scopes ?? [])],
      userId: spec.userId ?? newObjectId(),
      issuedAt,
      expiresAt: expiresIn === 0 ? 0 : now + expiresIn,
      revoked: false
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
    return token !== undefined && !token.revoked && !this.isExpired(token)
  }
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
