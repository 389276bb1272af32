// Meta's tokens as they really behave, over real HTTP against the Graph emulator: scopes newer than
// our list, user tokens Meta does not extend, the data-access window, asset grants a new token may
// lose, and pages reached only through a Business Manager role. Each switch the emulator offers for
// behaviour Meta does not document (userTokenExchange, systemUserRefreshTargets) is run both ways.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { GranularScope } from '../emulators/graph-emulator.js'
import { dateText } from '../src/token-checks.js'
import {
  ADMIN_USER,
  APP_ID,
  BUSINESS,
  REPOS,
  runWithInputs,
  startWorld,
  SYSTEM_USER,
  type RecordedRun,
  type World,
  holdEverywhere
} from './support/world.js'

const DAY = 86_400
const PERSON = '10000000000042'
const PAGE_A = '200000000000001'
const PAGE_B = '200000000000002'
const PAGE_C = '200000000000003'
const WABA_1 = '300000000000001'
const WABA_2 = '300000000000002'

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
const expiryOf = (token: string) => new Date((world.graph.token(token)?.expiresAt ?? 0) * 1000)
const dataAccessOf = (token: string) => new Date((world.graph.token(token)?.dataAccessExpiresAt ?? 0) * 1000)
const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z')

/** Both repositories already hold `token`, as they do when its rotation comes due. */
function seedSecrets(token: string): void {
  for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', token)
}

/** The run stopped at `step`, with a fix, and every secret still holds `token`, which still works. */
function expectStoppedKeeping(run: RecordedRun, step: string, token: string): string {
  expect(run.outputs['failed-step']).toBe(step)
  expect(run.failed).toMatch(new RegExp(`^\\[${step}\\] .* Fix: \\S`, 's'))
  expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
  expect(puts()).toHaveLength(0)
  for (const repo of REPOS) expect(secretIn(repo)).toBe(token)
  expect(world.graph.isUsable(token)).toBe(true)
  return run.failed as string
}

describe('scopes', () => {
  beforeEach(() => {
    world.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
    world.graph.addSystemUser({ id: SYSTEM_USER, businessId: BUSINESS, installedAppIds: [APP_ID] })
  })
  const generate = (scopes: string) =>
    world.inputs({
      strategy: 'generate',
      token: '',
      'system-user-id': SYSTEM_USER,
      'admin-token': world.graph.issueToken({
        appId: APP_ID,
        type: 'USER',
        userId: ADMIN_USER,
        scopes: ['business_management']
      }),
      scopes
    })
  const minted = () => world.graph.tokensOfApp(APP_ID).filter((t) => t.userId === SYSTEM_USER)

  test('a scope newer than the list known here generates, stored everywhere, with only a warning', async () => {
    const run = await runWithInputs(generate('whatsapp_business_messaging,whatsapp_business_manage_events'))

    expect(run.failed).toBeUndefined()
    const warnings = run.log.filter((line) => line.startsWith('warning: '))
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: 'scopes': 'whatsapp_business_manage_events' is not in the list .*added recently/)
    ])
    const fresh = run.outputs.token as string
    expect(world.graph.token(fresh)?.scopes).toContain('whatsapp_business_manage_events')
    for (const repo of REPOS) expect(secretIn(repo)).toBe(fresh)
    expect(run.outputs.scopes).toBe('whatsapp_business_messaging,whatsapp_business_manage_events')
  })

  test("a scope that does not exist: Meta's refusal is reported at mint, naming it, and nothing is minted or written", async () => {
    const run = await runWithInputs(generate('ads_read,whatsapp_business_teleport'))

    expect(run.log).toContainEqual(expect.stringMatching(/^warning: 'scopes': 'whatsapp_business_teleport'/))
    expect(run.outputs['failed-step']).toBe('mint')
    expect(run.failed).toMatch(
      /^\[mint\] Generating a system user token .*whatsapp_business_teleport.*\(#100, fbtrace_id/
    )
    expect(run.failed).toMatch(/Fix: Meta does not know a permission named in 'scopes'/)
    expect(minted()).toHaveLength(0)
    expect(puts()).toHaveLength(0)
  })
})

