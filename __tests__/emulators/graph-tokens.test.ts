import { GraphEmulator } from '../../emulators/graph-emulator.js'
import { APP, DAY, SIXTY_DAYS, auth, expectError, graphApi, type AccountsPage, type Grant } from './graph-api.js'

const NINETY_DAYS = 90 * DAY
/** Meta's clock stands still (advanceClock moves it): the tests compare seconds across requests. */
const STARTED = Date.now()
const FROZEN = (): number => STARTED

let graph: GraphEmulator
let api: ReturnType<typeof graphApi>

beforeEach(async () => {
  graph = await GraphEmulator.start({ clock: FROZEN })
  graph.addApp(APP)
  api = graphApi(graph)
})

afterEach(() => graph.stop())

function longLivedUser(userId = '42', extra: Partial<Parameters<GraphEmulator['issueToken']>[0]> = {}): string {
  return graph.issueToken({ appId: APP.id, type: 'USER', userId, expiresIn: 40 * DAY, issuedAgo: 20 * DAY, ...extra })
}

describe('exchanging a long-lived user token', () => {
  it("'extends' (the default) gives 60 fresh days", async () => {
    expect(graph.userTokenExchange).toBe('extends')
    const { body } = await api.exchange(longLivedUser())
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: SIXTY_DAYS })
  })

  it("'keeps-expiry' hands back a token with the old expiry until the person logs in again", async () => {
    graph.userTokenExchange = 'keeps-expiry'
    const old = longLivedUser()
    const oldExpiry = graph.token(old)?.expiresAt ?? 0

    const kept = await api.exchange(old)
    expect(kept.body.access_token).not.toBe(old)
    expect(kept.body.expires_in).toBe(oldExpiry - graph.now())
    expect(graph.token(kept.body.access_token)?.expiresAt).toBe(oldExpiry)
    expect((await api.debug(kept.body.access_token)).expires_at).toBe(oldExpiry)
    expect((await api.exchange(kept.body.access_token)).body.expires_in).toBe(oldExpiry - graph.now())

    graph.userLogsIn('42')
    const extended = await api.exchange(kept.body.access_token)
    expect(extended.body.expires_in).toBe(SIXTY_DAYS)
    // Logging in once extends once.
    graph.advanceClock(DAY)
    const third = await api.exchange(extended.body.access_token)
    expect(third.body.expires_in).toBe(SIXTY_DAYS - DAY)
  })

  it("'keeps-expiry' still makes a short-lived token long-lived, and never touches system user tokens", async () => {
    const graphKeeping = await GraphEmulator.start({ clock: FROZEN, userTokenExchange: 'keeps-expiry' })
    try {
      graphKeeping.addApp(APP)
      const keeping = graphApi(graphKeeping)
      const short = graphKeeping.issueToken({ appId: APP.id, type: 'USER', expiresIn: 3600 })
      expect((await keeping.exchange(short)).body.expires_in).toBe(SIXTY_DAYS)
      const systemUser = graphKeeping.issueToken({ appId: APP.id, type: 'SYSTEM_USER', expiresIn: 10 * DAY })
      const refreshed = await keeping.exchange(systemUser, { set_token_expires_in_60_days: 'true' })
      expect(refreshed.body.expires_in).toBe(SIXTY_DAYS)
    } finally {
      await graphKeeping.stop()
    }
  })
})

