// The failure alert over real HTTP against the GitHub emulator: a failed rotation opens one issue per
// secret (never a second), later failures comment on it, the next success closes it; and the alert
// action itself, run in-process with its inputs. Every request must fit GitHub's OpenAPI description.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { GitHubEmulator } from '../emulators/github-emulator.js'
import { runAlertAction } from '../src/alert/alert-action.js'
import {
  AlertError,
  failureIssueBody,
  issueTitle,
  reportRotationOutcome,
  secretMarker,
  type RotationAlert
} from '../src/alert/failure-alert.js'
import { createGitHubClient, type GitHubClient } from '../src/github/github-client.js'
import { HttpStack } from '../src/http/http-stack.js'
import { emptyRun, recordingIO, type RecordedRun } from './support/world.js'

const WORKFLOW_TOKEN = 'ghs_workflow0token0with0issues0write'
const LABEL = 'meta-token-rotation'
const RUN_URL = 'https://github.com/octo/app/actions/runs/42'
const STORE_ERROR =
  "[store] GitHub refused the repository secret META_TOKEN in octo/api (403 Resource not accessible by personal access token). Fix: give 'github-token' the repository permission 'Secrets: Read and write' (classic PAT: repo) on octo/api."

let github: GitHubEmulator
let client: GitHubClient

const silent = { info: () => undefined, warning: () => undefined, debug: () => undefined }

const stacks: HttpStack[] = []
function clientFor(token: string): GitHubClient {
  const http = new HttpStack({ timeoutMs: 5000, maxBodyBytes: 8 * 1024 * 1024 })
  stacks.push(http)
  return createGitHubClient({
    token,
    baseUrl: github.url,
    fetch: http.fetch,
    log: silent,
    maxConcurrency: 1,
    secondMs: 2
  })
}

const failure = (overrides: Partial<RotationAlert> = {}): RotationAlert => ({
  owner: 'octo',
  repo: 'app',
  secretName: 'META_TOKEN',
  outcome: 'failure',
  failedStep: 'store',
  error: STORE_ERROR,
  runUrl: RUN_URL,
  label: LABEL,
  ...overrides
})
const success = (overrides: Partial<RotationAlert> = {}): RotationAlert =>
  failure({ outcome: 'success', failedStep: undefined, error: undefined, ...overrides })

// Octokit's throttling plugin starts content-creating writes (issues, comments) at least 3 s apart in
// a process, so where a test only needs an alert issue to exist, it is seeded as the alert opens it.
const seedAlertIssue = (alert: RotationAlert) =>
  github.addIssue('octo/app', {
    title: issueTitle(alert.secretName, alert.place),
    body: failureIssueBody(alert),
    labels: [alert.label]
  })
const openIssues = () => github.issues('octo/app').filter((i) => i.state === 'open')
const writes = () => github.server.requests.filter((r) => r.method !== 'GET')

beforeEach(async () => {
  github = await GitHubEmulator.start()
  github.addRepository('octo/app')
  github.addRepository('octo/other')
  // The workflow's GITHUB_TOKEN, in a job with `permissions: issues: write`.
  github.addToken(WORKFLOW_TOKEN, {
    kind: 'github-actions',
    repositories: ['octo/app'],
    permissions: { issues: 'write', metadata: 'read' }
  })
  client = clientFor(WORKFLOW_TOKEN)
})

afterEach(async () => {
  for (const stack of stacks.splice(0)) stack.dispose()
  await github.stop()
  expect(github.openApiViolations).toEqual([])
})

