// The one way this project talks to the Graph API: the documented HTTP method, an appsecret_proof on
// every call that carries a token, a timeout on every request, retries for Graph's transient errors
// only, and errors that never contain a URL (Meta's documented calls carry secrets in the query).
import { createHmac } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createTransport, type HttpFetch, type HttpRequestInit } from '../http/transport.js'
import type { RotationLog } from '../rotation-log.js'
import type { SecretRedactor } from '../secret-redactor.js'
import { classifyGraphError, GraphError, retryAfterMs } from './graph-error.js'

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number
  baseDelayMs: number
  /** A wait longer than this (Meta asking for minutes) ends the retries. */
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 }

export interface GraphClientOptions {
  baseUrl: string
  version: string
  appSecret: string
  timeoutMs: number
  /** Where HTTPS_PROXY and NO_PROXY come from (the runner's environment). */
  proxyEnv?: NodeJS.ProcessEnv
  retry?: RetryPolicy
  log: RotationLog
  redactor: SecretRedactor
}

type Params = Record<string, string | undefined>

export interface GraphCall {
  /** Sent as `Authorization: Bearer`, keeping this token out of the URL. */
  bearer?: string
  /**
   * False for calls that mint: after a timeout, a reset or a cut answer the token may exist already,
   * and a retry would mint a second one nobody ever sees. Those are retried only when Graph said no.
   */
  idempotent?: boolean
}

export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex')
}

export class GraphClient {
  private readonly retry: RetryPolicy
  private readonly fetch: HttpFetch

  constructor(private readonly options: GraphClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY
    this.fetch = createTransport({ timeoutMs: options.timeoutMs, proxyEnv: options.proxyEnv })
  }

  get<T>(path: string, params: Params, call: GraphCall = {}): Promise<T> {
    return this.send<T>('GET', path, params, call)
  }

  post<T>(path: string, form: Params, call: GraphCall = {}): Promise<T> {
    return this.send<T>('POST', path, form, call)
  }

  private async send<T>(method: 'GET' | 'POST', path: string, params: Params, call: GraphCall): Promise<T> {
    const withProof = this.addProof(params, call)
    const label = `${method} /${this.options.version}/${path}`
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sendOnce<T>(method, path, withProof, call)
      } catch (error) {
        const graphError = error instanceof GraphError ? error : this.networkError(error)
        const delay = this.delayBeforeRetry(graphError, attempt, call.idempotent ?? true)
        if (delay === undefined) throw graphError
        this.options.log.info(
          `${label} failed (${graphError.message}${graphError.reference}); retry ${attempt} of ${this.retry.attempts - 1} in ${Math.round(delay)} ms.`
        )
        await sleep(delay)
      }
    }
  }

  private addProof(params: Params, call: GraphCall): URLSearchParams {
    const body = new URLSearchParams()
    for (const [key, value] of Object.entries(params)) if (value !== undefined) body.set(key, value)
    const token = params.access_token ?? call.bearer
    if (token) body.set('appsecret_proof', appSecretProof(this.options.appSecret, token))
    return body
  }

  private async sendOnce<T>(method: string, path: string, params: URLSearchParams, call: GraphCall): Promise<T> {
    const url = `${this.options.baseUrl}/${this.options.version}/${path}`
    const headers: Record<string, string> = { accept: 'application/json' }
    if (call.bearer) headers.authorization = `Bearer ${call.bearer}`
    const init: HttpRequestInit = { method, headers }
    let target = url
    if (method === 'GET') target = `${url}?${params}`
    else {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      init.body = params.toString()
    }
    const response = await this.fetch(target, init)
    const text = await response.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new GraphError(`the Graph API answered HTTP ${response.status} with a body that is not JSON`, {
        kind: 'malformed',
        status: response.status,
        transient: response.ok || response.status >= 500 || response.status === 429
      })
    }
    const errorBody = (body as { error?: Record<string, unknown> } | null)?.error
    if (!response.ok || errorBody) {
      const { message, ...failure } = classifyGraphError(response.status, errorBody ?? {})
      throw new GraphError(this.options.redactor.redact(message), {
        ...failure,
        retryAfterMs: retryAfterMs(response.headers)
      })
    }
    return body as T
  }

  private networkError(error: unknown): GraphError {
    const name = (error as { name?: string })?.name
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new GraphError(`no answer within ${this.options.timeoutMs / 1000} s`, { kind: 'timeout', transient: true })
    }
    // The socket error's code (ECONNRESET, ECONNREFUSED…) is all we keep.
    const code = (error as { code?: string })?.code ?? 'network error'
    return new GraphError(`the connection failed (${code})`, { kind: 'network', transient: true })
  }

  private delayBeforeRetry(error: GraphError, attempt: number, idempotent: boolean): number | undefined {
    if (!error.failure.transient || attempt >= this.retry.attempts) return undefined
    const surelyNotProcessed = error.failure.kind === 'api' || error.message.includes('ECONNREFUSED')
    if (!idempotent && !surelyNotProcessed) return undefined
    const backoff = this.retry.baseDelayMs * 2 ** (attempt - 1)
    const jittered = backoff / 2 + Math.random() * (backoff / 2)
    const delay = Math.max(jittered, error.failure.retryAfterMs ?? 0)
    return delay > this.retry.maxDelayMs ? undefined : delay
  }
}
