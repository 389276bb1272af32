// The failure alert: a scheduled rotation that fails must not fail silently until the token dies.
// A failure opens an issue in the calling repository (or comments on the one already open: never a
// second one); the next successful rotation of that secret closes it.
//
// The issue of a secret is found by its label AND a hidden marker in its body, so people may edit
// the title, and several secrets in one repository get one issue each.
import type { GitHubClient } from '../github/github-client.js'
import { readGitHubError } from '../github/github-error.js'
import type { Explained } from '../rotation-error.js'

/**
 * Where the rotation writes, beyond the secret's name: two rotations of one name into different
 * environments, organizations or secret types are different secrets, with an issue each.
 */
export interface SecretPlace {
  organization?: string
  environment?: string
  /** 'actions' (the default) or 'dependabot' or 'codespaces'. */
  secretType?: string
}

export interface RotationAlert {
  owner: string
  repo: string
  secretName: string
  place?: SecretPlace
  outcome: 'success' | 'failure'
  /** The rotation's `failed-step` output. */
  failedStep?: string
  /** The rotation's `error` output: what went wrong and the fix, already free of secrets. */
  error?: string
  runUrl?: string
  label: string
}

export type AlertAction = 'opened' | 'updated' | 'closed' | 'none'

export interface AlertOutcome {
  action: AlertAction
  issueNumber?: number
  /** The issue's web page. */
  issueUrl?: string
}

/** A GitHub failure, in words that say what to do; `status` is GitHub's HTTP status, when it answered. */
export class AlertError extends Error {
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
    this.name = 'AlertError'
  }
}

/** Longest error text put in an issue or comment; GitHub refuses bodies over 65,536 characters. */
export const MAX_ERROR_CHARS = 20_000

const MARKER = /<!--\s*meta-token-rotator:secret=([^\s>]+?)\s*-->/gi

/**
 * The hidden line that ties an issue to a secret: its name, upper-cased (secret names are not
 * case-sensitive), and its place when it is not a repository's Actions secret.
 */
export function secretMarker(secretName: string, place: SecretPlace = {}): string {
  return `<!-- meta-token-rotator:secret=${markerKey(secretName, place)} -->`
}

function markerKey(secretName: string, place: SecretPlace): string {
  return [markerName(secretName), ...placeParts(place).map(([key, value]) => `;${key}=${markerName(value)}`)].join('')
}

/** The place's parts that set it apart from a repository's Actions secret, in a fixed order. */
function placeParts({ organization, environment, secretType }: SecretPlace): Array<[string, string]> {
  const parts: Array<[string, string]> = []
  if (organization?.trim()) parts.push(['organization', organization.trim()])
  if (environment?.trim()) parts.push(['environment', environment.trim()])
  if (secretType?.trim() && secretType.trim().toLowerCase() !== 'actions') parts.push(['type', secretType.trim()])
  return parts
}

/** `META_TOKEN (environment production)`: the secret as a person names it. */
function secretLabel(secretName: string, place: SecretPlace = {}): string {
  const parts = placeParts(place).map(([key, value]) => (key === 'type' ? `${value} secret` : `${key} ${value}`))
  return parts.length > 0 ? `${secretName.trim()} (${parts.join(', ')})` : secretName.trim()
}