describe('reportRotationOutcome', () => {
  test('a failure opens one labelled issue with the step, the error as given and the run link', async () => {
    const outcome = await reportRotationOutcome(client, failure())

    expect(outcome).toEqual({ action: 'opened', issueNumber: 1, issueUrl: `${github.server.url}/octo/app/issues/1` })
    const [issue, ...others] = github.issues('octo/app')
    expect(others).toEqual([])
    expect(issue).toMatchObject({
      number: 1,
      state: 'open',
      labels: [LABEL],
      comments: [],
      author: 'github-actions[bot]'
    })
    expect(issue?.title).toBe('Meta token rotation is failing for META_TOKEN')
    const body = issue?.body ?? ''
    expect(body.startsWith(secretMarker('META_TOKEN'))).toBe(true)
    expect(body).toContain('<!-- meta-token-rotator:secret=META_TOKEN -->')
    expect(body).toContain('**Failed step:** `store`')
    expect(body).toContain(`**Run:** ${RUN_URL}`)
    expect(body).toContain(`\`\`\`text\n${STORE_ERROR}\n\`\`\``)
    expect(body).toMatch(/keeps working until it expires/)
    expect(body).toMatch(/closes itself on the next successful rotation/)
  })

  test('a second failure comments on the open issue: still one open issue', async () => {
    await reportRotationOutcome(client, failure())
    const again = await reportRotationOutcome(
      client,
      failure({ failedStep: 'check', error: '[check] The token expired. Fix: issue a new one.', runUrl: `${RUN_URL}1` })
    )

    expect(again).toMatchObject({ action: 'updated', issueNumber: 1 })
    expect(openIssues()).toHaveLength(1)
    const [comment, ...more] = openIssues()[0]?.comments ?? []
    expect(more).toEqual([])
    expect(comment).toContain('failed again')
    expect(comment).toContain('`check`')
    expect(comment).toContain('[check] The token expired. Fix: issue a new one.')
    expect(comment).toContain(`${RUN_URL}1`)
  })

  test('finds its issue by label and marker: an edited title, a lower-case marker; not a look-alike', async () => {
    // Someone renamed the alert issue and retyped the marker; another issue quotes the marker without the label.
    const renamed = github.addIssue('octo/app', {
      title: 'Token rotation broken, see runbook',
      body: '<!--meta-token-rotator:secret=meta_token-->\nedited',
      labels: [LABEL]
    })
    github.addIssue('octo/app', { title: 'Docs', body: `How the alert works: ${secretMarker('META_TOKEN')}` })
    github.addIssue('octo/app', {
      title: 'Old alert',
      body: secretMarker('META_TOKEN'),
      labels: [LABEL],
      state: 'closed'
    })

    const outcome = await reportRotationOutcome(client, failure())
    expect(outcome).toMatchObject({ action: 'updated', issueNumber: renamed })
    expect(github.issues('octo/app')).toHaveLength(3)
  })

  test('a failure of another secret opens its own issue', async () => {
    seedAlertIssue(failure())
    const other = await reportRotationOutcome(
      client,
      failure({ secretName: 'WHATSAPP_TOKEN', failedStep: 'mint', error: '[mint] No.' })
    )

    expect(other).toMatchObject({ action: 'opened', issueNumber: 2 })
    expect(openIssues().map((i) => i.title)).toEqual([
      'Meta token rotation is failing for META_TOKEN',
      'Meta token rotation is failing for WHATSAPP_TOKEN'
    ])
    expect(openIssues().every((i) => i.comments.length === 0)).toBe(true)
  })

  test('a success closes the issue of that secret as completed, with a comment; the other stays open', async () => {
    seedAlertIssue(failure())
    seedAlertIssue(failure({ secretName: 'WHATSAPP_TOKEN' }))
    const closed = await reportRotationOutcome(client, success({ secretName: 'meta_token', runUrl: `${RUN_URL}9` }))

    expect(closed).toMatchObject({ action: 'closed', issueNumber: 1 })
    const [meta, whatsapp] = github.issues('octo/app')
    expect(meta).toMatchObject({
      state: 'closed',
      stateReason: 'completed',
      comments: [`Rotation succeeded in ${RUN_URL}9; closing.`]
    })
    expect(whatsapp).toMatchObject({ state: 'open', comments: [] })

    // The next failure opens a new issue: a closed one is history.
    expect(await reportRotationOutcome(client, failure())).toMatchObject({ action: 'opened', issueNumber: 3 })
  })

  test('one secret name in different environments, organizations or secret types: an issue each, closed each by its own success', async () => {
    const production = failure({ place: { environment: 'production' } })
    const staging = failure({ place: { environment: 'staging' } })
    seedAlertIssue(production)
    const other = await reportRotationOutcome(client, staging)
    expect(other).toMatchObject({ action: 'opened', issueNumber: 2 })
    expect(openIssues().map((i) => i.title)).toEqual([
      'Meta token rotation is failing for META_TOKEN (environment production)',
      'Meta token rotation is failing for META_TOKEN (environment staging)'
    ])

    // Staging's success leaves production's issue open; nor does a repository secret of that name close it.
    expect(await reportRotationOutcome(client, success({ place: { environment: 'staging' } }))).toMatchObject({
      action: 'closed',
      issueNumber: 2
    })
    expect(await reportRotationOutcome(client, success())).toEqual({ action: 'none' })
    expect(
      await reportRotationOutcome(client, success({ place: { environment: 'production', secretType: 'dependabot' } }))
    ).toEqual({ action: 'none' })
    expect(openIssues().map((i) => i.number)).toEqual([1])
    // Letter case and the default secret type change nothing.
    expect(
      await reportRotationOutcome(client, success({ place: { environment: 'PRODUCTION', secretType: 'actions' } }))
    ).toMatchObject({ action: 'closed', issueNumber: 1 })
  })

  test('a success with no issue open does nothing', async () => {
    github.addIssue('octo/app', { title: 'Unrelated', labels: [LABEL], body: 'no marker' })
    const before = writes().length
    expect(await reportRotationOutcome(client, success())).toEqual({ action: 'none' })
    expect(writes()).toHaveLength(before)
    expect(github.issues('octo/app')).toMatchObject([{ state: 'open', comments: [] }])
  })

  test('reads every page of labelled issues before deciding there is none', async () => {
    const first = seedAlertIssue(failure())
    for (let i = 0; i < 120; i += 1)
      github.addIssue('octo/app', { title: `other ${i}`, labels: [LABEL], body: secretMarker(`SECRET_${i}`) })

    expect(await reportRotationOutcome(client, failure())).toMatchObject({ action: 'updated', issueNumber: first })
    // 121 labelled issues, newest first, 100 a page: the alert issue, the oldest, is on page 2.
    expect(github.server.requestsTo('/repos/octo/app/issues', 'GET').map((r) => r.query.page ?? '1')).toEqual([
      '1',
      '2'
    ])
  })

  test('a token without the issues permission fails with a clear error naming permissions: issues: write', async () => {
    github.addToken('ghs_default_permissions', {
      kind: 'github-actions',
      repositories: ['octo/app'],
      permissions: { metadata: 'read' }
    })
    const error = await reportRotationOutcome(clientFor('ghs_default_permissions'), failure()).catch((e: unknown) => e)

    expect(error).toBeInstanceOf(AlertError)
    expect((error as AlertError).status).toBe(403)
    expect((error as AlertError).message).toMatch(
      /^Could not list the open issues of octo\/app: GitHub refused \(403 Resource not accessible by integration; it accepts: issues=read\)/
    )
    expect((error as AlertError).message).toContain('`permissions: issues: write`')
    expect(github.issues('octo/app')).toEqual([])
  })

  test('a token that may read issues but not write them fails when opening', async () => {
    github.addToken('ghs_read_only', {
      kind: 'github-actions',
      repositories: ['octo/app'],
      permissions: { issues: 'read' }
    })
    const error = await reportRotationOutcome(clientFor('ghs_read_only'), failure()).catch((e: unknown) => e)
    expect((error as AlertError).message).toMatch(
      /^Could not open an issue in octo\/app: .*issues=write.*`permissions: issues: write`/
    )
  })

  test('issues turned off (410) and a repository the token cannot see (404) say so', async () => {
    github.setIssuesEnabled('octo/app', false)
    await expect(reportRotationOutcome(client, failure())).rejects.toThrow(/issues are turned off there \(410\)/)
    await expect(reportRotationOutcome(client, failure({ repo: 'other' }))).rejects.toThrow(
      /found no repository octo\/other that 'github-token' can see \(404\)/
    )
  })

  test('the error text is kept as given, inert: no mention, no Markdown, fences longer than its backticks', async () => {
    const error = '[verify] ```oops``` @octo/admins see #1 <img src=x>'
    await reportRotationOutcome(client, failure({ error, failedStep: 'verify`\n# heading' }))
    const body = github.issues('octo/app')[0]?.body ?? ''
    expect(body).toContain(`\`\`\`\`text\n${error}\n\`\`\`\``)
    expect(body).toContain("**Failed step:** `verify' # heading`")
  })
})

