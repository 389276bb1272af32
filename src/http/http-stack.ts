// HTTP for every API this action calls, on the toolkit's own client (@actions/http-client: keep-alive
// connections on node:http, and the runner's HTTPS_PROXY, HTTP_PROXY and NO_PROXY on every Node).
// On top of it, only what it cannot do:
// - a timeout over the whole exchange, body included (its own timeout is per idle socket);
// - a cap on the body (answers here are small JSON; an endless one must not fill the memory);
// - redirects followed only within the same origin (it would follow them anywhere, and send a
//   POST's body, which can carry a token, along);
// - errors that never carry a URL (Meta's documented calls have secrets in the query string), and
//   Octokit's `request.fetch` served by the same client.
import { channel } from 'node:diagnostics_channel'
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { HttpClient } from '@actions/http-client'

export interface HttpStackOptions {
  timeoutMs: number
  /** Bodies above this are refused. */
  maxBodyBytes: number
}

export interface HttpAnswer {
  status: number
  statusText: string
  /** Lower-case names. */
  headers: Record<string, string>
  body: string
  /** Where the answer came from, after redirects. */
  url: string
}

export type HttpFailureKind = 'timeout' | 'network' | 'too-large' | 'cut'

/** A failed exchange. Its message never holds a URL, a header or a body. */
export class HttpFailure extends Error {
  constructor(
    readonly kind: HttpFailureKind,
    message: string,
    /** The socket error's code (ECONNRESET, ECONNREFUSED…), when there was one. */
    readonly code?: string
  ) {
    super(message)
    this.name = kind === 'timeout' ? 'TimeoutError' : 'HttpFailure'
  }
}

/**
 * Every exchange that got no answer in time, published as `{ method, origin, path }` (never a query
 * string) for whoever subscribes: the resilience tests tell the timeouts they caused from any other.
 */
export const requestTimeouts = channel('meta-token-rotator:request-timeout')

const MAX_REDIRECTS = 5
const REDIRECTS = new Set([301, 302, 303, 307, 308])

export class HttpStack {
  private readonly client: HttpClient
  /** Server clock minus ours, as the Date of the answers says (a lower bound: Date is truncated to the second). */
  private serverOffsetMs: number | undefined

  constructor(private readonly options: HttpStackOptions) {
    this.client = new HttpClient('meta-token-rotator', [], {
      keepAlive: true,
      allowRedirects: false,
      socketTimeout: options.timeoutMs
    })
  }

  /** One exchange, whole within the timeout. */
  async send(method: string, url: string, headers: OutgoingHttpHeaders = {}, body?: string): Promise<HttpAnswer> {
    const { timeoutMs } = this.options
    let current: IncomingMessage | undefined
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        current?.destroy()
        if (requestTimeouts.hasSubscribers) {
          const { origin, pathname } = new URL(url)
          requestTimeouts.publish({ method, origin, path: pathname })
        }
        reject(new HttpFailure('timeout', `no answer within ${timeoutMs / 1000} s`))
      }, timeoutMs)
    })
    try {
      return await Promise.race([this.follow(method, url, headers, body, (m) => (current = m)), deadline])
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * The server's time now, never later than its real time (epoch ms), from the `Date` of its answers;
   * undefined before the first answer with a Date. Our own clock may be minutes off the server's:
   * only durations measured on it are used.
   */
  serverTime(): number | undefined {
    return this.serverOffsetMs === undefined ? undefined : localNow() + this.serverOffsetMs
  }

  /** The same exchange behind the part of `fetch` that Octokit uses. */
  readonly fetch = (async (input: string | URL, init: FetchInit = {}) => {
    const answer = await this.send(init.method ?? 'GET', String(input), { ...init.headers }, init.body ?? undefined)
    return new FetchAnswer(answer)
  }) as unknown as typeof fetch

  /** Closes the kept-alive connections, so the process can end. */
  dispose(): void {
    this.client.dispose()
  }

  private async follow(
    method: string,
    url: string,
    headers: OutgoingHttpHeaders,
    body: string | undefined,
    onMessage: (message: IncomingMessage) => void
  ): Promise<HttpAnswer> {
    let target = new URL(url)
    for (let redirects = 0; ; redirects++) {
      const message = await this.exchange(method, target, headers, body)
      this.noteServerTime(message.headers.date)
      onMessage(message)
      const status = message.statusCode ?? 0
      const text = await readCapped(message, this.options.maxBodyBytes)
      const location = message.headers.location
      const next = REDIRECTS.has(status) && location ? new URL(location, target) : undefined
      if (!next || next.origin !== target.origin || redirects === MAX_REDIRECTS) {
        return {
          status,
          statusText: message.statusMessage ?? '',
          headers: headersOf(message),
          body: text,
          url: target.href
        }
      }
      // fetch's rules: a 303, or a 301/302 after a POST, becomes a GET without a body.
      if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET'
        body = undefined
      }
      target = next
    }
  }

  private noteServerTime(date: string | undefined): void {
    const server = date ? Date.parse(date) : NaN
    if (Number.isNaN(server)) return
    const offset = server - localNow()
    this.serverOffsetMs = this.serverOffsetMs === undefined ? offset : Math.max(this.serverOffsetMs, offset)
  }

  private async exchange(
    method: string,
    url: URL,
    headers: OutgoingHttpHeaders,
    body?: string
  ): Promise<IncomingMessage> {
    try {
      return (await this.client.request(method, url.href, body ?? null, headers)).message
    } catch (error) {
      // The client's own errors name the request path (with its query): only the code is kept.
      const code = (error as { code?: unknown }).code
      const known = typeof code === 'string' ? code : undefined
      throw new HttpFailure('network', `the connection failed (${known ?? 'no answer'})`, known)
    }
  }
}

/** A monotonic clock in epoch milliseconds: durations on it survive the runner's clock being set. */
function localNow(): number {
  return performance.timeOrigin + performance.now()
}

function readCapped(message: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    message.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        message.destroy()
        reject(new HttpFailure('too-large', `the answer was larger than ${Math.round(maxBytes / 1024)} KB`))
      } else {
        chunks.push(chunk)
      }
    })
    message.on('error', () => reject(new HttpFailure('cut', 'the answer was cut short', 'ECONNRESET')))
    message.on('close', () => {
      if (!message.complete) reject(new HttpFailure('cut', 'the answer was cut short', 'ECONNRESET'))
    })
    message.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

function headersOf(message: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

interface FetchInit {
  method?: string
  headers?: Record<string, string>
  body?: string | null
}

/** A buffered answer as Octokit reads a fetch Response: status, url, headers (get, iteration), text. */
class FetchAnswer {
  readonly status: number
  readonly statusText: string
  readonly url: string
  readonly ok: boolean
  readonly headers: AnswerHeaders

  constructor(private readonly answer: HttpAnswer) {
    this.status = answer.status
    this.statusText = answer.statusText
    this.url = answer.url
    this.ok = answer.status >= 200 && answer.status < 300
    this.headers = new AnswerHeaders(answer.headers)
  }

  text(): Promise<string> {
    return Promise.resolve(this.answer.body)
  }

  json(): Promise<unknown> {
    return Promise.resolve().then(() => JSON.parse(this.answer.body) as unknown)
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(new TextEncoder().encode(this.answer.body).buffer)
  }
}

class AnswerHeaders implements Iterable<[string, string]> {
  constructor(private readonly values: Record<string, string>) {}

  get(name: string): string | null {
    return this.values[name.toLowerCase()] ?? null
  }

  [Symbol.iterator](): Iterator<[string, string]> {
    return Object.entries(this.values)[Symbol.iterator]()
  }
}
