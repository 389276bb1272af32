// One refresh, every destination (over real HTTP): a repository secret, two environments of one
// repository, an organization secret with selected repositories, a Dependabot secret and the user's
// Codespaces secret in one run, refreshed once, each read back, revoked once; a failure in one
// environment leaves nothing revoked and the summary says which destination holds which token; a
// malformed line stops the run before anything is minted.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { SecretScope, SecretType } from '../emulators/github-emulator.js'
import {
  ALL_PERMISSIONS,
  GITHUB_PAT,
  leakedSecrets,
  APP_SECRET,
  runWithInputs,
  startWorld,
  type RecordedRun,
  type World
} from './support/world.js'
import { record } from './support/timeline.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
  world.github.addEnvironment('octo/app', 'staging')
  world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, codespaces_user_secrets: 'write' } })
})
afterEach(async () => {
  await world.stop()
})

const MIXED = [
  'repo octo/app',
  'environment octo/app production',
  'environment octo/app staging as META_TOKEN_STAGING',
  '# the organization secret serves both repositories',
  'organization octo visibility=selected repositories=app,api',
  'dependabot octo/app',
  'codespaces user repositories=octo/api'
].join('\n')

/** Where each line of MIXED puts the token, as the emulator holds it. */
const PLACES: Array<[SecretScope, string, SecretType]> = [
  [{ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN', 'actions'],
  [{ kind: 'environment', repo: 'octo/app', environment: 'production' }, 'META_TOKEN', 'actions'],
  [{ kind: 'environment', repo: 'octo/app', environment: 'staging' }, 'META_TOKEN_STAGING', 'actions'],
  [{ kind: 'organization', org: 'octo' }, 'META_TOKEN', 'actions'],
  [{ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN', 'dependabot'],
  [{ kind: 'user' }, 'META_TOKEN', 'codespaces']
]

const rotate = (overrides: Record<string, string> = {}) =>
  runWithInputs(world.inputs({ repositories: '', destinations: MIXED, ...overrides }))

interface Listed {
  kind: string
  type: string
  target: string
  environment?: string
  name: string
  status: string
  holds?: string
}
const secretsOf = (run: RecordedRun): Listed[] => JSON.parse(run.outputs.secrets as string) as Listed[]
const exchanges = () => world.graph.server.requestsTo(/oauth\/access_token$/)
const revokes = () => world.graph.server.requestsTo(/oauth\/revoke$/)

describe('one run, every kind of destination', () => {
  test('refreshes once, writes and reads back each destination, revokes once', async () => {
    const order = record(world)
    const run = await rotate()

    expect(run.failed).toBeUndefined()
    const fresh = run.outputs.token as string
    expect(fresh).toMatch(/^EAA/)
    for (const [scope, name, type] of PLACES) expect(world.github.secret(scope, name, type)?.value).toBe(fresh)
    expect(world.github.selectedRepositories('octo', 'META_TOKEN')?.sort()).toEqual(['octo/api', 'octo/app'])
    expect(exchanges()).toHaveLength(1)
    expect(revokes()).toHaveLength(1)
    expect(world.graph.token(world.token)?.revoked).toBe(true)
    expect(world.graph.isUsable(fresh)).toBe(true)

    // Each write was read back before the one revoke.
    const revokedAt = order.findIndex((r) => /oauth\/revoke$/.test(r.path))
    for (const path of [
      '/repos/octo/app/actions/secrets/META_TOKEN',
      '/repos/octo/app/environments/production/secrets/META_TOKEN',
      '/repos/octo/app/environments/staging/secrets/META_TOKEN_STAGING',
      '/orgs/octo/actions/secrets/META_TOKEN',
      '/repos/octo/app/dependabot/secrets/META_TOKEN',
      '/user/codespaces/secrets/META_TOKEN'
    ]) {
      const put = order.findIndex((r) => r.method === 'PUT' && r.path === path)
      const readBack = order.findLastIndex((r) => r.method === 'GET' && r.path === path)
      expect(put).toBeGreaterThanOrEqual(0)
      expect(readBack).toBeGreaterThan(put)
      expect(revokedAt).toBeGreaterThan(readBack)
    }

    expect(secretsOf(run)).toEqual([
      { kind: 'repository', type: 'actions', target: 'octo/app', name: 'META_TOKEN', status: 'created', holds: 'new' },
      {
        kind: 'environment',
        type: 'actions',
        target: 'octo/app',
        environment: 'production',
        name: 'META_TOKEN',
        status: 'created',
        holds: 'new'
      },
      {
        kind: 'environment',
        type: 'actions',
        target: 'octo/app',
        environment: 'staging',
        name: 'META_TOKEN_STAGING',
        status: 'created',
        holds: 'new'
      },
      {
        kind: 'organization',
        type: 'actions',
        target: 'octo',
        name: 'META_TOKEN',
        status: 'created',
        addedRepositories: ['app', 'api'],
        holds: 'new'
      },
      {
        kind: 'repository',
        type: 'dependabot',
        target: 'octo/app',
        name: 'META_TOKEN',
        status: 'created',
        holds: 'new'
      },
      {
        kind: 'user',
        type: 'codespaces',
        target: 'user',
        name: 'META_TOKEN',
        status: 'created',
        addedRepositories: ['octo/api'],
        holds: 'new'
      }
    ])
    expect(run.summary).toContain('✅ **Rotated:** the new token is stored and confirmed in all 6 destinations')
    expect(leakedSecrets(run, [fresh, world.token, APP_SECRET, GITHUB_PAT])).toEqual([])
  })

  test("the user's codespaces secret keeps the repositories it serves and gains the listed ones", async () => {
    const first = await rotate({ destinations: 'codespaces user repositories=octo/app' })
    expect(first.failed).toBeUndefined()
    const again = await rotate({
      destinations: 'codespaces user repositories=octo/api',
      token: first.outputs.token as string
    })
    expect(again.failed).toBeUndefined()
    const ids = world.github.secret({ kind: 'user' }, 'META_TOKEN', 'codespaces')?.selectedRepositoryIds ?? []
    expect(ids).toHaveLength(2)
    expect(secretsOf(again)[0]).toMatchObject({ status: 'updated', addedRepositories: ['octo/api'] })
  })
})

describe('one destination fails', () => {
  test('a refused environment: nothing revoked, each destination said to hold the new or the old token', async () => {
    world.github.server.injectFault({
      path: /\/repos\/octo\/app\/environments\/staging\/secrets\/META_TOKEN_STAGING$/,
      method: 'PUT',
      fault: { kind: 'status', status: 422, body: { message: 'Invalid request.' } }
    })
    const run = await rotate()

    expect(run.outputs['failed-step']).toBe('store')
    expect(run.failed).toMatch(/1 of 6 secret writes failed/)
    expect(run.failed).toMatch(/META_TOKEN_STAGING in octo\/app \(staging\)/)
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false' })
    const fresh = run.outputs.token as string
    expect(revokes()).toHaveLength(0)
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(world.graph.isUsable(fresh)).toBe(true)
    expect(world.github.secret(PLACES[2]![0], 'META_TOKEN_STAGING')).toBeUndefined()

    const holds = secretsOf(run).map((s) => [s.environment ?? s.target, s.name, s.status, s.holds])
    expect(holds).toEqual([
      ['octo/app', 'META_TOKEN', 'created', 'new'],
      ['production', 'META_TOKEN', 'created', 'new'],
      ['staging', 'META_TOKEN_STAGING', 'failed', 'old'],
      ['octo', 'META_TOKEN', 'created', 'new'],
      ['octo/app', 'META_TOKEN', 'created', 'new'],
      ['user', 'META_TOKEN', 'created', 'new']
    ])
    expect(run.summary).toContain('| Destination | Secret | Result | Holds now | Fix |')
    const row = (where: RegExp) =>
      run.summary
        .split('\n')
        .find((line) => where.test(line))
        ?.split(' | ')
    expect(row(/^\| environment 'staging' secret in octo\/app/)?.[3]).toBe('old')
    expect(row(/^\| environment 'production' secret in octo\/app/)?.[3]).toBe('new')
    expect(run.summary).toContain(
      '❌ **Rotation failed:** some destinations hold the new token; the old token was not revoked.'
    )
  })

  test('a malformed line fails before anything is minted or written, naming the line', async () => {
    const run = await rotate({ destinations: `${MIXED}\nenvironment octo/app` })

    expect(run.outputs['failed-step']).toBe('inputs')
    expect(run.failed).toMatch(
      /'destinations': line 8: is incomplete: the form is 'environment OWNER\/REPO ENVIRONMENT'/
    )
    expect(exchanges()).toHaveLength(0)
    expect(world.github.server.requests).toHaveLength(0)
  })
})

describe('the write budget counts every destination', () => {
  test('more writes than an hour allows on github.com, counted line by line, stops before minting', async () => {
    // Not github.com, so the budget is reached through the pure check: each line's grace slot counts.
    const { checkWriteBudget } = await import('../src/github/write-budget.js')
    const { parseDestinations } = await import('../src/github/destinations-input.js')
    const lines = Array.from({ length: 250 }, (_, i) => `repo octo/r${i}${i % 2 === 0 ? ' previous=OLD' : ''}`)
    const destinations = parseDestinations(lines.join('\n'), { secretName: 'META_TOKEN' }, () => undefined)
    const { cliFlags } = await import('../src/input-naming.js')
    const plan = (extra: number) => () =>
      checkWriteBudget({
        destinations,
        writesIn: (d) => 1 + (d.previousSecretName ? 1 : 0) + (d.pages ? extra : 0),
        dryRun: false,
        githubDotCom: true,
        naming: cliFlags
      })
    expect(plan(0)).not.toThrow()
    expect(plan(1)).toThrow(/This run needs 625 writes \(250 destinations with 2 to 3 writes each\)/)
  })
})
