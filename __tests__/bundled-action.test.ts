// Acceptance test of the committed bundle: `node dist/index.js`, run the way the GitHub Actions runner
// runs it (INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, a clean environment),
// against both emulators over loopback. dist/index.js is committed; CI checks it matches src/.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { RecordedRequest } from '../emulators/loopback-server.js'
import { runBundledAction, type BundledRun } from '../scripts/bundled-action.js'
import { APP_ID, APP_SECRET, GITHUB_PAT, REPOS, startWorld, type World } from './support/world.js'

let world: World
let arrival: Map<RecordedRequest, number>

beforeEach(async () => {
  world = await startWorld()
  arrival = recordArrivalOrder([world.graph.server.requests, world.github.server.requests])
})
afterEach(async () => {
  await world.stop()
})

const repoSecret = (repo: string) => world.github.secret({ kind: 'repository', repo }, 'META_TOKEN')

/** One sequence number per request across both emulators, so order between them can be checked. */
function recordArrivalOrder(logs: RecordedRequest[][]): Map<RecordedRequest, number> {
  const order = new Map<RecordedRequest, number>()
  let next = 0
  for (const log of logs) {
    const push = log.push.bind(log)
    log.push = (...items: RecordedRequest[]) => {
      for (const item of items) order.set(item, next++)
      return push(...items)
    }
  }
  return order
}

/** Lines of stdout and stderr, other than ::add-mask:: lines, that contain a secret in any common encoding. */
function leaks(run: BundledRun, secrets: string[]): string[] {
  const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/).filter((line) => !line.startsWith('::add-mask::'))
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')])
  return lines.filter((line) => forms.some((form) => line.includes(form)))
}

describe('node dist/index.js, run as the runner runs it', () => {
  test('refreshes a system user token, stores it in two repositories, then revokes the old one; prints no secret outside ::add-mask:: lines, and masks each one before using it', async () => {
    const run = await runBundledAction({ inputs: world.inputs() })

    expect(run.stderr).toBe('')
    expect(run.exitCode).toBe(0)
    const fresh = run.outputs.token as string
    expect(fresh).toMatch(/^EAA/)
    expect(fresh).not.toBe(world.token)
    expect(run.outputs).toMatchObject({
      rotated: 'true',
      revoked: 'true',
      'token-type': 'system-user',
      scopes: 'ads_read,business_management'
    })
    expect(JSON.parse(run.outputs.secrets as string)).toEqual(
      REPOS.map((target) => ({
        kind: 'repository',
        type: 'actions',
        target,
        name: 'META_TOKEN',
        status: 'created',
        holds: 'new'
      }))
    )
    for (const repo of REPOS) expect(repoSecret(repo)?.value).toBe(fresh)
    expect(world.graph.isUsable(fresh)).toBe(true)
    expect(world.graph.token(world.token)?.revoked).toBe(true)
    expect(run.summary).toContain('✅ **Rotated:**')

    // Revoked only after both writes were read back.
    const revokes = world.graph.server.requestsTo(/\/oauth\/revoke$/)
    expect(revokes).toHaveLength(1)
    const readBacks = world.github.server.requestsTo(/\/secrets\/META_TOKEN$/, 'GET')
    const writes = world.github.server.requestsTo(/\/secrets\/META_TOKEN$/, 'PUT')
    expect(readBacks.map((r) => r.path).sort()).toEqual(
      REPOS.map((repo) => `/repos/${repo}/actions/secrets/META_TOKEN`).sort()
    )
    expect(writes).toHaveLength(2)
    const revokedAt = arrival.get(revokes[0] as RecordedRequest) as number
    for (const request of [...writes, ...readBacks]) expect(arrival.get(request)).toBeLessThan(revokedAt)

    // No secret outside ::add-mask:: lines, each one masked before it is used.
    const secrets = [world.token, fresh, APP_SECRET, GITHUB_PAT, `${APP_ID}|${APP_SECRET}`]
    for (const secret of secrets) expect(run.masks).toContain(secret)
    expect(leaks(run, secrets)).toEqual([])
    for (const secret of secrets) expect(run.summary).not.toContain(secret)
  })

  test('a wrong app-secret fails at the check step, writes nothing, revokes nothing, and its fix points at app-secret, not at the token', async () => {
    const wrong = 'f'.repeat(32)
    const run = await runBundledAction({ inputs: world.inputs({ 'app-secret': wrong }) })

    expect(run.exitCode).not.toBe(0)
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^::error::\[check\] .+ Fix: .+/)
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expect(run.summary).toContain('**Failed at step `check`.**')
    expect(world.github.server.requests.filter((r) => r.method !== 'GET')).toEqual([])
    for (const repo of REPOS) expect(repoSecret(repo)).toBeUndefined()
    expect(world.graph.server.requestsTo(/\/oauth\//)).toEqual([])
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(leaks(run, [world.token, wrong, APP_SECRET, GITHUB_PAT])).toEqual([])
    const error = run.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? ''
    const fix = error.slice(error.indexOf(' Fix: '))
    expect(fix).toContain('app-secret')
    expect(fix).not.toMatch(/generate a new token/)
  })

  test('with no inputs at all, the bundle loads and names the missing inputs', async () => {
    const run = await runBundledAction({ inputs: {} })
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toMatch(/^::error::\[inputs\] .*'app-id': required/m)
    expect(run.outputs).toMatchObject({ 'failed-step': 'inputs' })
    expect(run.outputs.error).toMatch(/'app-id': required/)
  })

  test('a throw nothing else catches still fails the step with one inert line that says to check the secrets, and shows no credential', async () => {
    // The runner's output file in a directory that does not exist: the first output the action sets throws.
    // Its path carries a credential-shaped word and a workflow command on a line of its own.
    const planted = 'EAAB9xQz7LmK2pVt4RwY8nHs3JdFgC6'
    const run = await runBundledAction({
      inputs: {},
      env: { GITHUB_OUTPUT: `/nonexistent-${planted}/\n::stop-commands::pwned\n/github_output` }
    })

    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(
      /^::error::\[unexpected\] The run stopped on an unexpected error: .* Fix: Check the secrets before re-running/m
    )
    expect(`${run.stdout}${run.stderr}`).not.toContain(planted)
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/^::stop-commands::/m)
    // No stack trace of an unhandled rejection.
    expect(run.stderr).toBe('')
  })
})
