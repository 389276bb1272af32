// A loopback dead man's switch in the manner of healthchecks.io's Pinging API (and the services
// compatible with it): each check has a ping URL `{base}/{uuid}`; a request to it signals success,
// `/start` a run that began, `/fail` a failure, `/log` a message, `/{0-255}` an exit status (0 is
// success). HEAD, GET and POST are accepted alike; a POST body that is UTF-8 text is kept (the first
// 100 kB) as the ping's log. The answer is 200 with the text "OK"; an unknown check 404 "not found".
// Every ping is recorded (check, kind, method, path, body), so a test can assert what a run reported,
// and the leak scan can read every body that left the runner.
import { randomUUID } from 'node:crypto'
import { LoopbackServer, type JsonResponse, type ParsedRequest } from './loopback-server.js'

export type PingKind = 'success' | 'start' | 'fail' | 'log' | 'exit-status'

export interface Ping {
  check: string
  kind: PingKind
  /** For 'exit-status': the status sent; 0 counts as success. */
  exitStatus?: number
  method: string
  path: string
  /** The run id healthchecks.io pairs a start with its end by (`?rid=`), when sent. */
  rid?: string
  body: string
  /** The receiver's clock when it arrived. */
  at: Date
}

/** healthchecks.io keeps the first 100 kB of a ping's body. */
export const MAX_PING_BODY_BYTES = 100 * 1024
const METHODS = ['HEAD', 'GET', 'POST']

export class HeartbeatReceiver {
  readonly server: LoopbackServer
  readonly pings: Ping[] = []
  private readonly checks = new Set<string>()

  private constructor(private readonly clock: () => Date) {
    this.server = new LoopbackServer((request) => this.receive(request), { clock: () => this.clock().getTime() })
  }

  /** A started receiver with one check (`check`: its uuid, default a random one); `clock` stamps the pings. */
  static async start(options: { clock?: () => Date; check?: string } = {}): Promise<HeartbeatReceiver> {
    const receiver = new HeartbeatReceiver(options.clock ?? (() => new Date()))
    receiver.addCheck(options.check)
    await receiver.server.start()
    return receiver
  }

  /** A new check; returns its uuid. */
  addCheck(uuid: string = randomUUID()): string {
    this.checks.add(uuid)
    return uuid
  }

  /** The ping URL of a check (the first one by default): what a user puts in heartbeat-url. */
  url(uuid: string = [...this.checks][0] ?? ''): string {
    return `${this.server.url}/${uuid}`
  }

  /** The pings of one check (the first one by default), in the order they arrived. */
  pingsOf(uuid: string = [...this.checks][0] ?? ''): Ping[] {
    return this.pings.filter((p) => p.check === uuid)
  }

  stop(): Promise<void> {
    return this.server.stop()
  }

  private receive(request: ParsedRequest): JsonResponse {
    if (!METHODS.includes(request.method)) return { status: 405, text: 'method not allowed' }
    const [check = '', signal, ...extra] = request.segments
    const kind = signalKind(signal)
    if (!this.checks.has(check) || !kind || extra.length > 0) return { status: 404, text: 'not found' }
    this.pings.push({
      check,
      kind,
      ...(kind === 'exit-status' ? { exitStatus: Number(signal) } : {}),
      method: request.method,
      path: request.path,
      ...(request.query.rid ? { rid: request.query.rid } : {}),
      body: request.method === 'POST' ? Buffer.from(request.body).subarray(0, MAX_PING_BODY_BYTES).toString() : '',
      at: this.clock()
    })
    return { status: 200, text: 'OK' }
  }
}

function signalKind(signal: string | undefined): PingKind | undefined {
  if (signal === undefined) return 'success'
  if (signal === 'start' || signal === 'fail' || signal === 'log') return signal
  return /^\d{1,3}$/.test(signal) && Number(signal) <= 255 ? 'exit-status' : undefined
}
