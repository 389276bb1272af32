// deploy-workflows over real HTTP against the emulators: the old token is revoked only after every
// deploy run succeeded, and each run's job saw the new token; a failed, never-started or slow run
// stops the rotation at step deploy with nothing revoked and both tokens valid; what GitHub lets us
// know before minting (no Actions: write, no workflow_dispatch, a wrong ref, a disabled workflow) fails
// the run before anything is minted. Time is injected: the runs progress on GitHub's clock, which the
// run's waits move on.
import { afterEach, describe, expect, test } from '@jest/globals'
import type { Permission, PermissionName, RunScenario, WorkflowSpec } from '../emulators/github-emulator.js'
import { linkedClock } from './support/linked-clock.js'
import { tap } from './support/timeline.js'
import { ALL_PERMISSIONS, FAST, GITHUB_PAT, runWithInputs, startWorld, type World } from './support/world.js'

let world: World
afterEach(() => world?.stop())

const ENV = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'octo/app' }
const APP_SECRET_OF = (repo: string) => ({ scope: { kind: 'repository' as const, repo }, name: 'META_TOKEN' })

async function stage(
  workflows: Array<Partial<WorkflowSpec> & { repo: string; file: string }>,
  permissions: Partial<Record<PermissionName, Permission>> = { actions: 'write', contents: 'read' }
) {
  world = await startWorld()
  world.github.addRepository('octo/site')
  world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, ...permissions } })
  for (const repo of ['octo/app', 'octo/api']) {
    world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', world.token)
    world.github.backdateSecret({ kind: 'repository', repo }, 'META_TOKEN', 40 * 86_400)
  }
  for (const spec of workflows) world.github.addWorkflow({ reads: APP_SECRET_OF(spec.repo), ...spec })
  return { ...FAST, clock: linkedClock(world.github) }
}

const run = (inputs: Record<string, string>, tuning: typeof FAST) => runWithInputs(world.inputs(inputs), ENV, tuning)

