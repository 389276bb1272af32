import { GraphEmulator, appSecretProof } from '../../emulators/graph-emulator.js'
import { APP, DAY, auth, expectError, graphApi, type AccountsPage, type GraphErrorFields } from './graph-api.js'

let graph: GraphEmulator
let api: ReturnType<typeof graphApi>

beforeEach(async () => {
  graph = await GraphEmulator.start()
  graph.addApp(APP)
  api = graphApi(graph)
})

afterEach(() => graph.stop())

interface PageNode {
  id: string
  name?: string
  access_token?: string
}

const usage = (headers: Headers, name: string): unknown => JSON.parse(headers.get(name) ?? 'null')

describe('pages reached through Business Manager', () => {
  beforeEach(() => {
    graph.addBusiness({ id: 'biz', adminUserIds: ['7'], employeeUserIds: ['42'] })
    graph.addPage({ id: 'direct', name: 'Managed directly', managerUserIds: ['42'] })
    graph.addPage({ id: 'held', name: 'Held by the business', businessId: 'biz' })
    graph.addPage({ id: 'elsewhere', name: 'Not reachable', managerUserIds: ['99'] })
  })

  it('are missing from /me/accounts but give a page token with GET /{page-id}?fields=access_token', async () => {
    const user = graph.issueToken({
      appId: APP.id,
      type: 'USER',
      userId: '42',
      expiresIn: 50 * DAY,
      issuedAgo: 10 * DAY
    })
    const listed = await api.call<AccountsPage>('GET', 'me/accounts', auth(user))
    expect(listed.body.data.map((p) => p.id)).toEqual(['direct'])

    const held = await api.call<PageNode>('GET', 'held', { ...auth(user), fields: 'access_token,name,id' })
    expect(held.status).toBe(200)
    expect(held.body).toEqual({
      access_token: expect.stringMatching(/^EAA/) as unknown,
      name: 'Held by the business',
      id: 'held'
    })
    const pageToken = held.body.access_token ?? ''
    expect(graph.token(pageToken)).toMatchObject({ type: 'PAGE', pageId: 'held', userId: '42', expiresAt: 0 })
    expect((await api.call<PageNode>('GET', 'held', { ...auth(user), fields: 'access_token' })).body).toEqual({
      access_token: pageToken,
      id: 'held'
    })

    // The same page token whichever endpoint hands it out.
    const direct = await api.call<PageNode>('GET', 'direct', { ...auth(user), fields: 'access_token' })
    expect(direct.body.access_token).toBe(listed.body.data[0]?.access_token)
    expect((await api.call<PageNode>('GET', 'direct', auth(user))).body).toEqual({
      name: 'Managed directly',
      id: 'direct'
    })
  })

  it("answers Meta's 'does not exist' to a page the user cannot reach, and to an unknown page", async () => {
    const user = graph.issueToken({ appId: APP.id, type: 'USER', userId: '42' })
    for (const page of ['elsewhere', 'no-such-page']) {
      const error = expectError(await api.call('GET', page, { ...auth(user), fields: 'access_token' }), 100, 33)
      expect(error.message).toContain(`Object with ID '${page}' does not exist`)
    }
    expectError(await api.call('GET', 'held', { ...auth(user), fields: 'access_token,fans' }), 100)
  })

  it('/me/accounts hands out a page token only when fields asks for it (or names no fields)', async () => {
    const user = graph.issueToken({ appId: APP.id, type: 'USER', userId: '42' })
    const ids = await api.call<AccountsPage>('GET', 'me/accounts', { ...auth(user), fields: 'id' })
    expect(ids.body.data).toEqual([{ id: 'direct' }])
    expect(graph.tokensOfApp(APP.id).filter((t) => t.type === 'PAGE')).toEqual([])

    const named = await api.call<AccountsPage>('GET', 'me/accounts', { ...auth(user), fields: 'id,name,access_token' })
    expect(named.body.data).toEqual([
      { id: 'direct', name: 'Managed directly', access_token: expect.stringMatching(/^EAA/) as unknown }
    ])
  })

  it('take the user token in Authorization: Bearer, and still want appsecret_proof', async () => {
    const user = graph.issueToken({ appId: APP.id, type: 'USER', userId: '42' })
    const bearer = { authorization: `Bearer ${user}` }
    const appsecret_proof = appSecretProof(APP.secret, user)
    const accounts = await api.call<AccountsPage>('GET', 'me/accounts', { appsecret_proof }, bearer)
    expect(accounts.body.data.map((p) => p.id)).toEqual(['direct'])
    const held = await api.call<PageNode>('GET', 'held', { appsecret_proof, fields: 'access_token' }, bearer)
    expect(held.body.access_token).toMatch(/^EAA/)

    const noProof = expectError(await api.call('GET', 'me/accounts', {}, bearer), 100)
    expect(noProof.message).toBe('API calls from the server require an appsecret_proof argument')
    expectError(await api.call('GET', 'held', { fields: 'access_token' }, bearer), 100)
  })

  it('are reachable by a system user they are assigned to', async () => {
    graph.addSystemUser({ id: '900', businessId: 'biz', assets: [{ id: 'held', kind: 'page' }] })
    const systemUser = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', userId: '900', expiresIn: 0 })
    const held = await api.call<PageNode>('GET', 'held', { ...auth(systemUser), fields: 'access_token' })
    expect(graph.token(held.body.access_token ?? '')).toMatchObject({ type: 'PAGE', expiresAt: 0 })
    expectError(await api.call('GET', 'direct', { ...auth(systemUser), fields: 'access_token' }), 100, 33)
  })
})