describe('data_access_expires_at', () => {
  it('is 90 days after issue by default, settable, and 0 for system user tokens', async () => {
    const user = longLivedUser()
    expect((await api.debug(user)).data_access_expires_at).toBe((graph.token(user)?.issuedAt ?? 0) + NINETY_DAYS)
    const closing = longLivedUser('43', { dataAccessExpiresIn: 5 * DAY })
    expect((await api.debug(closing)).data_access_expires_at).toBe(graph.now() + 5 * DAY)
    const systemUser = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', dataAccessExpiresIn: 5 * DAY })
    expect((await api.debug(systemUser)).data_access_expires_at).toBe(0)
  })

  it('is carried unchanged by an exchange, inherited by page tokens, and renewed only by logging in', async () => {
    graph.addPage({ id: 'p1', name: 'Page one', managerUserIds: ['42'] })
    const user = longLivedUser('42', { dataAccessExpiresIn: 10 * DAY })
    const window = graph.now() + 10 * DAY
    graph.advanceClock(2 * DAY)

    const { body } = await api.exchange(user)
    expect(body.expires_in).toBe(SIXTY_DAYS)
    expect((await api.debug(body.access_token)).data_access_expires_at).toBe(window)
    const pages = await api.call<AccountsPage>('GET', 'me/accounts', auth(body.access_token))
    const pageToken = pages.body.data[0]?.access_token ?? ''
    expect(await api.debug(pageToken)).toMatchObject({ type: 'PAGE', expires_at: 0, data_access_expires_at: window })

    graph.userLogsIn('42')
    const renewed = graph.now() + NINETY_DAYS
    expect((await api.debug(body.access_token)).data_access_expires_at).toBe(renewed)
    expect((await api.debug(user)).data_access_expires_at).toBe(renewed)
    expect((await api.debug(pageToken)).data_access_expires_at).toBe(renewed)
  })
})

describe('asset grants (granular_scopes)', () => {
  const ADMIN = '500'
  beforeEach(() => {
    graph.addBusiness({ id: 'biz', adminUserIds: [ADMIN] })
    graph.addSystemUser({ id: '900', businessId: 'biz', installedAppIds: [APP.id] })
    graph.assignAsset('900', { id: 'page-1', kind: 'page' })
    graph.assignAsset('900', { id: 'page-2', kind: 'page' })
    graph.assignAsset('900', { id: 'act_1', kind: 'ad_account' })
    graph.assignAsset('900', { id: 'waba-1', kind: 'whatsapp_business_account' })
    graph.assignAsset('900', { id: 'biz', kind: 'business' })
  })

  async function generate(scope: string, extra: Record<string, string> = {}): Promise<string> {
    const admin = graph.issueToken({ appId: APP.id, type: 'USER', userId: ADMIN })
    const reply = await api.call<Grant>('POST', '900/access_tokens', {
      business_app: APP.id,
      scope,
      ...auth(admin),
      ...extra
    })
    expect(reply.status).toBe(200)
    return reply.body.access_token
  }

  it('a generated token is a snapshot of the assignments at that moment', async () => {
    const before = await generate(
      'pages_show_list,ads_read,whatsapp_business_messaging,business_management,leads_retrieval'
    )
    expect((await api.debug(before)).granular_scopes).toEqual([
      { scope: 'pages_show_list', target_ids: ['page-1', 'page-2'] },
      { scope: 'ads_read', target_ids: ['act_1'] },
      { scope: 'whatsapp_business_messaging', target_ids: ['waba-1'] },
      { scope: 'business_management', target_ids: ['biz'] },
      { scope: 'leads_retrieval' }
    ])

    graph.unassignAsset('900', 'page-2')
    graph.assignAsset('900', { id: 'cat-1', kind: 'catalog' })
    expect(graph.assetsOf('900').map((a) => a.id)).toEqual(['page-1', 'act_1', 'waba-1', 'biz', 'cat-1'])
    const after = await generate('pages_show_list,catalog_management,instagram_basic')
    expect((await api.debug(after)).granular_scopes).toEqual([
      { scope: 'pages_show_list', target_ids: ['page-1'] },
      { scope: 'catalog_management', target_ids: ['cat-1'] },
      { scope: 'instagram_basic' } // no Instagram account assigned
    ])
    expect((await api.debug(before)).granular_scopes?.[0]).toEqual({
      scope: 'pages_show_list',
      target_ids: ['page-1', 'page-2']
    })
  })

  it("a refresh copies the old token's targets by default, or snapshots the assignments anew", async () => {
    const old = await generate('pages_show_list', { set_token_expires_in_60_days: 'true' })
    graph.unassignAsset('900', 'page-1')

    const copied = await api.exchange(old, { set_token_expires_in_60_days: 'true' })
    expect((await api.debug(copied.body.access_token)).granular_scopes).toEqual([
      { scope: 'pages_show_list', target_ids: ['page-1', 'page-2'] }
    ])

    graph.systemUserRefreshTargets = 'snapshots'
    const snapshot = await api.exchange(old, { set_token_expires_in_60_days: 'true' })
    expect((await api.debug(snapshot.body.access_token)).granular_scopes).toEqual([
      { scope: 'pages_show_list', target_ids: ['page-2'] }
    ])
  })

  it('issueToken takes explicit granular scopes, for system user and user tokens alike', async () => {
    const granularScopes = [{ scope: 'ads_management', targetIds: ['act_9'] }, { scope: 'public_profile' }]
    for (const type of ['SYSTEM_USER', 'USER'] as const) {
      const token = graph.issueToken({
        appId: APP.id,
        type,
        scopes: ['ads_management', 'public_profile'],
        granularScopes
      })
      expect((await api.debug(token)).granular_scopes).toEqual([
        { scope: 'ads_management', target_ids: ['act_9'] },
        { scope: 'public_profile' }
      ])
      const { body } = await api.exchange(token, { set_token_expires_in_60_days: 'true' })
      expect((await api.debug(body.access_token)).granular_scopes?.[0]).toEqual({
        scope: 'ads_management',
        target_ids: ['act_9']
      })
    }
  })

  it('accepts newer permissions and refuses an unknown name before minting', async () => {
    const fresh = await generate(
      'whatsapp_business_manage_events,instagram_business_basic,instagram_business_manage_insights'
    )
    expect(graph.token(fresh)?.scopes).toEqual([
      'whatsapp_business_manage_events',
      'instagram_business_basic',
      'instagram_business_manage_insights'
    ])
    for (const scope of [
      'instagram_business_content_publish',
      'instagram_business_manage_messages',
      'instagram_business_manage_comments'
    ]) {
      await generate(scope)
    }

    const minted = graph.allTokens().length
    const admin = graph.issueToken({ appId: APP.id, type: 'USER', userId: ADMIN })
    const refused = expectError(
      await api.call('POST', '900/access_tokens', { business_app: APP.id, scope: 'ads_read,ads_raed', ...auth(admin) }),
      100
    )
    expect(refused.message).toBe('(#100) Invalid scope for a system user token: ads_raed')
    expect(graph.allTokens()).toHaveLength(minted + 1) // the admin token, nothing minted
  })
})

