// Strategy generate against Meta as it is in December 2026, over real HTTP: the system user named by
// its app-scoped id (debug_token's user_id, read from 'token' when system-user-id is left out; a
// Business Manager id refused before minting), the admin token checked to be this app's before
// anything is minted, and POST /{system-user-id}/access_tokens refused to apps that have not called it
// within 90 days (switchable: unverified), with generate-endpoint: business as the way out.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { appSecretProof } from '../emulators/graph-emulator.js'
import {
  ADMIN_USER,
  APP_ID,
  APP_SECRET,
  BUSINESS,
  REPOS,
  runWithInputs,
  stageGenerate,
  startWorld,
  SYSTEM_USER,
  type GenerateStage,
  type RecordedRun,
  type World
} from './support/world.js'

const DAY = 86_400
const BUSINESS_MANAGER_ID = '100089000000123'
const OTHER_APP = { id: '9988776655', secret: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', name: 'Acme Marketing Tools' }

let world: World
let stage: GenerateStage
beforeEach(async () => {
  world = await startWorld()
  stage = stageGenerate(world)
  // The id Business settings shows for the system user: stageGenerate's system user, with that id set.
  world.graph.addSystemUser({
    id: SYSTEM_USER,
    businessManagerId: BUSINESS_MANAGER_ID,
    businessId: BUSINESS,
    installedAppIds: [APP_ID]
  })
})
afterEach(() => world.stop())

const generations = () => world.graph.server.requestsTo(/\/access_tokens$/, 'POST')
const mintingCalls = () => world.graph.server.requests.filter((r) => r.method === 'POST')
const secretIn = (repo: string) => world.github.secret({ kind: 'repository', repo }, 'META_TOKEN')?.value
const gitHubWrites = () => world.github.server.requests.filter((r) => r.method !== 'GET')
const form = (body: string) => Object.fromEntries(new URLSearchParams(body))

/** Nothing minted, written or revoked: the same tokens at Meta, all alive; GitHub got no write. */
function expectNothingChanged(run: RecordedRun, tokenCount: number): void {
  expect(world.graph.allTokens()).toHaveLength(tokenCount)
  expect(world.graph.isUsable(stage.old)).toBe(true)
  expect(gitHubWrites()).toEqual([])
  expect(run.outputs.rotated ?? 'false').toBe('false')
  expect(run.outputs.token ?? '').toBe('')
}

function expectRotated(run: RecordedRun): string {
  expect(run.failed).toBeUndefined()
  expect(run.outputs.rotated).toBe('true')
  const fresh = run.outputs.token!
  for (const repo of REPOS) expect(secretIn(repo)).toBe(fresh)
  expect(world.graph.token(fresh)).toMatchObject({ appId: APP_ID, type: 'SYSTEM_USER', userId: SYSTEM_USER })
  return fresh
}

describe('system-user-id: the app-scoped id', () => {
  test("left out with 'token' given: the token's user_id is the system user minted for; the old token revoked", async () => {
    const run = await runWithInputs(stage.inputs({ 'system-user-id': '' }))

    expectRotated(run)
    expect(generations().map((r) => r.path)).toEqual([`/v27.0/${SYSTEM_USER}/access_tokens`])
    expect(world.graph.isUsable(stage.old)).toBe(false)
    expect(run.outputs.revoked).toBe('true')
  })

  test("a Business Manager id with 'token' given: [check], naming the id to use and where it comes from, before minting", async () => {
    const count = world.graph.allTokens().length
    const run = await runWithInputs(stage.inputs({ 'system-user-id': BUSINESS_MANAGER_ID }))

    expect(run.outputs['failed-step']).toBe('check')
    expect(run.failed).toContain(
      `[check] 'system-user-id' ${BUSINESS_MANAGER_ID} is not the app-scoped id of the system user whose token is in 'token': debug_token gives its user_id as ${SYSTEM_USER}.`
    )
    expect(run.failed).toContain(`Set system-user-id: ${SYSTEM_USER} (debug_token's user_id`)
    expect(run.failed).toContain('Access Token Debugger')
    expect(run.failed).toMatch(/nothing was minted/)
    expect(mintingCalls()).toEqual([])
    expectNothingChanged(run, count)
  })

  test('a Business Manager id without a token: Meta refuses the mint (code 100/33), and the fix names the app-scoped id', async () => {
    const count = world.graph.allTokens().length
    const run = await runWithInputs(stage.inputs({ token: '', 'system-user-id': BUSINESS_MANAGER_ID }))

    expect(run.outputs['failed-step']).toBe('mint')
    expect(run.failed).toMatch(/\(#100\/33, fbtrace_id /)
    expect(run.failed).toContain(`Meta knows no system user ${BUSINESS_MANAGER_ID} that this admin token may mint for`)
    expect(run.failed).toMatch(
      /Fix: Set 'system-user-id' to the app-scoped id of the system user \(debug_token's user_id/
    )
    expect(generations().map((r) => r.path)).toEqual([`/v27.0/${BUSINESS_MANAGER_ID}/access_tokens`])
    expectNothingChanged(run, count)
  })

  test("left out, and debug_token's user_id is not a numeric id (path characters): [check], no request to another path, nothing minted", async () => {
    world.graph.token(stage.old)!.userId = `../../${SYSTEM_USER}/applications?x=#`
    const count = world.graph.allTokens().length
    const run = await runWithInputs(stage.inputs({ 'system-user-id': '' }))

    expect(run.outputs['failed-step']).toBe('check')
    expect(run.failed).toMatch(/'system-user-id' is empty and debug_token names no system user of 'app-id' 1234567890/)
    expect(mintingCalls()).toEqual([])
    expect(world.graph.allTokens()).toHaveLength(count)
  })

  test("left out, and 'token' is a user token: [check], nothing to mint for, before minting", async () => {
    const userToken = world.issue('USER')
    const count = world.graph.allTokens().length
    const run = await runWithInputs(stage.inputs({ 'system-user-id': '', token: userToken }))

    expect(run.outputs['failed-step']).toBe('check')
    expect(run.failed).toMatch(/'system-user-id' is empty and debug_token names no system user of 'app-id' 1234567890/)
    expect(run.failed).toContain('a user token of app 1234567890 (Rotator Test App)')
    expect(mintingCalls()).toEqual([])
    expect(world.graph.allTokens()).toHaveLength(count)
  })

  test('the emulator: /{business-manager-id}/access_tokens is no object (code 100, subcode 33), the app-scoped id mints', async () => {
    const call = (node: string) =>
      fetch(`${world.graph.url}/v27.0/${node}/access_tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          business_app: APP_ID,
          scope: 'ads_read',
          access_token: stage.admin,
          appsecret_proof: appSecretProof(APP_SECRET, stage.admin)
        }).toString()
      })
    const refused = await call(BUSINESS_MANAGER_ID)
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { error: unknown }).error).toMatchObject({ code: 100, error_subcode: 33 })
    expect(world.graph.businessManagerIdOf(SYSTEM_USER)).toBe(BUSINESS_MANAGER_ID)
    const minted = await call(SYSTEM_USER)
    expect(minted.status).toBe(200)
  })
})

describe('admin-token: a token of this app, checked before anything is minted', () => {
  const otherAppAdmin = () => {
    world.graph.addApp({ id: OTHER_APP.id, secret: OTHER_APP.secret, name: OTHER_APP.name })
    return world.graph.issueToken({
      appId: OTHER_APP.id,
      type: 'USER',
      userId: ADMIN_USER,
      scopes: ['business_management']
    })
  }

  test("another app's admin token: [check] naming that app's id and name; no POST at all, nothing written", async () => {
    const admin = otherAppAdmin()
    const count = world.graph.allTokens().length
    const run = await runWithInputs(stage.inputs({ 'admin-token': admin, 'install-app': 'true' }))

    expect(run.outputs['failed-step']).toBe('check')
    expect(run.failed).toContain(
      `[check] 'admin-token' belongs to Meta app ${OTHER_APP.id} (${OTHER_APP.name}), not to 'app-id' ${APP_ID}`
    )
    expect(run.failed).toMatch(/nothing was minted or written\. Fix: Put a token of app 1234567890 in /)
    // Our check comes first: only debug_token was asked, never /applications nor /access_tokens.
    expect(mintingCalls()).toEqual([])
    expect(world.graph.server.requests.every((r) => r.path === '/v27.0/debug_token')).toBe(true)
    expectNothingChanged(run, count)
  })

  test('the same in a dry run: it fails, having asked only debug_token', async () => {
    const run = await runWithInputs(stage.inputs({ 'admin-token': otherAppAdmin(), 'dry-run': 'true' }))
    expect(run.outputs['failed-step']).toBe('check')
    expect(mintingCalls()).toEqual([])
  })

  test("the emulator: Meta's own answer to that token is an opaque invalid appsecret_proof (code 100), minting nothing", async () => {
    const admin = otherAppAdmin()
    const count = world.graph.allTokens().length
    const answer = await fetch(`${world.graph.url}/v27.0/${SYSTEM_USER}/access_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        business_app: APP_ID,
        scope: 'ads_read',
        access_token: admin,
        appsecret_proof: appSecretProof(APP_SECRET, admin)
      }).toString()
    })
    expect(answer.status).toBe(400)
    expect(((await answer.json()) as { error: unknown }).error).toMatchObject({
      code: 100,
      message: 'Invalid appsecret_proof provided in the API argument'
    })
    expect(world.graph.allTokens()).toHaveLength(count)
  })

  test('an admin token of this app passes the check (an admin system user token too)', async () => {
    world.graph.addSystemUser({ id: '61550000000099', businessId: BUSINESS, installedAppIds: [APP_ID], admin: true })
    const adminSystemUser = world.graph.issueToken({
      appId: APP_ID,
      type: 'SYSTEM_USER',
      userId: '61550000000099',
      scopes: ['business_management'],
      expiresIn: 0
    })
    expectRotated(await runWithInputs(stage.inputs({ 'admin-token': adminSystemUser })))
  })
})

describe("the 90-day restriction of /{system-user-id}/access_tokens (switchable: Meta's answer is unverified)", () => {
  test('an app that has not called it within 90 days: [mint] says so and how to recover; nothing minted or written', async () => {
    world.graph.accessTokensEndpoint = 'recent-apps-only'
    world.graph.appMintedWithAccessTokens(APP_ID, 91 * DAY)
    const count = world.graph.allTokens().length
    const run = await runWithInputs(stage.inputs())

    expect(run.outputs['failed-step']).toBe('mint')
    expect(run.failed).toMatch(
      /^\[mint\] Generating a system user token for 61550000000077 failed: \(#3\) This endpoint is temporarily only available to apps that have queried it within the last 90 days/
    )
    expect(run.failed).toContain('and app 1234567890 has not; nothing was minted.')
    expect(run.failed).toContain(
      "Fix: Mint with the business's endpoint instead (POST /{business-id}/system_user_access_tokens): set generate-endpoint: business and 'business-id' to the id of the Business Manager that owns system user 61550000000077"
    )
    expectNothingChanged(run, count)
  })

  test('an app that called it 89 days ago mints as before', async () => {
    world.graph.accessTokensEndpoint = 'recent-apps-only'
    world.graph.appMintedWithAccessTokens(APP_ID, 89 * DAY)
    expectRotated(await runWithInputs(stage.inputs()))
  })

  test("generate-endpoint: business mints with the parameters of Business.json, for the admin token's app, restriction or not", async () => {
    world.graph.accessTokensEndpoint = 'recent-apps-only'
    const run = await runWithInputs(stage.inputs({ 'generate-endpoint': 'business', 'business-id': BUSINESS }))

    const fresh = expectRotated(run)
    expect(world.graph.token(fresh)).toMatchObject({ scopes: ['ads_read', 'business_management'] })
    expect(world.graph.token(fresh)!.expiresAt - world.graph.now()).toBe(60 * DAY)
    expect(world.graph.isUsable(stage.old)).toBe(false)
    expect(generations()).toEqual([])
    const [mint, ...more] = world.graph.server.requestsTo(`/v27.0/${BUSINESS}/system_user_access_tokens`, 'POST')
    expect(more).toEqual([])
    const sent = form(mint!.body)
    expect(Object.keys(sent).sort()).toEqual([
      'access_token',
      'appsecret_proof',
      'scope',
      'set_token_expires_in_60_days',
      'system_user_id'
    ])
    expect(sent).toMatchObject({
      system_user_id: SYSTEM_USER,
      scope: 'ads_read,business_management',
      set_token_expires_in_60_days: 'true',
      appsecret_proof: appSecretProof(APP_SECRET, stage.admin)
    })
  })

  test('generate-endpoint: business with system-user-id left out: read from the token', async () => {
    const run = await runWithInputs(
      stage.inputs({ 'generate-endpoint': 'business', 'business-id': BUSINESS, 'system-user-id': '' })
    )
    expectRotated(run)
    const [mint] = world.graph.server.requestsTo(`/v27.0/${BUSINESS}/system_user_access_tokens`, 'POST')
    expect(form(mint!.body).system_user_id).toBe(SYSTEM_USER)
  })

  test("generate-endpoint: business with a business-id that is not the system user's: [mint], nothing written", async () => {
    world.graph.addBusiness({ id: '710000000000002', adminUserIds: [ADMIN_USER] })
    const count = world.graph.allTokens().length
    const run = await runWithInputs(stage.inputs({ 'generate-endpoint': 'business', 'business-id': '710000000000002' }))
    expect(run.outputs['failed-step']).toBe('mint')
    expect(run.failed).toContain(
      `(POST /710000000000002/system_user_access_tokens) failed: (#100) system_user_id ${SYSTEM_USER} is not a system user of business 710000000000002`
    )
    expectNothingChanged(run, count)
  })
})

describe('generate-endpoint: business, attacked', () => {
  const business = () => stage.inputs({ 'generate-endpoint': 'business', 'business-id': BUSINESS })
  const answerMint = (body: Record<string, unknown>) =>
    world.graph.server.injectFault({
      method: 'POST',
      path: `/v27.0/${BUSINESS}/system_user_access_tokens`,
      fault: { kind: 'status', status: 200, body }
    })

  test('a dry run sends no POST to Meta at all, and passes', async () => {
    const held = REPOS.map(secretIn)
    const run = await runWithInputs({ ...business(), 'dry-run': 'true' })
    expect(run.failed).toBeUndefined()
    expect(mintingCalls()).toEqual([])
    // GitHub sees only the dry run's probes of write access (DELETEs of a secret that does not exist).
    expect(gitHubWrites().every((r) => r.method === 'DELETE' && /META_ROTATOR_PROBE_/.test(r.path))).toBe(true)
    expect(REPOS.map(secretIn)).toEqual(held)
  })

  test('an answer without an access_token: [mint], nothing written, the old token alive', async () => {
    answerMint({ id: BUSINESS })
    const count = world.graph.allTokens().length
    const run = await runWithInputs(business())
    expect(run.outputs['failed-step']).toBe('mint')
    expect(run.failed).toContain('answered without a usable access_token')
    expectNothingChanged(run, count)
  })

  test("an answer carrying another app's token: [verify] refuses it before anything is written", async () => {
    world.graph.addApp({ id: OTHER_APP.id, secret: OTHER_APP.secret, name: OTHER_APP.name })
    const foreign = world.graph.issueToken({
      appId: OTHER_APP.id,
      type: 'SYSTEM_USER',
      userId: SYSTEM_USER,
      scopes: ['ads_read']
    })
    answerMint({ access_token: foreign })
    const run = await runWithInputs(business())
    expect(run.outputs['failed-step']).toBe('verify')
    expect(gitHubWrites()).toEqual([])
    expect(world.graph.isUsable(stage.old)).toBe(true)
    for (const repo of REPOS) expect(secretIn(repo)).not.toBe(foreign)
    expect(`${run.failed} ${run.summary} ${run.log.join('\n')}`).not.toContain(foreign)
  })
})

describe('the emulator: POST /{business-id}/system_user_access_tokens, validated against Business.json', () => {
  const post = (params: Record<string, string>, business = BUSINESS) =>
    fetch(`${world.graph.url}/v27.0/${business}/system_user_access_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        access_token: stage.admin,
        appsecret_proof: appSecretProof(APP_SECRET, stage.admin),
        ...params
      }).toString()
    })
  const errorOf = async (answer: Response) => {
    expect(answer.status).toBe(400)
    return ((await answer.json()) as { error: { code: number; message: string } }).error
  }

  test.each([
    [
      { system_user_id: SYSTEM_USER, scope: 'ads_read', business_app: APP_ID },
      /Param business_app is not a valid parameter/
    ],
    [{ system_user_id: SYSTEM_USER, scope: 'ads_read', set_token_expires_in_60_days: 'yes' }, /must be a boolean/],
    [{ system_user_id: BUSINESS_MANAGER_ID, scope: 'ads_read' }, /is not a system user of business/],
    [{ system_user_id: 'abc', scope: 'ads_read' }, /must be a valid unsigned int/],
    [{ system_user_id: SYSTEM_USER }, /The parameter scope is required/],
    [{ system_user_id: SYSTEM_USER, scope: 'ads_read', asset: '123,x' }, /asset must be an array of unsigned ints/],
    [{ system_user_id: SYSTEM_USER, scope: 'ads_read', asset: '[4455]' }, /Asset 4455 is not assigned/],
    [{ scope: 'ads_read' }, /The parameter system_user_id is required/]
  ])('%j is refused with code 100', async (params, message) => {
    const error = await errorOf(await post(params))
    expect(error.code).toBe(100)
    expect(error.message).toMatch(message)
  })

  test('without appsecret_proof, or from a person who is no admin of the business, nothing is minted', async () => {
    const count = world.graph.allTokens().length
    const noProof = await fetch(`${world.graph.url}/v27.0/${BUSINESS}/system_user_access_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        access_token: stage.admin,
        system_user_id: SYSTEM_USER,
        scope: 'ads_read'
      }).toString()
    })
    expect((await errorOf(noProof)).message).toMatch(/appsecret_proof/)
    const stranger = world.graph.issueToken({ appId: APP_ID, type: 'USER', userId: '10000000000123' })
    const refused = await fetch(`${world.graph.url}/v27.0/${BUSINESS}/system_user_access_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        access_token: stranger,
        appsecret_proof: appSecretProof(APP_SECRET, stranger),
        system_user_id: SYSTEM_USER,
        scope: 'ads_read'
      }).toString()
    })
    expect((await errorOf(refused)).code).toBe(200)
    expect(world.graph.allTokens()).toHaveLength(count + 1)
  })

  test('asset limits the token to the assets listed; without set_token_expires_in_60_days it never expires', async () => {
    world.graph.assignAsset(SYSTEM_USER, { id: '3300000001', kind: 'ad_account' })
    world.graph.assignAsset(SYSTEM_USER, { id: '3300000002', kind: 'ad_account' })
    const answer = await post({ system_user_id: SYSTEM_USER, scope: 'ads_read', asset: '3300000002' })
    expect(answer.status).toBe(200)
    const { access_token: token } = (await answer.json()) as { access_token: string }
    expect(world.graph.token(token)).toMatchObject({
      expiresAt: 0,
      granularScopes: [{ scope: 'ads_read', targetIds: ['3300000002'] }]
    })
  })
})
