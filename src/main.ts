// The action: keeps every secret, reads the settings, wires the clients, runs the rotation and
// reports it. Its I/O and time come in as parameters, so the CLI and the tests run exactly this.
import type { ActionIO } from './action-io.js'
import { systemClock, type Clock } from './clock.js'
import { CREDENTIAL_INPUTS, Input, Output } from './contract.js'
import { credentialWords } from './credential-shape.js'
import { DeployStep } from './deploy/deploy.js'
import { ExpiryVariable } from './expiry-variable/expiry-variable.js'
import { createGitHubClient } from './github/github-client.js'
import { GitHubTokenExpiry } from './github/token-expiry.js'
import { Heartbeat, PING_TIMEOUT_MS, type HeartbeatSettings } from './heartbeat/heartbeat.js'
import { failedOutcome, heartbeatOutcome } from './heartbeat/heartbeat-outcome.js'
import { sodiumReady } from './github/seal.js'
import { SecretStore } from './github/secret-store.js'
import { Workflows } from './github/workflows.js'
import { GraphClient, type RetryPolicy } from './graph/graph-client.js'
import { MetaTokens } from './graph/meta-tokens.js'
import { HttpStack } from './http/http-stack.js'
import { actionInputs, type InputNaming } from './input-naming.js'
import { InstagramTokens } from './instagram/instagram-tokens.js'
import { keepAlive } from './keep-alive.js'
import { Lease } from './lease/lease.js'
import { outputsOf, summaryMarkdown, type ReportRenderer } from './report.js'
import { rotate, type RotationResult } from './rotation/rotation.js'
import { errorMessage } from './rotation-error.js'
import { SecretKeeper } from './secret-keeper.js'
import { CHECK_SECRETS_FIX, stoppedUnexpectedly } from './unexpected.js'
import { InvalidInputs, readSettings, type Settings } from './settings.js'
import { GraphTokenSource } from './strategies/graph-source.js'
import { InstagramTokenSource } from './strategies/instagram-source.js'
import type { TokenSource } from './strategies/token-source.js'

/** What tests and the CLI may change: time, waits, how inputs are named and how the summary is written. */
export interface ActionDeps {
  clock?: Clock
  graphRetry?: RetryPolicy
  /** How long one of GitHub's seconds lasts inside Octokit's plugins (retry-after, pacing); tests shorten it. */
  githubSecondMs?: number
  /** Overrides request-timeout, below the one-second floor the input allows. */
  requestTimeoutMs?: number
  /** Pause between read-backs of a secret that still looks as before the write. */
  readBackDelayMs?: number
  naming?: InputNaming
  /** Writes the summary: the job summary's Markdown by default; the CLI's plain text in a terminal. */
  report?: ReportRenderer
  /** Tests only: wraps the transport of GitHub requests (sends what is addressed to api.github.com to an emulator). */
  githubFetch?: (fetch: typeof globalThis.fetch) => typeof globalThis.fetch
}

