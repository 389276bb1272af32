// The alert action: reads its inputs, keeps the token secret, reports the rotation's outcome as an
// issue and sets the outputs. Its I/O comes in as a parameter, so tests run exactly this against the emulator.
import type { ActionIO } from '../action-io.js'
import { DEFAULT_GITHUB_API_URL } from '../contract.js'
import { createGitHubClient } from '../github/github-client.js'
import { secretNameProblem } from '../github/secret-names.js'
import { HttpStack } from '../http/http-stack.js'
import { echoed, hasControlCharacters, outsideText } from '../outside-text.js'
import { errorMessage } from '../rotation-error.js'
import { SecretKeeper } from '../secret-keeper.js'
import { environmentNameProblem, isOwnerName, isRepositoryName } from '../github/github-names.js'
import { SECRET_TYPES } from '../settings.js'
import {
  AlertError,
  reportRotationOutcome,
  type AlertOutcome,
  type RotationAlert,
  type SecretPlace
} from './failure-alert.js'
import { tokenExpiryProblems, withTokenExpiry } from './token-expiry-alert.js'
import { thisRunUrl } from '../github/run-url.js'

export const AlertInput = {
  GithubToken: 'github-token',
  Repository: 'repository',
  Outcome: 'outcome',
  SecretName: 'secret-name',
  FailedStep: 'failed-step',
  Error: 'error',
  RunUrl: 'run-url',
  Label: 'label',
  Organization: 'organization',
  Environment: 'environment',
  SecretType: 'secret-type',
  GithubTokenExpiresAt: 'github-token-expires-at',
  WarnBefore: 'warn-before'
} as const

export const AlertOutput = {
  Action: 'action',
  IssueNumber: 'issue-number'
} as const

export const DEFAULT_ALERT_LABEL = 'meta-token-rotation'
const REQUEST_TIMEOUT_MS = 30_000
const MAX_BODY_BYTES = 8 * 1024 * 1024

export type AlertIO = Pick<ActionIO, 'getInput' | 'mask' | 'setOutput' | 'setFailed' | 'info' | 'warning' | 'debug'>

/** Knobs for tests: GitHub's seconds shortened. */
export interface AlertDeps {
  githubSecondMs?: number
  /** Now, for the github-token's expiry; default the runner's clock. */
  now?: () => Date
}

export async function runAlertAction(
  io: AlertIO,
  env: NodeJS.ProcessEnv,
  deps: AlertDeps = {}
): Promise<AlertOutcome | undefined> {
  const token = io.getInput(AlertInput.GithubToken).trim()
  const keeper = new SecretKeeper((secret) => io.mask(secret))
  keeper.keep(token)
  const http = new HttpStack({ timeoutMs: REQUEST_TIMEOUT_MS, maxBodyBytes: MAX_BODY_BYTES })
  try {
    const alert = withTokenExpiry(
      readAlert(io, env, keeper, token),
      io.getInput(AlertInput.GithubTokenExpiresAt).trim(),
      io.getInput(AlertInput.WarnBefore).trim(),
      (deps.now ?? (() => new Date()))()
    )
    const github = createGitHubClient({
      token,
      baseUrl: (env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL).replace(/\/+$/, ''),
      fetch: http.fetch,
      log: io,
      maxConcurrency: 1,
      secondMs: deps.githubSecondMs
    })
    const outcome = await reportRotationOutcome(github, alert)
    io.setOutput(AlertOutput.Action, outcome.action)
    io.setOutput(AlertOutput.IssueNumber, outcome.issueNumber === undefined ? '' : String(outcome.issueNumber))
    io.info(describeOutcome(outcome, alert))
    return outcome
  } catch (error) {
    const message = error instanceof AlertError ? error.message : `Unexpected error: ${errorMessage(error)}`
    io.setFailed(keeper.redact(message))
    return undefined
  } finally {
    http.dispose()
  }
}

