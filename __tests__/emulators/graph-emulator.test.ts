import { GraphEmulator, appSecretProof } from '../../emulators/graph-emulator.js'
import {
  APP,
  OTHER,
  SIXTY_DAYS,
  auth,
  expectError,
  graphApi,
  type AccountsPage,
  type Grant,
  type TokenData
} from './graph-api.js'
import { anyString, including, matching } from './matchers.js'

let graph: GraphEmulator
let call: ReturnType<typeof graphApi>['call']
let exchange: ReturnType<typeof graphApi>['exchange']

beforeEach(async () => {
  graph = await GraphEmulator.start()
  graph.addApp(APP)
  graph.addApp(OTHER)
  ;({ call, exchange } = graphApi(graph))
})

afterEach(() => graph.stop())

const client = { client_id: APP.id, client_secret: APP.secret }

describe('routing', () => {
  it('rejects an unknown version and an unknown path', async () => {
    const version = await fetch(`${graph.url}/v12.0/me`)
    expect(version.status).toBe(400)
    expect(((await version.json()) as { error: { code: number } }).error.code).toBe(2635)
    expectError(await call('GET', 'nonsense/edge'), 100, 33)
  })

  it('issues realistic, unique tokens', () => {
    const a = graph.issueToken({ appId: APP.id, type: 'USER' })
    const b = graph.issueToken({ appId: APP.id, type: 'USER' })
    expect(a).toMatch(/^EAA[A-Za-z0-9]{140,}$/)
    expect(a).not.toBe(b)
    expect(graph.tokensOfApp(APP.id)).toHaveLength(2)
    expect(graph.token(a)).toMatchObject({ type: 'USER', userId: matching(/^\d+$/), revoked: false })
  })
})

describe('appsecret_proof', () => {
  it('is required with a user token when the app requires it, and must be right', async () => {
    const token = graph.issueToken({ appId: APP.id, type: 'USER' })
    const missing = expectError(await call('GET', 'me', { access_token: token }), 100)
    expect(missing.message).toBe('API calls from the server require an appsecret_proof argument')
    const wrong = expectError(await call('GET', 'me', { access_token: token, appsecret_proof: 'ab12' }), 100)
    expect(wrong).toMatchObject({
      message: 'Invalid appsecret_proof provided in the API argument',
      type: 'GraphMethodException'
    })
    const good = await call('GET', 'me', auth(token))
    expect(good).toMatchObject({ status: 200, body: { id: graph.token(token)?.userId, name: anyString } })
    expect(Object.keys(good.body)).toEqual(['id', 'name'])
  })

  it('is optional when the app does not require it, but still checked', async () => {
    graph.addApp({ id: '3', secret: 'lax', requireAppSecretProof: false })
    const token = graph.issueToken({ appId: '3', type: 'USER' })
    expect((await call('GET', 'me', { access_token: token })).status).toBe(200)
    expectError(
      await call('GET', 'me', { access_token: token, appsecret_proof: appSecretProof(APP.secret, token) }),
      100
    )
  })

  it('accepts the caller token from an Authorization header', async () => {
    const token = graph.issueToken({ appId: APP.id, type: 'USER' })
    const proof = { appsecret_proof: appSecretProof(APP.secret, token) }
    expect((await call('GET', 'me', proof, { authorization: `Bearer ${token}` })).status).toBe(200)
    expect((await call('GET', 'me', proof, { authorization: `OAuth ${token}` })).status).toBe(200)
  })
})

