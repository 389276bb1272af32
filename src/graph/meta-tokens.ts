// Meta's token operations, each one documented call: debug_token, the fb_exchange_token refresh,
// oauth/revoke, system user token generation, app install, and page tokens from /me/accounts.
import { GraphError } from './graph-error.js'
import type { GraphClient } from './graph-client.js'

export type TokenKind = 'system-user' | 'user' | 'page' | 'app' | 'unknown'

export interface TokenInfo {
  appId: string
  kind: TokenKind
  isValid: boolean
  /** null: never expires. */
  expiresAt: Date | null
  issuedAt?: Date
  scopes: string[]
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
  app_id?: string
  type?: string
  is_valid?: boolean
  issued_at?: number
  expires_at?: number
  scopes?: string[]
  user_id?: string
  error?: { code?: number; subcode?: number; message?: string }
}

const KINDS: Record<string, TokenKind> = { SYSTEM_USER: 'system-user', USER: 'user', PAGE: 'page', APP: 'app' }

export class MetaTokens {
  constructor(
    private readonly graph: GraphClient,
    private readonly app: { id: string; secret: string }
  ) {}

  /** The app token `id|secret`; the caller masks it like any secret. */
  get appToken(): string {
    return `${this.app.id}|${this.app.secret}`
  }

  async inspect(token: string): Promise<TokenInfo> {
    const { data } = await this.graph
      .get<{ data?: DebugTokenData }>('debug_token', { input_token: token }, { bearer: this.appToken })
      .catch((error: unknown) => {
        // debug_token reports a bad input token inside `data`; a 190 error is about the caller, the app token.
        if (error instanceof GraphError && error.failure.code === 190) {
          throw new GraphError(error.message, { ...error.failure, appCredentials: true })
        }
        throw error
      })
    if (!data) throw malformed('debug_token answered without data')
    const expiresAt = data.expires_at ?? 0
    return {
      appId: String(data.app_id ?? ''),
      kind: KINDS[data.type ?? ''] ?? 'unknown',
      isValid: data.is_valid === true,
      expiresAt: expiresAt === 0 ? null : new Date(expiresAt * 1000),
      issuedAt: data.issued_at ? new Date(data.issued_at * 1000) : undefined,
      scopes: data.scopes ?? [],
      userId: data.user_id,
      problem: data.error
        ? { code: data.error.code, subcode: data.error.subcode, message: data.error.message ?? 'invalid' }
        : undefined
    }
  }

  /** `set_token_expires_in_60_days` is what keeps a system user token expiring (and refreshable). */
  async refresh(token: string, expiresIn60Days: boolean): Promise<MintedToken> {
    const answer = await this.graph.get<{ access_token?: unknown; expires_in?: unknown }>('oauth/access_token', {
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
    const answer = await this.graph.post<{ access_token?: unknown; expires_in?: unknown }>(
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

  /** Every page the user manages, following the `after` cursor (never the `next` URL: it carries the token). */
  async pages(userToken: string): Promise<PageToken[]> {
    const pages: PageToken[] = []
    let after: string | undefined
    for (let page = 0; page < 200; page++) {
      const answer = await this.graph.get<AccountsPage>('me/accounts', {
        access_token: userToken,
        fields: 'id,name,access_token',
        limit: '100',
        after
      })
      for (const account of answer.data ?? []) {
        if (account.id && account.access_token) {
          pages.push({ id: account.id, name: account.name ?? account.id, token: account.access_token })
        }
      }
      after = answer.paging?.next ? answer.paging.cursors?.after : undefined
      if (!after) return pages
    }
    throw malformed('me/accounts kept paging past 20,000 pages')
  }
}

interface AccountsPage {
  data?: Array<{ id?: string; name?: string; access_token?: string }>
  paging?: { cursors?: { after?: string }; next?: string }
}

function minted(answer: { access_token?: unknown; expires_in?: unknown }, call: string): MintedToken {
  if (typeof answer.access_token !== 'string' || answer.access_token.length === 0) {
    throw malformed(`${call} answered without an access_token`)
  }
  return {
    token: answer.access_token,
    expiresIn: typeof answer.expires_in === 'number' ? answer.expires_in : undefined
  }
}

function malformed(message: string): GraphError {
  return new GraphError(message, { kind: 'malformed', transient: false })
}