/** JSON answers here are small; anything bigger than this is refused. */
export const MAX_GRAPH_BODY_BYTES = 1024 * 1024
export const MAX_GITHUB_BODY_BYTES = 8 * 1024 * 1024

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
    const safe = keeper.redact(error.describe())
    const failed = failedOutcome(error.secretName, 'inputs', keeper.redact(error.message), clock.now())
    await heartbeatOf(error.heartbeat).finish(failed)
    for (const stack of stacks) stack.dispose()
    await writeSummary(
      io,
      report(
        { failure: { step: 'inputs', message: keeper.redact(error.message), fix: error.fix } },
        { secretName: error.secretName, serverUrl, now: clock.now() }
      )
    )
    // Nothing was minted, written or revoked: said in the outputs a caller's `if:` reads.
    io.setOutput(Output.Rotated, 'false')
    io.setOutput(Output.Revoked, 'false')
    fail(io, 'inputs', safe)
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
    const source = tokenSource(settings, {
      io,
      keeper,
      naming,
      clock,
      deps,
      http: http(timeoutMs, MAX_GRAPH_BODY_BYTES)
    })
    const githubHttp = http(timeoutMs, MAX_GITHUB_BODY_BYTES)
    const tokenExpiry = new GitHubTokenExpiry(settings.githubToken)
    const github = gitHubClientOf(settings, { http: githubHttp, expiry: tokenExpiry, deps, log: io })
    const store = new SecretStore(github, {
      clock,
      githubTime: () => githubHttp.serverTime(),
      readBackDelayMs: deps.readBackDelayMs
    })
    const workflows = new Workflows(github)
    const deploy = new DeployStep(settings.deploy, {
      workflows,
      clock,
      log: io,
      keeper,
      naming,
      serverUrl,
      githubTime: () => githubHttp.serverTime()
    })
    await heartbeat.start()
    const lease = new Lease(settings, { github, clock, log: io, naming, env })
    const result = await lease.around(() =>
      rotate(settings, { source, store, log: io, keeper, naming, clock, ...(deploy.wanted ? { deploy } : {}) })
    )
    const record = new ExpiryVariable(settings, {
      github,
      store,
      log: io,
      keeper,
      naming,
      clock,
      readBackDelayMs: deps.readBackDelayMs
    })
    result.notes.push(...(await record.record(result)))
    const kept = await keepAlive(settings.deploy.keepAlive && !settings.dryRun, env, {
      workflows,
      log: io,
      naming,
      clock
    })
    if (kept) result.notes.push(kept)
    noteTokenExpiry(tokenExpiry, result, io, clock.now(), settings.rotateBeforeSeconds)
    const beat = await heartbeat.finish(heartbeatOutcome(result, settings.secretName, clock.now()))
    if (beat) result.notes.push(beat)
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

/** The client that writes the secrets, its answers watched for the github-token's expiry. */
export function gitHubClientOf(
  settings: Settings,
  wiring: { http: HttpStack; expiry: GitHubTokenExpiry; deps: ActionDeps; log: ActionIO }
): ReturnType<typeof createGitHubClient> {
  const { http, expiry, deps, log } = wiring
  return createGitHubClient({
    token: settings.githubToken,
    baseUrl: settings.githubApiUrl,
    fetch: expiry.watch(deps.githubFetch ? deps.githubFetch(http.fetch) : http.fetch),
    log,
    maxConcurrency: settings.maxConcurrency,
    secondMs: deps.githubSecondMs
  })
}

/**
 * Every credential input, and every credential-shaped word of any input, kept secret before anything
 * else: a credential given where a name goes is refused by readSettings, and until then nothing may show it.
 */
export function keepInputCredentials(keeper: SecretKeeper, read: (name: string) => string): void {
  for (const input of CREDENTIAL_INPUTS) keeper.keep(read(input).trim())
  for (const input of Object.values(Input)) for (const word of credentialWords(read(input))) keeper.keep(word)
}

interface SourceWiring {
  io: ActionIO
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  deps: ActionDeps
  http: HttpStack
}

export function tokenSource(settings: Settings, { io, keeper, naming, clock, deps, http }: SourceWiring): TokenSource {
  if (settings.strategy === 'instagram') {
    const api = new GraphClient({
      baseUrl: settings.instagramApiUrl,
      api: 'Instagram API',
      urlInput: 'instagram-api-url',
      http,
      clock,
      retry: deps.graphRetry,
      log: io,
      keeper
    })
    return new InstagramTokenSource(settings, { instagram: new InstagramTokens(api), keeper, naming, clock, log: io })
  }
  const { app } = settings
  const graph = new GraphClient({
    baseUrl: `${app.graphApiUrl}/${app.graphApiVersion}`,
    api: 'Graph API',
    urlInput: 'graph-api-url',
    appSecret: app.secret,
    http,
    clock,
    retry: deps.graphRetry,
    log: io,
    keeper
  })
  const tokens = new MetaTokens(graph, { id: app.id, secret: app.secret })
  keeper.keep(tokens.appToken)
  return new GraphTokenSource(settings, { tokens, keeper, naming, clock, log: io })
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
