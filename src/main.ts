// The action: keeps every secret, reads the settings, wires the clients, runs the rotation and
// reports it. Its I/O and time come in as parameters, so the CLI and the tests run exactly this.
import type { ActionIO } from './action-io.js'
import { systemClock, type Clock } from './clock.js'
import { Input, Output } from './contract.js'
import { ExpiryVariable } from './expiry-variable/expiry-variable.js'
import { sodiumReady } from './github/seal.js'
import type { SecretStore } from './github/secret-store.js'
import type { GitHubTokenExpiry } from './github/token-expiry.js'
import type { Workflows } from './github/workflows.js'
import { Heartbeat, PING_TIMEOUT_MS, type HeartbeatSettings } from './heartbeat/heartbeat.js'
import { failedOutcome, heartbeatOutcome } from './heartbeat/heartbeat-outcome.js'
import { HttpStack } from './http/http-stack.js'
import { actionInputs, type InputNaming } from './input-naming.js'
import { keepAlive } from './keep-alive.js'
import { Lease } from './lease/lease.js'
import { outputsOf, summaryMarkdown, type ReportRenderer } from './report.js'
import { rotate, type RotationResult } from './rotation/rotation.js'
import { errorMessage } from './rotation-error.js'
import { SecretKeeper } from './secret-keeper.js'
import { InvalidInputs, readSettings, type Settings } from './settings.js'
import { CHECK_SECRETS_FIX, stoppedUnexpectedly } from './unexpected.js'
import {
  keepInputCredentials,
  MAX_GITHUB_BODY_BYTES,
  MAX_GRAPH_BODY_BYTES,
  wireClients,
  type ActionDeps,
  type Clients
} from './wiring.js'

export type { ActionDeps } from './wiring.js'

export async function runAction(
  io: ActionIO,
  env: NodeJS.ProcessEnv,
  deps: ActionDeps = {}
): Promise<RotationResult | undefined> {
  // libsodium's WebAssembly loads while the first requests are on the wire, not after them.
  void sodiumReady()
  const clock = deps.clock ?? systemClock
  const naming = deps.naming ?? actionInputs
  const report = deps.report ?? summaryMarkdown
  const keeper = new SecretKeeper((secret) => io.mask(secret))
  keepInputCredentials(keeper, (name) => io.getInput(name))
  const serverUrl = gitHubServerUrl(env, io.getInput(Input.GithubApiUrl).trim())
  const stacks: HttpStack[] = []
  const http = (timeoutMs: number, maxBodyBytes: number): HttpStack => {
    const stack = new HttpStack({ timeoutMs, maxBodyBytes })
    stacks.push(stack)
    return stack
  }

  const heartbeatOf = (wanted: HeartbeatSettings): Heartbeat =>
    new Heartbeat(wanted, {
      http: http(Math.min(PING_TIMEOUT_MS, deps.requestTimeoutMs ?? PING_TIMEOUT_MS), 64 * 1024),
      clock,
      log: io,
      keeper,
      naming,
      env
    })

  let settings: Settings
  try {
    settings = readSettings((name) => io.getInput(name), env, naming)
  } catch (error) {
    if (!(error instanceof InvalidInputs)) throw error
    await refuseInputs(error, { io, keeper, clock, report, serverUrl, heartbeat: heartbeatOf(error.heartbeat) })
    for (const stack of stacks) stack.dispose()
    return undefined
  }
  for (const warning of settings.warnings) io.warning(warning)
  const heartbeat = heartbeatOf(settings.heartbeat)
  const context = {
    secretName: settings.secretName,
    rotateBeforeSeconds: settings.rotateBeforeSeconds,
    serverUrl
  }

  try {
    const timeoutMs = deps.requestTimeoutMs ?? settings.requestTimeoutMs
    const wired = wireClients(settings, {
      io,
      keeper,
      naming,
      clock,
      deps,
      serverUrl,
      graphHttp: http(timeoutMs, MAX_GRAPH_BODY_BYTES),
      githubHttp: http(timeoutMs, MAX_GITHUB_BODY_BYTES)
    })
    const { source, store, deploy, tokenExpiry } = wired
    await heartbeat.start()
    const lease = new Lease(settings, { github: wired.github, clock, log: io, naming, env })
    const result = await lease.around((resume) =>
      rotate(settings, {
        source,
        store,
        log: io,
        keeper,
        naming,
        clock,
        ...(deploy.wanted ? { deploy } : {}),
        ...(resume ? { resume } : {})
      })
    )
    await afterRotation(result, settings, { ...wired, io, env, heartbeat, keeper, naming, clock, deps })
    for (const [name, value] of Object.entries(outputsOf(result))) io.setOutput(name, value)
    io.setOutput(Output.GithubTokenExpiresAt, tokenExpiry.output())
    await writeSummary(io, keeper.redact(report({ result }, { ...context, now: clock.now() })))
    if (result.failure) fail(io, result.failure.step, keeper.redact(result.failure.describe()))
    return result
  } catch (error) {
    // rotate() reports its own failures in the result: this is a bug, and the run stopped somewhere unknown.
    const safe = keeper.redact(stoppedUnexpectedly(errorMessage(error)))
    const fix = CHECK_SECRETS_FIX
    await heartbeat.finish(failedOutcome(settings.secretName, 'unexpected', safe, new Date()))
    await writeSummary(
      io,
      keeper.redact(report({ failure: { step: 'unexpected', message: safe, fix } }, { ...context, now: new Date() }))
    )
    fail(io, 'unexpected', `${safe} Fix: ${fix}`)
    return undefined
  } finally {
    for (const stack of stacks) stack.dispose()
  }
}

