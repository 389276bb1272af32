// strategy: instagram, over real HTTP: an Instagram Login token (IGAA…) checked with /me, refreshed at
// graph.instagram.com, checked again and stored everywhere, with no app secret and no Graph API call.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { REPOS, runWithInputs, startWorld, type World } from './support/world.js'

const DAY = 86_400
const HOUR = 3600
const ACCOUNT = { userId: '17841400000000001', username: 'acme.shop' }

let world: World
beforeEach(async () => {
  world = await startWorld()
  world.instagram.addAccount(ACCOUNT)
})
afterEach(async () => {
  await world.stop()
})

/** A long-lived Instagram token issued `ago` seconds ago (60 days of life from then). */
const igToken = (ago: number): string => world.instagram.issueToken({ userId: ACCOUNT.userId, issuedAgo: ago })

/** The inputs of an Instagram rotation: no app id, no app secret. */
function instagramInputs(token: string, overrides: Record<string, string> = {}): Record<string, string> {
  const { 'app-id': _id, 'app-secret': _secret, ...rest } = world.inputs()
  return { ...rest, strategy: 'instagram', token, 'instagram-api-url': world.instagram.url, ...overrides }
}

const repoSecret = (repo: string) => world.github.secret({ kind: 'repository', repo }, 'META_TOKEN')

