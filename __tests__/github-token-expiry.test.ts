// The github-token's own expiry, over real HTTP: GitHub tells a PAT's expiry in every answer
// (github-authentication-token-expiration); the summary says when the secrets-writing token dies, and
// the github-token-expires-at output carries it. A PAT expiring in 5 days is a warning (within
// rotate-before, or 14 days when empty) and the failure alert opens its issue after a successful run,
// pointing to GitHub App authentication; a later run with a renewed token closes it. An installation
// token tells no expiry and lives an hour; the header's numeric-zone form reads the same.
import { afterEach, describe, expect, test } from '@jest/globals'
import { runAlertAction } from '../src/alert/alert-action.js'
import { parseTokenExpiration } from '../src/github/token-expiry.js'
import { ALL_PERMISSIONS, emptyRun, recordingIO, runWithInputs, startWorld, type World } from './support/world.js'

let world: World
afterEach(() => world?.stop())

const DAY_MS = 86_400_000
const EXPIRING_PAT = 'github_pat_11AAAAAAA0expires0in0five0days'
const APP_TOKEN = 'ghs_installation0token0of0the0app00000'
const WORKFLOW_TOKEN = 'ghs_workflow0token0with0issues0write'

async function stage(format?: 'utc' | 'offset', days = 5) {
  world = await startWorld({ github: format ? { tokenExpirationHeader: format } : {} })
  const expiresAt = new Date(Math.floor((world.github.now().getTime() + days * DAY_MS) / 1000) * 1000)
  world.github.addToken(EXPIRING_PAT, { permissions: ALL_PERMISSIONS, expiresAt })
  world.github.addToken(APP_TOKEN, { kind: 'app-installation', permissions: ALL_PERMISSIONS })
  world.github.addToken(WORKFLOW_TOKEN, { kind: 'github-actions', permissions: { issues: 'write' } })
  return expiresAt
}

/** The summary without Markdown's escapes. */
const plain = (markdown: string) => markdown.replace(/\\(?=[()[\]*_`#])/g, '')

async function alert(outputs: Record<string, string>, inputs: Record<string, string> = {}) {
  const run = emptyRun()
  const io = recordingIO(
    {
      'github-token': WORKFLOW_TOKEN,
      outcome: 'success',
      'secret-name': 'META_TOKEN',
      'github-token-expires-at': outputs['github-token-expires-at'] ?? '',
      ...inputs
    },
    run
  )
  await runAlertAction(io, { GITHUB_API_URL: world.github.url, GITHUB_REPOSITORY: 'octo/app' }, { githubSecondMs: 2 })
  return run
}

describe('the github-token’s expiry', () => {
  test.each(['utc', 'offset'] as const)(
    'a PAT expiring in 5 days (header written %s): the run succeeds with a warning, the summary and the output say when; the alert opens its issue pointing to GitHub App authentication',
    async (format) => {
      const expiresAt = await stage(format)
      const run = await runWithInputs(world.inputs({ 'github-token': EXPIRING_PAT }))
      expect(run.failed).toBeUndefined()
      expect(run.outputs.rotated).toBe('true')
      expect(run.outputs['github-token-expires-at']).toBe(expiresAt.toISOString())
      const warning = run.log.find((line) => line.startsWith('warning: The github-token')) ?? ''
      expect(warning).toContain(`expires on ${expiresAt.toISOString().slice(0, 10)}`)
      expect(warning).toContain('in 5 days')
      expect(warning).toContain('GitHub App authentication')
      expect(plain(run.summary)).toContain('The github-token that writes the secrets expires on')

      const opened = await alert(run.outputs)
      expect(opened.failed).toBeUndefined()
      expect(opened.outputs.action).toBe('opened')
      const [issue] = world.github.issues('octo/app')
      expect(issue?.body).toContain('was rotated, but the token that writes it is about to expire')
      expect(issue?.body).toContain('`github-token`')
      expect(issue?.body).toContain('GitHub App authentication')
    }
  )

  test('further away than rotate-before (or 14 days): a line in the summary, no warning, no issue; a renewed token closes an open one', async () => {
    await stage('utc', 30)
    const run = await runWithInputs(world.inputs({ 'github-token': EXPIRING_PAT, 'rotate-before': '' }))
    expect(run.log.filter((line) => line.startsWith('warning:'))).toEqual([])
    expect(plain(run.summary)).toMatch(
      /The github-token \(a fine-grained personal access token\) that writes the secrets expires on .* \(in 30 days\)/
    )
    // An issue opened while it was close: the renewed token's run closes it.
    world.github.addIssue('octo/app', {
      title: 'x',
      body: '<!-- meta-token-rotator:secret=META_TOKEN -->',
      labels: ['meta-token-rotation']
    })
    expect((await alert(run.outputs)).outputs.action).toBe('closed')
    // Within a rotate-before of 40 days, the same token is close.
    expect((await alert(run.outputs, { 'warn-before': '40d' })).outputs.action).toBe('opened')
  })

  test('a GitHub App installation token tells no expiry: the summary says it lives an hour; the output is empty', async () => {
    await stage()
    const run = await runWithInputs(world.inputs({ 'github-token': APP_TOKEN }))
    expect(run.failed).toBeUndefined()
    expect(run.outputs['github-token-expires-at']).toBe('')
    expect(plain(run.summary)).toContain('a GitHub App installation token) lives an hour and is minted for each run')
    expect((await alert(run.outputs)).outputs.action).toBe('none')
  })

  test('the alert refuses a github-token-expires-at or warn-before it cannot read', async () => {
    await stage()
    const run = await alert({ 'github-token-expires-at': 'next week' }, { 'warn-before': 'soon' })
    expect(run.failed).toContain("'github-token-expires-at' must be an ISO 8601 time")
    expect(run.failed).toContain("'warn-before' must be a duration")
  })

  test('the header in both forms, and anything else not at all', () => {
    expect(parseTokenExpiration('2026-12-12 10:00:00 UTC')?.toISOString()).toBe('2026-12-12T10:00:00.000Z')
    expect(parseTokenExpiration('2026-12-12 02:00:00 -0800')?.toISOString()).toBe('2026-12-12T10:00:00.000Z')
    expect(parseTokenExpiration('2026-12-12 11:00:00 +01:00')?.toISOString()).toBe('2026-12-12T10:00:00.000Z')
    for (const bad of [
      '',
      'tomorrow',
      '2026-13-45 99:00:00 UTC',
      '2026-12-12',
      '::stop-commands::x',
      '2026-12-12 10:00:00 UTC\n::error::x'
    ])
      expect(parseTokenExpiration(bad)).toBeUndefined()
  })
})
