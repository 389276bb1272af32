// The token side beyond refresh, over real HTTP: generating system user tokens (with the app install
// and appsecret_proof checked by the emulator), page tokens, grace mode, and no orphan left alive.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  ADMIN_USER,
  APP_ID,
  APP_SECRET,
  BUSINESS,
  GITHUB_PAT,
  leakedSecrets,
  REPOS,
  runWithInputs,
  startWorld,
  SYSTEM_USER,
  type World
} from './support/world.js'

const DAY = 86_400

let world: World
let adminToken: string
beforeEach(async () => {
  world = await startWorld()
  world.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
  world.graph.addSystemUser({ id: SYSTEM_USER, businessId: BUSINESS })
  adminToken = world.graph.issueToken({
    appId: APP_ID,
    type: 'USER',
    userId: ADMIN_USER,
    scopes: ['business_management']
  })
})
afterEach(async () => {
  await world.stop()
})

const secretIn = (repo: string, name: string) => world.github.secret({ kind: 'repository', repo }, name)?.value

function generateInputs(overrides: Record<string, string> = {}): Record<string, string> {
  return world.inputs({
    strategy: 'generate',
    token: '',
    'system-user-id': SYSTEM_USER,
    'admin-token': adminToken,
    scopes: 'ads_read,business_management',
    ...overrides
  })
}

