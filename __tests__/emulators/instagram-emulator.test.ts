import { InstagramEmulator } from '../../emulators/instagram-emulator.js'
import { anyString } from './matchers.js'

const DAY = 86_400
const SIXTY_DAYS = 5_184_000
/** Meta's clock stands still (advanceClock moves it): the tests compare seconds across requests. */
const STARTED = Date.now()
const FROZEN = (): number => STARTED

interface IgError {
  message: string
  type: string
  code: number
  error_subcode?: number
  fbtrace_id: string
}

interface Reply {
  status: number
  body: Record<string, unknown>
  headers: Headers
}

let instagram: InstagramEmulator

beforeEach(async () => {
  instagram = await InstagramEmulator.start({ clock: FROZEN })
  instagram.addAccount({ userId: '17841400000000001', username: 'octo.shop', id: '26000000000000001' })
})

afterEach(() => instagram.stop())

async function get(
  path: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {}
): Promise<Reply> {
  const url = new URL(`${instagram.url}${path}`)
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  const response = await fetch(url, { headers })
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers
  }
}

function refresh(token: string, extra: Record<string, string> = {}): Promise<Reply> {
  return get('/refresh_access_token', { grant_type: 'ig_refresh_token', access_token: token, ...extra })
}

function expectIgError(reply: Reply, code: number, type: string, subcode?: number): IgError {
  expect(reply.status).toBe(400)
  const error = reply.body.error as IgError
  expect(error).toMatchObject({ code, type, message: anyString })
  expect(error.fbtrace_id).toMatch(/^[\w-]{10,}$/)
  expect(error.error_subcode).toBe(subcode)
  return error
}

/** A long-lived token of the account, issued `days` ago. */
const tokenIssued = (days: number, extra: Partial<Parameters<InstagramEmulator['issueToken']>[0]> = {}) =>
  instagram.issueToken({ userId: '17841400000000001', issuedAgo: days * DAY, ...extra })

describe('tokens', () => {
  it('look like IGAA tokens and belong to an account, an app and permissions', () => {
    const token = tokenIssued(10)
    expect(token).toMatch(/^IGAA[A-Za-z0-9]{140,}$/)
    expect(instagram.token(token)).toMatchObject({
      userId: '17841400000000001',
      permissions: ['instagram_business_basic'],
      longLived: true,
      expiresAt: instagram.now() + 50 * DAY
    })
    const short = instagram.issueToken({ userId: '7', username: 'new.one', longLived: false })
    expect(instagram.token(short)?.expiresAt).toBe(instagram.now() + 3600)
    expect(instagram.allTokens().map((t) => t.value)).toEqual([token, short])
    instagram.advanceClock(3600)
    expect(instagram.isUsable(short)).toBe(false)
    expect(instagram.isUsable(token)).toBe(true)
  })
})

describe('GET /me', () => {
  it('answers the fields asked for and the id, with the token as a parameter or a Bearer header', async () => {
    const token = tokenIssued(1)
    const asked = await get('/me', { fields: 'user_id,username', access_token: token })
    expect(asked).toMatchObject({
      status: 200,
      body: { user_id: '17841400000000001', username: 'octo.shop', id: '26000000000000001' }
    })
    expect(Object.keys(asked.body)).toEqual(['user_id', 'username', 'id'])
    for (const version of ['v27.0', 'v26.0']) {
      const versioned = await get(`/${version}/me`, { fields: 'username' }, { authorization: `Bearer ${token}` })
      expect(versioned.body).toEqual({ username: 'octo.shop', id: '26000000000000001' })
    }
    expect(Date.parse(asked.headers.get('date') ?? '')).toBeGreaterThan(0)

    expectIgError(await get('/v12.0/me', { access_token: token }), 2635, 'IGApiException')
    expectIgError(await get('/me', { fields: 'followers_secret', access_token: token }), 100, 'IGApiException')
    expectIgError(await get('/me', { fields: 'user_id' }), 2500, 'OAuthException')
  })

  it('refuses garbage, expired and invalidated tokens with code 190', async () => {
    expect(expectIgError(await get('/me', { access_token: 'IGAAgarbage' }), 190, 'OAuthException').message).toBe(
      'Invalid OAuth access token - Cannot parse access token'
    )

    const expiring = tokenIssued(59)
    instagram.advanceClock(DAY)
    const expired = expectIgError(await get('/me', { access_token: expiring }), 190, 'OAuthException', 463)
    expect(expired.message).toMatch(
      /^Error validating access token: Session has expired on .+\. The current time is .+\.$/
    )

    const changed = tokenIssued(3)
    instagram.invalidateToken(changed)
    expectIgError(await get('/me', { access_token: changed }), 190, 'OAuthException', 460)
  })
})