describe('usage headers and throttling', () => {
  beforeEach(() => {
    graph.addBusiness({ id: 'biz-1' })
    graph.addSystemUser({ id: '900', businessId: 'biz-1' })
  })

  it('below usageHeadersFromCalls calls in the hour (and no throttle) no answer carries a usage header', async () => {
    graph.usageHeadersFromCalls = 3
    const systemUser = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', userId: '900' })
    for (const expected of [null, null]) {
      const answer = await api.call('GET', 'me', auth(systemUser))
      expect(answer.headers.get('x-app-usage')).toBe(expected)
      expect(answer.headers.get('x-business-use-case-usage')).toBe(expected)
    }
    const third = await api.call('GET', 'me', auth(systemUser))
    expect(third.headers.get('x-app-usage')).not.toBeNull()
    expect(third.headers.get('x-business-use-case-usage')).not.toBeNull()
    graph.advanceClock(3601) // a rolling hour: the count starts again
    expect((await api.call('GET', 'me', auth(systemUser))).headers.get('x-app-usage')).toBeNull()
    graph.throttle({ code: 4, calls: 1 })
    expect((await api.call('GET', 'me', auth(systemUser))).headers.get('x-app-usage')).not.toBeNull()
  })

  it('with usageHeadersFromCalls 0 every answer carries X-App-Usage; calls on behalf of a business carry X-Business-Use-Case-Usage', async () => {
    graph.usageHeadersFromCalls = 0
    graph.appCallsPerHour = 10
    const user = graph.issueToken({ appId: APP.id, type: 'USER' })
    const first = await api.call('GET', 'me', auth(user))
    expect(usage(first.headers, 'x-app-usage')).toEqual({ call_count: 10, total_cputime: 10, total_time: 10 })
    expect(first.headers.get('x-business-use-case-usage')).toBeNull()
    const failed = await api.call('GET', 'me', { access_token: user })
    expect(failed.status).toBe(400)
    expect(usage(failed.headers, 'x-app-usage')).toMatchObject({ call_count: 20 })

    const systemUser = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', userId: '900' })
    const business = await api.call('GET', 'me', auth(systemUser))
    expect(usage(business.headers, 'x-business-use-case-usage')).toEqual({
      'biz-1': [
        {
          type: 'ads_management',
          call_count: 10,
          total_cputime: 10,
          total_time: 10,
          estimated_time_to_regain_access: 0
        }
      ]
    })
    graph.advanceClock(3601) // a rolling hour
    expect(usage((await api.call('GET', 'me', auth(user))).headers, 'x-app-usage')).toMatchObject({ call_count: 10 })
  })

  it('a business use case throttle answers 80004 with is_transient until the regain time passes', async () => {
    const systemUser = graph.issueToken({ appId: APP.id, type: 'SYSTEM_USER', userId: '900' })
    graph.throttle({ code: 80004, minutes: 30 })
    expect(graph.throttled).toBe(true)

    const throttled = await api.call('GET', 'me', auth(systemUser))
    const error = expectError(throttled, 80004, 2446079)
    expect(error).toMatchObject({
      type: 'OAuthException',
      is_transient: true,
      message:
        '(#80004) There have been too many calls to this ad-account. Wait a bit and try again. ' +
        'For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.'
    })
    expect(usage(throttled.headers, 'x-app-usage')).toEqual({ call_count: 100, total_cputime: 100, total_time: 100 })
    expect(usage(throttled.headers, 'x-business-use-case-usage')).toEqual({
      'biz-1': [
        {
          type: 'ads_management',
          call_count: 100,
          total_cputime: 100,
          total_time: 100,
          estimated_time_to_regain_access: 30
        }
      ]
    })

    graph.advanceClock(20 * 60)
    const later = await api.call('GET', 'me', auth(systemUser))
    expect(usage(later.headers, 'x-business-use-case-usage')).toMatchObject({
      'biz-1': [{ estimated_time_to_regain_access: 10 }]
    })
    graph.advanceClock(10 * 60)
    expect((await api.call('GET', 'me', auth(systemUser))).status).toBe(200)
    expect(graph.throttled).toBe(false)
  })

  it('an app throttle can last a number of calls, and be limited to some paths', async () => {
    const user = graph.issueToken({ appId: APP.id, type: 'USER' })
    graph.throttle({ code: 4, calls: 2, path: /\/me$/ })
    expect(
      (await api.call('GET', 'debug_token', { input_token: user, access_token: `${APP.id}|${APP.secret}` })).status
    ).toBe(200)
    const first = expectError(await api.call('GET', 'me', auth(user)), 4)
    expect(first).toMatchObject({ message: '(#4) Application request limit reached', is_transient: true })
    // The last throttled answer still reports the throttle it ran into.
    const last = await api.call('GET', 'me', auth(user))
    expectError(last, 4)
    expect(usage(last.headers, 'x-app-usage')).toMatchObject({ call_count: 100 })
    expect((await api.call('GET', 'me', auth(user))).status).toBe(200)

    graph.throttle({ code: 17 })
    expect(expectError(await api.call('GET', 'me', auth(user)), 17).message).toBe('(#17) User request limit reached')
    graph.stopThrottling()
    expect((await api.call('GET', 'me', auth(user))).status).toBe(200)
    expect(() => graph.throttle({ code: 190 })).toThrow(/not a throttling code/)
  })
})

