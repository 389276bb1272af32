// expiry-variable over real HTTP: after a rotation the variable holds the new token's expiry, after a
// skip the current one's (keeping the last rotation's date), in each destination's scope (repository,
// environment, organization with the secret's visibility); the user's codespaces secret is skipped and
// said; a token without the Variables permission, or a variable that does not read back, is a warning
// naming the destination and the permission, and the rotation still succeeds; a dry run writes nothing
// and says that write access cannot be proven; the value never carries a token.
import { afterEach, describe, expect, test } from '@jest/globals'
import type { VariableScope } from '../emulators/github-emulator.js'
import {
  ALL_PERMISSIONS,
  FAST,
  GITHUB_PAT,
  holdEverywhere,
  runWithInputs,
  startWorld,
  type World
} from './support/world.js'

let world: World
afterEach(() => world?.stop())

const NAME = 'META_TOKEN_EXPIRES_AT'
const VARIABLES = { actions_variables: 'write', organization_actions_variables: 'write' } as const
const APP: VariableScope = { kind: 'repository', repo: 'octo/app' }
const API: VariableScope = { kind: 'repository', repo: 'octo/api' }

async function stage(permissions: Record<string, string> = VARIABLES) {
  world = await startWorld()
  world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, ...permissions } })
}

const record = (scope: VariableScope) =>
  JSON.parse(world.github.variable(scope, NAME)?.value ?? 'null') as Record<string, string | null>
/** The summary without Markdown's escapes. */
const said = (run: { summary: string }) => run.summary.replace(/\\/g, '')
const variableWrites = () =>
  world.github.server.requests.filter((r) => r.method !== 'GET' && r.path.includes('/variables'))