describe("the marker counts only outside the quoted error text: a failure cannot claim another secret's issue", () => {
  const other = secretMarker('WHATSAPP_TOKEN')
  test.each([
    ['on a line of its own', `[store] failed\n${other}\nFix: re-run.`],
    ['after a fence that tries to close the quote', `[store] failed\n\`\`\`\n${other}\n\`\`\`\nFix: re-run.`],
    ['after a longer fence', `\`\`\`\`\`\`\`\`\n${other}\n\`\`\`\`\`\`\`\``],
    ['after a tilde fence', `~~~\n${other}\n~~~`],
    ['indented, with Windows line ends', `[store] failed\r\n   ${other}\r\n`],
    ['alone, as the whole error', other]
  ])('%s', async (_how, error) => {
    const opened = await reportRotationOutcome(client, failure({ error }))
    expect(opened).toMatchObject({ action: 'opened', issueNumber: 1 })
    expect(github.issues('octo/app')[0]?.body).toContain(other)

    // WHATSAPP_TOKEN's next success finds no issue of its own: META_TOKEN's stays open.
    expect(await reportRotationOutcome(client, success({ secretName: 'WHATSAPP_TOKEN' }))).toEqual({ action: 'none' })
    expect(github.issues('octo/app')).toMatchObject([{ number: 1, state: 'open', comments: [] }])
    // Its failure opens its own issue instead of commenting on META_TOKEN's.
    expect(await reportRotationOutcome(client, failure({ secretName: 'WHATSAPP_TOKEN' }))).toMatchObject({
      action: 'opened',
      issueNumber: 2
    })
    // META_TOKEN's success closes META_TOKEN's issue only.
    expect(await reportRotationOutcome(client, success())).toMatchObject({ action: 'closed', issueNumber: 1 })
    expect(github.issues('octo/app').map((i) => i.state)).toEqual(['closed', 'open'])
  })
})