describe('policy blocks (368)', () => {
  it('answers the chosen calls with code 368, Meta’s words for the person included', async () => {
    const user = graph.issueToken({ appId: APP.id, type: 'USER' })
    graph.blockForPolicy({ path: /\/oauth\/access_token$/, times: 1 })
    const blocked = expectError(await api.exchange(user), 368, 1390008)
    expect(blocked).toMatchObject({
      message: '(#368) The action attempted has been deemed abusive or is otherwise disallowed',
      error_user_title: "You're Temporarily Blocked"
    })
    expect((await api.call('GET', 'me', auth(user))).status).toBe(200)
    expect((await api.exchange(user)).status).toBe(200)

    graph.blockForPolicy()
    expectError(await api.call('GET', 'me', auth(user)), 368)
    graph.clearPolicyBlocks()
    expect((await api.call('GET', 'me', auth(user))).status).toBe(200)
  })
})

describe('injected Graph errors', () => {
  it('deliver any message text, hostile ones included, exactly as given', async () => {
    const hostile = 'Bad\n::stop-commands::x\n::set-output name=rotated::forged\n```\n%0A::error::boom'
    graph.server.injectFault({
      path: /\/oauth\/access_token$/,
      fault: {
        kind: 'status',
        status: 400,
        body: {
          error: {
            message: hostile,
            type: 'OAuthException',
            code: 1,
            error_user_msg: hostile,
            fbtrace_id: 'A1b2C3d4E5'
          }
        }
      }
    })
    const user = graph.issueToken({ appId: APP.id, type: 'USER' })
    const reply = await api.exchange(user)
    expect(reply.status).toBe(400)
    const { error } = reply.body as unknown as { error: GraphErrorFields }
    expect(error.message).toBe(hostile)
    expect(error.error_user_msg).toBe(hostile)
    expect((await api.exchange(user)).status).toBe(200)
  })
})
