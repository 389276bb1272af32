// The core rotation over real HTTP: refresh a token, store it in two repositories, revoke the old one.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  APP_SECRET,
  backdate,
  GITHUB_PAT,
  leakedSecrets,
  REPOS,
  runWithInputs,
  startWorld,
  type World,
  holdEverywhere
} from './support/world.js'
import { record, type TimedRequest } from './support/timeline.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.stop()
})

const repoSecret = (repo: string, name = 'META_TOKEN') => world.github.secret({ kind: 'repository', repo }, name)

describe('refreshing a system user token', () => {
  test('stores the new token in every repository, confirms it, then revokes the old one', async () => {
    const run = await runWithInputs(world.inputs())

    expect(run.failed).toBeUndefined()
    const fresh = run.outputs.token as string
    expect(fresh).toMatch(/^EAA/)
    expect(fresh).not.toBe(world.token)
    for (const repo of REPOS) expect(repoSecret(repo)?.value).toBe(fresh)
    expect(world.graph.isUsable(fresh)).toBe(true)
    expect(world.graph.token(world.token)?.revoked).toBe(true)
    expect(run.outputs).toMatchObject({
      rotated: 'true',
      revoked: 'true',
      'token-type': 'system-user',
      scopes: 'ads_read,business_management'
    })
    expect(Date.parse(run.outputs['expires-at'] as string)).toBeGreaterThan(Date.now() + 59 * 86_400_000)
    expect(JSON.parse(run.outputs.secrets as string)).toEqual(
      REPOS.map((target) => ({
        kind: 'repository',
        type: 'actions',
        target,
        name: 'META_TOKEN',
        status: 'created',
        holds: 'new'
      }))
    )
    expect(run.summary).toContain('✅ **Rotated:**')
    expect(run.summary).toContain('the replaced token')
  })

  test('uses GET for the oauth calls and debug_token, with an appsecret_proof, and keeps tokens out of debug_token URLs', async () => {
    await runWithInputs(world.inputs())
    const graphCalls = world.graph.server.requests
    for (const path of [/oauth\/access_token$/, /oauth\/revoke$/, /debug_token$/]) {
      const calls = graphCalls.filter((r) => path.test(r.path))
      expect(calls.length).toBeGreaterThan(0)
      for (const call of calls) expect(call.method).toBe('GET')
    }
    const exchange = world.graph.server.requestsTo(/oauth\/access_token$/)[0]
    expect(exchange?.query).toMatchObject({ grant_type: 'fb_exchange_token', set_token_expires_in_60_days: 'true' })
    for (const debug of world.graph.server.requestsTo(/debug_token$/)) {
      expect(debug.query.access_token).toBeUndefined()
      expect(debug.headers.authorization).toMatch(/^Bearer /)
      expect(debug.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/)
    }
  })

  test('revokes only after both writes were read back', async () => {
    const timeline = record(world)
    await runWithInputs(world.inputs())
    const step = (r: TimedRequest): string => `${r.api} ${r.method} ${r.path.replace(/^\/v[\d.]+\//, '/')}`
    const order = timeline.map(step)
    const revoke = order.indexOf('graph GET /oauth/revoke')
    expect(revoke).toBeGreaterThan(0)
    for (const repo of REPOS) {
      const secret = `/repos/${repo}/actions/secrets/META_TOKEN`
      const put = order.indexOf(`github PUT ${secret}`)
      const readBack = order.indexOf(`github GET ${secret}`)
      expect(put).toBeGreaterThan(-1)
      expect(readBack).toBeGreaterThan(put)
      expect(revoke).toBeGreaterThan(readBack)
    }
    // Nothing after the revocation.
    expect(order.at(-1)).toBe('graph GET /oauth/revoke')
  })

  test('masks every secret before any request and prints none of them', async () => {
    const run = await runWithInputs(world.inputs())
    const fresh = run.outputs.token as string
    for (const secret of [APP_SECRET, world.token, GITHUB_PAT, fresh]) expect(run.masks).toContain(secret)
    expect(leakedSecrets(run, [APP_SECRET, world.token, GITHUB_PAT, fresh])).toEqual([])
  })

  test('the next rotation updates the secrets (204) and revokes the token the previous one stored', async () => {
    const first = await runWithInputs(world.inputs())
    backdate(world.graph, first.outputs.token as string, 7 * 86_400) // a week later
    const second = await runWithInputs(world.inputs({ token: first.outputs.token as string }))
    expect(second.failed).toBeUndefined()
    expect((JSON.parse(second.outputs.secrets as string) as Array<{ status: string }>).map((s) => s.status)).toEqual([
      'updated',
      'updated'
    ])
    expect(world.graph.token(first.outputs.token as string)?.revoked).toBe(true)
    expect(repoSecret('octo/app')?.value).toBe(second.outputs.token)
  })
})

