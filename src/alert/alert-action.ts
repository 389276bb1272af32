// The alert action: reads its inputs, masks the token, reports the rotation's outcome as an issue and
// sets the outputs. Its I/O comes in as a parameter, so tests run exactly this against the emulator.
import { DEFAULT_GITHUB_API_URL } from '../contract.js'
import { createGitHubClient } from '../github/github-client.js'
import { errorMessage } from '../rotation-error.js'
import type { RotationLog } from '../rotation-log.js'
import { SecretRedactor } from '../secret-redactor.js'
import { AlertError, reportRotationOutcome, type AlertOutcome, type RotationAlert } from './failure-alert.js'

export const AlertInput = {
  GithubToken: 'github-token',
  Repository: 'repository',
  Outcome: 'outcome',
  SecretName: 'secret-name',
  FailedStep: 'failed-step',
  Error: 'error',
  RunUrl: 'run-url',
  Label: 'label'
} as const

export const AlertOutput = {
  Action: 'action',
  IssueNumber: 'issue-number'
} as const

export const DEFAULT_ALERT_LABEL = 'meta-token-rotation'
const REQUEST_TIMEOUT_MS = 30_000

export interface AlertIO extends RotationLog {
  getInput(name: string): string
  setOutput(name: string, value: string): void
  setFailed(message: string): void
}

/** Knobs for tests: GitHub's retry-after read in shorter units than seconds. */
export interface AlertTuning {
  githubRetryAfterBaseMs?: number
}

export async function runAlertAction(
  io: AlertIO,
  env: NodeJS.ProcessEnv,
  tuning: AlertTuning = {}
): Promise<AlertOutcome | undefined> {
  const token = io.getInput(AlertInput.GithubToken).trim()
  const redactor = new SecretRedactor()
  if (token) {
    io.mask(token)
    redactor.add(token)
  }
  try {
    const alert = readAlert(io, env, redactor, token)
    const github = createGitHubClient({
      token,
      baseUrl: (env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
      timeoutMs: REQUEST_TIMEOUT_MS,
      proxyEnv: env,
      log: io,
      retryAfterBaseMs: tuning.githubRetryAfterBaseMs
    })
    const outcome = await reportRotationOutcome(github, alert)
    io.setOutput(AlertOutput.Action, outcome.action)
    io.setOutput(AlertOutput.IssueNumber, outcome.issueNumber === undefined ? '' : String(outcome.issueNumber))
    io.info(describeOutcome(outcome, alert))
    return outcome
  } catch (error) {
    const message = error instanceof AlertError ? error.message : `Unexpected error: ${errorMessage(error)}`
    io.setFailed(redactor.redact(message))
    return undefined
  }
}

/** The inputs as an alert; every input error at once. Texts that end up in the issue lose any trace of the token. */
function readAlert(io: AlertIO, env: NodeJS.ProcessEnv, redactor: SecretRedactor, token: string): RotationAlert {
  const input = (name: string): string => io.getInput(name).trim()
  const problems: string[] = []
  if (!token)
    problems.push(`'${AlertInput.GithubToken}' is empty (its default is the workflow token, \${{ github.token }})`)

  const repository = input(AlertInput.Repository) || (env.GITHUB_REPOSITORY ?? '').trim()
  const [owner = '', repo = '', ...rest] = repository.split('/')
  if (!repository) problems.push(`'${AlertInput.Repository}' is empty and GITHUB_REPOSITORY is not set`)
  else if (!owner || !repo || rest.length > 0)
    problems.push(`'${AlertInput.Repository}' must be owner/name, got '${repository}'`)

  const outcome = input(AlertInput.Outcome).toLowerCase()
  if (outcome !== 'success' && outcome !== 'failure') {
    problems.push(`'${AlertInput.Outcome}' must be 'success' or 'failure', got '${input(AlertInput.Outcome)}'`)
  }

  const secretName = input(AlertInput.SecretName)
  if (!secretName) problems.push(`'${AlertInput.SecretName}' is required`)

  const label = input(AlertInput.Label) || DEFAULT_ALERT_LABEL
  if (label.includes(',')) problems.push(`'${AlertInput.Label}' must be one label, without a comma`)

  const runUrl = input(AlertInput.RunUrl) || defaultRunUrl(env)
  if (runUrl && !/^https?:\/\/\S+$/i.test(runUrl)) problems.push(`'${AlertInput.RunUrl}' must be an http(s) URL`)

  if (problems.length > 0) throw new AlertError(`Input error: ${problems.join('; ')}.`)
  return {
    owner,
    repo,
    secretName,
    outcome: outcome as RotationAlert['outcome'],
    failedStep: redactor.redact(input(AlertInput.FailedStep)) || undefined,
    error: redactor.redact(io.getInput(AlertInput.Error).trim()) || undefined,
    runUrl: runUrl || undefined,
    label
  }
}

/** This run's page, when the runner says where it is. */
function defaultRunUrl(env: NodeJS.ProcessEnv): string {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env
  return server && repository && runId ? `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}` : ''
}

function describeOutcome(outcome: AlertOutcome, alert: RotationAlert): string {
  const where = `${alert.owner}/${alert.repo}`
  const issue = `issue #${String(outcome.issueNumber)}${outcome.issueUrl ? ` (${outcome.issueUrl})` : ''}`
  switch (outcome.action) {
    case 'opened':
      return `Opened ${issue} in ${where}: the rotation of ${alert.secretName} failed.`
    case 'updated':
      return `Added this failure of ${alert.secretName} to the open ${issue} in ${where}.`
    case 'closed':
      return `Closed ${issue} in ${where}: the rotation of ${alert.secretName} succeeded.`
    case 'none':
      return alert.outcome === 'success'
        ? `The rotation of ${alert.secretName} succeeded and no alert issue was open in ${where}: nothing to do.`
        : `Nothing reported for ${alert.secretName}.`
  }
}