describe('debug_token', () => {
  const appToken = `${APP.id}|${APP.secret}`

  it('describes a valid token to the app token', async () => {
    const token = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', userId: '77', scopes: ['ads_read'] })
    const record = graph.token(token)!
    const { status, body } = await call(
      'GET',
      'debug_token',
      { input_token: token },
      { authorization: `Bearer ${appToken}` }
    )
    expect(status).toBe(200)
    expect(body.data).toEqual({
      app_id: APP.id,
      type: 'SYSTEM_USER',
      application: 'Rotator',
      data_access_expires_at: 0, // Meta shows 0 for system user tokens
      expires_at: record.issuedAt + SIXTY_DAYS,
      is_valid: true,
      issued_at: record.issuedAt,
      scopes: ['ads_read'],
      granular_scopes: [{ scope: 'ads_read' }],
      user_id: '77'
    })
  })

  it('refuses an app token with a wrong secret, and a wrong proof even on an app token', async () => {
    const token = graph.issueToken({ appId: APP.id, type: 'USER' })
    const bad = expectError(
      await call('GET', 'debug_token', { input_token: token, access_token: `${APP.id}|nope` }),
      190
    )
    expect(bad).toMatchObject({ message: 'Invalid OAuth access token signature.', type: 'OAuthException' })
    expectError(
      await call('GET', 'debug_token', { input_token: token, access_token: appToken, appsecret_proof: 'x' }),
      100
    )
    expectError(await call('GET', 'debug_token', { access_token: appToken }), 100)
  })

  it('reports garbage, expired, revoked and foreign tokens inside data', async () => {
    const ask = async (input: string) =>
      (await call<{ data: TokenData }>('GET', 'debug_token', { input_token: input, access_token: appToken })).body.data
    expect(await ask('EAAgarbage')).toEqual({
      error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
      is_valid: false,
      scopes: []
    })

    const short = graph.issueToken({ appId: APP.id, type: 'USER', expiresIn: 3600 })
    graph.advanceClock(3600)
    expect(await ask(short)).toMatchObject({ app_id: APP.id, is_valid: false, error: { code: 190, subcode: 463 } })

    const revoked = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER' })
    graph.token(revoked)!.revoked = true
    expect(await ask(revoked)).toMatchObject({ is_valid: false, error: { code: 190, subcode: 460 } })

    const foreign = graph.issueToken({ appId: OTHER.id, type: 'SYSTEM_USER', expiresIn: 0 })
    expect(await ask(foreign)).toMatchObject({ app_id: OTHER.id, is_valid: true, expires_at: 0 })
  })

  it('gives issued_at for long-lived tokens only, and for none with debugTokenOmitsIssuedAt', async () => {
    const ask = async (input: string) =>
      (await call<{ data: TokenData }>('GET', 'debug_token', { input_token: input, access_token: appToken })).body.data
    const short = graph.issueToken({ appId: APP.id, type: 'USER', expiresIn: 3600 })
    const long = graph.issueToken({ appId: APP.id, type: 'USER' })
    const permanent = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', expiresIn: 0 })
    expect(await ask(short)).not.toHaveProperty('issued_at')
    expect(await ask(long)).toHaveProperty('issued_at', graph.token(long)?.issuedAt)
    expect(await ask(permanent)).toHaveProperty('issued_at')
    graph.debugTokenOmitsIssuedAt = true
    expect(await ask(long)).not.toHaveProperty('issued_at')
  })
})

