// The GitHub emulator's workflows and runs: what GitHub checks on a dispatch, how a run goes on
// GitHub's clock, which secret value its job saw, and every answer's shape against GitHub's own
// OpenAPI description (@octokit/openapi: the response schemas, not only the request bodies).
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import type { GitHubEmulator } from '../../emulators/github-emulator.js'
import { api, startGitHub, TOKEN } from './github-api.js'
import { responseShapes, type ResponseShape } from './openapi-responses.js'

type Json = Record<string, unknown>
let expectShape: ResponseShape

beforeAll(async () => {
  expectShape = await responseShapes()
})

let github: GitHubEmulator
afterEach(async () => {
  await github.stop()
  expect(github.openApiViolations).toEqual([])
})

const DISPATCH = '/repos/octo/app/actions/workflows/deploy.yml/dispatches'

async function world() {
  github = await startGitHub()
  github.addToken(TOKEN, { permissions: { secrets: 'write', actions: 'write', contents: 'read' } })
  github.addToken('github_pat_reader', { permissions: { actions: 'read', contents: 'read' } })
  github.setSecret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN', 'old-value')
  return api(github)
}

describe('workflows and runs', () => {
  test('a dispatch with return_run_details answers 200 with the run, which goes queued → in_progress → completed on GitHub’s clock and saw the secret as it was when its job started', async () => {
    const { call } = await world()
    github.addWorkflow({
      repo: 'octo/app',
      file: 'deploy.yml',
      reads: { scope: { kind: 'repository', repo: 'octo/app' }, name: 'META_TOKEN' }
    })
    const workflow = await call('GET', '/repos/octo/app/actions/workflows/deploy.yml')
    expect(workflow.status).toBe(200)
    expect(workflow.body.state).toBe('active')
    expectShape(workflow.body, '/repos/{owner}/{repo}/actions/workflows/{workflow_id}', 'get', '200')

    const dispatched = await call('POST', DISPATCH, { body: { ref: 'main', return_run_details: true } })
    expect(dispatched.status).toBe(200)
    expectShape(dispatched.body, '/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', 'post', '200')
    const id = Number(dispatched.body.workflow_run_id)
    const runPath = `/repos/octo/app/actions/runs/${id}`

    const queued = await call('GET', runPath)
    expect([queued.body.status, queued.body.conclusion]).toEqual(['queued', null])
    expectShape(queued.body, '/repos/{owner}/{repo}/actions/runs/{run_id}', 'get', '200')

    github.advanceClock(5_000)
    const started = await call('GET', runPath)
    expect(started.body.status).toBe('in_progress')
    // Written after the job started: the run keeps what it read.
    github.setSecret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN', 'new-value')
    github.advanceClock(60_000)
    const done = await call('GET', runPath)
    expect([done.body.status, done.body.conclusion]).toEqual(['completed', 'success'])
    expectShape(done.body, '/repos/{owner}/{repo}/actions/runs/{run_id}', 'get', '200')
    expect(github.runs('octo/app').map((r) => r.saw)).toEqual(['old-value'])
  })

  test.each([
    ['failure', 'failure'],
    ['cancelled', 'cancelled'],
    ['slow', 'success']
  ] as const)('scenario %s concludes %s', async (scenario, conclusion) => {
    const { call } = await world()
    github.addWorkflow({ repo: 'octo/app', file: 'deploy.yml', scenario })
    await call('POST', DISPATCH, { body: { ref: 'main' } })
    github.advanceClock(5_000 + 60_000)
    const [run] = github.runs()
    expect(run?.status).toBe(scenario === 'slow' ? 'in_progress' : 'completed')
    github.advanceClock(45 * 60_000)
    expect([github.runs()[0]?.status, github.runs()[0]?.conclusion]).toEqual(['completed', conclusion])
  })

  test('never-started stays queued and its job reads nothing', async () => {
    const { call } = await world()
    github.addWorkflow({
      repo: 'octo/app',
      file: 'deploy.yml',
      scenario: 'never-started',
      reads: { scope: { kind: 'repository', repo: 'octo/app' }, name: 'META_TOKEN' }
    })
    await call('POST', DISPATCH, { body: { ref: 'main' } })
    github.advanceClock(24 * 3_600_000)
    expect(github.runs().map((r) => [r.status, r.saw])).toEqual([['queued', undefined]])
  })

  test('without return_run_details, or on a host from before it, a dispatch answers 204 with no body', async () => {
    const { call } = await world()
    github.addWorkflow({ repo: 'octo/app', file: 'deploy.yml' })
    expect((await call('POST', DISPATCH, { body: { ref: 'main' } })).status).toBe(204)
    github.dispatchAnswers = 'no-content'
    expect((await call('POST', DISPATCH, { body: { ref: 'main', return_run_details: true } })).status).toBe(204)
    expect(github.runs()).toHaveLength(2)
  })

  test('GitHub’s refusals: disabled, no workflow_dispatch trigger, unknown ref, inputs, unknown workflow, no Actions: write, no ref at all', async () => {
    const { call } = await world()
    github.addWorkflow({ repo: 'octo/app', file: 'deploy.yml', state: 'disabled_inactivity' })
    github.addWorkflow({ repo: 'octo/app', file: 'push-only.yml', dispatchable: false })
    github.addWorkflow({ repo: 'octo/app', file: 'typed.yml', inputs: { version: { required: true } } })
    const dispatch = (file: string, body: unknown, token?: string) =>
      call('POST', `/repos/octo/app/actions/workflows/${file}/dispatches`, { body, token })
    const said = async (reply: Promise<{ status: number; body: Json }>) => {
      const { status, body } = await reply
      return [status, body.message]
    }
    expect(await said(dispatch('deploy.yml', { ref: 'main' }))).toEqual([
      422,
      "Cannot trigger a 'workflow_dispatch' on a disabled workflow"
    ])
    expect(await said(dispatch('push-only.yml', { ref: 'main' }))).toEqual([
      422,
      "Workflow does not have 'workflow_dispatch' trigger"
    ])
    expect(await said(dispatch('typed.yml', { ref: 'nope' }))).toEqual([422, 'No ref found for: nope'])
    expect(await said(dispatch('typed.yml', { ref: 'main' }))).toEqual([422, "Required input 'version' not provided"])
    expect(await said(dispatch('typed.yml', { ref: 'main', inputs: { version: '1', extra: 'x' } }))).toEqual([
      422,
      'Unexpected inputs provided: ["extra"]'
    ])
    expect(await said(dispatch('missing.yml', { ref: 'main' }))).toEqual([404, 'Not Found'])
    const denied = await dispatch('typed.yml', { ref: 'main', inputs: { version: '1' } }, 'github_pat_reader')
    expect([denied.status, denied.headers.get('x-accepted-github-permissions')]).toEqual([403, 'actions=write'])
    // The request body schema: `ref` is required.
    expect((await dispatch('typed.yml', { inputs: { version: '1' } })).status).toBe(422)
    github.openApiViolations.length = 0
    expect(github.runs()).toEqual([])
  })

  test('PUT …/enable makes a disabled workflow active again and is recorded; the reader token may not', async () => {
    const { call } = await world()
    const workflow = github.addWorkflow({ repo: 'octo/app', file: 'rotate.yml', state: 'disabled_inactivity' })
    const path = `/repos/octo/app/actions/workflows/${workflow.id}/enable`
    expect((await call('PUT', path, { token: 'github_pat_reader' })).status).toBe(403)
    expect((await call('PUT', path)).status).toBe(204)
    expect(github.workflow('octo/app', 'rotate.yml')?.state).toBe('active')
    expect(github.workflow('octo/app', 'rotate.yml')?.enabledAt).toHaveLength(1)
  })

  test('the contents API serves the workflow file at a ref (the triggers readable), 404 at a ref that does not exist', async () => {
    const { call } = await world()
    github.addWorkflow({ repo: 'octo/app', file: 'deploy.yml', refs: ['main', 'v2'] })
    github.addWorkflow({ repo: 'octo/app', file: 'push-only.yml', dispatchable: false })
    const file = await call('GET', '/repos/octo/app/contents/.github%2Fworkflows%2Fdeploy.yml?ref=v2')
    expect(file.status).toBe(200)
    expectShape(file.body, '/repos/{owner}/{repo}/contents/{path}', 'get', '200')
    expect(Buffer.from(String(file.body.content), 'base64').toString()).toContain('workflow_dispatch:')
    const pushOnly = await call('GET', '/repos/octo/app/contents/.github%2Fworkflows%2Fpush-only.yml')
    // Named in a comment only: a reader must look at the triggers, not for the word.
    expect(Buffer.from(String(pushOnly.body.content), 'base64').toString()).not.toMatch(/^\s*workflow_dispatch:/m)
    const wrongRef = await call('GET', '/repos/octo/app/contents/.github%2Fworkflows%2Fdeploy.yml?ref=nope')
    expect([wrongRef.status, wrongRef.body.message]).toEqual([404, 'No commit found for the ref nope'])
  })

  test('a repository says its default branch, visibility and last push', async () => {
    github = await startGitHub()
    github.addRepository('octo/site', { visibility: 'public', defaultBranch: 'trunk', pushedDaysAgo: 50 })
    const { call } = api(github)
    const repo = await call('GET', '/repos/octo/site')
    expect([repo.body.default_branch, repo.body.private, repo.body.visibility]).toEqual(['trunk', false, 'public'])
    const days = (Date.now() - Date.parse(String(repo.body.pushed_at))) / 86_400_000
    expect(Math.round(days)).toBe(50)
  })
})