describe('strategy: generate', () => {
  test('installs the app, generates an expiring token with an appsecret_proof, stores it, never revokes the admin token', async () => {
    const run = await runWithInputs(generateInputs({ 'install-app': 'true' }))

    expect(run.failed).toBeUndefined()
    expect(world.graph.isAppInstalled(SYSTEM_USER, APP_ID)).toBe(true)
    const fresh = run.outputs.token as string
    const record = world.graph.token(fresh)
    expect(record).toMatchObject({
      type: 'SYSTEM_USER',
      userId: SYSTEM_USER,
      scopes: ['ads_read', 'business_management']
    })
    expect(record!.expiresAt - world.graph.now()).toBeGreaterThan(59 * DAY)
    for (const repo of REPOS) expect(secretIn(repo, 'META_TOKEN')).toBe(fresh)
    const [mint] = world.graph.server.requestsTo(new RegExp(`${SYSTEM_USER}/access_tokens$`))
    expect(mint?.method).toBe('POST')
    const form = new URLSearchParams(mint?.body)
    expect(form.get('business_app')).toBe(APP_ID)
    expect(form.get('set_token_expires_in_60_days')).toBe('true')
    expect(form.get('appsecret_proof')).toMatch(/^[0-9a-f]{64}$/)
    expect(world.graph.isUsable(adminToken)).toBe(true)
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false', 'token-type': 'system-user' })
    expect(leakedSecrets(run, [APP_SECRET, GITHUB_PAT, adminToken, fresh])).toEqual([])
  })

  test('without install-app, generation fails clearly when the app is not installed, and writes nothing', async () => {
    const run = await runWithInputs(generateInputs())
    expect(run.failed).toMatch(/\[mint\] Generating a system user token/)
    expect(run.failed).toContain('Fix:')
    expect(secretIn('octo/app', 'META_TOKEN')).toBeUndefined()
  })

  test('expiring: false generates a permanent token, and the old token given in `token` is revoked after the store', async () => {
    world.graph.addSystemUser({ id: '61550000000078', businessId: BUSINESS, installedAppIds: [APP_ID] })
    const old = world.graph.issueToken({
      appId: APP_ID,
      type: 'SYSTEM_USER',
      userId: '61550000000078',
      expiresIn: 0,
      issuedAgo: 90 * DAY
    })
    const run = await runWithInputs(
      generateInputs({ 'system-user-id': '61550000000078', expiring: 'false', token: old })
    )

    expect(run.failed).toBeUndefined()
    expect(run.outputs['expires-at']).toBe('never')
    expect(world.graph.token(run.outputs.token as string)?.expiresAt).toBe(0)
    expect(
      new URLSearchParams(world.graph.server.requestsTo(/access_tokens$/)[0]?.body).get('set_token_expires_in_60_days')
    ).toBeNull()
    expect(world.graph.token(old)?.revoked).toBe(true)
    expect(world.graph.isUsable(adminToken)).toBe(true)
  })

  test('a typo in scopes is a warning with the close matches, and Meta refusing the name is reported clearly', async () => {
    const run = await runWithInputs(generateInputs({ scopes: 'ads_reed,manage_pages', 'install-app': 'true' }))
    expect(run.log).toContainEqual(
      expect.stringMatching(/^warning: 'scopes': 'ads_reed' is not in the list.*did you mean 'ads_read'\?/)
    )
    expect(run.log).toContainEqual(
      expect.stringMatching(/^warning: 'scopes': 'manage_pages'.*did you mean 'pages_manage_/)
    )
    // Meta refuses a permission that does not exist before minting anything.
    expect(run.failed).toMatch(/^\[mint\] Generating a system user token .*Invalid scopes?\b.*ads_reed/i)
    expect(run.failed).toMatch(/Fix: .*'scopes'/)
    expect(world.graph.tokensOfApp(APP_ID).filter((t) => t.userId === SYSTEM_USER)).toHaveLength(0)
    expect(world.github.server.requests.filter((r) => r.method !== 'GET')).toHaveLength(0)
  })

  test('a scope newer than the list known here is only a warning: the token is generated with it', async () => {
    const run = await runWithInputs(
      generateInputs({ scopes: 'whatsapp_business_messaging,whatsapp_business_manage_events', 'install-app': 'true' })
    )
    expect(run.log).toContainEqual(
      expect.stringMatching(/^warning: 'scopes': 'whatsapp_business_manage_events' is not in the list/)
    )
    expect(run.failed).toBeUndefined()
    expect(world.graph.token(run.outputs.token as string)?.scopes).toEqual([
      'whatsapp_business_messaging',
      'whatsapp_business_manage_events'
    ])
  })

  test('every write failing leaves no new live token: the unstored token is revoked', async () => {
    world.graph.addSystemUser({ id: '61550000000079', businessId: BUSINESS, installedAppIds: [APP_ID] })
    world.github.server.injectFault({
      method: 'PUT',
      path: /\/secrets\/META_TOKEN$/,
      fault: { kind: 'status', status: 422, body: { message: 'Unprocessable' } },
      times: 10
    })
    const run = await runWithInputs(generateInputs({ 'system-user-id': '61550000000079' }))

    expect(run.failed).toMatch(/\[store\]/)
    expect(run.outputs).toMatchObject({ rotated: 'false', token: '' })
    const minted = world.graph.tokensOfApp(APP_ID).filter((t) => t.userId === '61550000000079')
    expect(minted).toHaveLength(1)
    expect(minted[0]?.revoked).toBe(true)
    expect(run.summary).toContain('stored nowhere, so it was revoked')
  })
})

describe('page tokens', () => {
  const USER = '10000000000042'
  let userToken: string
  beforeEach(() => {
    userToken = world.graph.issueToken({
      appId: APP_ID,
      type: 'USER',
      userId: USER,
      scopes: ['pages_show_list', 'pages_manage_posts'],
      expiresIn: 30 * DAY
    })
    world.graph.addPage({ id: '200000000000001', name: 'Shop', managerUserIds: [USER] })
    world.graph.addPage({ id: '200000000000002', name: 'Blog', managerUserIds: [USER] })
    world.graph.addPage({ id: '200000000000003', name: 'Other', managerUserIds: [USER] })
    world.graph.accountsPageSize = 1
  })

  test('refreshes the user token and stores each listed page token in its secret, following pagination', async () => {
    const run = await runWithInputs(
      world.inputs({
        token: userToken,
        'page-secrets': '200000000000001=SHOP_PAGE_TOKEN\n200000000000003 = OTHER_PAGE_TOKEN'
      })
    )
    expect(run.failed).toBeUndefined()
    for (const [pageId, name] of [
      ['200000000000001', 'SHOP_PAGE_TOKEN'],
      ['200000000000003', 'OTHER_PAGE_TOKEN']
    ] as const) {
      const stored = secretIn('octo/app', name) as string
      expect(world.graph.token(stored)).toMatchObject({ type: 'PAGE', pageId, expiresAt: 0 })
      expect(secretIn('octo/api', name)).toBe(stored)
    }
    expect(secretIn('octo/app', 'META_TOKEN')).toBe(run.outputs.token)
    for (const call of world.graph.server.requestsTo(/accounts$/)) expect(call.method).toBe('GET')
    const pageTokens = world.graph
      .tokensOfApp(APP_ID)
      .filter((t) => t.type === 'PAGE')
      .map((t) => t.value)
    expect(leakedSecrets(run, [userToken, run.outputs.token as string, ...pageTokens])).toEqual([])
  })

  test('a listed page the user no longer manages is a clear error naming it, and nothing is written', async () => {
    const run = await runWithInputs(
      world.inputs({ token: userToken, 'page-secrets': '200000000000001=SHOP\n299999999999999=GONE' })
    )
    expect(run.failed).toMatch(/cannot reach page 299999999999999/)
    expect(run.failed).toContain('Fix:')
    expect(world.github.server.requests.filter((r) => r.method === 'PUT')).toHaveLength(0)
  })
})

describe('grace mode', () => {
  test('first rotation: the replaced token goes into the previous slot and nothing is revoked', async () => {
    const run = await runWithInputs(world.inputs({ 'previous-secret-name': 'META_TOKEN_PREVIOUS' }))
    expect(run.failed).toBeUndefined()
    expect(secretIn('octo/app', 'META_TOKEN')).toBe(run.outputs.token)
    expect(secretIn('octo/app', 'META_TOKEN_PREVIOUS')).toBe(world.token)
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(run.outputs.revoked).toBe('false')
  })

  test('next rotation: the current slot gets the new token, the previous slot the replaced one, and only the older one is revoked', async () => {
    const first = await runWithInputs(world.inputs({ 'previous-secret-name': 'META_TOKEN_PREVIOUS' }))
    const replaced = first.outputs.token as string
    const second = await runWithInputs(
      world.inputs({ token: replaced, 'previous-secret-name': 'META_TOKEN_PREVIOUS', 'previous-token': world.token })
    )
    expect(second.failed).toBeUndefined()
    const fresh = second.outputs.token as string
    for (const repo of REPOS) {
      expect(secretIn(repo, 'META_TOKEN')).toBe(fresh)
      expect(secretIn(repo, 'META_TOKEN_PREVIOUS')).toBe(replaced)
    }
    expect(world.graph.token(world.token)?.revoked).toBe(true)
    expect(world.graph.isUsable(replaced)).toBe(true)
    expect(world.graph.isUsable(fresh)).toBe(true)
    expect(second.outputs.revoked).toBe('true')
  })
  /** The system user of world.token, which strategy refresh replaces. */
  const REFRESHED_USER = '61550000000001'
  // With no replaced token to move into the previous slot, that slot keeps previous-token: it must stay alive.
  // [case, the user whose token previous-token is (the one 'token' belongs to), the inputs]
  const NOTHING_TO_MOVE: Array<[string, string, () => Record<string, string>]> = [
    [
      'Meta hands back the same string',
      REFRESHED_USER,
      () => {
        world.graph.exchangeReturnsSameToken = true
        return {}
      }
    ],
    [
      'a permanent system user token (expiring: false) refreshed to itself',
      REFRESHED_USER,
      () => ({ expiring: 'false' })
    ],
    ['strategy generate without a token', SYSTEM_USER, () => generateInputs({ 'install-app': 'true' })]
  ]
  test.each(NOTHING_TO_MOVE)(
    'nothing to move into the previous slot (%s): previous-token stays alive where it is stored',
    async (_, owner, setUp) => {
      const previous = world.graph.issueToken({
        appId: APP_ID,
        type: 'SYSTEM_USER',
        userId: owner,
        scopes: ['ads_read', 'business_management'],
        expiresIn: 50 * DAY,
        issuedAgo: 10 * DAY
      })
      for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN_PREVIOUS', previous)
      const overrides = setUp()
      const run = await runWithInputs({
        ...world.inputs({ 'previous-secret-name': 'META_TOKEN_PREVIOUS', 'previous-token': previous }),
        ...overrides,
        'previous-secret-name': 'META_TOKEN_PREVIOUS',
        'previous-token': previous
      })

      expect(run.failed).toBeUndefined()
      for (const repo of REPOS) {
        expect(secretIn(repo, 'META_TOKEN_PREVIOUS')).toBe(previous)
        expect(world.graph.isUsable(secretIn(repo, 'META_TOKEN') as string)).toBe(true)
      }
      expect(world.graph.isUsable(previous)).toBe(true)
      expect(run.outputs.revoked).toBe('false')
      expect(run.summary).toContain(
        String.raw`'previous-token' is still held in META\_TOKEN\_PREVIOUS: it was not revoked`
      )
    }
  )
  test('a run that stops after moving the replaced token into the previous slot says the older token is no longer kept; the re-run completes', async () => {
    const previous = world.issue('SYSTEM_USER')
    for (const repo of REPOS) {
      world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', world.token)
      world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN_PREVIOUS', previous)
    }
    world.github.server.injectFault({
      method: 'PUT',
      path: '/repos/octo/app/actions/secrets/META_TOKEN',
      fault: { kind: 'status', status: 422, body: { message: 'Validation Failed' } }
    })
    const grace = { 'previous-secret-name': 'META_TOKEN_PREVIOUS' }
    const first = await runWithInputs(world.inputs({ ...grace, 'previous-token': previous }))

    expect(first.failed).toMatch(/^\[store\] /)
    for (const repo of REPOS) expect(secretIn(repo, 'META_TOKEN_PREVIOUS')).toBe(world.token)
    expect(world.graph.isUsable(previous)).toBe(true)
    expect(first.summary).toContain(
      String.raw`META\_TOKEN\_PREVIOUS in octo/app, octo/api now holds the replaced token`
    )
    expect(first.summary).toContain('revoke it by hand')

    // The re-run reads both slots as they are now: the previous slot holds the current token.
    const current = secretIn('octo/app', 'META_TOKEN') as string
    const second = await runWithInputs(
      world.inputs({
        ...grace,
        token: current,
        'previous-token': secretIn('octo/app', 'META_TOKEN_PREVIOUS') as string
      })
    )
    expect(second.failed).toBeUndefined()
    expect(second.log.join('\n')).toContain("'previous-token' is the same as 'token'")
    const fresh = second.outputs.token as string
    for (const repo of REPOS) {
      expect(secretIn(repo, 'META_TOKEN')).toBe(fresh)
      expect(world.graph.isUsable(secretIn(repo, 'META_TOKEN_PREVIOUS') as string)).toBe(true)
    }
  })
  test('a previous-slot write whose answer was lost and whose retries were refused may have landed: the note says so', async () => {
    const previous = world.issue('SYSTEM_USER')
    for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN_PREVIOUS', previous)
    const path = '/repos/octo/app/actions/secrets/META_TOKEN_PREVIOUS'
    world.github.server.injectFault({ method: 'PUT', path, fault: { kind: 'reset' }, afterHandler: true })
    // Every read of it fails too, so its outcome cannot be settled.
    world.github.server.injectFault({ method: 'GET', path, fault: { kind: 'status', status: 500 }, times: 1000 })
    world.github.server.injectFault({
      method: 'PUT',
      path,
      fault: { kind: 'status', status: 422, body: { message: 'Validation Failed' } },
      times: 1000
    })
    const run = await runWithInputs(
      world.inputs({ 'previous-secret-name': 'META_TOKEN_PREVIOUS', 'previous-token': previous })
    )

    expect(run.failed).toMatch(/^\[store\] /)
    expect(secretIn('octo/app', 'META_TOKEN_PREVIOUS')).toBe(world.token)
    expect(world.graph.isUsable(previous)).toBe(true)
    expect(run.summary).toContain(
      String.raw`META\_TOKEN\_PREVIOUS in octo/app, octo/api holds \(or may hold\) the replaced token`
    )
  })
})