describe('expiry-variable', () => {
  test("after a rotation: the new token's expiry, data access, next due and the rotation's time in every repository; POST where new, PATCH where it exists", async () => {
    await stage()
    world.github.setVariable(API, NAME, 'written by hand')
    const run = await runWithInputs(
      world.inputs({ 'expiry-variable': 'meta_token_expires_at', 'rotate-before': '30d' })
    )
    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    const expiresAt = run.outputs['expires-at']
    for (const scope of [APP, API]) {
      const value = record(scope)
      expect(value).toMatchObject({
        expiresAt,
        dataAccessExpiresAt: null,
        outcome: 'rotated',
        tokenType: 'system-user'
      })
      expect(Date.parse(value.nextDue ?? '')).toBe(Date.parse(expiresAt ?? '') - 30 * 86_400_000)
      expect(Date.parse(value.rotatedAt ?? '')).not.toBeNaN()
      expect(value.rotatedAt).toBe(value.checkedAt)
    }
    expect(variableWrites().map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /repos/octo/app/actions/variables',
      `PATCH /repos/octo/api/actions/variables/${NAME}`
    ])
    expect(said(run)).toContain(`${NAME} holds the new token's expiry in repository octo/app, repository octo/api`)
    // Never a token in it: the leak scan of runWithInputs reads every variable too.
    expect(world.github.variable(APP, NAME)?.value).not.toContain(world.token)
  })

  test("after a skip: the current token's expiry, and the date of the rotation that stored it", async () => {
    await stage()
    const first = await runWithInputs(world.inputs({ 'expiry-variable': NAME, 'rotate-before': '30d' }))
    expect(first.outputs.rotated).toBe('true')
    const rotatedAt = record(APP).rotatedAt
    const skip = await runWithInputs({
      ...world.inputs({ 'expiry-variable': NAME, 'rotate-before': '30d' }),
      token: first.result?.newToken ?? ''
    })
    expect(skip.failed).toBeUndefined()
    expect(skip.result?.skipped).toBe(true)
    const value = record(APP)
    expect(value).toMatchObject({ expiresAt: first.outputs['expires-at'], outcome: 'skipped', rotatedAt })
    expect(said(skip)).toContain(`${NAME} holds the current token's expiry`)
  })

  test('a skip with the 20-day token of the world: its own expiry; no earlier record: rotatedAt null', async () => {
    await stage()
    // A skip reads the destinations: they hold the world's token.
    holdEverywhere(world)
    const run = await runWithInputs(world.inputs({ 'expiry-variable': NAME, 'rotate-before': '7d' }))
    expect(run.result?.skipped).toBe(true)
    expect(record(APP)).toMatchObject({ expiresAt: run.outputs['expires-at'], outcome: 'skipped', rotatedAt: null })
  })

  test("beside each destination: an environment's and an organization's variable (with the secret's visibility and repositories); the user's codespaces secret has none, and the summary says so", async () => {
    await stage({ ...VARIABLES, environments: 'write', codespaces_user_secrets: 'write' })
    const run = await runWithInputs(
      world.inputs({
        'expiry-variable': NAME,
        repositories: '',
        'secret-name': '',
        destinations: [
          'environment octo/app production as META_TOKEN',
          'organization octo visibility=selected repositories=app,api as META_TOKEN',
          'codespaces user repositories=octo/api as META_TOKEN'
        ].join('\n')
      })
    )
    expect(run.failed).toBeUndefined()
    const expiresAt = run.outputs['expires-at']
    expect(record({ kind: 'environment', repo: 'octo/app', environment: 'production' })).toMatchObject({ expiresAt })
    const org = world.github.variable({ kind: 'organization', org: 'octo' }, NAME)
    expect(org?.visibility).toBe('selected')
    expect(org?.selectedRepositoryIds).toHaveLength(2)
    expect(world.github.variable(APP, NAME)).toBeUndefined()
    expect(said(run)).toContain("the codespaces secret of the github-token's user has no variables")
  })

  test('without the Variables permission: a warning naming the destination and the permission; the rotation succeeds and is revoked as ever', async () => {
    await stage({})
    const run = await runWithInputs(world.inputs({ 'expiry-variable': NAME }))
    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    expect(run.outputs.revoked).toBe('true')
    const warnings = run.log.filter((line) => line.startsWith('warning: ') && line.includes('expiry-variable'))
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toContain('repository octo/app')
    expect(warnings[0]).toContain("'Variables: Read and write' (actions_variables")
    expect(warnings[0]).toContain('The token is stored and the rotation is complete')
    expect(said(run)).toContain(`${NAME} could not be written in repository octo/app, repository octo/api`)
  })

  test('a variable that keeps reading back as before (a replica that lags for good): a warning naming it', async () => {
    await stage()
    world.github.setVariable(APP, NAME, 'old')
    // Once the secret is written (and lags no more), every read of a variable after its write shows what was there before.
    world.github.onSecretWritten(() => {
      world.github.staleReadsAfterWrite = 50
    })
    const run = await runWithInputs(world.inputs({ 'expiry-variable': NAME, repositories: 'octo/app' }))
    world.github.staleReadsAfterWrite = 0
    expect(run.failed).toBeUndefined()
    expect(run.log.join('\n')).toMatch(
      /META_TOKEN_EXPIRES_AT in the repository octo\/app .* does not read back as written/
    )
  })

  test('a failed run writes no record and says so', async () => {
    await stage()
    world.github.addToken(GITHUB_PAT, { permissions: { ...VARIABLES, metadata: 'read' } })
    const run = await runWithInputs(world.inputs({ 'expiry-variable': NAME }))
    expect(run.failed).toBeDefined()
    expect(variableWrites()).toEqual([])
    expect(said(run)).toContain(`${NAME} was not written, because the run failed`)
  })

  test('a dry run writes nothing and says write access cannot be proven without writing', async () => {
    await stage()
    const run = await runWithInputs(world.inputs({ 'expiry-variable': NAME, 'dry-run': 'true' }))
    expect(run.failed).toBeUndefined()
    expect(variableWrites()).toEqual([])
    expect(said(run)).toContain('GitHub has no request that proves a token may write a variable without writing one')
  })

  test('a dry run with a token that cannot even read the variables: a warning naming the permission', async () => {
    await stage({})
    const run = await runWithInputs(world.inputs({ 'expiry-variable': NAME, 'dry-run': 'true' }))
    expect(run.failed).toBeUndefined()
    expect(run.log.join('\n')).toContain('could not read the variable in the repository octo/app')
  })

  test('a host that answers 409 to every POST of the variable and 404 to every PATCH: one of each, a warning, and the rotation stands', async () => {
    await stage()
    const refused: string[] = []
    const contrary =
      (fetch: typeof globalThis.fetch): typeof globalThis.fetch =>
      async (input, init) => {
        const url = String(input instanceof Request ? input.url : input)
        const method = init?.method ?? 'GET'
        const status = { POST: 409, PATCH: 404 }[method]
        if (!url.includes('/actions/variables') || status === undefined) return fetch(input, init)
        refused.push(`${method} ${new URL(url).pathname}`)
        return new Response(JSON.stringify({ message: status === 409 ? 'Already exists' : 'Not Found' }), {
          status,
          headers: { 'content-type': 'application/json' }
        })
      }
    const run = await runWithInputs(world.inputs({ 'expiry-variable': NAME }), {}, { ...FAST, githubFetch: contrary })
    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    // Each repository: the POST (no variable yet; the retry plugin tries a 409 again within its budget),
    // then the one PATCH it falls back on, and no more.
    const count = (line: string) => refused.filter((r) => r === line).length
    for (const repo of ['octo/app', 'octo/api']) {
      expect(count(`PATCH /repos/${repo}/actions/variables/${NAME}`)).toBe(1)
      expect(count(`POST /repos/${repo}/actions/variables`)).toBeGreaterThanOrEqual(1)
      expect(count(`POST /repos/${repo}/actions/variables`)).toBeLessThanOrEqual(4)
    }
    expect(run.log.join('\n')).toMatch(/could not write the variable in the repository octo\/app/)
  })
})
