// keep-alive over real HTTP: a scheduled run re-enables the workflow it runs in (the id found from
// GITHUB_WORKFLOW_REF), other events and dry runs leave it alone, and a token without Actions: write
// gets a warning naming the permission and the date GitHub would disable the schedule, never a failure.
import { afterEach, describe, expect, test } from '@jest/globals'
import { ALL_PERMISSIONS, GITHUB_PAT, runWithInputs, startWorld, type World } from './support/world.js'

let world: World
afterEach(() => world?.stop())

const SCHEDULED = {
  GITHUB_EVENT_NAME: 'schedule',
  GITHUB_WORKFLOW_REF: 'octo/site/.github/workflows/rotate.yml@refs/heads/main'
}

async function stage(actions?: 'write' | 'read') {
  world = await startWorld()
  world.github.addRepository('octo/site', { visibility: 'public', pushedDaysAgo: 50 })
  world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, ...(actions ? { actions } : {}) } })
  return world.github.addWorkflow({ repo: 'octo/site', file: 'rotate.yml', state: 'disabled_inactivity' })
}

const enables = () => world.github.server.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/enable'))

describe('keep-alive', () => {
  test('a scheduled run re-enables its own workflow by id, and says so', async () => {
    const workflow = await stage('write')
    const run = await runWithInputs(world.inputs({ 'keep-alive': 'true' }), SCHEDULED)
    expect(run.failed).toBeUndefined()
    expect(enables().map((r) => r.path)).toEqual([`/repos/octo/site/actions/workflows/${workflow.id}/enable`])
    expect(world.github.workflow('octo/site', 'rotate.yml')?.state).toBe('active')
    expect(run.summary).toContain('Keep-alive: re-enabled octo/site/.github/workflows/rotate.yml')
  })

  test.each([
    [
      'a run triggered by workflow_dispatch',
      { 'keep-alive': 'true' },
      { ...SCHEDULED, GITHUB_EVENT_NAME: 'workflow_dispatch' }
    ],
    ['keep-alive false', { 'keep-alive': 'false' }, SCHEDULED],
    ['a dry run', { 'keep-alive': 'true', 'dry-run': 'true' }, SCHEDULED]
  ])('%s enables nothing', async (_, inputs, env) => {
    await stage('write')
    const run = await runWithInputs(world.inputs(inputs), env)
    expect(run.failed).toBeUndefined()
    expect(enables()).toEqual([])
  })

  test('without Actions: write: a warning naming the permission and the date the schedule would stop; the rotation succeeds', async () => {
    await stage('read')
    const run = await runWithInputs(world.inputs({ 'keep-alive': 'true' }), SCHEDULED)
    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    const warning = run.log.find((line) => line.startsWith('warning: keep-alive:')) ?? ''
    expect(warning).toContain("Give 'github-token' 'Actions: Read and write' on octo/site")
    const pushed = Date.parse(world.github.now().toISOString()) - 50 * 86_400_000
    const by = new Date(pushed + 60 * 86_400_000).toISOString().slice(0, 10)
    expect(warning).toContain(`GitHub disables the schedule on ${by}`)
    expect(world.github.workflow('octo/site', 'rotate.yml')?.state).toBe('disabled_inactivity')
  })

  test('a GITHUB_WORKFLOW_REF that names no workflow file: a warning, nothing sent', async () => {
    await stage('write')
    const run = await runWithInputs(world.inputs({ 'keep-alive': 'true' }), {
      ...SCHEDULED,
      GITHUB_WORKFLOW_REF: 'octo/site/../../evil@x'
    })
    expect(run.failed).toBeUndefined()
    expect(run.log).toContain(
      'warning: keep-alive: GITHUB_WORKFLOW_REF does not name a workflow file, so the schedule could not be kept alive.'
    )
    expect(enables()).toEqual([])
  })
})
