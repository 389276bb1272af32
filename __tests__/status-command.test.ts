// `status` over real HTTP: one line per token (the secret's token and the github-token) with its type,
// expiry, data access and next due date; exit 1 when any is inside its threshold (rotate-before, or
// 14 days when empty) or cannot be checked, 0 when healthy, 2 for bad input before any request; --json
// for monitoring systems; and no mutating request ever reaches either emulator.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { runCli } from '../src/cli/cli.js'
import { ALL_PERMISSIONS, APP_SECRET, FAST, GITHUB_PAT, startWorld, type World } from './support/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  // Nothing minted, written or revoked: every request either emulator saw only reads.
  const mutating = [...world.github.server.requests, ...world.graph.server.requests].filter(
    (r) => r.method !== 'GET' && r.method !== 'HEAD'
  )
  expect(mutating.map((r) => `${r.method} ${r.path}`)).toEqual([])
  expect(world.graph.allTokens().filter((t) => t.revoked)).toEqual([])
  await world.stop()
})

const DAY = 86_400

/** A user token of the world's app, 50 days left, its data access for `dataAccessDays`. */
const userToken = (dataAccessDays: number) =>
  world.graph.issueToken({
    appId: world.inputs()['app-id'] as string,
    type: 'USER',
    scopes: ['ads_read'],
    expiresIn: 50 * DAY,
    dataAccessExpiresIn: dataAccessDays * DAY
  })

async function status(token: string, flags: string[] = []) {
  let out = ''
  let err = ''
  const argv = [
    'status',
    '--app-id',
    world.inputs()['app-id'] as string,
    '--secret-name=META_TOKEN',
    '--repositories=octo/app',
    `--graph-api-url=${world.graph.url}`,
    `--github-api-url=${world.github.url}`,
    ...flags
  ]
  const env = { META_ROTATOR_APP_SECRET: APP_SECRET, META_ROTATOR_TOKEN: token, META_ROTATOR_GITHUB_TOKEN: GITHUB_PAT }
  const code = await runCli(argv, env, { out: (t) => (out += t), err: (t) => (err += t) }, FAST)
  for (const secret of [token, APP_SECRET, GITHUB_PAT].filter(Boolean)) expect(out + err).not.toContain(secret)
  return { code, out, err }
}

describe('meta-token-rotator status', () => {
  test('a healthy token: exit 0, one plain line per token with type, expiry, next due', async () => {
    const token = world.issue('SYSTEM_USER', { expiresIn: 50 * DAY })
    world.github.addToken(GITHUB_PAT, {
      permissions: ALL_PERMISSIONS,
      expiresAt: new Date(Date.now() + 90 * DAY * 1000)
    })
    const { code, out, err } = await status(token, ['--rotate-before', '7d'])
    expect([code, err]).toEqual([0, ''])
    const lines = out.trim().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(
      /^META_TOKEN: system-user token, expires \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in (49|50) days\), next due \d{4}-\d\d-\d\d \d\d:\d\d UTC - healthy$/
    )
    expect(lines[1]).toMatch(/^github-token: fine-grained PAT, expires .* \(in (89|90) days\) - healthy$/)
    expect(out).not.toMatch(/[*`|#]/)
  })

  test('a token inside rotate-before: exit 1, the line says so', async () => {
    const { code, out } = await status(world.token, ['--rotate-before', '30d'])
    expect(code).toBe(1)
    expect(out).toMatch(
      /^META_TOKEN: system-user token, expires .*\(in (19|20) days\).* - INSIDE the 30 days threshold$/m
    )
    expect(out).toMatch(/^github-token: .* - healthy$/m)
  })

  test('without rotate-before, the threshold is 14 days', async () => {
    expect((await status(world.issue('SYSTEM_USER', { expiresIn: 10 * DAY }))).code).toBe(1)
    expect((await status(world.token)).code).toBe(0)
  })

  test('a github-token that dies within the threshold: exit 1, even with a healthy Meta token', async () => {
    world.github.addToken(GITHUB_PAT, {
      permissions: ALL_PERMISSIONS,
      expiresAt: new Date(Date.now() + 3 * DAY * 1000)
    })
    const { code, out } = await status(world.token)
    expect(code).toBe(1)
    expect(out).toMatch(/^github-token: fine-grained PAT, expires .* - INSIDE the 14 days threshold$/m)
  })

  test('a user token: its data access expiry, inside the threshold when it ends soon', async () => {
    const token = userToken(60)
    const { code, out } = await status(token, ['--json'])
    const report = JSON.parse(out) as { ok: boolean; tokens: Array<Record<string, unknown>> }
    expect(code).toBe(0)
    expect(report.tokens[0]).toMatchObject({ name: 'META_TOKEN', tokenType: 'user', due: false })
    expect(typeof report.tokens[0]?.dataAccessExpiresAt).toBe('string')
    const ending = userToken(5)
    expect((await status(ending)).code).toBe(1)
  })

  test('--json: ok, the threshold and each token, for a monitoring system', async () => {
    const { code, out } = await status(world.token, ['--json', '--rotate-before=30d'])
    expect(code).toBe(1)
    const report = JSON.parse(out) as { ok: boolean; thresholdSeconds: number; tokens: Array<Record<string, unknown>> }
    expect(report.ok).toBe(false)
    expect(report.thresholdSeconds).toBe(30 * DAY)
    expect(report.tokens[0]).toMatchObject({
      name: 'META_TOKEN',
      tokenType: 'system-user',
      due: true,
      nextDue: expect.any(String)
    })
    expect(report.tokens[0]?.daysLeft).toBeGreaterThanOrEqual(19)
    expect(report.tokens[1]).toMatchObject({ name: 'github-token', tokenType: 'fine-grained', due: false })
  })

  test('an expired token: exit 1 with the reason; nothing is written', async () => {
    const { code, out } = await status(world.issue('SYSTEM_USER', { expiresIn: -DAY }))
    expect(code).toBe(1)
    expect(out).toMatch(/^META_TOKEN: could not be checked: .*is expired.* - UNHEALTHY$/m)
  })

  test('bad input (an invalid expiry-variable, a missing token): exit 2 before any request', async () => {
    const bad = await status(world.token, ['--expiry-variable', 'META-EXPIRES'])
    expect(bad.code).toBe(2)
    expect(bad.err).toContain("--expiry-variable: 'META-EXPIRES' is not a valid GitHub variable name")
    expect((await status('')).code).toBe(2)
    expect([world.github.server.requests.length, world.graph.server.requests.length]).toEqual([0, 0])
  })
})