describe('user tokens', () => {
  /** A long-lived user token issued 40 days ago: 20 days left, data access (by default) 50 days. */
  const userToken = (dataAccessExpiresIn?: number) =>
    world.graph.issueToken({
      appId: APP_ID,
      type: 'USER',
      userId: PERSON,
      scopes: ['pages_show_list', 'pages_manage_posts'],
      expiresIn: 20 * DAY,
      issuedAgo: 40 * DAY,
      ...(dataAccessExpiresIn === undefined ? {} : { dataAccessExpiresIn })
    })

  test("userTokenExchange 'extends': rotates; the new output and the summary give the end of data access", async () => {
    world.graph.userTokenExchange = 'extends'
    const old = userToken(20 * DAY) // beyond the 14 days that apply when rotate-before is empty
    seedSecrets(old)
    const run = await runWithInputs(world.inputs({ token: old }))

    expect(run.failed).toBeUndefined()
    const fresh = run.outputs.token as string
    for (const repo of REPOS) expect(secretIn(repo)).toBe(fresh)
    expect(expiryOf(fresh).getTime()).toBeGreaterThan(Date.now() + 59 * DAY * 1000)
    expect(run.outputs).toMatchObject({
      rotated: 'true',
      revoked: 'false',
      'token-type': 'user',
      'data-access-expires-at': iso(dataAccessOf(old))
    })
    expect(run.summary).toContain(`**Data access ends:** ${dateText(dataAccessOf(old))}`)
    expect(world.graph.isUsable(old)).toBe(true)
  })

  test("userTokenExchange 'keeps-expiry': fails at mint saying a person must log in, by when and how; every secret keeps a working token; after the login it extends again", async () => {
    world.graph.userTokenExchange = 'keeps-expiry'
    const old = userToken()
    seedSecrets(old)
    const run = await runWithInputs(world.inputs({ token: old }))

    const failed = expectStoppedKeeping(run, 'mint', old)
    const by = dateText(expiryOf(old))
    expect(failed).toContain(`Meta did not extend the user token: the refreshed token still expires on ${by}`)
    expect(failed).toContain(`A person must log in to the app again before ${by}`)
    expect(failed).toMatch(/the app's Facebook Login, or in the Graph API Explorer/)
    expect(exchanges()).toHaveLength(1)

    world.graph.userLogsIn(PERSON)
    const next = await runWithInputs(world.inputs({ token: old }))
    expect(next.failed).toBeUndefined()
    const fresh = next.outputs.token as string
    for (const repo of REPOS) expect(secretIn(repo)).toBe(fresh)
    expect(expiryOf(fresh).getTime()).toBeGreaterThan(Date.now() + 59 * DAY * 1000)
    // The login opened a new 90-day data-access window.
    expect(Date.parse(next.outputs['data-access-expires-at'] as string)).toBeGreaterThan(Date.now() + 89 * DAY * 1000)
  })

  test('a refresh that hands back an earlier expiry is the same failure: a person must log in again', async () => {
    const old = userToken()
    seedSecrets(old)
    const shorter = world.graph.issueToken({ appId: APP_ID, type: 'USER', userId: PERSON, expiresIn: 10 * DAY })
    world.graph.server.injectFault({
      method: 'GET',
      path: /\/oauth\/access_token$/,
      fault: {
        kind: 'status',
        status: 200,
        body: { access_token: shorter, token_type: 'bearer', expires_in: 10 * DAY }
      }
    })
    const run = await runWithInputs(world.inputs({ token: old }))

    const failed = expectStoppedKeeping(run, 'mint', old)
    expect(failed).toContain(`the refreshed token still expires on ${dateText(expiryOf(shorter))}`)
    expect(failed).toContain(`A person must log in to the app again before ${dateText(expiryOf(shorter))}`)
  })

  test('data access ending within rotate-before fails even on a run that would skip: login message and date, nothing minted or written', async () => {
    const old = userToken(5 * DAY)
    seedSecrets(old)
    // 20 days left is further away than 10d: without the data-access check this run would skip.
    const run = await runWithInputs(world.inputs({ token: old, 'rotate-before': '10d' }))

    const failed = expectStoppedKeeping(run, 'check', old)
    const ends = dateText(dataAccessOf(old))
    expect(failed).toContain(`The user token's data access ends on ${ends} (in `)
    expect(failed).toContain(`A person must log in to the app again before ${ends}`)
    expect(exchanges()).toHaveLength(0)
    expect(run.outputs['data-access-expires-at']).toBe(iso(dataAccessOf(old)))
    expect(run.summary).toContain(`**Data access ends:** ${ends}`)
  })

  test('the window is rotate-before when set: data access 12 days away with rotate-before 10d is a plain skip', async () => {
    holdEverywhere(world)
    const old = userToken(12 * DAY)
    const run = await runWithInputs(world.inputs({ token: old, 'rotate-before': '10d' }))

    expect(run.failed).toBeUndefined()
    expect(run.result?.skipped).toBe(true)
    expect(run.outputs).toMatchObject({ rotated: 'false', 'data-access-expires-at': iso(dataAccessOf(old)) })
    expect(exchanges()).toHaveLength(0)
  })

  test('with rotate-before empty the window is 14 days: data access 10 days away fails at check', async () => {
    const old = userToken(10 * DAY)
    seedSecrets(old)
    const run = await runWithInputs(world.inputs({ token: old }))

    expectStoppedKeeping(run, 'check', old)
    expect(run.failed).toContain(`data access ends on ${dateText(dataAccessOf(old))}`)
    expect(exchanges()).toHaveLength(0)
  })

  test('a system user token has no data-access window: the output is empty, the summary silent, even if Meta sent a date', async () => {
    // Meta's examples show 0 for system users; were it a date, it would still not be a person's data access.
    const record = world.graph.token(world.token)
    if (record) record.dataAccessExpiresAt = world.graph.now() + 5 * DAY
    const run = await runWithInputs(world.inputs())

    expect(run.failed).toBeUndefined()
    expect(run.outputs).toMatchObject({ rotated: 'true', 'token-type': 'system-user', 'data-access-expires-at': '' })
    expect(run.summary).not.toContain('Data access')
  })
})

describe('asset continuity (require-same-assets)', () => {
  const SCOPES = ['pages_manage_posts', 'whatsapp_business_messaging']
  let adminToken: string
  beforeEach(() => {
    world.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
    world.graph.addSystemUser({
      id: SYSTEM_USER,
      businessId: BUSINESS,
      installedAppIds: [APP_ID],
      assets: [
        { id: PAGE_A, kind: 'page' },
        { id: PAGE_B, kind: 'page' },
        { id: WABA_1, kind: 'whatsapp_business_account' }
      ]
    })
    adminToken = world.graph.issueToken({
      appId: APP_ID,
      type: 'USER',
      userId: ADMIN_USER,
      scopes: ['business_management']
    })
  })

  /** The system user's current token, generated when it was assigned these grants. */
  const oldToken = (granularScopes: GranularScope[], scopes = SCOPES) =>
    world.graph.issueToken({
      appId: APP_ID,
      type: 'SYSTEM_USER',
      userId: SYSTEM_USER,
      scopes,
      granularScopes,
      expiresIn: 20 * DAY,
      issuedAgo: 40 * DAY
    })
  const ALL_ASSETS: GranularScope[] = [
    { scope: 'pages_manage_posts', targetIds: [PAGE_A, PAGE_B] },
    { scope: 'whatsapp_business_messaging', targetIds: [WABA_1] }
  ]
  const generate = (old: string, overrides: Record<string, string> = {}) =>
    world.inputs({
      strategy: 'generate',
      token: old,
      'system-user-id': SYSTEM_USER,
      'admin-token': adminToken,
      scopes: SCOPES.join(','),
      ...overrides
    })
  /** Tokens of the system user other than `old`: the ones this run minted. */
  const mintedBesides = (old: string) =>
    world.graph.tokensOfApp(APP_ID).filter((t) => t.userId === SYSTEM_USER && t.value !== old)

  test('a generated token that lost a page stops before any write, names the page, revokes the new token and keeps the old one', async () => {
    const old = oldToken(ALL_ASSETS)
    seedSecrets(old)
    world.graph.unassignAsset(SYSTEM_USER, PAGE_B)
    const run = await runWithInputs(generate(old))

    const failed = expectStoppedKeeping(run, 'verify', old)
    expect(failed).toContain(`does not reach what the replaced token reached: pages_manage_posts: ${PAGE_B}.`)
    expect(failed).not.toContain(PAGE_A)
    expect(failed).toMatch(/Fix: Assign the assets to system user 61550000000077 again/)
    const minted = mintedBesides(old)
    expect(minted).toHaveLength(1)
    expect(minted[0]?.revoked).toBe(true)
  })

  test('losing every page of a kind (the new grant lists no target_ids) is a loss too, naming each page', async () => {
    const old = oldToken(ALL_ASSETS)
    seedSecrets(old)
    world.graph.unassignAsset(SYSTEM_USER, PAGE_A)
    world.graph.unassignAsset(SYSTEM_USER, PAGE_B)
    const run = await runWithInputs(generate(old))

    const failed = expectStoppedKeeping(run, 'verify', old)
    expect(failed).toContain(`pages_manage_posts: ${PAGE_A}, ${PAGE_B}`)
    expect(mintedBesides(old)[0]?.revoked).toBe(true)
  })

  test('a generated token that keeps every asset (and gains one) completes, and the old token is revoked', async () => {
    const old = oldToken(ALL_ASSETS)
    world.graph.assignAsset(SYSTEM_USER, { id: PAGE_C, kind: 'page' })
    const run = await runWithInputs(generate(old))

    expect(run.failed).toBeUndefined()
    const fresh = run.outputs.token as string
    for (const repo of REPOS) expect(secretIn(repo)).toBe(fresh)
    expect(world.graph.token(fresh)?.granularScopes).toContainEqual({
      scope: 'pages_manage_posts',
      targetIds: [PAGE_A, PAGE_B, PAGE_C]
    })
    expect(world.graph.token(old)?.revoked).toBe(true)
    expect(run.outputs.revoked).toBe('true')
  })

  test('an old grant without target_ids and a new one with them: nothing is lost', async () => {
    const old = oldToken([{ scope: 'pages_manage_posts' }, { scope: 'whatsapp_business_messaging' }])
    const run = await runWithInputs(generate(old))

    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
  })

  test('require-same-assets: false reports the lost page (summary note and warning) and completes', async () => {
    const old = oldToken(ALL_ASSETS)
    world.graph.unassignAsset(SYSTEM_USER, PAGE_B)
    const run = await runWithInputs(generate(old, { 'require-same-assets': 'false' }))

    expect(run.failed).toBeUndefined()
    const fresh = run.outputs.token as string
    for (const repo of REPOS) expect(secretIn(repo)).toBe(fresh)
    expect(run.log).toContainEqual(
      `warning: The new token does not reach what the replaced token reached: pages_manage_posts: ${PAGE_B}.`
    )
    const summary = run.summary.replace(/\\(.)/g, '$1') // Markdown escapes
    expect(summary).toMatch(
      new RegExp(
        `### Notes\\n\\n- The new token does not reach .*pages_manage_posts: ${PAGE_B}\\. Stored anyway \\(require-same-assets: false\\)`
      )
    )
  })

  describe.each([
    ['snapshots', 'stops at verify naming the lost WhatsApp Business account'],
    ['copies', 'rotates: the refreshed token keeps the old targets']
  ] as const)("refresh with systemUserRefreshTargets '%s' after a WABA was unassigned", (mode, outcome) => {
    test(outcome, async () => {
      world.graph.systemUserRefreshTargets = mode
      world.graph.assignAsset(SYSTEM_USER, { id: WABA_2, kind: 'whatsapp_business_account' })
      const old = oldToken(
        [{ scope: 'whatsapp_business_management', targetIds: [WABA_1, WABA_2] }],
        ['whatsapp_business_management']
      )
      seedSecrets(old)
      world.graph.unassignAsset(SYSTEM_USER, WABA_2)
      const run = await runWithInputs(world.inputs({ token: old }))

      if (mode === 'copies') {
        expect(run.failed).toBeUndefined()
        expect(world.graph.token(old)?.revoked).toBe(true)
        return
      }
      const failed = expectStoppedKeeping(run, 'verify', old)
      expect(failed).toContain(`whatsapp_business_management: ${WABA_2}.`)
      expect(failed).not.toContain(WABA_1)
      expect(failed).toMatch(/Fix: Assign the assets to system user 61550000000077 again/)
      const minted = mintedBesides(old)
      expect(minted).toHaveLength(1)
      expect(minted[0]?.revoked).toBe(true)
    })
  })
})

describe('page tokens', () => {
  const BM = '720000000000001'
  const DIRECT = '400000000000001'
  const HELD = '400000000000002'
  const ELSEWHERE = '400000000000003'
  let user: string
  beforeEach(() => {
    world.graph.addBusiness({ id: BM, adminUserIds: [ADMIN_USER], employeeUserIds: [PERSON] })
    world.graph.addBusiness({ id: '720000000000002', adminUserIds: ['10000000000007'] })
    world.graph.addPage({ id: DIRECT, name: 'Shop', managerUserIds: [PERSON] })
    world.graph.addPage({ id: HELD, name: 'Held by the business', businessId: BM })
    world.graph.addPage({ id: ELSEWHERE, name: 'Someone else', businessId: '720000000000002' })
    user = world.graph.issueToken({
      appId: APP_ID,
      type: 'USER',
      userId: PERSON,
      scopes: ['pages_show_list', 'pages_manage_posts'],
      expiresIn: 20 * DAY,
      issuedAgo: 40 * DAY
    })
  })

  test('a page reached only through a Business Manager role gets its token from GET /{page-id}; the user token travels as Bearer only', async () => {
    const run = await runWithInputs(
      world.inputs({ token: user, 'page-secrets': `${DIRECT}=DIRECT_PAGE_TOKEN\n${HELD}=HELD_PAGE_TOKEN` })
    )

    expect(run.failed).toBeUndefined()
    for (const [pageId, name] of [
      [DIRECT, 'DIRECT_PAGE_TOKEN'],
      [HELD, 'HELD_PAGE_TOKEN']
    ] as const) {
      const stored = secretIn('octo/app', name) as string
      expect(world.graph.token(stored)).toMatchObject({ type: 'PAGE', pageId, userId: PERSON, expiresAt: 0 })
      expect(secretIn('octo/api', name)).toBe(stored)
    }
    const fresh = run.outputs.token as string
    // Checked with the current token (ids only) before the refresh, then read with the new one.
    const accounts = world.graph.server.requestsTo(/\/me\/accounts$/)
    const pageCalls = world.graph.server.requestsTo(new RegExp(`/${HELD}$`))
    for (const calls of [accounts, pageCalls]) {
      expect(calls.map((c) => [c.headers.authorization, c.query.fields])).toEqual([
        [`Bearer ${user}`, 'id'],
        [`Bearer ${fresh}`, expect.stringContaining('access_token')]
      ])
    }
    for (const call of [...accounts, ...pageCalls]) {
      expect(call.method).toBe('GET')
      expect(call.query.access_token).toBeUndefined()
      expect(Object.values(call.query).join(' ')).not.toMatch(new RegExp(`${user}|${fresh}`))
    }
  })

  test('a page the user cannot reach at all is named at check, before a new user token is made (none could be revoked)', async () => {
    seedSecrets(user)
    const run = await runWithInputs(
      world.inputs({ token: user, 'page-secrets': `${HELD}=HELD_PAGE_TOKEN\n${ELSEWHERE}=OTHER_PAGE_TOKEN` })
    )

    const failed = expectStoppedKeeping(run, 'check', user)
    expect(failed).toContain(
      `User ${PERSON} cannot reach page ${ELSEWHERE} (neither in /me/accounts nor through a business); nothing was minted`
    )
    expect(failed).not.toContain(HELD)
    const persons = world.graph.tokensOfApp(APP_ID).filter((t) => t.userId === PERSON)
    expect(persons.map((t) => t.value)).toEqual([user])
  })
})