describe('deploy-workflows', () => {
  test('two deploy runs: the old token is revoked only after both succeeded, and each run saw the new token', async () => {
    const tuning = await stage([
      { repo: 'octo/app', file: 'deploy.yml' },
      { repo: 'octo/api', file: 'release.yml', refs: ['main', 'v2'], runMs: 5 * 60_000 }
    ])
    const atRevoke: string[][] = []
    tap(world.graph.server, (r) => {
      if (r.path.endsWith('/oauth/revoke')) atRevoke.push(world.github.runs().map((x) => `${x.status} ${x.conclusion}`))
    })
    const result = await run(
      { 'deploy-workflows': '.github/workflows/deploy.yml\nocto/api/.github/workflows/release.yml@v2' },
      tuning
    )
    expect(result.failed).toBeUndefined()
    expect(result.outputs.revoked).toBe('true')
    const runs = world.github.runs()
    expect(runs.map((r) => [r.repo, r.ref, r.conclusion])).toEqual([
      ['octo/app', 'main', 'success'],
      ['octo/api', 'v2', 'success']
    ])
    expect(runs.map((r) => r.saw)).toEqual([result.outputs.token, result.outputs.token])
    expect(atRevoke).toEqual([['completed success', 'completed success']])
    expect(world.graph.token(world.token)?.revoked).toBe(true)
    const deployments = JSON.parse(result.outputs.deployments ?? '') as Array<Record<string, unknown>>
    expect(deployments).toEqual([
      {
        workflow: 'octo/app/.github/workflows/deploy.yml@main',
        repository: 'octo/app',
        ref: 'main',
        id: runs[0]?.id,
        url: `https://github.com/octo/app/actions/runs/${runs[0]?.id}`,
        status: 'completed',
        conclusion: 'success'
      },
      expect.objectContaining({ workflow: 'octo/api/.github/workflows/release.yml@v2', conclusion: 'success' })
    ])
    expect(result.summary).toContain('### Deploys')
    expect(result.summary).toContain(`[run ${runs[1]?.id}](https://github.com/octo/api/actions/runs/${runs[1]?.id})`)
    // Polling backed off: a 5-minute run is followed with far fewer polls than one every 5 s.
    const polls = world.github.server.requests.filter((r) => r.method === 'GET' && r.path.includes('/actions/runs/'))
    expect(polls.length).toBeLessThan(30)
  })

  test.each<[RunScenario, string]>([
    ['failure', 'concluded failure'],
    ['cancelled', 'concluded cancelled'],
    ['never-started', 'still queued (it never started) after 30 minutes'],
    ['slow', 'still in progress after 30 minutes']
  ])(
    'a run that goes %s: exit non-zero at deploy, nothing revoked, both tokens valid, the run linked',
    async (scenario, said) => {
      const tuning = await stage([
        { repo: 'octo/app', file: 'deploy.yml' },
        { repo: 'octo/api', file: 'deploy.yml', scenario }
      ])
      const result = await run(
        { 'deploy-workflows': 'octo/app/.github/workflows/deploy.yml, octo/api/.github/workflows/deploy.yml' },
        tuning
      )
      expect(result.outputs['failed-step']).toBe('deploy')
      expect(result.outputs.revoked).toBe('false')
      expect(result.outputs.rotated).toBe('true')
      expect(world.graph.isUsable(world.token)).toBe(true)
      expect(world.graph.isUsable(result.outputs.token ?? '')).toBe(true)
      const bad = world.github.runs('octo/api')[0]
      expect(result.failed).toContain(
        `octo/api/.github/workflows/deploy.yml@main: https://github.com/octo/api/actions/runs/${bad?.id}: ${said}`
      )
      expect(result.failed).toMatch(/the old token stays valid until \d{4}-\d\d-\d\d/)
      expect(result.summary).toContain(`[run ${bad?.id}](https://github.com/octo/api/actions/runs/${bad?.id})`)
      expect(result.summary).toContain('Failed at step `deploy`')
      // A consumer that deployed holds the new token; none holds a revoked one.
      for (const r of world.github.runs()) if (r.saw) expect(world.graph.isUsable(r.saw)).toBe(true)
      if (scenario === 'never-started' || scenario === 'slow') {
        // The wait ended at deploy-timeout on the runner's clock, not earlier and not much later.
        expect(tuning.clock.waitedMs).toBeGreaterThanOrEqual(30 * 60_000 - 10_000)
        expect(tuning.clock.waitedMs).toBeLessThan(32 * 60_000)
      }
    }
  )

  test('deploy-timeout bounds the wait: 5m against a 45-minute deploy', async () => {
    const tuning = await stage([{ repo: 'octo/app', file: 'deploy.yml', scenario: 'slow' }])
    const result = await run({ 'deploy-workflows': '.github/workflows/deploy.yml', 'deploy-timeout': '5m' }, tuning)
    expect(result.outputs['failed-step']).toBe('deploy')
    expect(result.failed).toContain("still in progress after 5 minutes ('deploy-timeout')")
    expect(tuning.clock.waitedMs).toBeLessThan(6 * 60_000)
  })

  test.each<
    [
      string,
      Array<Partial<WorkflowSpec> & { repo: string; file: string }>,
      string,
      string,
      Record<string, string> | undefined
    ]
  >([
    [
      'a token without Actions: write',
      [{ repo: 'octo/app', file: 'deploy.yml' }],
      '.github/workflows/deploy.yml',
      "'github-token' may not dispatch it (GitHub answered 403",
      { actions: 'read', contents: 'read' }
    ],
    [
      'a workflow without workflow_dispatch',
      [{ repo: 'octo/app', file: 'deploy.yml', dispatchable: false }],
      '.github/workflows/deploy.yml',
      'has no workflow_dispatch trigger',
      undefined
    ],
    [
      'a wrong ref',
      [{ repo: 'octo/app', file: 'deploy.yml' }],
      '.github/workflows/deploy.yml@relase',
      "octo/app has no branch or tag 'relase'",
      undefined
    ],
    [
      'a disabled workflow',
      [{ repo: 'octo/app', file: 'deploy.yml', state: 'disabled_inactivity' }],
      '.github/workflows/deploy.yml',
      'the workflow is disabled inactivity',
      undefined
    ],
    [
      'an unknown workflow',
      [],
      'octo/app/.github/workflows/nope.yml',
      'GitHub knows no workflow .github/workflows/nope.yml in octo/app',
      undefined
    ]
  ])(
    '%s: a clear error naming the workflow, before anything is minted (and in the dry run)',
    async (_, workflows, input, said, permissions) => {
      for (const dryRun of ['false', 'true']) {
        const tuning = await stage(workflows, permissions)
        const tokensBefore = world.graph.allTokens().length
        const result = await run({ 'deploy-workflows': input, 'dry-run': dryRun }, tuning)
        expect(result.outputs['failed-step']).toBe('deploy')
        expect(result.failed).toContain('nothing was minted, written or revoked')
        expect(result.failed).toContain(said)
        expect(result.failed).toMatch(/octo\/app\/\.github\/workflows\/\w+\.yml@\w+: /)
        expect(result.failed).toContain(' Fix: ')
        expect(world.graph.allTokens()).toHaveLength(tokensBefore)
        expect(world.github.secret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN')?.value).toBe(world.token)
        expect(world.github.runs()).toEqual([])
        await world.stop()
      }
    }
  )

  test('the dry run proves each workflow exists, is active, declares workflow_dispatch at its ref and may be dispatched, starting no run', async () => {
    const tuning = await stage([{ repo: 'octo/app', file: 'deploy.yml' }])
    const result = await run({ 'deploy-workflows': '.github/workflows/deploy.yml', 'dry-run': 'true' }, tuning)
    expect(result.failed).toBeUndefined()
    expect(world.github.runs()).toEqual([])
    const [deployment] = JSON.parse(result.outputs.deployments ?? '') as Array<{ status: string; proven: string[] }>
    expect(deployment).toEqual(
      expect.objectContaining({
        status: 'checked',
        proven: [
          'exists and is active',
          'declares workflow_dispatch at main',
          "'github-token' may dispatch it (Actions: write)"
        ]
      })
    )
    expect(result.summary).toContain('### Deploys')
  })

  test('a deploy token that cannot read the workflow file: the dry run says what it could not prove', async () => {
    const tuning = await stage([{ repo: 'octo/app', file: 'deploy.yml' }], { actions: 'write' })
    const result = await run({ 'deploy-workflows': '.github/workflows/deploy.yml', 'dry-run': 'true' }, tuning)
    expect(result.failed).toBeUndefined()
    const [deployment] = JSON.parse(result.outputs.deployments ?? '') as Array<{ unproven: string[] }>
    expect(deployment?.unproven).toEqual([
      expect.stringContaining('the workflow_dispatch trigger and the ref (the file could not be read')
    ])
  })

  test('a host that answers the dispatch 204 without run details: nothing revoked, said plainly', async () => {
    const tuning = await stage([{ repo: 'octo/app', file: 'deploy.yml' }])
    world.github.dispatchAnswers = 'no-content'
    const result = await run({ 'deploy-workflows': '.github/workflows/deploy.yml' }, tuning)
    expect(result.outputs['failed-step']).toBe('deploy')
    expect(result.outputs.revoked).toBe('false')
    expect(result.failed).toContain('answered 204 without the run')
    expect(world.graph.isUsable(world.token)).toBe(true)
  })

  test('revoke: after-deploy stores and confirms everything and revokes nothing, saying the finish action does it', async () => {
    const tuning = await stage([{ repo: 'octo/app', file: 'deploy.yml' }])
    const result = await run({ 'deploy-workflows': '.github/workflows/deploy.yml', revoke: 'after-deploy' }, tuning)
    expect(result.failed).toBeUndefined()
    expect(result.outputs.revoked).toBe('false')
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(world.github.runs()[0]?.saw).toBe(result.outputs.token)
    expect(result.summary).toContain('finish action')
  })
})
