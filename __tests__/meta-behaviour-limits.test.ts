// Meta's errors and limits, and GitHub's, as they really behave, over real HTTP: one fix per 190
// subcode, Meta's own words for the person, the 368 policy block, throttling with and without a
// regain estimate, and a github.com fan-out too big for GitHub's hourly write limit.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { checkWriteBudget, WRITES_PER_HOUR } from '../src/github/write-budget.js'
import type { Destination } from '../src/github/destinations.js'
import { actionInputs } from '../src/input-naming.js'
import { RotationError } from '../src/rotation-error.js'
import {
  ADMIN_USER,
  APP_ID,
  BUSINESS,
  FAST,
  REPOS,
  runWithInputs,
  startWorld,
  SYSTEM_USER,
  testClock,
  type RecordedRun,
  type World
} from './support/world.js'

const DAY = 86_400
const ADMIN_SYSTEM_USER = '61550000000088'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.stop()
})

const secretIn = (repo: string, name = 'META_TOKEN') => world.github.secret({ kind: 'repository', repo }, name)?.value
const puts = () => world.github.server.requests.filter((r) => r.method === 'PUT')
const exchanges = () => world.graph.server.requestsTo(/\/oauth\/access_token$/)
const generations = () => world.graph.server.requestsTo(/\/access_tokens$/)
/** Our own clock, to see how long a run waited (never in real time); Meta's clock moves with it. */
const timed = () => {
  const clock = testClock()
  const shared = {
    now: () => clock.now(),
    sleep: async (ms: number) => {
      world.graph.advanceClock(Math.ceil(ms / 1000))
      await clock.sleep(ms)
    }
  }
  return { clock, deps: { ...FAST, clock: shared } }
}

/** A run whose first exchange was throttled: the refresh is tried again once, after a wait under a minute. */
async function refreshedAfterOneShortWait(): Promise<RecordedRun> {
  const { clock, deps } = timed()
  const run = await runWithInputs(world.inputs(), {}, deps)
  expect(run.failed).toBeUndefined()
  expect(exchanges()).toHaveLength(2)
  expect(clock.waitedMs).toBeGreaterThan(0)
  expect(clock.waitedMs).toBeLessThan(60_000)
  return run
}