describe('GET /refresh_access_token', () => {
  it('gives a new token valid 60 days from the refresh; the old one keeps working until its own expiry', async () => {
    const old = tokenIssued(30, { permissions: ['instagram_business_basic', 'instagram_business_content_publish'] })
    const reply = await refresh(old)
    expect(reply.status).toBe(200)
    expect(reply.body).toEqual({
      access_token: expect.stringMatching(/^IGAA/) as unknown,
      token_type: 'bearer',
      expires_in: SIXTY_DAYS,
      permissions: 'instagram_business_basic,instagram_business_content_publish'
    })
    const fresh = String(reply.body.access_token)
    expect(fresh).not.toBe(old)
    expect(instagram.token(fresh)).toMatchObject({
      userId: '17841400000000001',
      expiresAt: instagram.now() + SIXTY_DAYS
    })
    expect((await get('/me', { fields: 'user_id', access_token: fresh })).body.user_id).toBe('17841400000000001')
    expect((await get('/me', { access_token: old })).status).toBe(200)
    instagram.advanceClock(30 * DAY)
    expect(instagram.isUsable(old)).toBe(false)
    expect(instagram.isUsable(fresh)).toBe(true)
  })

  it("can stop the old token at once (unverified: 'stops-working')", async () => {
    instagram.oldTokenAfterRefresh = 'stops-working'
    const old = tokenIssued(30)
    const fresh = String((await refresh(old)).body.access_token)
    expectIgError(await get('/me', { access_token: old }), 190, 'OAuthException', 460)
    expect(instagram.isUsable(old)).toBe(false)
    expect(instagram.isUsable(fresh)).toBe(true)
  })

  it('can hand back the same string with 60 new days', async () => {
    instagram.refreshReturnsSameToken = true
    const old = tokenIssued(30)
    expect((await refresh(old)).body).toMatchObject({ access_token: old, expires_in: SIXTY_DAYS })
    expect(instagram.token(old)?.expiresAt).toBe(instagram.now() + SIXTY_DAYS)
  })

  it('takes the token from Authorization: Bearer unless switched off (unverified)', async () => {
    const token = tokenIssued(2)
    const bearer = { authorization: `Bearer ${token}` }
    expect((await get('/refresh_access_token', { grant_type: 'ig_refresh_token' }, bearer)).status).toBe(200)
    instagram.refreshAcceptsBearer = false
    const refused = expectIgError(
      await get('/refresh_access_token', { grant_type: 'ig_refresh_token' }, bearer),
      100,
      'IGApiException'
    )
    expect(refused.message).toBe('(#100) The parameter access_token is required')
  })

  it('refuses expired, invalid, short-lived and young tokens, a missing permission and a wrong grant_type', async () => {
    const expired = tokenIssued(59)
    instagram.advanceClock(DAY + 1)
    expectIgError(await refresh(expired), 190, 'OAuthException', 463)
    expectIgError(await refresh('IGAAnothing'), 190, 'OAuthException')

    const short = instagram.issueToken({ userId: '17841400000000001', longLived: false })
    expect(expectIgError(await refresh(short), 100, 'IGApiException').message).toMatch(/long-lived/)
    const young = tokenIssued(0.5)
    expect(expectIgError(await refresh(young), 100, 'IGApiException').message).toMatch(/24 hours/)
    instagram.advanceClock(DAY / 2)
    expect((await refresh(young)).status).toBe(200)

    const noBasic = tokenIssued(5, { permissions: ['instagram_business_content_publish'] })
    expect(expectIgError(await refresh(noBasic), 10, 'IGApiException').message).toBe(
      '(#10) Application does not have permission for this action'
    )

    const token = tokenIssued(5)
    expectIgError(await refresh(token, { grant_type: 'fb_exchange_token' }), 100, 'IGApiException')
    expectIgError(await get('/refresh_access_token', { access_token: token }), 100, 'IGApiException')
    // Six issued here, one of them by the refresh that was allowed: the refused ones minted nothing.
    expect(instagram.allTokens().filter((t) => t.userId === '17841400000000001')).toHaveLength(6)
  })

  it("can refuse short-lived and young tokens with the generic 'Unsupported request' (unverified)", async () => {
    const strict = await InstagramEmulator.start({ clock: FROZEN, refreshRefusal: 'unsupported-request' })
    try {
      const young = strict.issueToken({ userId: '1', issuedAgo: 3600 })
      const reply = await fetch(`${strict.url}/refresh_access_token?grant_type=ig_refresh_token&access_token=${young}`)
      expect(reply.status).toBe(400)
      expect(((await reply.json()) as { error: IgError }).error).toMatchObject({
        message: 'Unsupported request - method type: get',
        type: 'IGApiException',
        code: 100
      })
    } finally {
      await strict.stop()
    }
  })
})

describe('everything else', () => {
  it('is an unsupported request: there is no revoke endpoint, and no other method', async () => {
    const token = tokenIssued(3)
    for (const path of ['/oauth/revoke', '/revoke_access_token', '/v27.0/me/permissions']) {
      const error = expectIgError(await get(path, { access_token: token }), 100, 'IGApiException')
      expect(error.message).toBe('Unsupported request - method type: get')
    }
    const post = await fetch(
      `${instagram.url}/refresh_access_token?grant_type=ig_refresh_token&access_token=${token}`,
      {
        method: 'POST'
      }
    )
    expect(((await post.json()) as { error: IgError }).error.message).toBe('Unsupported request - method type: post')
    expect(instagram.isUsable(token)).toBe(true)
  })

  it('records requests and takes injected faults, like the other emulators', async () => {
    instagram.server.injectFault({ path: '/refresh_access_token', fault: { kind: 'status', status: 500 } })
    expect((await refresh(tokenIssued(3))).status).toBe(500)
    expect(instagram.server.requestsTo('/refresh_access_token', 'GET')).toHaveLength(1)
  })
})