describe('tokens in the states Meta reports with code 190', () => {
  const cases = [
    [458, /^Error validating access token: User 42 has not authorized application 1000000000001\.$/],
    [459, /You cannot access the app till you log in to www\.facebook\.com/],
    [460, /user changed their password or Facebook has changed the session for security reasons/],
    [464, /Sessions for the user are not allowed because the user is not a confirmed user/],
    [467, /The session is invalid because the user logged out/]
  ] as const

  it.each(cases)('%i: debug_token reports it, and every call with the token fails with it', async (subcode, text) => {
    const user = longLivedUser('42')
    graph.invalidateToken(user, subcode)
    expect(graph.isUsable(user)).toBe(false)

    const data = await api.debug(user)
    expect(data).toMatchObject({ is_valid: false, error: { code: 190, subcode } })
    expect(data.error?.message).toMatch(text)

    for (const reply of [await api.call('GET', 'me', auth(user)), await api.call('GET', 'me/accounts', auth(user))]) {
      const error = expectError(reply, 190, subcode)
      expect(error).toMatchObject({ type: 'OAuthException' })
      expect(error.message).toMatch(text)
      expect(error.error_user_title).toMatch(/\w/)
      expect(error.error_user_msg).toMatch(/\w/)
    }
    expectError(await api.exchange(user), 190, subcode)
  })

  it('463 comes from the clock', async () => {
    const user = graph.issueToken({ appId: APP.id, type: 'USER', expiresIn: 3600 })
    graph.advanceClock(3601)
    expectError(await api.call('GET', 'me', auth(user)), 190, 463)
  })
})