describe('tokens Meta no longer accepts: one fix per 190 subcode', () => {
  const FIXES = {
    458: /Fix: The app is no longer installed for this user or system user: install it again/,
    459: /Fix: The account is held at a security checkpoint: the person must log in at facebook\.com and clear it/,
    460: /Fix: The session ended \(a changed password, or the person logged out\): the person must log in to the app again/,
    463: /Fix: (The token has expired, and an expired token cannot be refreshed|Generate a new token \(Business settings)/,
    464: /Fix: The account is not confirmed: the person must confirm it at facebook\.com/,
    467: /Fix: The token is invalid or was revoked/
  } as const
  const SUBCODES = [458, 459, 460, 463, 464, 467] as const
  /** A long-lived user token, invalid for the reason `subcode` stands for (463: expired an hour ago). */
  const refusedUserToken = (subcode: (typeof SUBCODES)[number], userId: string) => {
    const token = world.graph.issueToken({
      appId: APP_ID,
      type: 'USER',
      userId,
      scopes: ['business_management'],
      expiresIn: subcode === 463 ? -3600 : 20 * DAY,
      issuedAgo: 40 * DAY
    })
    if (subcode !== 463) world.graph.invalidateToken(token, subcode)
    return token
  }
  const expectOwnFix = (failed: string | undefined, subcode: (typeof SUBCODES)[number]) => {
    expect(failed).toMatch(FIXES[subcode])
    for (const [other, fix] of Object.entries(FIXES)) if (Number(other) !== subcode) expect(failed).not.toMatch(fix)
  }

  test.each(SUBCODES)('subcode %i on the current user token (debug_token): its own fix, at check', async (subcode) => {
    const run = await runWithInputs(world.inputs({ token: refusedUserToken(subcode, '10000000000042') }))

    expect(run.outputs['failed-step']).toBe('check')
    expect(run.failed).toMatch(
      /^\[check\] The current token \('token'\) is (expired|not valid \(Error validating access token: )/
    )
    expectOwnFix(run.failed, subcode)
    expect(exchanges()).toHaveLength(0)
    expect(puts()).toHaveLength(0)
  })

  test.each(SUBCODES)(
    "subcode %i answered to a call (the admin token): its own fix, Meta's words for the person, the fbtrace_id",
    async (subcode) => {
      world.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
      world.graph.addSystemUser({ id: SYSTEM_USER, businessId: BUSINESS, installedAppIds: [APP_ID] })
      const run = await runWithInputs(
        world.inputs({
          strategy: 'generate',
          token: '',
          'system-user-id': SYSTEM_USER,
          'admin-token': refusedUserToken(subcode, ADMIN_USER),
          scopes: 'ads_read'
        })
      )

      expect(run.outputs['failed-step']).toBe('mint')
      expect(run.failed).toMatch(
        new RegExp(
          `^\\[mint\\] Generating a system user token for ${SYSTEM_USER} failed: .*\\(#190/${subcode}, fbtrace_id [\\w-]+\\)\\.`
        )
      )
      expectOwnFix(run.failed, subcode)
      if (subcode === 460) {
        expect(run.failed).toContain(
          'Meta says: "Password Changed: Your password was changed or your session was reset for security reasons. Log into the app again.".'
        )
      } else if (subcode !== 463) {
        expect(run.failed).toMatch(/ Meta says: "[^"]+: [^"]+"\. Fix: /)
      }
      expect(generations()).toHaveLength(1)
      expect(puts()).toHaveLength(0)
    }
  )
})

describe('Meta errors on calls', () => {
  beforeEach(() => {
    world.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
    world.graph.addSystemUser({ id: SYSTEM_USER, businessId: BUSINESS, installedAppIds: [APP_ID] })
    world.graph.addSystemUser({ id: ADMIN_SYSTEM_USER, businessId: BUSINESS, admin: true })
  })
  const generate = (adminToken: string) =>
    world.inputs({
      strategy: 'generate',
      token: '',
      'system-user-id': SYSTEM_USER,
      'admin-token': adminToken,
      scopes: 'ads_read'
    })
  /** An admin system user's token: calls made with it count against the business, whose usage header carries a regain estimate. */
  const adminSystemUserToken = () =>
    world.graph.issueToken({
      appId: APP_ID,
      type: 'SYSTEM_USER',
      userId: ADMIN_SYSTEM_USER,
      scopes: ['business_management'],
      expiresIn: 0
    })

  test("368 is reported as a policy block, in Meta's words, and never retried", async () => {
    world.graph.blockForPolicy({ path: /\/oauth\/access_token$/ })
    const { clock, deps } = timed()
    const run = await runWithInputs(world.inputs(), {}, deps)

    expect(run.outputs['failed-step']).toBe('mint')
    expect(run.failed).toMatch(/\(#368\/1390008, fbtrace_id [\w-]+\)/)
    expect(run.failed).toContain('Meta says: "You\'re Temporarily Blocked: ')
    expect(run.failed).toMatch(
      /Fix: Meta has temporarily blocked this call for policy violations: wait, then re-run later/
    )
    expect(run.failed).not.toMatch(/will not help/)
    expect(exchanges()).toHaveLength(1)
    expect(clock.waitedMs).toBe(0)
    expect(puts()).toHaveLength(0)
    expect(world.graph.isUsable(world.token)).toBe(true)
  })

  test('usage at 100% with a regain estimate: one request, no waiting, and the time to re-run after', async () => {
    world.graph.throttle({ code: 80004, minutes: 45, path: /\/access_tokens$/ })
    const { clock, deps } = timed()
    const run = await runWithInputs(generate(adminSystemUserToken()), {}, deps)

    expect(run.outputs['failed-step']).toBe('mint')
    expect(run.failed).toMatch(/\(#80004\/2446079, fbtrace_id [\w-]+\)/)
    const after = /re-run after (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)/.exec(run.failed as string)?.[1]
    expect(after).toBeDefined()
    expect(Math.abs(Date.parse(after as string) - (Date.now() + 45 * 60_000))).toBeLessThan(90_000)
    expect(run.failed).toContain('says access returns in about 45 minutes')
    expect(generations()).toHaveLength(1)
    expect(clock.waitedMs).toBe(0)
    expect(world.graph.tokensOfApp(APP_ID).filter((t) => t.userId === SYSTEM_USER)).toHaveLength(0)
  })

  test('a business use case throttle with a short regain estimate is waited out on the clock, then retried', async () => {
    world.graph.throttle({ code: 80004, minutes: 1, path: /\/access_tokens$/ })
    const { clock, deps } = timed()
    const run = await runWithInputs(generate(adminSystemUserToken()), {}, deps)

    expect(run.failed).toBeUndefined()
    expect(generations()).toHaveLength(2)
    expect(clock.waitedMs).toBeGreaterThanOrEqual(60_000)
    expect(world.graph.tokensOfApp(APP_ID).filter((t) => t.userId === SYSTEM_USER)).toHaveLength(1)
  })

  test.each([
    [4, 'emulator'],
    [17, 'emulator'],
    [32, 'emulator'],
    [613, 'emulator'],
    [80000, 'emulator'],
    [4, 'bare'],
    [17, 'bare'],
    [32, 'bare'],
    [613, 'bare'],
    [80014, 'bare']
  ] as const)(
    'throttling code %i (%s answer) with a short wait is retried, and the rotation completes',
    async (code, answer) => {
      if (answer === 'emulator') {
        world.graph.throttle({ code, calls: 1, path: /\/oauth\/access_token$/ })
      } else {
        // The code alone decides: is_transient is only a hint, and this answer does not carry it.
        world.graph.server.injectFault({
          method: 'GET',
          path: /\/oauth\/access_token$/,
          fault: {
            kind: 'status',
            status: 400,
            body: {
              error: { message: `(#${code}) Request limit reached`, type: 'OAuthException', code, fbtrace_id: 'AbC1' }
            }
          }
        })
      }
      const run = await refreshedAfterOneShortWait()
      for (const repo of REPOS) expect(secretIn(repo)).toBe(run.outputs.token)
    }
  )
})

describe('usage headers', () => {
  const throttledOnce = (headers: Record<string, string>) =>
    world.graph.server.injectFault({
      method: 'GET',
      path: /\/oauth\/access_token$/,
      fault: {
        kind: 'status',
        status: 400,
        headers,
        body: { error: { message: '(#4) Application request limit reached', type: 'OAuthException', code: 4 } }
      }
    })
  const regain = (minutes: number) => ({
    call_count: 100,
    total_cputime: 100,
    total_time: 100,
    estimated_time_to_regain_access: minutes
  })

  test('estimated_time_to_regain_access is read only in X-Business-Use-Case-Usage: in X-App-Usage or X-Ad-Account-Usage it is not waited for', async () => {
    throttledOnce({
      'x-app-usage': JSON.stringify(regain(50)),
      'x-ad-account-usage': JSON.stringify({ acc_id_util_pct: 100, ...regain(50) })
    })
    await refreshedAfterOneShortWait()
  })

  test('in X-Business-Use-Case-Usage it is waited for', async () => {
    throttledOnce({
      'x-business-use-case-usage': JSON.stringify({ '710000000000001': [{ type: 'ads_management', ...regain(1) }] })
    })
    const { clock, deps } = timed()
    const run = await runWithInputs(world.inputs(), {}, deps)

    expect(run.failed).toBeUndefined()
    expect(clock.waitedMs).toBeGreaterThanOrEqual(60_000)
  })

  test('a run whose answers carry no usage header at all (too few calls for Meta to add them) rotates', async () => {
    world.graph.usageHeadersFromCalls = 1_000
    const run = await runWithInputs(world.inputs())

    expect(run.failed).toBeUndefined()
    expect(world.graph.server.requests.length).toBeGreaterThan(0)
    expect(run.outputs.rotated).toBe('true')
  })
})

describe("GitHub's write budget on github.com", () => {
  /** The client believes it talks to api.github.com; every request goes to the GitHub emulator. */
  const toEmulator = (fetch: typeof globalThis.fetch): typeof globalThis.fetch =>
    ((url: string, init?: RequestInit) => {
      if (!url.startsWith('https://api.github.com/')) throw new Error(`unexpected GitHub URL ${url}`)
      return fetch(url.replace('https://api.github.com', world.github.url), init)
    }) as typeof globalThis.fetch
  const onDotCom = { ...FAST, githubFetch: toEmulator }
  const repositories = (count: number) => Array.from({ length: count }, (_, i) => `octo/service-${i}`).join('\n')

  test('a rotation on api.github.com goes through (every request versioned, as world.stop() checks)', async () => {
    const run = await runWithInputs(world.inputs({ 'github-api-url': 'https://api.github.com' }), {}, onDotCom)

    expect(run.failed).toBeUndefined()
    for (const repo of REPOS) expect(secretIn(repo)).toBe(run.outputs.token)
    expect(world.github.server.requests.length).toBeGreaterThan(0)
  })

  test('a fan-out needing more writes than an hour allows fails before minting, with the numbers and the organization-secret advice', async () => {
    const run = await runWithInputs(
      world.inputs({
        'github-api-url': 'https://api.github.com',
        repositories: repositories(300),
        'previous-secret-name': 'META_TOKEN_PREVIOUS'
      }),
      {},
      onDotCom
    )

    expect(run.outputs['failed-step']).toBe('prepare')
    expect(run.failed).toContain('This run needs 600 writes (300 destinations × 2)')
    expect(run.failed).toContain('about 80 content-creating requests a minute and 500 an hour')
    expect(run.failed).toMatch(
      /Fix: Use one organization secret with visibility: selected \('organization' octo, 'selected-repositories'\)/
    )
    expect(run.failed).toContain('at most 250 repositories each')
    expect(exchanges()).toHaveLength(0)
    expect(world.github.server.requests).toHaveLength(0)
    expect(world.graph.isUsable(world.token)).toBe(true)
  })

  const destinations = (count: number): Destination[] =>
    Array.from({ length: count }, (_, i) => ({
      kind: 'repository',
      secretType: 'actions',
      target: `octo/service-${i}`,
      route: '/repos/{owner}/{repo}/actions/secrets',
      params: { owner: 'octo', repo: `service-${i}` },
      secretName: 'META_TOKEN',
      pages: true
    }))
  const budget = (count: number, perDestination: number, dryRun: boolean, dotCom: boolean) => () =>
    checkWriteBudget({
      destinations: destinations(count),
      writesIn: () => perDestination,
      dryRun,
      githubDotCom: dotCom,
      naming: actionInputs
    })

  test('the limit is the hourly one, counted in writes; a dry run needs one per destination; elsewhere it does not apply', () => {
    expect(budget(WRITES_PER_HOUR, 1, false, true)).not.toThrow()
    expect(budget(WRITES_PER_HOUR + 1, 1, false, true)).toThrow(RotationError)
    expect(budget(251, 2, false, true)).toThrow(/needs 502 writes/)
    expect(budget(251, 2, true, true)).not.toThrow()
    expect(budget(2000, 3, false, false)).not.toThrow()
  })
})