/** Every character but letters, digits and `_` percent-encoded, so no name can end the HTML comment. */
function markerName(secretName: string): string {
  const upper = secretName.trim().toUpperCase()
  return [...upper]
    .map((c) => (/[A-Z0-9_]/.test(c) ? c : encodeURIComponent(c).replace(/[!'()*~.-]/g, percent)))
    .join('')
}

function percent(c: string): string {
  return `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`
}

/**
 * Whether an issue body carries the marker of this secret (in any letter case): on a line of its own,
 * outside code blocks. The error text quoted in the issue is fenced, so a marker inside it (from a
 * failure message that carries another secret's marker) never counts.
 */
export function marksSecret(body: string | null | undefined, secretName: string, place: SecretPlace = {}): boolean {
  const wanted = markerKey(secretName, place).toUpperCase()
  let fence: { char: string; length: number } | undefined
  for (const line of (body ?? '').split(/\r?\n/)) {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line)
    if (fence) {
      const closing = opening?.[1]
      if (closing && closing[0] === fence.char && closing.length >= fence.length && line.trim() === closing)
        fence = undefined
      continue
    }
    if (opening?.[1]) {
      fence = { char: opening[1][0] as string, length: opening[1].length }
      continue
    }
    for (const match of line.trim().matchAll(MARKER)) {
      if (match.index === 0 && match[0] === line.trim() && match[1]?.toUpperCase() === wanted) return true
    }
  }
  return false
}

export function issueTitle(secretName: string, place?: SecretPlace): string {
  return `Meta token rotation is failing for ${oneLine(secretLabel(secretName, place))}`
}

export async function reportRotationOutcome(github: GitHubClient, alert: RotationAlert): Promise<AlertOutcome> {
  checkAlert(alert)
  const { owner, repo } = alert
  let doing = 'list the open issues of'
  try {
    const open = await openIssuesOf(github, alert)
    if (alert.outcome === 'failure') {
      const existing = open[0]
      if (!existing) {
        doing = 'open an issue in'
        const { data } = await github.request('POST /repos/{owner}/{repo}/issues', {
          owner,
          repo,
          title: issueTitle(alert.secretName, alert.place),
          body: failureIssueBody(alert),
          labels: [alert.label]
        })
        return { action: 'opened', issueNumber: data.number, issueUrl: data.html_url }
      }
      doing = `comment on issue #${existing.number} in`
      await github.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: existing.number,
        body: failureComment(alert)
      })
      return { action: 'updated', issueNumber: existing.number, issueUrl: existing.html_url }
    }

    // Success: close every open issue of this secret (one, unless someone copied the marker).
    const [first] = open
    if (!first) return { action: 'none' }
    for (const issue of open) {
      doing = `comment on issue #${issue.number} in`
      await github.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: issue.number,
        body: successComment(alert)
      })
      doing = `close issue #${issue.number} in`
      await github.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', {
        owner,
        repo,
        issue_number: issue.number,
        state: 'closed',
        state_reason: 'completed'
      })
    }
    return { action: 'closed', issueNumber: first.number, issueUrl: first.html_url }
  } catch (error) {
    throw explainFailure(error, doing, `${owner}/${repo}`)
  }
}

interface OpenIssue {
  number: number
  html_url: string
}

/** The open issues (not pull requests) with the label and this secret's marker, oldest first. */
async function openIssuesOf(github: GitHubClient, alert: RotationAlert): Promise<OpenIssue[]> {
  const issues = await github.paginate('GET /repos/{owner}/{repo}/issues', {
    owner: alert.owner,
    repo: alert.repo,
    state: 'open',
    labels: alert.label,
    per_page: 100
  })
  return issues
    .filter((issue) => !issue.pull_request && marksSecret(issue.body, alert.secretName, alert.place))
    .map((issue) => ({ number: issue.number, html_url: issue.html_url }))
    .sort((a, b) => a.number - b.number)
}

function checkAlert(alert: RotationAlert): void {
  const problems: string[] = []
  if (!alert.owner.trim() || !alert.repo.trim()) problems.push('the repository must be owner/name')
  if (!alert.secretName.trim()) problems.push('the secret name is empty')
  if (!alert.label.trim()) problems.push('the label is empty')
  if (alert.label.includes(','))
    problems.push('the label cannot contain a comma (GitHub reads a comma as a list of labels)')
  if (alert.outcome !== 'success' && alert.outcome !== 'failure')
    problems.push(`the outcome must be success or failure, not '${String(alert.outcome)}'`)
  if (problems.length > 0) throw new AlertError(`Cannot report the rotation outcome: ${problems.join('; ')}.`)
}

// ---- What the issue says ----

const STEP_MEANING: Record<string, string> = {
  inputs: 'The inputs were rejected before anything was checked: nothing was minted, written or revoked.',
  check:
    'The check before any change failed: nothing was minted, written or revoked. If the error says the current token is invalid or expired, it has already stopped working: issue a new one by hand and store it in the secret.',
  prepare: 'A destination could not be prepared: nothing was minted, written or revoked.',
  mint: 'No new token was minted, or it was refused: nothing was written or revoked.',
  verify: 'The new token failed its checks, so it was written nowhere and nothing was revoked.',
  store:
    'Some destinations may hold the new token and others still the old one; nothing was revoked, so both keep working. A re-run completes the rotation.',
  confirm:
    'Some writes could not be read back; nothing was revoked, so every copy keeps working. A re-run completes the rotation.',
  revoke:
    'The new token is stored everywhere; only revoking the old one failed. Nothing breaks, but the old token stays valid until it expires.',
  'github-token':
    'The rotation itself succeeded. The token that writes the secret (github-token) expires soon; after that date every rotation fails before it writes anything. Replace it before then, or switch to GitHub App authentication (the reusable workflow: github-app-client-id and github-app-private-key), whose tokens are minted for each run.'
}