describe('oauth/access_token', () => {
  it('checks the client id and secret', async () => {
    const token = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER' })
    expectError(await exchange(token, { client_id: '999' }), 101)
    const secret = expectError(await exchange(token, { client_secret: 'wrong' }), 1)
    expect(secret).toMatchObject({ message: 'Error validating client secret.', type: 'OAuthException' })
  })

  it('refuses unknown, revoked, expired and foreign tokens, and page tokens', async () => {
    expectError(await exchange('EAAunknown'), 190)
    const revoked = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER' })
    graph.token(revoked)!.revoked = true
    expectError(await exchange(revoked, { set_token_expires_in_60_days: 'true' }), 190)
    const expiring = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER' })
    graph.advanceClock(SIXTY_DAYS)
    expectError(await exchange(expiring, { set_token_expires_in_60_days: 'true' }), 190, 463)
    const foreign = graph.issueToken({ appId: OTHER.id, type: 'SYSTEM_USER' })
    expectError(await exchange(foreign, { set_token_expires_in_60_days: 'true' }), 190)
    expectError(await exchange(graph.issueToken({ appId: APP.id, type: 'PAGE' })), 100)
  })

  it('refreshes an expiring system user token into a new one; the old one keeps working', async () => {
    const old = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', userId: '77', scopes: ['ads_read'] })
    graph.advanceClock(30 * 86_400)
    const { status, body } = await exchange(old, { set_token_expires_in_60_days: 'true' })
    expect(status).toBe(200)
    expect(body).toEqual({ access_token: matching(/^EAA/), token_type: 'bearer', expires_in: SIXTY_DAYS })
    expect(body.access_token).not.toBe(old)
    const fresh = graph.token(body.access_token)!
    expect(fresh).toMatchObject({ type: 'SYSTEM_USER', userId: '77', scopes: ['ads_read'] })
    expect(fresh.expiresAt - fresh.issuedAt).toBe(SIXTY_DAYS)
    expect(graph.isUsable(old)).toBe(true)
    graph.advanceClock(30 * 86_400)
    expect(graph.isUsable(old)).toBe(false)
    expect(graph.isUsable(body.access_token)).toBe(true)
  })

  it('hands a permanent system user token back unchanged without the flag', async () => {
    const permanent = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', expiresIn: 0 })
    const { body } = await exchange(permanent)
    expect(body).toEqual({ access_token: permanent, token_type: 'bearer' })
    expect(graph.token(permanent)?.expiresAt).toBe(0)
  })

  it('gives a user token a new 60-day token, also by POST', async () => {
    const user = graph.issueToken({ appId: APP.id, type: 'USER', expiresIn: 7200 })
    const { body } = await call('POST', 'oauth/access_token', {
      grant_type: 'fb_exchange_token',
      ...client,
      fb_exchange_token: user
    })
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: SIXTY_DAYS })
    expect(body.access_token).not.toBe(user)
    expect(graph.server.requestsTo(/\/oauth\/access_token$/, 'POST')).toHaveLength(1)
  })

  it('can hand back the same string with a later expiry', async () => {
    graph.exchangeReturnsSameToken = true
    const old = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', expiresIn: 86_400 })
    const { body } = await exchange(old, { set_token_expires_in_60_days: 'true' })
    expect(body).toEqual({ access_token: old, token_type: 'bearer', expires_in: SIXTY_DAYS })
    expect(graph.token(old)?.expiresAt).toBeGreaterThan(graph.now() + SIXTY_DAYS - 5)
  })
})

describe('oauth/revoke', () => {
  function revoke(caller: string, target: string, extra: Record<string, string> = {}) {
    return call('GET', 'oauth/revoke', { ...client, ...auth(caller), revoke_token: target, ...extra })
  }

  it('revokes a system user token at once, with the new token as caller', async () => {
    const old = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER' })
    const fresh = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER' })
    expect((await revoke(fresh, old)).body).toEqual({ success: true })
    expect(graph.token(old)?.revoked).toBe(true)
    expect(graph.isUsable(fresh)).toBe(true)
    expectError(await revoke(fresh, old), 190)
  })

  it('checks secret, proof, caller app and the kind of token revoked', async () => {
    const caller = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER' })
    const target = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER' })
    expectError(await revoke(caller, target, { client_secret: 'wrong' }), 1)
    const noProof = expectError(
      await call('GET', 'oauth/revoke', { ...client, access_token: caller, revoke_token: target }),
      100
    )
    expect(noProof.message).toMatch(/require an appsecret_proof/)
    const foreignCaller = graph.issueToken({ appId: OTHER.id, type: 'SYSTEM_USER' })
    expectError(
      await revoke(foreignCaller, target, { appsecret_proof: appSecretProof(OTHER.secret, foreignCaller) }),
      190
    )
    const user = graph.issueToken({ appId: APP.id, type: 'USER' })
    expect(expectError(await revoke(caller, user), 100).message).toBe('revoke_token must be a system user access token')
    expectError(await revoke(caller, 'EAAnothing'), 190)
    expect(graph.isUsable(target)).toBe(true)
  })
})