/** The inputs as an alert; every input error at once. Texts that end up in the issue lose any trace of the token. */
function readAlert(io: AlertIO, env: NodeJS.ProcessEnv, keeper: SecretKeeper, token: string): RotationAlert {
  const input = (name: string): string => io.getInput(name).trim()
  const quote = (value: string): string => `'${echoed(value)}'`
  const problems: string[] = []
  if (!token)
    problems.push(`'${AlertInput.GithubToken}' is empty (its default is the workflow token, \${{ github.token }})`)

  const repository = input(AlertInput.Repository) || (env.GITHUB_REPOSITORY ?? '').trim()
  const [owner = '', repo = ''] = repository.split('/')
  if (!repository) problems.push(`'${AlertInput.Repository}' is empty and GITHUB_REPOSITORY is not set`)
  else if (!isRepositoryName(repository))
    problems.push(`'${AlertInput.Repository}' must be owner/name, got ${quote(repository)}`)

  const outcome = input(AlertInput.Outcome).toLowerCase()
  if (outcome !== 'success' && outcome !== 'failure') {
    problems.push(`'${AlertInput.Outcome}' must be 'success' or 'failure', got ${quote(input(AlertInput.Outcome))}`)
  }

  const secretName = input(AlertInput.SecretName)
  const nameProblem = secretName ? secretNameProblem(secretName) : undefined
  if (!secretName) problems.push(`'${AlertInput.SecretName}' is required`)
  else if (nameProblem) problems.push(`'${AlertInput.SecretName}' is not a GitHub secret name (${nameProblem})`)

  const label = input(AlertInput.Label) || DEFAULT_ALERT_LABEL
  if (label.includes(',')) problems.push(`'${AlertInput.Label}' must be one label, without a comma`)
  else if (hasControlCharacters(label) || label.length > 50) {
    problems.push(`'${AlertInput.Label}' must be a label name: at most 50 characters, no control characters`)
  }

  const place = readPlace(input, problems)

  const runUrl = input(AlertInput.RunUrl) || (thisRunUrl(env) ?? '')
  if (runUrl && !/^https?:\/\/\S+$/i.test(runUrl)) problems.push(`'${AlertInput.RunUrl}' must be an http(s) URL`)

  problems.push(
    ...tokenExpiryProblems(input(AlertInput.GithubTokenExpiresAt), input(AlertInput.WarnBefore), [
      AlertInput.GithubTokenExpiresAt,
      AlertInput.WarnBefore
    ])
  )
  if (problems.length > 0) throw new AlertError(`Input error: ${problems.join('; ')}.`)
  return {
    owner,
    repo,
    secretName,
    place,
    outcome: outcome as RotationAlert['outcome'],
    failedStep: outsideText(keeper.redact(input(AlertInput.FailedStep)), 40) || undefined,
    error: keeper.redact(io.getInput(AlertInput.Error).trim()) || undefined,
    runUrl: runUrl || undefined,
    label
  }
}

/** The rotation's organization, environment and secret type, checked as the rotation checks them. */
function readPlace(input: (name: string) => string, problems: string[]): SecretPlace {
  const organization = input(AlertInput.Organization)
  if (organization && !isOwnerName(organization)) {
    problems.push(`'${AlertInput.Organization}' must be an organization name`)
  }
  const environment = input(AlertInput.Environment)
  if (environment && environmentNameProblem(environment)) {
    problems.push(
      `'${AlertInput.Environment}' must be an environment name: at most 255 characters, no control characters, no '.' or '..'`
    )
  }
  const secretType = input(AlertInput.SecretType).toLowerCase()
  if (secretType && !(SECRET_TYPES as readonly string[]).includes(secretType)) {
    problems.push(`'${AlertInput.SecretType}' must be actions, dependabot or codespaces`)
  }
  return { organization, environment, secretType }
}

function describeOutcome(outcome: AlertOutcome, alert: RotationAlert): string {
  const where = `${alert.owner}/${alert.repo}`
  const issue = `issue #${String(outcome.issueNumber)}${outcome.issueUrl ? ` (${outsideText(outcome.issueUrl, 200)})` : ''}`
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
