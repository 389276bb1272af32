// Meta's token operations, each one documented call: debug_token, the fb_exchange_token refresh,
// oauth/revoke, system user token generation, app install, and page tokens.
import { outsideText } from '../outside-text.js'
import type { GraphClient } from './graph-client.js'
import { GraphError } from './graph-error.js'

export type TokenKind = 'system-user' | 'user' | 'page' | 'app' | 'instagram' | 'unknown'

/** A permission and, when Meta limits it to some assets, their ids (pages, ad accounts, WhatsApp Business accounts…). */
export interface Grant {
  scope: string
  targetIds?: string[]
}

export interface TokenInfo {
  appId: string
  /** debug_token's `application`: the app's name, outside text. */
  appName?: string
  kind: TokenKind
  isValid: boolean
  /** null: never expires; undefined: cannot be known (Instagram Login tokens). */
  expiresAt?: Date | null
  issuedAt?: Date
  /** When the app loses access to the person's data (user tokens); null: never (Meta answers 0). */
  dataAccessExpiresAt?: Date | null
  scopes: string[]
  grants: Grant[]
  userId?: string
  /** Why Meta considers it invalid, when it does. */
  problem?: { code?: number; subcode?: number; message: string }
}

export interface MintedToken {
  token: string
  /** Seconds, when Meta said. */
  expiresIn?: number
}

export interface PageToken {
  id: string
  name: string
  token: string
}

interface DebugTokenData {
  app_id?: unknown
  application?: unknown
  type?: unknown
  is_valid?: unknown
  issued_at?: unknown
  expires_at?: unknown
  data_access_expires_at?: unknown
  scopes?: unknown
  granular_scopes?: unknown
  user_id?: unknown
  error?: { code?: unknown; subcode?: unknown; message?: unknown }
}

const KINDS: Record<string, TokenKind> = { SYSTEM_USER: 'system-user', USER: 'user', PAGE: 'page', APP: 'app' }

/** A token is printable ASCII without spaces: anything else in an answer is not a token (and could be a command). */
const TOKEN = /^[\x21-\x7e]{1,4096}$/

export class MetaTokens {
  constructor(
    private readonly graph: GraphClient,
    private readonly app: { id: string; secret: string }
  ) {}

  /** The Graph API version that answered, when Meta said. */
  get answeredVersion(): string | undefined {
    return this.graph.answeredVersion
  }

  /** The app token `id|secret`; the caller keeps it secret like any other. */
  get appToken(): string {
    return `${this.app.id}|${this.app.secret}`
  }

  async inspect(token: string): Promise<TokenInfo> {
    const { data } = await this.graph
      .get<{ data?: DebugTokenData }>('debug_token', { input_token: token }, { bearer: this.appToken })
      .catch((error: unknown) => {
        // debug_token reports a bad input token inside `data`; a 190 error is about the caller, the app
        // token. One Meta cannot even parse names no app: the app id is wrong, not (only) the secret.
        if (error instanceof GraphError && error.failure.code === 190) {
          const appCredentials = /cannot parse/i.test(error.message) ? 'app-id' : 'app-secret'
          throw new GraphError(error.message, { ...error.failure, appCredentials })
        }
        throw error
      })
    if (!data || typeof data !== 'object') throw malformed('debug_token answered without data')
    const scopes = stringList(data.scopes)
    return {
      appId: outsideText(data.app_id ?? '', 40),
      ...(typeof data.application === 'string' ? { appName: outsideText(data.application, 100) } : {}),
      kind: KINDS[String(data.type)] ?? 'unknown',
      isValid: data.is_valid === true,
      // Absent is unknown, not never: a token whose expiry Meta did not give is rotated, never skipped.
      expiresAt: epoch(data.expires_at),
      issuedAt: epoch(data.issued_at) ?? undefined,
      dataAccessExpiresAt: data.data_access_expires_at === undefined ? undefined : epoch(data.data_access_expires_at),
      scopes,
      grants: grantsOf(data.granular_scopes, scopes),
      userId: typeof data.user_id === 'string' ? outsideText(data.user_id, 40) : undefined,
      problem: data.error
        ? {
            code: typeof data.error.code === 'number' ? data.error.code : undefined,
            subcode: typeof data.error.subcode === 'number' ? data.error.subcode : undefined,
            message: outsideText(data.error.message ?? 'invalid')
          }
        : undefined
    }
  }

  /** `set_token_expires_in_60_days` is what keeps a system user token expiring (and refreshable). */
  async refresh(token: string, expiresIn60Days: boolean): Promise<MintedToken> {
    const answer = await this.graph.get<MintAnswer>('oauth/access_token', {
      grant_type: 'fb_exchange_token',
      client_id: this.app.id,
      client_secret: this.app.secret,
      fb_exchange_token: token,
      set_token_expires_in_60_days: expiresIn60Days ? 'true' : undefined
    })
    return minted(answer, 'oauth/access_token')
  }

  /** `caller` must be a working token of the same app: the new one, once it is stored. */
  async revoke(token: string, caller: string): Promise<void> {
    const answer = await this.graph.get<{ success?: unknown }>('oauth/revoke', {
      client_id: this.app.id,
      client_secret: this.app.secret,
      revoke_token: token,
      access_token: caller
    })
    // Meta's reference shows "true" as a string; the live API has answered a boolean.
    if (answer.success !== true && answer.success !== 'true') throw malformed('oauth/revoke did not answer success')
  }

  async installApp(systemUserId: string, adminToken: string): Promise<void> {
    await this.graph.post(`${systemUserId}/applications`, { business_app: this.app.id, access_token: adminToken })
  }

