// HTTP for both APIs, on node:http and node:https with keep-alive connections, behind the part of the
// fetch interface that Octokit and the Graph client use. Node's own fetch costs 40–80 ms the first
// time it is called (it compiles its bundled undici and llhttp's WebAssembly), most of a start-up
// budget a bare libsodium process spends whole (docs/benchmarks.md); node:http is already compiled.
//
// Each exchange, body included, must end within the timeout. Answers are small JSON: they are read
// whole under the timer, so a caller never waits on a half-read body. Redirects are followed as fetch
// follows them, but only within the same origin: the Authorization header never goes elsewhere.
import http from 'node:http'
import https from 'node:https'
import tls from 'node:tls'

export interface HttpRequestInit {
  method?: string
  headers?: Record<string, string>
  body?: string | null
  /** Aborts the exchange; the promise rejects with the signal's reason, as fetch does. */
  signal?: AbortSignal | null
}

export interface HttpResponse {
  readonly status: number
  readonly statusText: string
  /** Where the answer came from, after redirects. */
  readonly url: string
  readonly ok: boolean
  readonly headers: HttpHeaders
  text(): Promise<string>
  json(): Promise<unknown>
  arrayBuffer(): Promise<ArrayBuffer>
}

export type HttpFetch = (url: string, init?: HttpRequestInit) => Promise<HttpResponse>

/** Response headers, read-only: `get` (case-insensitive) and iteration, as Octokit reads them. */
export class HttpHeaders implements Iterable<[string, string]> {
  private readonly values = new Map<string, string>()

  constructor(raw: http.IncomingHttpHeaders = {}) {
    for (const [name, value] of Object.entries(raw)) {
      if (value !== undefined) this.values.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value)
    }
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return this.values[Symbol.iterator]()
  }
}

export interface TransportOptions {
  timeoutMs: number
  /** Certificate authorities to trust beyond Node's own (a run sets NODE_EXTRA_CA_CERTS instead; tests use this). */
  ca?: string | Buffer
  /**
   * HTTPS_PROXY, HTTP_PROXY and NO_PROXY (either case), read by Node's own agents from Node 24.5 on
   * (the action's runtime is node24); older versions ignore them.
   */
  proxyEnv?: NodeJS.ProcessEnv
}

const MAX_REDIRECTS = 5
const REDIRECTS = new Set([301, 302, 303, 307, 308])

export function createTransport(options: TransportOptions): HttpFetch {
  // `proxyEnv` is newer than the @types/node of Node 20, hence the widened options.
  const proxy = options.proxyEnv ? { proxyEnv: options.proxyEnv } : {}
  const agents = {
    'http:': new http.Agent({ keepAlive: true, ...proxy } as http.AgentOptions),
    'https:': new https.Agent({
      keepAlive: true,
      ...proxy,
      ...(options.ca ? { ca: [...tls.rootCertificates, String(options.ca)] } : {})
    } as https.AgentOptions)
  }
  return async (url, init = {}) => {
    const timeout = new AbortController()
    const timer = setTimeout(
      () => timeout.abort(new DOMException(`no answer within ${options.timeoutMs} ms`, 'TimeoutError')),
      options.timeoutMs
    )
    const signal = init.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal
    try {
      let target = new URL(url)
      let request = {
        method: (init.method ?? 'GET').toUpperCase(),
        headers: init.headers ?? {},
        body: init.body ?? undefined
      }
      for (let redirects = 0; ; redirects++) {
        const response = await exchange(agents, target, request, signal)
        const location = response.headers.get('location')
        if (!REDIRECTS.has(response.status) || !location || redirects === MAX_REDIRECTS) return response
        const next = new URL(location, target)
        if (next.origin !== target.origin) return response
        // fetch's rules: 303, and 301/302 after a POST, become a GET without a body.
        if (
          response.status === 303 ||
          ((response.status === 301 || response.status === 302) && request.method === 'POST')
        ) {
          const { 'content-type': _dropped, ...headers } = request.headers
          request = { method: request.method === 'HEAD' ? 'HEAD' : 'GET', headers, body: undefined }
        }
        target = next
      }
    } finally {
      clearTimeout(timer)
    }
  }
}

interface OutgoingRequest {
  method: string
  headers: Record<string, string>
  body: string | undefined
}

function exchange(
  agents: Record<'http:' | 'https:', http.Agent>,
  url: URL,
  request: OutgoingRequest,
  signal: AbortSignal
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const secure = url.protocol === 'https:'
    if (!secure && url.protocol !== 'http:') return reject(new TypeError(`unsupported protocol ${url.protocol}`))
    let settled = false
    const settle = (outcome: () => void): void => {
      if (settled) return
      settled = true
      signal.removeEventListener('abort', onAbort)
      outcome()
    }
    const onAbort = (): void => {
      outgoing.destroy()
      settle(() => reject(signal.reason))
    }
    const outgoing = (secure ? https : http).request(
      url,
      { method: request.method, headers: request.headers, agent: agents[secure ? 'https:' : 'http:'] },
      (incoming) => {
        const chunks: Buffer[] = []
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
        incoming.on('error', (error) => settle(() => reject(error)))
        incoming.on('close', () => {
          if (!incoming.complete)
            settle(() => reject(Object.assign(new Error('the answer was cut short'), { code: 'ECONNRESET' })))
        })
        incoming.on('end', () => settle(() => resolve(bufferedResponse(url, incoming, Buffer.concat(chunks)))))
      }
    )
    signal.addEventListener('abort', onAbort)
    outgoing.on('error', (error) => settle(() => reject(error)))
    outgoing.end(request.body)
  })
}

function bufferedResponse(url: URL, incoming: http.IncomingMessage, body: Buffer): HttpResponse {
  const status = incoming.statusCode ?? 0
  const text = (): string => body.toString('utf8')
  return {
    status,
    statusText: incoming.statusMessage ?? '',
    url: url.href,
    ok: status >= 200 && status < 300,
    headers: new HttpHeaders(incoming.headers),
    text: async () => text(),
    json: async () => JSON.parse(text()) as unknown,
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer
  }
}
