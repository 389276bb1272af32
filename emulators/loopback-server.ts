// The HTTP plumbing the emulators share: a JSON server on 127.0.0.1 that records every request,
// can add latency, and can be told to fail the next matching requests in a chosen way. Every
// answer carries a Date header from the emulated service's own clock.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface RecordedRequest {
  method: string
  /** Path without the query string, still URL-encoded as it was sent. */
  path: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  body: string
}

export interface ParsedRequest extends RecordedRequest {
  /** Path segments, each URL-decoded once. */
  segments: string[]
  /** The body parsed as JSON or as a form, whichever its content type says; {} when empty. */
  form: Record<string, unknown>
}

export interface JsonResponse {
  status: number
  body?: unknown
  headers?: Record<string, string>
  /** A plain-text answer instead of JSON (a ping service's "OK"). */
  text?: string
}

export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** The connection is destroyed without an answer. */
  | { kind: 'reset' }
  /** No answer at all until the server stops: the client's timeout has to fire. */
  | { kind: 'hang' }
  /** A 200 whose JSON body is cut in the middle. */
  | { kind: 'truncated' }
  /**
   * No answer (the connection is reset), and the request is carried out `delayMs` later on the
   * service's clock: one the service received and was still processing when the client gave up.
   * It is carried out when a later request arrives at or after that time (the clock may be moved on).
   */
  | {
      kind: 'late'
      delayMs: number
      /** Answered with this status (a gateway's 504) instead of none. */ status?: number
    }

export interface FaultRule {
  method?: string
  path: RegExp | string
  fault: Fault
  /** How many matching requests fail; default 1. */
  times?: number
  /** The request is carried out first (a write lands), then the fault replaces its answer. */
  afterHandler?: boolean
}

export type Handler = (request: ParsedRequest) => JsonResponse | Promise<JsonResponse>

export class LoopbackServer {
  readonly requests: RecordedRequest[] = []
  latencyMs: number
  /** False: answers carry no Date header at all (as behind a proxy that drops it). */
  sendsDate = true
  private readonly faults: Array<FaultRule & { remaining: number }> = []
  /** Requests received with a 'late' fault, carried out once the clock reaches `due`. */
  private readonly late: Array<{ due: number; request: ParsedRequest }> = []
  private readonly sockets = new Set<Socket>()
  private readonly server: http.Server
  private readonly clock: () => number
  private baseUrl = ''

  /** `clock`: the service's time in epoch milliseconds, for the Date header; default real time. */
  constructor(
    private readonly handler: Handler,
    options: { latencyMs?: number; clock?: () => number } = {}
  ) {
    this.latencyMs = options.latencyMs ?? 0
    this.clock = options.clock ?? Date.now
    this.server = http.createServer((req, res) => void this.serve(req, res))
    this.server.keepAliveTimeout = 30_000
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  get url(): string {
    return this.baseUrl
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => resolve())
    })
    const { port: bound } = this.server.address() as AddressInfo
    this.baseUrl = `http://127.0.0.1:${bound}`
    return this.baseUrl
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  injectFault(rule: FaultRule): void {
    this.faults.push({ ...rule, remaining: rule.times ?? 1 })
  }

  clearFaults(): void {
    this.faults.length = 0
  }

  /** Requests whose path matches, in the order they arrived. */
  requestsTo(path: RegExp | string, method?: string): RecordedRequest[] {
    return this.requests.filter((r) => matchesPath(path, r.path) && (!method || r.method === method))
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body
    }
    this.requests.push(recorded)
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs))

    // Set explicitly, so that Node does not add one from the machine's clock.
    if (this.sendsDate) res.setHeader('date', new Date(this.clock()).toUTCString())
    else res.sendDate = false
    const parsed: ParsedRequest = {
      ...recorded,
      segments: url.pathname.split('/').filter(Boolean).map(decodeURIComponent),
      form: parseBody(body, req.headers['content-type'])
    }
    await this.carryOutLate()
    const rule = this.takeFault(recorded)
    if (rule?.fault.kind === 'late') this.late.push({ due: this.clock() + rule.fault.delayMs, request: parsed })
    if (rule && !rule.afterHandler) return applyFault(rule.fault, res)

    const response = await this.handle(parsed)
    if (rule) return applyFault(rule.fault, res)
    send(res, response)
  }

  private async handle(request: ParsedRequest): Promise<JsonResponse> {
    try {
      return await this.handler(request)
    } catch (error) {
      return { status: 500, body: { message: `emulator error: ${(error as Error).message}` } }
    }
  }

  /** Carries out the 'late' requests due by `until` (default now on the service's clock). */
  async carryOutLate(until = this.clock()): Promise<void> {
    for (const pending of this.late.filter((p) => p.due <= until)) {
      this.late.splice(this.late.indexOf(pending), 1)
      await this.handle(pending.request)
    }
  }

  private takeFault(request: RecordedRequest): FaultRule | undefined {
    const rule = this.faults.find(
      (f) => f.remaining > 0 && matchesPath(f.path, request.path) && (!f.method || f.method === request.method)
    )
    if (!rule) return undefined
    rule.remaining -= 1
    return rule
  }
}

/** A string pattern is the exact path; a RegExp is tested against it. */
export function matchesPath(pattern: RegExp | string, path: string): boolean {
  return typeof pattern === 'string' ? path === pattern : pattern.test(path)
}

function applyFault(fault: Fault, res: ServerResponse): void {
  switch (fault.kind) {
    case 'status':
      return send(res, { status: fault.status, body: fault.body ?? {}, headers: fault.headers })
    case 'late':
      if (fault.status !== undefined) return send(res, { status: fault.status, body: { message: 'Gateway Timeout' } })
      res.socket?.destroy()
      return
    case 'reset':
      res.socket?.destroy()
      return
    case 'hang':
      return
    case 'truncated':
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"access_token":"EAAB')
      return
  }
}

function send(res: ServerResponse, response: JsonResponse): void {
  const headers: Record<string, string> = { ...response.headers }
  if (response.text !== undefined) {
    res.writeHead(response.status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(response.text)),
      ...headers
    })
    res.end(response.text)
    return
  }
  if (response.body === undefined) {
    res.writeHead(response.status, headers)
    res.end()
    return
  }
  const text = JSON.stringify(response.body)
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers
  })
  res.end(text)
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseBody(body: string, contentType: string | undefined): Record<string, unknown> {
  if (!body) return {}
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body)
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
    } catch {
      return { __invalid_json__: body }
    }
  }
  return Object.fromEntries(new URLSearchParams(body))
}