describe('when nothing must be revoked', () => {
  test('a refresh that hands back the same string revokes nothing', async () => {
    world.graph.exchangeReturnsSameToken = true
    const run = await runWithInputs(world.inputs())
    expect(run.failed).toBeUndefined()
    expect(run.outputs.token).toBe(world.token)
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false' })
    expect(world.graph.server.requestsTo(/oauth\/revoke$/)).toHaveLength(0)
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(repoSecret('octo/app')?.value).toBe(world.token)
  })

  test('a long-lived user token is refreshed without the system-user flag and never revoked', async () => {
    const userToken = world.issue('USER', { scopes: ['pages_show_list'] })
    const run = await runWithInputs(world.inputs({ token: userToken }))
    expect(run.failed).toBeUndefined()
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false', 'token-type': 'user' })
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)[0]?.query.set_token_expires_in_60_days).toBeUndefined()
    expect(world.graph.server.requestsTo(/oauth\/revoke$/)).toHaveLength(0)
    expect(run.summary).toContain('cannot revoke')
  })

  test('revoke: false stores the token and leaves the old one alive', async () => {
    const run = await runWithInputs(world.inputs({ revoke: 'false' }))
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false' })
    expect(world.graph.isUsable(world.token)).toBe(true)
  })
})

describe('rotate-before and dry-run', () => {
  test('skips when the token expires further away than rotate-before, after checking it', async () => {
    holdEverywhere(world)
    const run = await runWithInputs(world.inputs({ 'rotate-before': '14d' }))
    expect(run.failed).toBeUndefined()
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expect(Date.parse(run.outputs['expires-at'] as string)).toBe(world.graph.token(world.token)!.expiresAt * 1000)
    expect(world.graph.server.requestsTo(/debug_token$/)).toHaveLength(1)
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(0)
    // A skip reads when each destination's secret was written (it must be able to hold the token), nothing more.
    expect(world.github.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      REPOS.map((repo) => `GET /repos/${repo}/actions/secrets/META_TOKEN`)
    )
    expect(run.summary).toContain('Not due')
  })

  test('rotates when the token expires within rotate-before', async () => {
    const run = await runWithInputs(world.inputs({ 'rotate-before': '21d' }))
    expect(run.outputs.rotated).toBe('true')
  })

  test('a never-expiring token is further away than any threshold', async () => {
    holdEverywhere(world)
    const permanent = world.issue('SYSTEM_USER', { expiresIn: 0 })
    const run = await runWithInputs(world.inputs({ token: permanent, 'rotate-before': '365d' }))
    expect(run.outputs).toMatchObject({ rotated: 'false', 'expires-at': 'never' })
  })

  test('an expired token is an error, never a skip', async () => {
    const soon = world.issue('SYSTEM_USER', { expiresIn: 60 })
    world.graph.advanceClock(120)
    const run = await runWithInputs(world.inputs({ token: soon, 'rotate-before': '14d' }))
    expect(run.failed).toMatch(/\[check\] The current token \('token'\) is expired/)
    expect(run.outputs.rotated).toBe('false')
  })

  test('dry-run checks the token and every public key, and mints, writes and revokes nothing', async () => {
    const run = await runWithInputs(world.inputs({ 'dry-run': 'true' }))
    expect(run.failed).toBeUndefined()
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expect(world.graph.server.requestsTo(/oauth/)).toHaveLength(0)
    // The only writes are the write-access checks: a DELETE of a secret that does not exist.
    const writes = world.github.server.requests.filter((r) => r.method !== 'GET')
    expect(writes.map((r) => r.method)).toEqual(['DELETE', 'DELETE'])
    for (const write of writes) expect(write.path).toMatch(/\/actions\/secrets\/META_ROTATOR_PROBE_[0-9A-F]{24}$/)
    for (const repo of REPOS) expect(repoSecret(repo)).toBeUndefined()
    expect(world.github.server.requestsTo(/public-key$/)).toHaveLength(2)
    expect((JSON.parse(run.outputs.secrets as string) as Array<{ status: string }>).map((s) => s.status)).toEqual([
      'checked',
      'checked'
    ])
    expect(run.summary).toContain('Dry run')
  })
})

describe('the concurrency guard', () => {
  test('a run given a token minted moments ago (by an overlapping run) stores its own but leaves that token alive', async () => {
    const first = await runWithInputs(world.inputs())
    const justMinted = first.outputs.token as string
    const second = await runWithInputs(world.inputs({ token: justMinted }))

    expect(second.failed).toBeUndefined()
    expect(second.outputs).toMatchObject({ rotated: 'true', revoked: 'false' })
    expect(world.graph.isUsable(justMinted)).toBe(true)
    expect(repoSecret('octo/app')?.value).toBe(second.outputs.token)
    expect(second.summary).toContain('perhaps by another rotation of this secret that is still storing it')
    expect(second.log.join('\n')).toMatch(/warning: Not revoking the replaced token/)
  })

  test("two runs started from the same token at once: every destination ends with a working token, neither run revokes the other's", async () => {
    world.github.server.latencyMs = 20
    const [a, b] = await Promise.all([runWithInputs(world.inputs()), runWithInputs(world.inputs())])
    const minted = [a.outputs.token, b.outputs.token].filter(Boolean) as string[]
    for (const token of minted) expect(world.graph.isUsable(token)).toBe(true)
    for (const repo of REPOS) expect(world.graph.isUsable(repoSecret(repo)?.value as string)).toBe(true)
    expect(world.graph.token(world.token)?.revoked).toBe(true)
  })

  test('revoke: true revokes a fresh token anyway (the leaked-token case)', async () => {
    const first = await runWithInputs(world.inputs())
    const leaked = first.outputs.token as string
    const second = await runWithInputs(world.inputs({ token: leaked, revoke: 'true' }))
    expect(second.outputs.revoked).toBe('true')
    expect(world.graph.token(leaked)?.revoked).toBe(true)
  })
})