  async generate(systemUserId: string, adminToken: string, scopes: string[], expiring: boolean): Promise<MintedToken> {
    const answer = await this.graph.post<MintAnswer>(
      `${systemUserId}/access_tokens`,
      {
        business_app: this.app.id,
        scope: scopes.join(','),
        access_token: adminToken,
        set_token_expires_in_60_days: expiring ? 'true' : undefined
      },
      { idempotent: false }
    )
    return minted(answer, 'access_tokens')
  }

  /**
   * The business's way to mint (Business.json of Meta's SDK specs): no business_app, the app is the
   * admin token's, proven by its appsecret_proof.
   */
  async generateForBusiness(
    businessId: string,
    systemUserId: string,
    adminToken: string,
    scopes: string[],
    expiring: boolean
  ): Promise<MintedToken> {
    const answer = await this.graph.post<MintAnswer>(
      `${businessId}/system_user_access_tokens`,
      {
        system_user_id: systemUserId,
        scope: scopes.join(','),
        access_token: adminToken,
        set_token_expires_in_60_days: expiring ? 'true' : undefined
      },
      { idempotent: false }
    )
    return minted(answer, 'system_user_access_tokens')
  }

  /** Every page the user manages, following the `after` cursor (never the `next` URL: it carries the token). */
  async pages(userToken: string): Promise<PageToken[]> {
    const entries = await this.accounts(userToken, 'id,name,access_token')
    return entries.map(pageToken).filter((page): page is PageToken => page !== undefined)
  }

  /**
   * Which of these pages the user reaches, read without handing out a page token: /me/accounts,
   * then each page left out there asked of itself (as `page` does).
   */
  async reachablePages(userToken: string, pageIds: string[]): Promise<string[]> {
    const listed = new Set((await this.accounts(userToken, 'id')).map((entry) => entry.id))
    const reachable: string[] = []
    for (const pageId of pageIds) {
      if (listed.has(pageId) || (await this.canRead(pageId, userToken))) reachable.push(pageId)
    }
    return reachable
  }

  private async accounts(userToken: string, fields: string): Promise<AccountEntry[]> {
    const entries: AccountEntry[] = []
    let after: string | undefined
    for (let page = 0; page < 200; page++) {
      const answer = await this.graph.get<AccountsPage>(
        'me/accounts',
        { fields, limit: '100', after },
        { bearer: userToken }
      )
      entries.push(...(Array.isArray(answer.data) ? answer.data : []))
      after = answer.paging?.next ? answer.paging.cursors?.after : undefined
      if (!after) return entries
    }
    throw malformed('me/accounts kept paging past 20,000 pages')
  }

  /**
   * One page's token, asked of the page itself: /me/accounts leaves out pages the user reaches only
   * through a Business Manager role. Undefined when Meta says the user cannot reach it.
   */
  async page(pageId: string, userToken: string): Promise<PageToken | undefined> {
    const entry = await this.node(pageId, 'id,name,access_token', userToken)
    return entry && pageToken(entry)
  }

  /** Whether the token reads the node (`GET /{node-id}?fields=id`, Graph's way to ask about a page, an ad account…). */
  async canRead(nodeId: string, token: string): Promise<boolean> {
    return (await this.node(nodeId, 'id', token)) !== undefined
  }

  private async node(nodeId: string, fields: string, token: string): Promise<AccountEntry | undefined> {
    try {
      return await this.graph.get<AccountEntry>(nodeId, { fields }, { bearer: token })
    } catch (error) {
      // (#100/33): "does not exist, cannot be loaded due to missing permissions".
      if (error instanceof GraphError && error.failure.code === 100) return undefined
      throw error
    }
  }
}

interface MintAnswer {
  access_token?: unknown
  expires_in?: unknown
}

interface AccountEntry {
  id?: unknown
  name?: unknown
  access_token?: unknown
}

interface AccountsPage {
  data?: AccountEntry[]
  paging?: { cursors?: { after?: string }; next?: string }
}

function pageToken(entry: AccountEntry): PageToken | undefined {
  if (typeof entry.id !== 'string' || typeof entry.access_token !== 'string' || !TOKEN.test(entry.access_token))
    return undefined
  return { id: entry.id, name: outsideText(entry.name ?? entry.id, 200), token: entry.access_token }
}

export function minted(answer: MintAnswer, call: string): MintedToken {
  if (typeof answer.access_token !== 'string' || !TOKEN.test(answer.access_token)) {
    throw malformed(`${call} answered without a usable access_token`)
  }
  return {
    token: answer.access_token,
    expiresIn: typeof answer.expires_in === 'number' ? answer.expires_in : undefined
  }
}

/** Epoch seconds to a date; 0 (never) to null; anything else to undefined. */
function epoch(value: unknown): Date | null | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  return value === 0 ? null : new Date(value * 1000)
}

function stringList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string').map((v) => outsideText(v, 100))
    : []
}

/** `granular_scopes`, or one unlimited grant per scope when Meta sent none. */
function grantsOf(value: unknown, scopes: string[]): Grant[] {
  if (!Array.isArray(value)) return scopes.map((scope) => ({ scope }))
  return value
    .filter((g): g is { scope: string; target_ids?: unknown } => typeof (g as { scope?: unknown })?.scope === 'string')
    .map((g) => ({
      scope: outsideText(g.scope, 100),
      ...(Array.isArray(g.target_ids) ? { targetIds: g.target_ids.map((id) => outsideText(id, 40)) } : {})
    }))
}

export function malformed(message: string): GraphError {
  return new GraphError(message, { kind: 'malformed', transient: false })
}