describe('system user tokens', () => {
  const ADMIN = '500'
  beforeEach(() => {
    graph.addBusiness({ id: 'biz', adminUserIds: [ADMIN] })
    graph.addSystemUser({ id: '900', businessId: 'biz', admin: true })
    graph.addBusiness({ id: 'elsewhere' })
    graph.addSystemUser({ id: '901', businessId: 'elsewhere' })
  })

  it('generates only after the app is installed, with supported scopes', async () => {
    const admin = graph.issueToken({ appId: APP.id, type: 'USER', userId: ADMIN })
    const form = { business_app: APP.id, scope: 'ads_read,business_management', ...auth(admin) }
    const notInstalled = expectError(await call('POST', '900/access_tokens', form), 100)
    expect(notInstalled.message).toMatch(/not installed/)

    expect(await call('POST', '900/applications', { business_app: APP.id, ...auth(admin) })).toMatchObject({
      status: 200,
      body: { success: true }
    })
    expect(graph.isAppInstalled('900', APP.id)).toBe(true)

    const permanent = await call<Grant>('POST', '900/access_tokens', form)
    expect(permanent.status).toBe(200)
    expect(graph.token(permanent.body.access_token)).toMatchObject({
      type: 'SYSTEM_USER',
      userId: '900',
      expiresAt: 0,
      scopes: ['ads_read', 'business_management']
    })
    const expiring = await call<Grant>('POST', '900/access_tokens', { ...form, set_token_expires_in_60_days: 'true' })
    const record = graph.token(expiring.body.access_token)!
    expect(record.expiresAt - record.issuedAt).toBe(SIXTY_DAYS)

    const badScope = expectError(
      await call('POST', '900/access_tokens', { ...form, scope: 'ads_read,manage_pages' }),
      100
    )
    expect(badScope.message).toMatch(/manage_pages/)
    expectError(await call('POST', '900/ads_access_token', form), 100)
  })

  it('always wants appsecret_proof, and a caller from the same business', async () => {
    graph.addApp({ id: '3', secret: 'lax', requireAppSecretProof: false })
    graph.addSystemUser({ id: '902', businessId: 'biz', installedAppIds: ['3'] })
    const sibling = graph.issueToken({ appId: '3', type: 'SYSTEM_USER', userId: '900' })
    const form = { business_app: '3', scope: 'ads_read', access_token: sibling }
    expect(expectError(await call('POST', '902/access_tokens', form), 100).message).toMatch(/appsecret_proof/)
    const proof = { appsecret_proof: appSecretProof('lax', sibling) }
    expect((await call('POST', '902/access_tokens', { ...form, ...proof })).status).toBe(200)

    const outsider = graph.issueToken({ appId: '3', type: 'SYSTEM_USER', userId: '901' })
    const outsiderForm = { ...form, access_token: outsider, appsecret_proof: appSecretProof('lax', outsider) }
    expectError(await call('POST', '902/access_tokens', outsiderForm), 200)
    expectError(
      await call('POST', '902/applications', {
        business_app: APP.id,
        ...auth(graph.issueToken({ appId: APP.id, type: 'USER' }))
      }),
      200
    )
  })
})

describe('accounts', () => {
  it('pages through the managed pages, with the access token in next, and stable page tokens', async () => {
    const user = graph.issueToken({ appId: APP.id, type: 'USER', userId: '42', scopes: ['pages_show_list'] })
    for (const id of ['p1', 'p2', 'p3']) graph.addPage({ id, name: `Page ${id}`, managerUserIds: ['42'] })
    graph.addPage({ id: 'p4', name: 'Not mine', managerUserIds: ['43'] })
    graph.accountsPageSize = 2

    const first = await call<AccountsPage>('GET', 'me/accounts', auth(user))
    expect(first.status).toBe(200)
    expect(first.body.data.map((p) => p.id)).toEqual(['p1', 'p2'])
    expect(first.body.data[0]).toMatchObject({
      name: 'Page p1',
      access_token: matching(/^EAA/),
      tasks: including(['MANAGE'])
    })
    const next = new URL(first.body.paging?.next ?? '')
    expect(next.origin).toBe(graph.url)
    expect(next.searchParams.get('access_token')).toBe(user)

    const second = await call<AccountsPage>('GET', next.toString())
    expect(second.body.data.map((p) => p.id)).toEqual(['p3'])
    expect(second.body.paging?.next).toBeUndefined()

    const pageToken = graph.token(first.body.data[0]?.access_token ?? '')
    expect(pageToken).toMatchObject({ type: 'PAGE', pageId: 'p1', userId: '42', expiresAt: 0 })
    const again = await call<AccountsPage>('GET', '42/accounts', { ...auth(user), limit: '1' })
    expect(again.body.data[0]?.access_token).toBe(first.body.data[0]?.access_token)
    expectError(await call('GET', '43/accounts', auth(user)), 100)
  })
})
