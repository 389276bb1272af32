// heartbeat-url: a dead man's switch. A run that never happens cannot open an issue, so each run
// reports to a monitoring service the user already runs (healthchecks.io and the services that follow
// its Pinging API): `{url}` when the run left the token healthy (rotated, or skipped because it is not
// due), `{url}/fail` when it failed, and `{url}/start` first when heartbeat-start is true (the service
// then times the run and notices a job killed halfway). When pings stop, *their* alert fires.
//
// The URL carries the check's key, so it is a credential: masked (whole and its path) before any
// request, never printed. The body is a short text of the outcome (POST: healthchecks.io keeps a POST
// body as the ping's log; GET and HEAD carry none), built from what the summary says, never a secret.
// A ping that cannot be delivered is a warning, never a failure of the run: each request is bounded
// (PING_TIMEOUT_MS), tried at most PING_ATTEMPTS times, and a dry run pings nothing.
import { randomUUID } from 'node:crypto'
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { Input } from '../contract.js'
import type { HttpStack } from '../http/http-stack.js'
import type { InputNaming } from '../input-naming.js'
import { errorMessage } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import { thisRunUrl } from '../github/run-url.js'

export interface HeartbeatSettings {
  /** The check's ping URL, without a trailing slash; undefined: no heartbeat. */
  url?: string
  /** Ping `{url}/start` before the rotation begins. */
  start: boolean
}

/** What the run comes to, for the ping: healthy (rotated or skipped) or failed, and a line saying it. */
export interface HeartbeatOutcome {
  healthy: boolean
  text: string
}

/** One request stays under this; the action's own request-timeout may be longer. */
export const PING_TIMEOUT_MS = 10_000
export const PING_ATTEMPTS = 3
const RETRY_PAUSE_MS = 1_000
/** healthchecks.io keeps 100 kB of a body; a heartbeat needs a few lines. */
export const MAX_PING_BODY_CHARS = 1_000

export interface HeartbeatServices {
  /** An HTTP stack whose timeout is at most PING_TIMEOUT_MS. */
  http: HttpStack
  clock: Clock
  log: RotationLog
  keeper: SecretKeeper
  naming: InputNaming
  env: NodeJS.ProcessEnv
}

export class Heartbeat {
  /** Pairs the start ping with the end one (healthchecks.io's `rid`), when a start is sent. */
  private readonly runId = randomUUID()
  private started = false

  constructor(
    private readonly settings: HeartbeatSettings,
    private readonly services: HeartbeatServices
  ) {
    const { url } = settings
    if (!url) return
    services.keeper.keep(url)
    // The key alone may show up elsewhere (a service's echo, a redirect): its path is masked too.
    const key = new URL(url).pathname.replace(/^\/+|\/+$/g, '')
    if (key.length >= 8) services.keeper.keep(key)
  }

  get wanted(): boolean {
    return this.settings.url !== undefined
  }

  /** `{url}/start`, when heartbeat-start is true. Never throws. */
  async start(): Promise<void> {
    if (!this.settings.url || !this.settings.start) return
    this.started = (await this.ping('start', '/start', 'meta-token-rotator: run started')) === undefined
  }

  /** `{url}` or `{url}/fail` with the outcome; a sentence for the summary. Never throws. */
  async finish(outcome: HeartbeatOutcome): Promise<string | undefined> {
    if (!this.settings.url) return undefined
    const signal = outcome.healthy ? 'success' : 'failure'
    const problem = await this.ping(signal, outcome.healthy ? '' : '/fail', outcome.text)
    if (problem)
      return `Heartbeat: the ${signal} ping could not be delivered (${problem}); ${this.consequence(outcome)}`
    return `Heartbeat: ${outcome.healthy ? 'a success' : 'a failure'} ping was delivered to the heartbeat-url's service.`
  }

  private consequence(outcome: HeartbeatOutcome): string {
    return outcome.healthy
      ? 'the rotation itself is unaffected, and the service raises its alert only if no ping arrives within its period.'
      : 'this run failed all the same: see the error above.'
  }

  /** Sends one ping; what went wrong (already warned about), or undefined when it was delivered. */
  private async ping(signal: string, suffix: string, text: string): Promise<string | undefined> {
    const { http, clock, log, keeper, naming } = this.services
    const url = `${this.settings.url}${suffix}${this.started || signal === 'start' ? `?rid=${this.runId}` : ''}`
    const body = keeper.redact(`${text}${this.runLink()}`).slice(0, MAX_PING_BODY_CHARS)
    let problem = ''
    for (let attempt = 1; attempt <= PING_ATTEMPTS; attempt++) {
      try {
        const answer = await http.send('POST', url, { 'content-type': 'text/plain; charset=utf-8' }, body)
        if (answer.status >= 200 && answer.status < 300) {
          log.debug(`heartbeat: ${signal} ping delivered (HTTP ${answer.status}).`)
          return undefined
        }
        problem = `the service answered HTTP ${answer.status}`
        // 4xx other than 429 will not change on a retry (an unknown or deleted check, a wrong URL).
        if (answer.status < 500 && answer.status !== 429) break
      } catch (error) {
        problem = keeper.redact(errorMessage(error))
      }
      if (attempt < PING_ATTEMPTS) await clock.sleep(RETRY_PAUSE_MS * attempt)
    }
    log.warning(
      `heartbeat: the ${signal} ping to ${naming.name(Input.HeartbeatUrl)} (${this.host()}) could not be delivered: ${problem}. ` +
        `Check that the URL is the check's ping URL and that the service is reachable from ${naming.machine}. A heartbeat never fails the run.`
    )
    return problem
  }

  private host(): string {
    return new URL(this.settings.url ?? '').host
  }

  /** A link to this run, so the service's log leads to it. */
  private runLink(): string {
    const url = thisRunUrl(this.services.env)
    return url ? `\nRun: ${url}` : ''
  }
}
