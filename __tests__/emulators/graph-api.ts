// Shared by the Graph emulator's tests: a small client over HTTP and the shapes of Meta's answers.
import { appSecretProof, type GraphEmulator } from '../../emulators/graph-emulator.js'
import { anyString } from './matchers.js'

export const APP = { id: '1000000000001', secret: 'secret-of-app-one', name: 'Rotator' }
export const OTHER = { id: '2000000000002', secret: 'secret-of-app-two' }
export const DAY = 86_400
export const SIXTY_DAYS = 5_184_000

export interface GraphErrorFields {
  message: string
  type: string
  code: number
  error_subcode?: number
  is_transient?: boolean
  error_user_title?: string
  error_user_msg?: string
  fbtrace_id: string
}

export interface Grant {
  access_token: string
  token_type: string
  expires_in?: number
}

export interface TokenData {
  app_id?: string
  type?: string
  is_valid: boolean
  expires_at?: number
  issued_at?: number
  data_access_expires_at?: number
  scopes?: string[]
  granular_scopes?: Array<{ scope: string; target_ids?: string[] }>
  user_id?: string
  error?: { code: number; subcode?: number; message: string }
}

export interface AccountsPage {
  data: Array<{ id: string; name: string; access_token: string }>
  paging?: { next?: string; cursors?: { before: string; after: string } }
}

export interface Reply<T> {
  status: number
  body: T
  headers: Headers
}

export function graphApi(graph: GraphEmulator) {
  async function call<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string> = {},
    headers: Record<string, string> = {}
  ): Promise<Reply<T>> {
    const url = new URL(path.startsWith('http') ? path : `${graph.url}/v25.0/${path}`)
    const init: RequestInit = { method, headers }
    if (method === 'GET') for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    else init.body = new URLSearchParams(params)
    const response = await fetch(url, init)
    return { status: response.status, body: (await response.json()) as T, headers: response.headers }
  }

  /** GET /debug_token with the app token of APP. */
  async function debug(input: string): Promise<TokenData> {
    const reply = await call<{ data: TokenData }>('GET', 'debug_token', {
      input_token: input,
      access_token: `${APP.id}|${APP.secret}`
    })
    return reply.body.data
  }

  function exchange(token: string, extra: Record<string, string> = {}) {
    return call<Grant>('GET', 'oauth/access_token', {
      grant_type: 'fb_exchange_token',
      client_id: APP.id,
      client_secret: APP.secret,
      fb_exchange_token: token,
      ...extra
    })
  }

  return { call, debug, exchange }
}

/** access_token plus its appsecret_proof, as a careful client sends them. */
export function auth(token: string, secret = APP.secret): Record<string, string> {
  return { access_token: token, appsecret_proof: appSecretProof(secret, token) }
}

export function expectError(
  result: { status: number; body: unknown },
  code: number,
  subcode?: number
): GraphErrorFields {
  expect(result.status).toBe(400)
  const { error } = result.body as { error: GraphErrorFields }
  expect(error).toMatchObject({ code, type: anyString, message: anyString })
  expect(error.fbtrace_id).toMatch(/^[\w-]{10,}$/)
  if (subcode !== undefined) expect(error.error_subcode).toBe(subcode)
  return error
}