describe('strategy: instagram', () => {
  test('a 10-day-old token is refreshed and stored in two repositories; the old one stays valid; no Graph call, no app secret', async () => {
    const old = igToken(10 * DAY)
    const run = await runWithInputs(instagramInputs(old))

    expect(run.failed).toBeUndefined()
    const fresh = run.outputs.token as string
    expect(fresh).toMatch(/^IGAA/)
    expect(fresh).not.toBe(old)
    for (const repo of REPOS) expect(repoSecret(repo)?.value).toBe(fresh)
    expect(world.instagram.isUsable(fresh)).toBe(true)
    // Nothing to revoke: Instagram has no revoke, and the old token keeps working until it expires.
    expect(world.instagram.isUsable(old)).toBe(true)
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false', 'token-type': 'instagram', scopes: '' })
    const expiresAt = Date.parse(run.outputs['expires-at'] as string)
    expect(expiresAt).toBeGreaterThan(Date.now() + 59 * DAY * 1000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60 * DAY * 1000 + 5000)
    expect(run.summary).toContain('✅ **Rotated:**')
    expect(run.summary).toContain('@acme.shop')
    expect(run.summary).toMatch(/stays valid until it expires: Instagram has no way to revoke a token/)
    // Only Instagram and GitHub were asked; the app secret was never needed.
    expect(world.graph.server.requests).toHaveLength(0)
    const paths = world.instagram.server.requests.map((r) => `${r.method} ${r.path}`)
    expect(paths).toEqual(['GET /me', 'GET /refresh_access_token', 'GET /me'])
    const [check, refresh] = world.instagram.server.requests
    expect(check?.query).toEqual({ fields: 'user_id,username' })
    expect(check?.headers.authorization).toBe(`Bearer ${old}`)
    expect(refresh?.query).toMatchObject({ grant_type: 'ig_refresh_token' })
  })

  test('a 2-hour-old token changes nothing, exits 0 and says when it can be refreshed', async () => {
    const young = igToken(2 * HOUR)
    const run = await runWithInputs(instagramInputs(young))

    expect(run.failed).toBeUndefined()
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expect(run.log.join('\n')).toMatch(
      /only once it is 24 hours old.*can be refreshed by \d{4}-\d\d-\d\d \d\d:\d\d UTC at the latest/s
    )
    expect(run.summary).toContain('⏭️ **Not due:**')
    for (const repo of REPOS) expect(repoSecret(repo)).toBeUndefined()
    expect(world.github.server.requests.filter((r) => r.method !== 'GET')).toHaveLength(0)
  })

  test("when Instagram's refusal says nothing (seen in the wild), a secret written 2 hours ago tells the token's age", async () => {
    world.instagram.refreshRefusal = 'unsupported-request'
    const young = igToken(2 * HOUR)
    for (const repo of REPOS) {
      world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', young)
      world.github.backdateSecret({ kind: 'repository', repo }, 'META_TOKEN', 2 * HOUR)
    }
    const run = await runWithInputs(instagramInputs(young))

    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('false')
    expect(run.log.join('\n')).toMatch(
      /The secret was last written 2 hours ago.*can be refreshed after \d{4}-\d\d-\d\d/s
    )
    for (const repo of REPOS) expect(repoSecret(repo)?.value).toBe(young)
  })

  test('the same unexplained refusal with a secret written days ago is a failure, not a silent skip', async () => {
    world.instagram.refreshRefusal = 'unsupported-request'
    const young = igToken(2 * HOUR)
    for (const repo of REPOS) {
      world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', young)
      world.github.backdateSecret({ kind: 'repository', repo }, 'META_TOKEN', 3 * DAY)
    }
    const run = await runWithInputs(instagramInputs(young))

    expect(run.failed).toMatch(/^\[mint\] Refreshing the Instagram token .*Unsupported request/)
    expect(run.outputs['failed-step']).toBe('mint')
    for (const repo of REPOS) expect(repoSecret(repo)?.value).toBe(young)
  })

  test('an expired token fails before any write, saying the person must log in again', async () => {
    const expired = world.instagram.issueToken({ userId: ACCOUNT.userId, issuedAgo: 61 * DAY, expiresIn: -DAY })
    const run = await runWithInputs(instagramInputs(expired))

    expect(run.failed).toMatch(/^\[check\] Checking the current Instagram token/)
    expect(run.failed).toMatch(/expired or is no longer valid/)
    expect(run.failed).toMatch(/Fix: The person must log in again with Instagram Login/)
    expect(run.outputs).toMatchObject({ rotated: 'false', 'failed-step': 'check' })
    expect(world.github.server.requests).toHaveLength(0)
    expect(world.instagram.server.requestsTo('/refresh_access_token')).toHaveLength(0)
  })

  test('a dry run checks the token and proves write access, and refreshes nothing', async () => {
    const old = igToken(10 * DAY)
    const run = await runWithInputs(instagramInputs(old, { 'dry-run': 'true' }))

    expect(run.failed).toBeUndefined()
    expect(run.outputs).toMatchObject({ rotated: 'false', 'token-type': 'instagram' })
    expect(world.instagram.server.requestsTo('/refresh_access_token')).toHaveLength(0)
    expect(world.github.server.requests.filter((r) => r.method === 'DELETE')).toHaveLength(REPOS.length)
  })

  test('app-id and app-secret are optional; given anyway, they are said to be unused and never sent', async () => {
    const old = igToken(10 * DAY)
    const run = await runWithInputs({
      ...instagramInputs(old),
      'app-id': '1234567890',
      'app-secret': 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    })
    expect(run.failed).toBeUndefined()
    expect(run.log).toContainEqual(
      expect.stringMatching(/^warning: 'app-id' and 'app-secret' are not used with strategy: instagram/)
    )
    for (const request of world.instagram.server.requests) {
      expect(JSON.stringify(request)).not.toContain('a1b2c3d4e5f60718293a4b5c6d7e8f90')
      expect(request.query.appsecret_proof).toBeUndefined()
    }
  })

  // Unverified at Meta, so both answers are tested: whether the old token survives a refresh, and
  // whether the refresh endpoint reads the token from the Authorization header (the action sends it
  // in the query, as documented, so it does not depend on that).
  test.each(['keeps-working', 'stops-working'] as const)(
    'the old token %s after the refresh: every destination ends holding a usable token',
    async (mode) => {
      world.instagram.oldTokenAfterRefresh = mode
      world.instagram.refreshAcceptsBearer = false
      const old = igToken(10 * DAY)
      const run = await runWithInputs(instagramInputs(old))
      expect(run.failed).toBeUndefined()
      for (const repo of REPOS) expect(world.instagram.isUsable(repoSecret(repo)?.value as string)).toBe(true)
      expect(world.instagram.isUsable(old)).toBe(mode === 'keeps-working')
    }
  )
})