export function failureIssueBody(alert: RotationAlert): string {
  const name = inlineCode(secretLabel(alert.secretName, alert.place))
  const meaning = alert.failedStep ? STEP_MEANING[alert.failedStep.trim()] : undefined
  return [
    secretMarker(alert.secretName, alert.place),
    alert.failedStep?.trim() === 'github-token'
      ? `The secret ${name} was rotated, but the token that writes it is about to expire.`
      : `The scheduled rotation of the secret ${name} failed.`,
    '',
    ...facts(alert),
    '',
    '### Error and fix',
    '',
    errorBlock(alert.error),
    '',
    '### What this means',
    '',
    `A failed rotation never revokes the token it was replacing: the token in ${name} keeps working until it expires (unless the error above says it is already invalid or expired). Fix the cause and re-run the workflow before that date; otherwise everything that uses ${name} stops working when the token expires.`,
    ...(meaning ? ['', meaning] : []),
    '',
    `Each further failure adds a comment here. This issue closes itself on the next successful rotation of ${name}. You may edit the title; keep the ${inlineCode(alert.label)} label and the hidden marker at the top of this description, which is how the alert finds this issue.`
  ].join('\n')
}

export function failureComment(alert: RotationAlert): string {
  return [
    `The rotation of ${inlineCode(secretLabel(alert.secretName, alert.place))} failed again.`,
    '',
    ...facts(alert),
    '',
    errorBlock(alert.error)
  ].join('\n')
}

export function successComment(alert: RotationAlert): string {
  const run = runLink(alert.runUrl)
  return run ? `Rotation succeeded in ${run}; closing.` : 'Rotation succeeded; closing.'
}

function facts(alert: RotationAlert): string[] {
  const step = alert.failedStep?.trim()
  const run = runLink(alert.runUrl)
  return [
    `- **Failed step:** ${step ? inlineCode(step) : 'not given (see the run log)'}`,
    `- **Run:** ${run ?? 'not given'}`,
    `- **When:** ${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}`
  ]
}

/** The error exactly as given, in a fenced block: no Markdown, no @mentions, no #references. */
function errorBlock(error: string | undefined): string {
  let text = (error ?? '').trim()
  if (!text) return '_No error text was passed to the alert; see the run log._'
  if (text.length > MAX_ERROR_CHARS)
    text = `${text.slice(0, MAX_ERROR_CHARS)}\n… (cut: ${text.length - MAX_ERROR_CHARS} more characters in the run log)`
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(Math.max(3, longestRun + 1))
  return `${fence}text\n${text}\n${fence}`
}

/** An http(s) URL as it is (GitHub links it); anything else is shown as code, never as a link. */
function runLink(url: string | undefined): string | undefined {
  const value = url?.trim()
  if (!value) return undefined
  return /^https?:\/\/[^\s<>()[\]`]+$/i.test(value) ? value : inlineCode(value)
}

function inlineCode(text: string): string {
  return `\`${oneLine(text).replace(/`/g, "'")}\``
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

// ---- GitHub's refusals, explained ----

export function explainFailure(error: unknown, doing: string, repository: string): AlertError {
  if (error instanceof AlertError) return error
  const { message, fix } = explainAlertFailure(error, doing, repository)
  return new AlertError(`${message} ${fix}`, readGitHubError(error).status)
}

function explainAlertFailure(error: unknown, doing: string, repository: string): Explained {
  const { status, said, headers } = readGitHubError(error)
  const accepted = headers['x-accepted-github-permissions']
  const base = `Could not ${doing} ${repository}`
  switch (true) {
    case status === 401:
      return {
        message: `${base}: GitHub rejected 'github-token' (401 ${said}).`,
        fix: 'Pass the workflow token (${{ github.token }}) or a token that has not expired.'
      }
    case (status === 403 || status === 429) && /rate limit/i.test(said):
      return {
        message: `${base}: GitHub's rate limit stopped it after the retries (${status} ${said}).`,
        fix: 'Re-run the job later.'
      }
    case status === 403:
      return {
        message: `${base}: GitHub refused (403 ${said}${accepted ? `; it accepts: ${accepted}` : ''}).`,
        fix: "The job that runs the alert needs `permissions: issues: write`; a PAT or GitHub App token passed as 'github-token' needs the repository permission 'Issues: Read and write'."
      }
    case status === 404:
      return {
        message: `${base}: GitHub found no repository ${repository} that 'github-token' can see (404).`,
        fix: "Check the 'repository' input; a PAT or GitHub App token must have access to it."
      }
    case status === 410:
      return {
        message: `${base}: issues are turned off there (410).`,
        fix: "Turn them on (Settings > General > Features > Issues) or point 'repository' at a repository that has them."
      }
    case status === 422:
      return {
        message: `${base}: GitHub rejected the request (422 ${said}).`,
        fix: 'Check the label and the inputs, then re-run.'
      }
    case status !== undefined && status >= 500:
      return {
        message: `${base}: GitHub kept failing (${status} ${said}).`,
        fix: 'Re-run the job later; see https://www.githubstatus.com.'
      }
    default:
      return {
        message: `${base}: GitHub could not be reached (${said}).`,
        fix: "Check the runner's network and GITHUB_API_URL."
      }
  }
}