interface Refusal {
  io: ActionIO
  keeper: SecretKeeper
  clock: Clock
  report: ReportRenderer
  serverUrl: string | undefined
  heartbeat: Heartbeat
}

/** Bad input: nothing was minted, written or revoked, and the summary, the outputs and the heartbeat say so. */
async function refuseInputs(
  error: InvalidInputs,
  { io, keeper, clock, report, serverUrl, heartbeat }: Refusal
): Promise<void> {
  const message = keeper.redact(error.message)
  await heartbeat.finish(failedOutcome(error.secretName, 'inputs', message, clock.now()))
  await writeSummary(
    io,
    report(
      { failure: { step: 'inputs', message, fix: error.fix } },
      { secretName: error.secretName, serverUrl, now: clock.now() }
    )
  )
  // Said in the outputs a caller's `if:` reads.
  io.setOutput(Output.Rotated, 'false')
  io.setOutput(Output.Revoked, 'false')
  fail(io, 'inputs', keeper.redact(error.describe()))
}

interface Aftermath {
  io: ActionIO
  env: NodeJS.ProcessEnv
  github: Clients['github']
  store: SecretStore
  workflows: Workflows
  tokenExpiry: GitHubTokenExpiry
  heartbeat: Heartbeat
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  deps: ActionDeps
}

/**
 * After the rotation, whatever its outcome: the expiry record, the schedule kept alive, the
 * github-token's expiry and the heartbeat. None of them can fail the run; each adds its note.
 */
async function afterRotation(result: RotationResult, settings: Settings, after: Aftermath): Promise<void> {
  const { io, env, github, store, workflows, tokenExpiry, heartbeat, keeper, naming, clock, deps } = after
  const log = io
  const record = new ExpiryVariable(settings, {
    github,
    store,
    log,
    keeper,
    naming,
    clock,
    readBackDelayMs: deps.readBackDelayMs
  })
  result.notes.push(...(await record.record(result)))
  const kept = await keepAlive(settings.deploy.keepAlive && !settings.dryRun, env, { workflows, log, naming, clock })
  if (kept) result.notes.push(kept)
  noteTokenExpiry(tokenExpiry, result, io, clock.now(), settings.rotateBeforeSeconds)
  const beat = await heartbeat.finish(heartbeatOutcome(result, settings.secretName, clock.now()))
  if (beat) result.notes.push(beat)
}

/** The web address of GitHub for links: the runner's GITHUB_SERVER_URL, else derived from the API URL. */
function gitHubServerUrl(env: NodeJS.ProcessEnv, apiUrlInput: string): string | undefined {
  if (env.GITHUB_SERVER_URL) return env.GITHUB_SERVER_URL
  const api = apiUrlInput || env.GITHUB_API_URL || 'https://api.github.com'
  try {
    const url = new URL(api)
    if (url.hostname === 'api.github.com') return 'https://github.com'
    if (url.pathname.replace(/\/+$/, '').endsWith('/api/v3')) return `${url.protocol}//${url.host}`
  } catch {
    return undefined
  }
  return undefined
}

/** The summary says when the github-token dies; close to it, a warning too. */
function noteTokenExpiry(
  expiry: GitHubTokenExpiry,
  result: RotationResult,
  io: ActionIO,
  now: Date,
  thresholdSeconds: number | undefined
): void {
  const { note, warning } = expiry.report(now, thresholdSeconds)
  if (note) result.notes.push(note)
  if (warning) io.warning(warning)
}

async function writeSummary(io: ActionIO, markdown: string): Promise<void> {
  await io
    .writeSummary(markdown)
    .catch((error: unknown) => io.warning(`Could not write the job summary: ${errorMessage(error)}`))
}

/** The failure as outputs too, so a later job (the failure alert) can say what failed and how to fix it. */
function fail(io: ActionIO, step: string, message: string): void {
  io.setOutput(Output.FailedStep, step)
  io.setOutput(Output.Error, message)
  io.setFailed(message)
}
