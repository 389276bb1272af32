// Meta as it is in December 2026, over real HTTP against the emulators: page-secrets with system user
// tokens (refresh and generate: each page checked before minting, each page token's expiry as
// debug_token says it), and asset continuity judged by what the new token reads (GET /{asset-id})
// when its granular scopes list no targets. Each unverified behaviour is run both ways.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { GranularScope } from '../emulators/graph-emulator.js'
import { dateText } from '../src/token-checks.js'
import {
  ADMIN_USER,
  APP_ID,
  BUSINESS,
  leakedSecrets,
  REPOS,
  runWithInputs,
  startWorld,
  SYSTEM_USER,
  type RecordedRun,
  type World
} from './support/world.js'

const DAY = 86_400
const SHOP = '200000000000001'
const BLOG = '200000000000002'
const WABA = '300000000000001'
const AD_ACCOUNT = '400000000000001'

let world: World
let admin: string
beforeEach(async () => {
  world = await startWorld()
  world.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
  world.graph.addSystemUser({
    id: SYSTEM_USER,
    businessId: BUSINESS,
    installedAppIds: [APP_ID],
    assets: [
      { id: SHOP, kind: 'page' },
      { id: BLOG, kind: 'page' },
      { id: WABA, kind: 'whatsapp_business_account' },
      { id: AD_ACCOUNT, kind: 'ad_account' }
    ]
  })
  // The pages are the business's: the system user reaches them as assigned assets, in no /me/accounts.
  world.graph.addPage({ id: SHOP, name: 'Shop', businessId: BUSINESS })
  world.graph.addPage({ id: BLOG, name: 'Blog', businessId: BUSINESS })
  admin = world.graph.issueToken({ appId: APP_ID, type: 'USER', userId: ADMIN_USER, scopes: ['business_management'] })
})
afterEach(async () => {
  await world.stop()
})

const secretIn = (repo: string, name = 'META_TOKEN') => world.github.secret({ kind: 'repository', repo }, name)?.value
const puts = () => world.github.server.requests.filter((r) => r.method === 'PUT')
const PAGE_SECRETS = `${SHOP}=SHOP_PAGE_TOKEN\n${BLOG}=BLOG_PAGE_TOKEN`
const PAGE_SCOPES = ['pages_show_list', 'pages_manage_posts']

/** The system user's current token, 40 days old with 20 left, as a secret holds it when its rotation is due. */
function systemUserToken(scopes = PAGE_SCOPES, granularScopes?: GranularScope[]): string {
  const token = world.graph.issueToken({
    appId: APP_ID,
    type: 'SYSTEM_USER',
    userId: SYSTEM_USER,
    scopes,
    expiresIn: 20 * DAY,
    issuedAgo: 40 * DAY,
    ...(granularScopes ? { granularScopes } : {})
  })
  for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', token)
  return token
}

const generate = (token: string, scopes: string[], overrides: Record<string, string> = {}) =>
  world.inputs({
    strategy: 'generate',
    token,
    'system-user-id': SYSTEM_USER,
    'admin-token': admin,
    scopes: scopes.join(','),
    ...overrides
  })

/** The tokens of the system user that the run minted (all but `besides`). */
const minted = (besides: string[]) =>
  world.graph
    .tokensOfApp(APP_ID)
    .filter((t) => t.type === 'SYSTEM_USER' && t.userId === SYSTEM_USER && !besides.includes(t.value))

function expectPageTokensStored(run: RecordedRun): string[] {
  expect(run.failed).toBeUndefined()
  const stored: string[] = []
  for (const [pageId, name] of [
    [SHOP, 'SHOP_PAGE_TOKEN'],
    [BLOG, 'BLOG_PAGE_TOKEN']
  ] as const) {
    const value = secretIn('octo/app', name) as string
    expect(world.graph.token(value)).toMatchObject({ type: 'PAGE', pageId, userId: SYSTEM_USER })
    expect(secretIn('octo/api', name)).toBe(value)
    stored.push(value)
  }
  return stored
}

