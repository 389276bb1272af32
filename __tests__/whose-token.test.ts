// Whose token: with strategy generate, the token to revoke ('token', and 'previous-token' in grace mode)
// must be a token of 'system-user-id', and never the admin token. Anything else stops the run before
// anything is minted, naming the ids, and every token stays alive.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  ADMIN_USER,
  APP_ID,
  BUSINESS,
  runWithInputs,
  startWorld,
  SYSTEM_USER,
  type RecordedRun,
  type World
} from './support/world.js'

const DAY = 86_400
const OTHER_SYSTEM_USER = '61550000000088'
const ADMIN_SYSTEM_USER = '61550000000099'

let world: World
let tokens: { own: string; other: string; admin: string; adminSystemUser: string }

beforeEach(async () => {
  world = await startWorld()
  const { graph } = world
  graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
  for (const id of [SYSTEM_USER, OTHER_SYSTEM_USER])
    graph.addSystemUser({ id, businessId: BUSINESS, installedAppIds: [APP_ID] })
  graph.addSystemUser({ id: ADMIN_SYSTEM_USER, businessId: BUSINESS, installedAppIds: [APP_ID], admin: true })
  const systemUserToken = (userId: string) =>
    graph.issueToken({
      appId: APP_ID,
      type: 'SYSTEM_USER',
      userId,
      scopes: ['ads_read', 'business_management'],
      expiresIn: 20 * DAY,
      issuedAgo: 40 * DAY
    })
  tokens = {
    own: systemUserToken(SYSTEM_USER),
    other: systemUserToken(OTHER_SYSTEM_USER),
    admin: graph.issueToken({ appId: APP_ID, type: 'USER', userId: ADMIN_USER, scopes: ['business_management'] }),
    adminSystemUser: systemUserToken(ADMIN_SYSTEM_USER)
  }
})
afterEach(() => world.stop())

function generateInputs(overrides: Record<string, string>): Record<string, string> {
  return world.inputs({
    strategy: 'generate',
    'system-user-id': SYSTEM_USER,
    'admin-token': tokens.admin,
    scopes: 'ads_read,business_management',
    ...overrides
  })
}

/** Nothing was minted, written or revoked: Graph knows the same tokens, all alive; GitHub got no write. */
function expectNothingChanged(run: RecordedRun, tokenCount: number): void {
  expect(world.graph.allTokens()).toHaveLength(tokenCount)
  for (const value of Object.values(tokens)) expect(world.graph.isUsable(value)).toBe(true)
  expect(world.graph.server.requestsTo(/\/access_tokens$|\/applications$|\/oauth\/revoke$/)).toEqual([])
  expect(world.github.server.requests.filter((r) => r.method !== 'GET')).toEqual([])
  expect(run.outputs.rotated ?? 'false').toBe('false')
  expect(run.outputs.revoked ?? 'false').toBe('false')
  expect(run.outputs.token ?? '').toBe('')
}

describe("strategy generate: 'token' must be the system user's own", () => {
  test("another system user's token: [check], naming both system users, before anything is minted", async () => {
    const count = world.graph.allTokens().length
    const run = await runWithInputs(generateInputs({ token: tokens.other, 'install-app': 'true' }))

    expect(run.failed).toMatch(/^\[check\] /)
    expect(run.failed).toContain(OTHER_SYSTEM_USER)
    expect(run.failed).toContain(SYSTEM_USER)
    expect(run.failed).toMatch(/nothing was minted/)
    expectNothingChanged(run, count)
  })

  test("the admin system user's token (not the admin-token string, but an admin identity): [check]", async () => {
    const count = world.graph.allTokens().length
    const run = await runWithInputs(generateInputs({ token: tokens.adminSystemUser, 'admin-token': tokens.admin }))

    expect(run.failed).toMatch(/^\[check\] /)
    expect(run.failed).toContain(ADMIN_SYSTEM_USER)
    expect(run.failed).toContain(SYSTEM_USER)
    expectNothingChanged(run, count)
  })

  test("a user's token: [check], naming the user and the system user", async () => {
    const count = world.graph.allTokens().length
    const user = world.graph.issueToken({ appId: APP_ID, type: 'USER', userId: '10000000000042', scopes: ['ads_read'] })
    const run = await runWithInputs(generateInputs({ token: user }))

    expect(run.failed).toMatch(/^\[check\] /)
    expect(run.failed).toContain('10000000000042')
    expect(run.failed).toContain(SYSTEM_USER)
    expect(world.graph.isUsable(user)).toBe(true)
    expectNothingChanged(run, count + 1)
  })

  test.each([
    ['the same string', (admin: string) => admin],
    ['the same string with spaces and a line break around it', (admin: string) => `  ${admin}\n`]
  ])('the admin token itself (%s): [inputs], before any request', async (_how, as) => {
    const count = world.graph.allTokens().length
    const run = await runWithInputs(generateInputs({ token: as(tokens.admin) }))

    expect(run.failed).toMatch(/^\[inputs\] /)
    expect(run.failed).toMatch(/'token'.*same token as 'admin-token'/)
    expect(world.graph.server.requests).toEqual([])
    expectNothingChanged(run, count)
  })

  test('its own token: generated, stored, and that token is revoked; the admin token never', async () => {
    const run = await runWithInputs(generateInputs({ token: tokens.own }))
    expect(run.failed).toBeUndefined()
    expect(world.graph.token(tokens.own)?.revoked).toBe(true)
    for (const value of [tokens.admin, tokens.other, tokens.adminSystemUser])
      expect(world.graph.isUsable(value)).toBe(true)
  })
})

describe("strategy generate, grace mode: 'previous-token' likewise", () => {
  const grace = (previous: string) =>
    generateInputs({ token: tokens.own, 'previous-secret-name': 'META_TOKEN_PREVIOUS', 'previous-token': previous })

  test("another system user's token: [check], naming both system users, before anything is minted", async () => {
    const count = world.graph.allTokens().length
    const run = await runWithInputs(grace(tokens.other))

    expect(run.failed).toMatch(/^\[check\] /)
    expect(run.failed).toContain("'previous-token'")
    expect(run.failed).toContain(OTHER_SYSTEM_USER)
    expect(run.failed).toContain(SYSTEM_USER)
    expectNothingChanged(run, count)
  })

  test('the admin token: [inputs], before any request', async () => {
    const count = world.graph.allTokens().length
    const run = await runWithInputs(grace(tokens.admin))

    expect(run.failed).toMatch(/^\[inputs\] /)
    expect(run.failed).toMatch(/'previous-token'.*same token as 'admin-token'/)
    expect(world.graph.server.requests).toEqual([])
    expectNothingChanged(run, count)
  })
})
