// Every way a rotation can fail, over real HTTP to both emulators: each failure names its step and
// the fix, exits non-zero, writes nothing (or exactly what it says it wrote), revokes nothing it
// should not, and prints no secret.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  APP_ID,
  APP_SECRET,
  FAST,
  GITHUB_PAT,
  leakedSecrets,
  REPOS,
  runWithInputs,
  startWorld,
  type RecordedRun,
  type World
} from './support/world.js'
import { dateText } from '../src/token-checks.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.stop()
})

const OTHER_APP = { id: '9876543210', secret: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' }
const WRONG_SECRET = '00000000000000000000000000000bad'

const repoSecret = (repo: string, name = 'META_TOKEN') => world.github.secret({ kind: 'repository', repo }, name)

/** Every secret this world knows: the app secrets, the PAT and every Graph token ever issued. */
function secretsInPlay(...extra: string[]): string[] {
  const tokens = [...world.graph.tokensOfApp(APP_ID), ...world.graph.tokensOfApp(OTHER_APP.id)].map((t) => t.value)
  return [APP_SECRET, `${APP_ID}|${APP_SECRET}`, GITHUB_PAT, OTHER_APP.secret, ...tokens, ...extra]
}

interface SecretEntry {
  kind: string
  target: string
  name: string
  status: string
  error?: string
}
const secretsOutput = (run: RecordedRun): SecretEntry[] => JSON.parse(run.outputs.secrets as string) as SecretEntry[]
const byTarget = (a: SecretEntry, b: SecretEntry): number => a.target.localeCompare(b.target)

/** (a) the step and a fix are named, (b) the run failed. */
function expectFailedAt(run: RecordedRun, step: string, ...patterns: RegExp[]): string {
  expect(run.failed).toBeDefined()
  const failed = run.failed as string
  expect(failed).toMatch(new RegExp(`^\\[${step}\\] `))
  expect(failed).toMatch(/ Fix: \S/)
  for (const pattern of patterns) expect(failed).toMatch(pattern)
  return failed
}

/** (c) no secret written anywhere, (d) nothing revoked. */
function expectNothingWrittenOrRevoked(): void {
  for (const repo of REPOS) expect(repoSecret(repo)).toBeUndefined()
  expect(world.github.server.requests.filter((r) => r.method === 'PUT')).toHaveLength(0)
  expect(world.graph.token(world.token)?.revoked).toBe(false)
  expect(world.graph.server.requestsTo(/oauth\/revoke$/)).toHaveLength(0)
}

/** The tokens of the app before the run under test: a run that mints nothing leaves exactly these. */
let tokensBefore: string[] = []
const appTokens = (): string[] => world.graph.tokensOfApp(APP_ID).map((t) => t.value)

async function rotate(overrides: Record<string, string> = {}): Promise<RecordedRun> {
  tokensBefore = appTokens()
  return runWithInputs(world.inputs(overrides))
}

function expectNothingMinted(): void {
  expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(0)
  expect(appTokens()).toEqual(tokensBefore)
}

function expectNoLeak(run: RecordedRun, ...extra: string[]): void {
  expect(leakedSecrets(run, secretsInPlay(...extra))).toEqual([])
}

describe('the current token or the app credentials are wrong: [check] fails before anything is minted', () => {
  test('a wrong app secret is reported as such (debug_token answers 190 "Invalid OAuth access token signature")', async () => {
    const run = await rotate({ 'app-secret': WRONG_SECRET })

    expectFailedAt(run, 'check', /debug_token/, /Fix: .*'app-secret'/i)
    // It is the app secret that is wrong, not the token: telling the user to make a new token sends them the wrong way.
    expect(run.failed).not.toMatch(/Fix: generate a new token/i)
    expect(world.graph.server.requestsTo(/debug_token$/)).toHaveLength(1)
    expectNothingMinted()
    expectNothingWrittenOrRevoked()
    expect(world.github.server.requests).toHaveLength(0)
    expect(run.masks).toContain(WRONG_SECRET)
    expectNoLeak(run, WRONG_SECRET, `${APP_ID}|${WRONG_SECRET}`)
  })

  test('an expired current token', async () => {
    const soon = world.issue('SYSTEM_USER', { expiresIn: 60 })
    world.graph.advanceClock(120)
    const run = await rotate({ token: soon })

    expectFailedAt(
      run,
      'check',
      /The current token \('token'\) is expired on \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
      /Fix: generate a new token/i
    )
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(0)
    expect(world.graph.token(soon)?.revoked).toBe(false)
    expectNothingWrittenOrRevoked()
    expect(world.github.server.requests).toHaveLength(0)
    expectNoLeak(run)
  })

  test('a revoked current token', async () => {
    const revoked = world.issue('SYSTEM_USER')
    world.graph.token(revoked)!.revoked = true
    const run = await rotate({ token: revoked })

    expectFailedAt(
      run,
      'check',
      /The current token \('token'\) is dead: Meta no longer accepts it \(.*invalidated/,
      /Fix: A rotation may have revoked it and stored its successor in META_TOKEN: pass META_TOKEN as 'token' .*Otherwise generate a new token/
    )
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(0)
    expectNothingWrittenOrRevoked()
    expect(world.github.server.requests).toHaveLength(0)
    expectNoLeak(run)
  })

  test('a token of another app names both apps and points at app-id / app-secret', async () => {
    world.graph.addApp({ id: OTHER_APP.id, secret: OTHER_APP.secret, name: 'Other App' })
    const foreign = world.issue('SYSTEM_USER', { appId: OTHER_APP.id })
    const run = await rotate({ token: foreign })

    expectFailedAt(
      run,
      'check',
      new RegExp(`belongs to Meta app ${OTHER_APP.id}, not to 'app-id' ${APP_ID}`),
      /Fix: .*'app-id' and 'app-secret'/i
    )
    expectNothingMinted()
    expect(world.graph.token(foreign)?.revoked).toBe(false)
    expectNothingWrittenOrRevoked()
    expect(world.github.server.requests).toHaveLength(0)
    expectNoLeak(run)
  })

  test('required scopes the token lacks stop the run at [check], before minting', async () => {
    const run = await rotate({ scopes: 'whatsapp_business_messaging' })

    expectFailedAt(run, 'check', /lacks the required scope whatsapp_business_messaging/, /Fix: grant the permission/i)
    expect(world.graph.server.requestsTo(/debug_token$/)).toHaveLength(1)
    expectNothingMinted()
    expectNothingWrittenOrRevoked()
    expect(world.github.server.requests).toHaveLength(0)
    expectNoLeak(run)
  })

  test('revoke: true with a user token fails at [check], after debug_token only', async () => {
    const userToken = world.issue('USER', { scopes: ['pages_show_list'] })
    const run = await rotate({ token: userToken, revoke: 'true' })

    expectFailedAt(run, 'check', /revoke: true/, /user token/, /only system user tokens/, /Fix: use revoke: auto/i)
    expect(world.graph.server.requests.map((r) => r.path)).toEqual([expect.stringMatching(/debug_token$/)])
    expectNothingMinted()
    expectNothingWrittenOrRevoked()
    expect(world.github.server.requests).toHaveLength(0)
    expectNoLeak(run)
  })
})

describe('GitHub refuses: [prepare] fails before anything is minted', () => {
  /** After [check] (one debug_token), nothing reached Meta: no exchange, no revoke. */
  function expectStoppedAtPrepare(run: RecordedRun): void {
    expect(world.graph.server.requests.map((r) => r.path)).toEqual([expect.stringMatching(/debug_token$/)])
    expectNothingMinted()
    expectNothingWrittenOrRevoked()
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expect(world.github.server.requestsTo(/public-key$/).length).toBeGreaterThan(0)
  }

  test('401: a github-token GitHub does not know', async () => {
    const unknown = 'github_pat_11ZZZZZZZ0unknown0to0github'
    const run = await rotate({ 'github-token': unknown })

    expectFailedAt(run, 'prepare', /GitHub rejected 'github-token' \(401/, /Fix: .*github-token/i)
    expectStoppedAtPrepare(run)
    expect(secretsOutput(run).map((s) => s.status)).toEqual(['failed', 'failed'])
    expectNoLeak(run, unknown)
  })

  test('403: a token without the Secrets permission names it and what GitHub accepts', async () => {
    const readOnly = 'github_pat_11RRRRRRR0metadata0read0only'
    world.github.addToken(readOnly, { permissions: { metadata: 'read' } })
    const run = await rotate({ 'github-token': readOnly })

    expectFailedAt(run, 'prepare', /403/, /secrets=read/, /Fix: .*'Secrets: Read and write'/i)
    expectStoppedAtPrepare(run)
    expectNoLeak(run, readOnly)
  })

  test("the workflow's GITHUB_TOKEN: says it cannot write secrets", async () => {
    const workflowToken = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a'
    world.github.addToken(workflowToken, { kind: 'github-actions' })
    const run = await rotate({ 'github-token': workflowToken })

    expectFailedAt(run, 'prepare', /403/, /GITHUB_TOKEN.*can(not| never) write secrets/)
    expectStoppedAtPrepare(run)
    expectNoLeak(run, workflowToken)
  })

  test('404: a repository that does not exist', async () => {
    const run = await rotate({ repositories: 'octo/ghost' })

    expectFailedAt(run, 'prepare', /octo\/ghost/, /404/, /Fix: check the name/i)
    expectStoppedAtPrepare(run)
    expect(repoSecret('octo/ghost')).toBeUndefined()
    expectNoLeak(run)
  })

  test('404 for one repository among others: the reachable one gets the new token, nothing is revoked, the failure names the other', async () => {
    // Going on keeps the reachable destinations fresh; the old token stays valid for the unreachable one.
    const run = await rotate({ repositories: 'octo/app\nocto/ghost' })

    expectFailedAt(run, 'store', /octo\/ghost/, /404/, /Fix: check the name/i, /Then re-run/)
    expect(repoSecret('octo/app')?.value).toBe(run.outputs.token)
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false' })
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(world.graph.server.requestsTo(/oauth\/revoke$/)).toHaveLength(0)
    expectNoLeak(run)
  })
})

/** The rotation completed: both repositories hold the new token and the old one is revoked. */
function expectRotated(run: RecordedRun): void {
  expect(run.failed).toBeUndefined()
  const fresh = run.outputs.token as string
  expect(fresh).toMatch(/^EAA/)
  for (const repo of REPOS) expect(repoSecret(repo)?.value).toBe(fresh)
  expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'true' })
  expect(world.graph.token(world.token)?.revoked).toBe(true)
  expectNoLeak(run)
}

describe('transient failures are retried; others are not', () => {
  test("a 500 with Graph's transient code 2 on oauth/access_token is retried", async () => {
    world.graph.server.injectFault({
      path: /oauth\/access_token$/,
      fault: {
        kind: 'status',
        status: 500,
        body: {
          error: {
            message: 'An unexpected error has occurred. Please retry your request later.',
            type: 'OAuthException',
            code: 2,
            is_transient: true,
            fbtrace_id: 'TrAnSiEnT2'
          }
        }
      }
    })
    const run = await rotate()
    expectRotated(run)
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(2)
  })

  test('a connection reset on debug_token is retried', async () => {
    world.graph.server.injectFault({ path: /debug_token$/, fault: { kind: 'reset' } })
    const run = await rotate()
    expectRotated(run)
    // The reset one, its retry, and the check of the new token.
    expect(world.graph.server.requestsTo(/debug_token$/)).toHaveLength(3)
  })

  test('a 503 on a GitHub PUT is retried', async () => {
    world.github.server.injectFault({
      path: /\/repos\/octo\/app\/actions\/secrets\/META_TOKEN$/,
      method: 'PUT',
      fault: { kind: 'status', status: 503, body: { message: 'Service Unavailable' } }
    })
    const run = await rotate()
    expectRotated(run)
    expect(world.github.server.requestsTo(/\/repos\/octo\/app\/actions\/secrets\/META_TOKEN$/, 'PUT')).toHaveLength(2)
  })

  test('an auth error (190) on the exchange is not retried: exactly one request, reported with its fbtrace_id', async () => {
    world.graph.server.injectFault({
      path: /oauth\/access_token$/,
      fault: {
        kind: 'status',
        status: 400,
        body: {
          error: {
            message: 'Error validating access token: The session was invalidated explicitly using an API call.',
            type: 'OAuthException',
            code: 190,
            error_subcode: 460,
            fbtrace_id: 'NoRetry190Trace'
          }
        }
      },
      times: 5
    })
    const run = await rotate()

    expectFailedAt(run, 'mint', /#190\/460/, /NoRetry190Trace/, /Fix: the session ended.*new token/i)
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(1)
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expectNothingWrittenOrRevoked()
    expectNoLeak(run)
  })

  test('an exchange that never answers fails clearly after the retries, each ended by the request timeout', async () => {
    world.graph.server.injectFault({ path: /oauth\/access_token$/, fault: { kind: 'hang' }, times: 10 })
    // request-timeout's floor is a second; the timeout itself is what is tested, at a tenth of that.
    tokensBefore = appTokens()
    const run = await runWithInputs(world.inputs(), {}, { ...FAST, requestTimeoutMs: 100 })

    expectFailedAt(run, 'mint', /no answer within 0\.1 s/, /Fix: the Graph API could not be reached/i)
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(3)
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expectNothingWrittenOrRevoked()
    expectNoLeak(run)
  })
})

describe('partial failure and a failing revoke', () => {
  test('a 422 on one repository: the other holds the new token, nothing is revoked, and a re-run completes', async () => {
    world.github.server.injectFault({
      path: /\/repos\/octo\/api\/actions\/secrets\/META_TOKEN$/,
      method: 'PUT',
      fault: {
        kind: 'status',
        status: 422,
        body: { message: 'Invalid request.\n\nBad key_id.', documentation_url: 'https://docs.github.com/rest' }
      }
    })
    const first = await rotate()
    const fresh = first.outputs.token as string

    expectFailedAt(
      first,
      'store',
      /1 of 2/,
      /octo\/api/,
      /422/,
      /Fix: Correct what GitHub names\. Then re-run: the run that gets every destination written completes the rotation/
    )
    expect(first.outputs).toMatchObject({ rotated: 'true', revoked: 'false' })
    expect(fresh).toMatch(/^EAA/)
    expect(repoSecret('octo/app')?.value).toBe(fresh)
    expect(repoSecret('octo/api')).toBeUndefined()
    expect(world.graph.token(world.token)?.revoked).toBe(false)
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(world.graph.server.requestsTo(/oauth\/revoke$/)).toHaveLength(0)
    const secrets = secretsOutput(first).sort(byTarget)
    expect(secrets).toEqual([
      expect.objectContaining({
        target: 'octo/api',
        name: 'META_TOKEN',
        status: 'failed',
        error: expect.stringMatching(/422/)
      }),
      expect.objectContaining({ target: 'octo/app', name: 'META_TOKEN', status: 'created' })
    ])
    expect(secrets[1]?.error).toBeUndefined()
    expectNoLeak(first)

    world.github.server.clearFaults()
    const second = await rotate()
    expectRotated(second)
    expect(
      secretsOutput(second)
        .sort(byTarget)
        .map((s) => [s.target, s.status])
    ).toEqual([
      ['octo/api', 'created'],
      ['octo/app', 'updated']
    ])
  })

  test("the summary's table says what each destination holds, a failed one included", async () => {
    world.github.addRepository('octo/locked')
    world.github.addToken('github_pat_11two0repositories', {
      permissions: { metadata: 'read', secrets: 'write' },
      repositories: ['octo/app', 'octo/api']
    })
    const run = await rotate({
      repositories: 'octo/app\nocto/locked',
      'github-token': 'github_pat_11two0repositories',
      'previous-secret-name': 'META_TOKEN_PREVIOUS'
    })
    expectFailedAt(run, 'store', /octo\/locked/)
    const holds = (repo: string, name: string): string | undefined =>
      run.summary
        .split('\n')
        .find((line) => line.includes(` in ${repo} |`) && line.includes(`\`${name}\``))
        ?.split(' | ')[3]
    expect(run.summary).toContain('| Destination | Secret | Result | Holds now | Fix |')
    expect(holds('octo/app', 'META_TOKEN')).toBe('new')
    // Its public key could not be read: nothing was written there.
    expect(holds('octo/locked', 'META_TOKEN')).toBe('old')

    // A previous slot whose write failed: the run does not follow which token that slot holds.
    world.github.server.injectFault({
      path: /\/repos\/octo\/api\/actions\/secrets\/META_TOKEN_PREVIOUS$/,
      method: 'PUT',
      fault: { kind: 'status', status: 422, body: { message: 'Invalid request.' } }
    })
    const grace = await rotate({ token: run.outputs.token as string, 'previous-secret-name': 'META_TOKEN_PREVIOUS' })
    expectFailedAt(grace, 'store', /octo\/api/)
    expect(grace.summary).toMatch(/in octo\/api \| `META_TOKEN_PREVIOUS` \| ❌ [^|]+ \| unknown \|/)
  })

  test('revoke failing after every write: non-zero exit, rotated, not revoked, the old token valid until its date', async () => {
    world.graph.server.injectFault({
      path: /oauth\/revoke$/,
      fault: {
        kind: 'status',
        status: 500,
        body: { error: { code: 1, message: 'An unknown error has occurred.', type: 'OAuthException' } }
      },
      times: 10
    })
    const oldExpiry = dateText(new Date(world.graph.token(world.token)!.expiresAt * 1000))
    const run = await rotate()
    const fresh = run.outputs.token as string

    expectFailedAt(
      run,
      'revoke',
      /stored and confirmed in every destination/,
      new RegExp(`stays valid until ${oldExpiry}`),
      /revoked by hand/
    )
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false' })
    expect(fresh).toMatch(/^EAA/)
    for (const repo of REPOS) expect(repoSecret(repo)?.value).toBe(fresh)
    expect(world.graph.token(world.token)?.revoked).toBe(false)
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(world.graph.isUsable(fresh)).toBe(true)
    // Code 1 without a client-secret message is transient: retried, then given up.
    expect(world.graph.server.requestsTo(/oauth\/revoke$/)).toHaveLength(3)
    expect(secretsOutput(run).map((s) => s.status)).toEqual(['created', 'created'])
    expectNoLeak(run)
  })
})

describe('every write refused: a new token Meta cannot revoke is said to be alive, unused', () => {
  const refuseEveryWrite = () =>
    world.github.server.injectFault({
      method: 'PUT',
      path: /\/actions\/secrets\/META_TOKEN$/,
      fault: { kind: 'status', status: 422, body: { message: 'Validation Failed' } },
      times: 100
    })

  test('a user token', async () => {
    const user = world.issue('USER', { scopes: ['ads_read'] })
    refuseEveryWrite()
    const run = await runWithInputs(world.inputs({ token: user }), {}, FAST)

    expect(run.failed).toMatch(/^\[store\] /)
    const fresh = world.graph.tokensOfApp(APP_ID).filter((t) => t.type === 'USER' && t.value !== user)
    expect(fresh).toHaveLength(1)
    expect(world.graph.isUsable(fresh[0]!.value)).toBe(true)
    expect(run.summary).toMatch(
      /The new user token was stored nowhere, and Meta cannot revoke a user token: it stays valid, unused, until \d{4}-/
    )
  })

  test('an Instagram token: the old one keeps working, and the summary names no unknown date', async () => {
    world.instagram.addAccount({ userId: '17841400000000001', username: 'acme.shop' })
    const token = world.instagram.issueToken({ userId: '17841400000000001', issuedAgo: 10 * 86_400 })
    const { 'app-id': _id, 'app-secret': _secret, ...rest } = world.inputs()
    refuseEveryWrite()
    const run = await runWithInputs(
      { ...rest, strategy: 'instagram', token, 'instagram-api-url': world.instagram.url },
      {},
      FAST
    )

    expect(run.failed).toMatch(/^\[store\] .*The old token was not revoked and keeps working\./)
    expect(run.failed).not.toContain('unknown')
    expect(run.summary).toMatch(
      /The new instagram token was stored nowhere, and Instagram has no way to revoke a token: it stays valid, unused, until \d{4}-/
    )
  })
})

describe('bad inputs: a clear error before any request', () => {
  function expectNoRequestAtAll(): void {
    expect(world.graph.server.requests).toHaveLength(0)
    expect(world.github.server.requests).toHaveLength(0)
    expectNothingWrittenOrRevoked()
  }

  test.each([
    ['secret-name', '1TOKEN', /'secret-name': '1TOKEN' is not a valid GitHub secret name/],
    ['secret-name', 'GITHUB_X', /'secret-name': 'GITHUB_X' is not a valid GitHub secret name/],
    ['secret-name', 'MY-TOKEN', /'secret-name': 'MY-TOKEN' is not a valid GitHub secret name/],
    ['rotate-before', '2w', /'rotate-before': '2w' is not a duration/],
    ['app-id', 'my-app', /'app-id': 'my-app' is not a Meta app id/],
    ['github-token', '', /'github-token': required.*GITHUB_TOKEN cannot write secrets/]
  ])('%s: %p', async (input, value, message) => {
    const run = await rotate({ [input]: value })

    expectFailedAt(run, 'inputs', message, /nothing was minted, written or revoked/, /Fix: correct the inputs/i)
    expect(run.outputs.rotated ?? 'false').toBe('false')
    expectNoRequestAtAll()
    expectNoLeak(run)
  })
})
