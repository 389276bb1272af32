// The one way this project talks to the Graph API: the documented HTTP method, an appsecret_proof on
// every call that carries a token, a timeout on every request, retries for Graph's transient errors
// only, and errors that never contain a URL (Meta's documented calls carry secrets in the query).
import { createHmac } from 'node:crypto'
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { HttpFailure, type HttpStack } from '../http/http-stack.js'
import type { SecretKeeper } from '../secret-keeper.js'
import { classifyGraphError, GraphError, retryAfterMs } from './graph-error.js'

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number
  baseDelayMs: number
  /** A wait longer than this (Meta asking for minutes) ends the retries: the run says when to try again. */
  maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 60_000 }

export interface GraphClientOptions {
  /** Base URL with the version, e.g. https://graph.facebook.com/v27.0 (or graph.instagram.com). */
  baseUrl: string
  /** Label of the API in messages. */
  api: string
  /** The input that sets the base URL, named when the API cannot be reached. */
  urlInput: string
  /** Signs every call that carries a token; none for the Instagram API. */
  appSecret?: string
  http: HttpStack
  clock: Clock
  retry?: RetryPolicy
  log: RotationLog
  keeper: SecretKeeper
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
  private answered?: string

  constructor(private readonly options: GraphClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY
  }

  /** The version Meta last said answered (its facebook-api-version header): an expired one is served as a newer one. */
  get answeredVersion(): string | undefined {
    return this.answered
  }

  get<T>(path: string, params: Params, call: GraphCall = {}): Promise<T> {
    return this.send<T>('GET', path, params, call)
  }

  post<T>(path: string, form: Params, call: GraphCall = {}): Promise<T> {
    return this.send<T>('POST', path, form, call)
  }

  private async send<T>(method: 'GET' | 'POST', path: string, params: Params, call: GraphCall): Promise<T> {
    const withProof = this.addProof(params, call)
    const label = `${method} ${new URL(`${this.options.baseUrl}/${path}`).pathname}`
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
        await this.options.clock.sleep(delay)
      }
    }
  }

  private addProof(params: Params, call: GraphCall): URLSearchParams {
    const body = new URLSearchParams()
    for (const [key, value] of Object.entries(params)) if (value !== undefined) body.set(key, value)
    const token = params.access_token ?? call.bearer
    if (token && this.options.appSecret) body.set('appsecret_proof', appSecretProof(this.options.appSecret, token))
    return body
  }

  private async sendOnce<T>(method: string, path: string, params: URLSearchParams, call: GraphCall): Promise<T> {
    const url = `${this.options.baseUrl}/${path}`
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'meta-token-rotator' }
    if (call.bearer) headers.authorization = `Bearer ${call.bearer}`
    const query = params.toString()
    const answer =
      method === 'GET'
        ? await this.options.http.send('GET', query ? `${url}?${query}` : url, headers)
        : await this.options.http.send(
            'POST',
            url,
            { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
            query
          )
    const served = answer.headers['facebook-api-version']
    if (served && /^v\d+\.\d+$/.test(served)) this.answered = served
    let body: unknown
    try {
      body = JSON.parse(answer.body)
    } catch {
      const ok = answer.status >= 200 && answer.status < 300
      throw new GraphError(`the ${this.options.api} answered HTTP ${answer.status} with a body that is not JSON`, {
        kind: 'malformed',
        status: answer.status,
        transient: ok || answer.status >= 500 || answer.status === 429
      })
    }
    const errorBody = (body as { error?: Record<string, unknown> } | null)?.error
    if (answer.status < 200 || answer.status >= 300 || errorBody) {
      const { keeper } = this.options
      const { message, ...failure } = classifyGraphError(answer.status, errorBody ?? {}, (text) => keeper.redact(text))
      throw new GraphError(message, { ...failure, retryAfterMs: retryAfterMs(answer.headers) })
    }
    return body as T
  }

  private networkError(error: unknown): GraphError {
    if (!(error instanceof HttpFailure)) throw error
    const unreachable = { api: this.options.api, urlInput: this.options.urlInput }
    if (error.kind === 'timeout')
      return new GraphError(error.message, { kind: 'timeout', transient: true, unreachable })
    if (error.kind === 'too-large') return new GraphError(error.message, { kind: 'malformed', transient: false })
    return new GraphError(error.message, { kind: 'network', transient: true, unreachable })
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
