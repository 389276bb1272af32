// What the emulated Instagram API with Instagram Login knows: professional accounts, their tokens
// (IGAA…, long-lived for 60 days or short-lived for an hour), and a clock tests can move forward.
// The switches are the behaviours Meta does not document.
import { randomBytes, randomInt } from 'node:crypto'
import { MetaClock } from '../meta-clock.js'

export interface InstagramAccount {
  /** The Instagram professional account's id, as /me returns it in `user_id`. */
  userId: string
  username: string
  /** The app-scoped id /me returns in `id`. */
  id: string
}

export interface InstagramTokenRecord {
  value: string
  userId: string
  appId: string
  permissions: string[]
  issuedAt: number
  /** Epoch seconds. */
  expiresAt: number
  longLived: boolean
  /** Set when the person changed their password (or Meta reset the session): the token fails with 190/460. */
  invalidated: boolean
  /** The token a refresh replaced this one with, when the old one stops working ('stops-working'). */
  replacedBy?: string
}

export interface IssueSpec {
  userId: string
  /** Creates the account when it is not known yet; default 'user_' + userId. */
  username?: string
  appId?: string
  /** Default ['instagram_business_basic']. */
  permissions?: string[]
  /** Default true. */
  longLived?: boolean
  /** Seconds before now that it was issued; default 0. */
  issuedAgo?: number
  /** Seconds from now; default what is left of its lifetime (60 days or an hour) after issuedAgo. */
  expiresIn?: number
}

/** Whether the refreshed token's predecessor keeps working until its own expiry (unverified). */
export type OldTokenAfterRefresh = 'keeps-working' | 'stops-working'
/** How a refresh of a short-lived or too young token is refused: Meta's wording is unverified. */
export type RefreshRefusal = 'explicit' | 'unsupported-request'

export const HOUR = 3600
export const DAY = 86_400
export const SIXTY_DAYS = 60 * DAY

export class InstagramWorld extends MetaClock {
  readonly accounts = new Map<string, InstagramAccount>()
  readonly tokens = new Map<string, InstagramTokenRecord>()
  oldTokenAfterRefresh: OldTokenAfterRefresh = 'keeps-working'
  refreshAcceptsBearer = true
  refreshReturnsSameToken = false
  refreshRefusal: RefreshRefusal = 'explicit'
  addAccount(account: { userId: string; username: string; id?: string }): InstagramAccount {
    const added = { userId: account.userId, username: account.username, id: account.id ?? newAppScopedId() }
    this.accounts.set(account.userId, added)
    return added
  }

  issueToken(spec: IssueSpec): string {
    if (!this.accounts.has(spec.userId)) {
      this.addAccount({ userId: spec.userId, username: spec.username ?? `user_${spec.userId}` })
    }
    let value = newTokenValue()
    while (this.tokens.has(value)) value = newTokenValue()
    const longLived = spec.longLived ?? true
    const issuedAgo = spec.issuedAgo ?? 0
    const now = this.now()
    this.tokens.set(value, {
      value,
      userId: spec.userId,
      appId: spec.appId ?? '990000000000001',
      permissions: [...(spec.permissions ?? ['instagram_business_basic'])],
      issuedAt: now - issuedAgo,
      expiresAt: now + (spec.expiresIn ?? (longLived ? SIXTY_DAYS : HOUR) - issuedAgo),
      longLived,
      invalidated: false
    })
    return value
  }

  isExpired(token: InstagramTokenRecord): boolean {
    return token.expiresAt <= this.now()
  }

  isUsable(value: string): boolean {
    const token = this.tokens.get(value)
    return token !== undefined && !token.invalidated && token.replacedBy === undefined && !this.isExpired(token)
  }
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Looks like a real Instagram User token: "IGAA" and about 150 letters and digits. */
function newTokenValue(): string {
  let value = 'IGAA'
  for (const byte of randomBytes(150)) value += TOKEN_ALPHABET.charAt(byte % TOKEN_ALPHABET.length)
  return value
}

/** A 17-digit id, like the app-scoped ids of Instagram users. */
function newAppScopedId(): string {
  return '2' + String(randomInt(0, 10 ** 14)).padStart(16, '0')
}
