// The action: masks every secret, reads the settings, wires the clients, runs the rotation and
// reports it. Its I/O comes in as a parameter, so tests run exactly this against the emulators.
import { Input, Output } from './contract.js'
import { createGitHubClient } from './github/github-client.js'
import { SecretStore } from './github/secret-store.js'
import { GraphClient, type RetryPolicy } from './graph/graph-client.js'
import { MetaTokens } from './graph/meta-tokens.js'
import { outputsOf, summaryMarkdown } from './report.js'
import { rotate, type RotationResult } from './rotation.js'
import { errorMessage, RotationError } from './rotation-error.js'
import type { RotationLog } from './rotation-log.js'
import { SecretRedactor } from './secret-redactor.js'
import { readSettings } from './settings.js'

export interface ActionIO extends RotationLog {
  getInput(name: string): string
  setOutput(name: string, value: string): void
  error(message: string): void
  writeSummary(markdown: string): Promise<void>
  setFailed(message: string): void
}

/** Knobs for tests: shorter waits than a real run uses. */
export interface ActionTuning {
  graphRetry?: RetryPolicy
  githubRetryAfterBaseMs?: number
  /** Overrides request-timeout, below the one-second floor the input allows. */
  requestTimeoutMs?: number
}

const CREDENTIAL_INPUTS = [Input.AppSecret, Input.Token, Input.AdminToken, Input.PreviousToken, Input.GithubToken]

export async function runAction(
  io: ActionIO,
  env: NodeJS.ProcessEnv,
  tuning: ActionTuning = {}
): Promise<RotationResult | undefined> {
  const redactor = new SecretRedactor()
  for (const input of CREDENTIAL_INPUTS) {
    const value = io.getInput(input).trim()
    if (value) {
      io.mask(value)
      redactor.add(value)
    }
  }
  try {
    const settings = readSettings(io.getInput, env)
    const timeoutMs = tuning.requestTimeoutMs ?? settings.requestTimeoutMs
    const tokens = new MetaTokens(
      new GraphClient({
        baseUrl: settings.graphApiUrl,
        version: settings.graphApiVersion,
        appSecret: settings.appSecret,
        timeoutMs,
        proxyEnv: env,
        retry: tuning.graphRetry,
        log: io,
        redactor
      }),
      { id: settings.appId, secret: settings.appSecret }
    )
    io.mask(tokens.appToken)
    redactor.add(tokens.appToken)
    const github = createGitHubClient({
      token: settings.githubToken,
      baseUrl: settings.githubApiUrl,
      timeoutMs,
      proxyEnv: env,
      log: io,
      retryAfterBaseMs: tuning.githubRetryAfterBaseMs
    })
    const result = await rotate(settings, {
      tokens,
      store: new SecretStore(github),
      log: io,
      redactor,
      githubToken: settings.githubToken
    })
    for (const [name, value] of Object.entries(outputsOf(result))) io.setOutput(name, value)
    await io.writeSummary(summaryMarkdown(result))
    if (result.failure) fail(io, result.failure.step, redactor.redact(result.failure.describe()))
    return result
  } catch (error) {
    // Only the inputs fail before anything happens; rotate() reports its own failures in the result.
    // Anything else stopped the run somewhere unknown, so the summary must not claim nothing changed.
    const before = error instanceof RotationError
    const safe = redactor.redact(before ? error.describe() : `Unexpected error: ${errorMessage(error)}`)
    const state = before
      ? 'Nothing was minted, written or revoked.'
      : 'The run stopped where it was: the log above shows what it had done. Check the secrets before re-running (a re-run from the token you pass completes the rotation).'
    await io.writeSummary(`## Meta token rotation\n\n❌ ${safe}\n\n${state}\n`).catch(() => undefined)
    fail(io, before ? error.step : 'unexpected', safe)
    return undefined
  }
}

/** The failure as outputs too, so a later job (the failure alert) can say what failed and how to fix it. */
function fail(io: ActionIO, step: string, message: string): void {
  io.setOutput(Output.FailedStep, step)
  io.setOutput(Output.Error, message)
  io.setFailed(message)
}