describe('the alert action (src/alert/alert-action.ts), run in-process', () => {
  async function runAlert(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Promise<RecordedRun> {
    const run = emptyRun()
    const io = recordingIO(inputs, run)
    await runAlertAction(io, env, { githubSecondMs: 2 })
    return run
  }

  const runnerEnv = (): NodeJS.ProcessEnv => ({
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: 'octo/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242'
  })
  // The inputs the reusable workflow passes (label and repository left to their defaults here).
  const workflowInputs = (overrides: Record<string, string> = {}) => ({
    'github-token': WORKFLOW_TOKEN,
    outcome: 'failure',
    'secret-name': 'META_TOKEN',
    'failed-step': 'store',
    error: STORE_ERROR,
    ...overrides
  })

  test('opens, updates and closes, with outputs, one log line each, and the token masked', async () => {
    const opened = await runAlert(workflowInputs(), runnerEnv())
    expect(opened.failed).toBeUndefined()
    expect(opened.outputs).toEqual({ action: 'opened', 'issue-number': '1' })
    expect(opened.masks).toEqual([WORKFLOW_TOKEN])
    expect(opened.log.filter((line) => !line.startsWith('debug:'))).toEqual([
      `Opened issue #1 (${github.server.url}/octo/app/issues/1) in octo/app: the rotation of META_TOKEN failed.`
    ])
    const issue = github.issues('octo/app')[0]
    expect(issue).toMatchObject({ labels: [LABEL], state: 'open' })
    expect(issue?.body).toContain('**Run:** https://github.com/octo/app/actions/runs/4242')

    expect((await runAlert(workflowInputs(), runnerEnv())).outputs).toEqual({ action: 'updated', 'issue-number': '1' })

    const closed = await runAlert(workflowInputs({ outcome: 'success', 'failed-step': '', error: '' }), runnerEnv())
    expect(closed.outputs).toEqual({ action: 'closed', 'issue-number': '1' })
    expect(closed.log.at(-1)).toMatch(/^Closed issue #1 .* the rotation of META_TOKEN succeeded\.$/)
    expect(github.issues('octo/app')[0]).toMatchObject({ state: 'closed', stateReason: 'completed' })

    const none = await runAlert(workflowInputs({ outcome: 'success' }), runnerEnv())
    expect(none.outputs).toEqual({ action: 'none', 'issue-number': '' })
  })

  test("takes the rotation's organization, environment and secret type, and refuses what the rotation would", async () => {
    const place = { organization: 'octo', environment: 'prod/eu', 'secret-type': 'codespaces' }
    const opened = await runAlert(workflowInputs(place), runnerEnv())
    expect(opened.failed).toBeUndefined()
    expect(github.issues('octo/app')[0]?.title).toBe(
      'Meta token rotation is failing for META_TOKEN (organization octo, environment prod/eu, codespaces secret)'
    )
    const closed = await runAlert(workflowInputs({ ...place, outcome: 'success', error: '' }), runnerEnv())
    expect(closed.outputs).toEqual({ action: 'closed', 'issue-number': '1' })

    const bad = await runAlert(
      workflowInputs({ organization: 'octo/app', environment: 'prod/..', 'secret-type': 'vault' }),
      runnerEnv()
    )
    expect(bad.failed).toMatch(/'organization' must be an organization name/)
    expect(bad.failed).toMatch(/'environment' must be an environment name/)
    expect(bad.failed).toMatch(/'secret-type' must be actions, dependabot or codespaces/)
  })

  test('a label with backticks stays text in the issue', async () => {
    await runAlert(workflowInputs({ label: 'a`<img src=x>`b' }), runnerEnv())
    const body = github.issues('octo/app')[0]?.body ?? ''
    expect(body).toContain("keep the `a'<img src=x>'b` label")
  })

  test('never puts the github-token in the issue, even if the error text carries it', async () => {
    await runAlert(workflowInputs({ error: `[store] failed with ${WORKFLOW_TOKEN}` }), runnerEnv())
    const issue = github.issues('octo/app')[0]
    expect(issue?.body).toContain('[store] failed with ***')
    expect(issue?.body).not.toContain(WORKFLOW_TOKEN)
  })

  test('input errors are reported together, before any request', async () => {
    const run = await runAlert({ 'github-token': '', outcome: 'cancelled', repository: 'octo' }, runnerEnv())
    expect(run.failed).toBe(
      "Input error: 'github-token' is empty (its default is the workflow token, ${{ github.token }}); 'repository' must be owner/name, got 'octo'; 'outcome' must be 'success' or 'failure', got 'cancelled'; 'secret-name' is required."
    )
    expect(run.outputs).toEqual({})
    expect(github.server.requests).toEqual([])
  })

  test('a 403 fails the step saying the job needs permissions: issues: write', async () => {
    github.addToken('ghs_plain', { kind: 'github-actions', repositories: ['octo/app'] })
    const run = await runAlert(workflowInputs({ 'github-token': 'ghs_plain' }), runnerEnv())
    expect(run.failed).toMatch(/403 .*The job that runs the alert needs `permissions: issues: write`/)
    expect(run.failed).not.toContain('ghs_plain')
    expect(run.outputs).toEqual({})
  })
})