describe('page-secrets with a system user token', () => {
  describe.each(['never-expire', 'system-user-lifetime'] as const)(
    "page tokens (systemUserPageTokens '%s')",
    (mode) => {
      test('refresh stores each page token, read with the new system user token, and the summary says what debug_token says of its expiry', async () => {
        world.graph.systemUserPageTokens = mode
        const old = systemUserToken()
        const run = await runWithInputs(world.inputs({ token: old, 'page-secrets': PAGE_SECRETS }))

        const pages = expectPageTokensStored(run)
        const fresh = run.outputs.token as string
        expect(secretIn('octo/app')).toBe(fresh)
        expect(world.graph.token(old)?.revoked).toBe(true)
        const newExpiry = world.graph.token(fresh)?.expiresAt as number
        for (const page of pages) {
          const record = world.graph.token(page)
          expect(record?.expiresAt).toBe(mode === 'never-expire' ? 0 : newExpiry)
          const said = mode === 'never-expire' ? 'never' : dateText(new Date(newExpiry * 1000))
          expect(run.summary.replace(/\\(.)/g, '$1')).toContain(
            `holds the token of page ${record?.pageId}, read with the system user token: debug_token says it expires ${said}`
          )
        }
        // Each page token was read from the page itself, with the new token, as Bearer only.
        for (const pageId of [SHOP, BLOG]) {
          const reads = world.graph.server.requestsTo(`/v27.0/${pageId}`)
          expect(reads.map((r) => r.query.fields)).toEqual(['id', 'id,name,access_token'])
          expect(reads[1]?.headers.authorization).toBe(`Bearer ${fresh}`)
          for (const read of reads) expect(JSON.stringify(read.query)).not.toContain('EAA')
        }
        expect(leakedSecrets(run, [old, fresh, ...pages])).toEqual([])
      })
    }
  )

  test('refresh: a page no longer assigned to the system user stops at check, naming it, before anything is minted', async () => {
    const old = systemUserToken()
    world.graph.unassignAsset(SYSTEM_USER, BLOG)
    const run = await runWithInputs(world.inputs({ token: old, 'page-secrets': PAGE_SECRETS }))

    expect(run.outputs['failed-step']).toBe('check')
    expect(run.failed).toContain(`System user ${SYSTEM_USER} cannot reach page ${BLOG}`)
    expect(run.failed).not.toContain(SHOP)
    expect(run.failed).toMatch(/Fix: Assign the page to system user 61550000000077 \(Business settings/)
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(0)
    expect(minted([old])).toHaveLength(0)
    expect(puts()).toHaveLength(0)
  })

  test('generate with the current token: the pages are checked with it before minting', async () => {
    const old = systemUserToken()
    world.graph.unassignAsset(SYSTEM_USER, SHOP)
    const run = await runWithInputs(generate(old, PAGE_SCOPES, { 'page-secrets': PAGE_SECRETS }))

    expect(run.outputs['failed-step']).toBe('check')
    expect(run.failed).toContain(`cannot reach page ${SHOP}`)
    expect(world.graph.server.requestsTo(/access_tokens$/)).toHaveLength(0)
    expect(world.graph.isUsable(old)).toBe(true)
  })

  test('generate stores the page tokens of the new system user token, and revokes the old token', async () => {
    const old = systemUserToken()
    const run = await runWithInputs(generate(old, PAGE_SCOPES, { 'page-secrets': PAGE_SECRETS }))

    const pages = expectPageTokensStored(run)
    expect(world.graph.token(old)?.revoked).toBe(true)
    expect(pages.every((page) => world.graph.isUsable(page))).toBe(true)
  })

  test('generate without a current token: a page the new token cannot read stops at mint, nothing is written, the new token is revoked', async () => {
    world.graph.unassignAsset(SYSTEM_USER, BLOG)
    const run = await runWithInputs(generate('', PAGE_SCOPES, { 'page-secrets': PAGE_SECRETS }))

    expect(run.outputs['failed-step']).toBe('mint')
    expect(run.failed).toContain(`System user ${SYSTEM_USER} cannot reach page ${BLOG}`)
    expect(run.failed).toContain('nothing was written')
    expect(puts()).toHaveLength(0)
    const made = minted([])
    expect(made).toHaveLength(1)
    expect(made[0]?.revoked).toBe(true)
  })
})

describe('asset continuity judged by what the new token reads', () => {
  const SCOPES = ['pages_manage_posts', 'whatsapp_business_messaging', 'ads_read']
  const LISTED: GranularScope[] = [
    { scope: 'pages_manage_posts', targetIds: [SHOP, BLOG] },
    { scope: 'whatsapp_business_messaging', targetIds: [WABA] },
    { scope: 'ads_read', targetIds: [AD_ACCOUNT] }
  ]
  const assetReads = () => world.graph.server.requestsTo(/^\/v27\.0\/(act_)?\d+$/)

  test.each(['generate', 'refresh'] as const)(
    '%s: a new token whose granular scopes list no targets, but that reads every asset, rotates',
    async (strategy) => {
      const old = systemUserToken(SCOPES, LISTED)
      world.graph.systemUserGrantTargets = 'unlisted'
      const run = await runWithInputs(strategy === 'generate' ? generate(old, SCOPES) : world.inputs({ token: old }))

      expect(run.failed).toBeUndefined()
      const fresh = run.outputs.token as string
      expect(world.graph.token(fresh)?.granularScopes.every((g) => g.targetIds === undefined)).toBe(true)
      for (const repo of REPOS) expect(secretIn(repo)).toBe(fresh)
      expect(world.graph.token(old)?.revoked).toBe(true)
      // Each asset asked about once, with the new token, the ad account at act_{id}.
      expect(assetReads().map((r) => r.path.replace('/v27.0/', ''))).toEqual([SHOP, BLOG, WABA, `act_${AD_ACCOUNT}`])
      for (const read of assetReads()) {
        expect(read.headers.authorization).toBe(`Bearer ${fresh}`)
        expect(read.query.fields).toBe('id')
      }
    }
  )

  test('listed targets: nothing is asked', async () => {
    const old = systemUserToken(SCOPES, LISTED)
    const run = await runWithInputs(generate(old, SCOPES))

    expect(run.failed).toBeUndefined()
    expect(assetReads()).toHaveLength(0)
  })

  test.each(['generate', 'refresh'] as const)(
    '%s: an asset the new token cannot read stops at verify naming it; nothing is written, the new token is revoked',
    async (strategy) => {
      world.graph.systemUserRefreshTargets = 'snapshots'
      const old = systemUserToken(SCOPES, LISTED)
      world.graph.systemUserGrantTargets = 'unlisted'
      world.graph.unassignAsset(SYSTEM_USER, WABA)
      const run = await runWithInputs(strategy === 'generate' ? generate(old, SCOPES) : world.inputs({ token: old }))

      expect(run.outputs['failed-step']).toBe('verify')
      expect(run.failed).toContain(
        `whatsapp_business_messaging: ${WABA} (the new token lists no asset for it, and cannot read these)`
      )
      expect(run.failed).not.toContain(SHOP)
      expect(run.failed).toMatch(/Nothing was written; the current token was left in place\. Fix: Assign the assets/)
      expect(puts()).toHaveLength(0)
      for (const repo of REPOS) expect(secretIn(repo)).toBe(old)
      expect(world.graph.isUsable(old)).toBe(true)
      const made = minted([old])
      expect(made).toHaveLength(1)
      expect(made[0]?.revoked).toBe(true)
    }
  )

  test('a target id that is not a Graph id is never put in a path: it counts as lost, named as text', async () => {
    const hostile = '1/../oauth/revoke\n::stop-commands::x'
    const old = systemUserToken(SCOPES, [...LISTED.slice(0, 2), { scope: 'ads_read', targetIds: [hostile] }])
    world.graph.systemUserGrantTargets = 'unlisted'
    const run = await runWithInputs(generate(old, SCOPES))

    expect(run.outputs['failed-step']).toBe('verify')
    expect(run.failed).toContain('ads_read: 1/../oauth/revoke')
    expect(run.failed).not.toContain('\n::stop-commands::')
    for (const line of run.log) expect(line).not.toMatch(/^::stop-commands::/m)
    expect(
      world.graph.server.requests.filter((r) => /revoke|\.\./.test(r.path) && !/oauth\/revoke$/.test(r.path))
    ).toEqual([])
    expect(assetReads().map((r) => r.path.replace('/v27.0/', ''))).toEqual([SHOP, BLOG, WABA])
  })
})

describe('what Meta may leave out or give as 0', () => {
  const PERSON = '10000000000042'
  const userToken = (dataAccessExpiresIn: number) => {
    const token = world.graph.issueToken({
      appId: APP_ID,
      type: 'USER',
      userId: PERSON,
      scopes: ['pages_show_list'],
      expiresIn: 0,
      issuedAgo: 10 * DAY,
      dataAccessExpiresIn
    })
    for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', token)
    return token
  }
  const exchanges = () => world.graph.server.requestsTo(/oauth\/access_token$/)

  test('a user token with expires_at 0 is never refreshed into one that expires: the run skips and says why', async () => {
    const token = userToken(80 * DAY)
    const run = await runWithInputs(world.inputs({ token }))

    expect(run.failed).toBeUndefined()
    expect(run.outputs).toMatchObject({ rotated: 'false', 'expires-at': 'never' })
    expect(run.result?.skipped).toBe(true)
    expect(run.result?.skipReason).toMatch(
      /^Meta says the user token never expires \(debug_token's expires_at is 0\): a refresh could only give it an expiry, so nothing was changed; its data access ends on .* \(in 80 days\)/
    )
    expect(exchanges()).toHaveLength(0)
    expect(puts()).toHaveLength(0)
  })

  test('its data access closing within rotate-before still fails at check, naming the date', async () => {
    const token = userToken(5 * DAY)
    const run = await runWithInputs(world.inputs({ token }))

    expect(run.outputs['failed-step']).toBe('check')
    expect(run.failed).toMatch(/data access ends on .* \(in 5 days\)/)
    expect(exchanges()).toHaveLength(0)
  })

  test('debug_token without expires_at: the expiry is unknown, not never, so rotate-before does not skip it', async () => {
    world.graph.debugTokenOmitsExpiresAt = true
    const run = await runWithInputs(world.inputs({ 'rotate-before': '14d' }))

    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    expect(run.log).toContain(
      'Current token: system-user, valid, expires unknown, scopes ads_read, business_management.'
    )
    expect(run.outputs['expires-at']).toBe('')
  })

  test('a run whose debug_token answers carry no issued_at and no usage headers rotates (revoke: auto keeps the fresh-token guard)', async () => {
    world.graph.debugTokenOmitsIssuedAt = true
    world.graph.usageHeadersFromCalls = 1_000
    const run = await runWithInputs(world.inputs({ revoke: 'false' }))

    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    for (const request of world.graph.server.requests) expect(request.path).not.toMatch(/usage/)
  })
})
