// lease-wait, over real HTTP against the emulators, time injected: the lease variable taken before
// anything is minted, waited for, refused naming the run that holds it, taken over when its run is
// over, and released on every way out with the journal (fingerprints only) of what the run minted.
import { createHmac } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { createGitHubClient } from '../src/github/github-client.js'
import { Lease } from '../src/lease/lease.js'
import { actionInputs } from '../src/input-naming.js'
import { readSettings } from '../src/settings.js'
import type { RotationResult } from '../src/rotation/result.js'
import {
  ALL_PERMISSIONS,
  APP_SECRET,
  FAST,
  GITHUB_PAT,
  REPOS,
  runWithInputs,
  startWorld,
  testClock,
  type RecordedRun,
  type World
} from './support/world.js'
import { record as recordRequests } from './support/timeline.js'

const LEASE = 'META_TOKEN_ROTATION_LEASE'
const APP = { kind: 'repository', repo: 'octo/app' } as const
const runEnv = (id: string, attempt = '1') => ({
  GITHUB_RUN_ID: id,
  GITHUB_RUN_ATTEMPT: attempt,
  GITHUB_REPOSITORY: 'octo/app',
  GITHUB_SERVER_URL: 'https://github.com'
})
const fingerprint = (token: string) =>
  createHmac('sha256', APP_SECRET).update(`meta-token-rotator journal v1\n${token}`).digest('hex').slice(0, 32)

let world: World
beforeEach(async () => {
  world = await startWorld()
  world.github.addToken(GITHUB_PAT, {
    permissions: { ...ALL_PERMISSIONS, actions_variables: 'write', actions: 'read' }
  })
  for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', world.token)
})
afterEach(async () => {
  await world.stop()
})

const secretIn = (repo: string, name = 'META_TOKEN') => world.github.secret({ kind: 'repository', repo }, name)?.value
const leaseRecord = () => {
  const value = world.github.variable(APP, LEASE)?.value
  return value === undefined ? undefined : (JSON.parse(value) as { lease: unknown; journal?: Record<string, unknown> })
}
const mints = () => world.graph.server.requests.filter((r) => r.path.endsWith('/oauth/access_token')).length
/** A lease as another run left it. */
const holdLease = (holder: Record<string, unknown>) =>
  world.github.setVariable(
    APP,
    LEASE,
    JSON.stringify({
      lease: {
        nonce: 'f00dfeedf00dfeed',
        takenAt: new Date(Date.now() - 60_000).toISOString(),
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        ...holder
      }
    })
  )

describe('one run', () => {
  test('takes the lease, rotates, and releases it keeping a journal of fingerprints', async () => {
    const timeline = recordRequests(world)
    const run = await runWithInputs(world.inputs({ 'lease-wait': '10m' }), runEnv('7001'))
    expect(run.failed).toBeUndefined()
    const fresh = run.outputs.token as string
    for (const repo of REPOS) expect(secretIn(repo)).toBe(fresh)
    const record = leaseRecord()
    expect(record?.lease).toBeNull()
    expect(record?.journal).toMatchObject({
      replaced: fingerprint(world.token),
      minted: fingerprint(fresh),
      holders: { 'META_TOKEN in octo/app': 'minted', 'META_TOKEN in octo/api': 'minted' },
      complete: true,
      by: 'run 7001 of octo/app (https://github.com/octo/app/actions/runs/7001)'
    })
    expect(run.result?.notes).toContain(`Lease: this run held ${LEASE} in the repository octo/app, and released it.`)
    // Taken before anything was asked of Meta; released after the last secret was written.
    const order = timeline.map((r) => `${r.api} ${r.method} ${r.path}`)
    expect(order[0]).toBe(`github POST /repos/octo/app/actions/variables`)
    expect(order.at(-1)).toBe(`github PATCH /repos/octo/app/actions/variables/${LEASE}`)
  })

  test('a failed write releases the lease; the journal says which destination holds which token', async () => {
    world.github.server.injectFault({
      method: 'PUT',
      path: '/repos/octo/api/actions/secrets/META_TOKEN',
      fault: { kind: 'status', status: 422, body: { message: 'Validation Failed' } }
    })
    const run = await runWithInputs(world.inputs({ 'lease-wait': '10m' }), runEnv('7002'))
    expect(run.failed).toMatch(/^\[store\] /)
    expect(leaseRecord()?.lease).toBeNull()
    expect(leaseRecord()?.journal).toMatchObject({
      holders: { 'META_TOKEN in octo/app': 'minted', 'META_TOKEN in octo/api': 'replaced' },
      complete: false
    })
  })

  test('an error thrown inside the rotation releases the lease too', async () => {
    const settings = readSettings((name) => world.inputs({ 'lease-wait': '1m' })[name] ?? '', {}, actionInputs)
    const log = { info: () => undefined, warning: () => undefined, debug: () => undefined }
    const github = createGitHubClient({
      token: GITHUB_PAT,
      baseUrl: world.github.url,
      fetch: globalThis.fetch,
      log,
      maxConcurrency: 4,
      secondMs: 2
    })
    const lease = new Lease(settings, { github, clock: testClock(), log, naming: actionInputs, env: runEnv('7003') })
    let heldDuring: unknown
    await expect(
      lease.around((): Promise<RotationResult> => {
        heldDuring = leaseRecord()?.lease
        return Promise.reject(new Error('a bug'))
      })
    ).rejects.toThrow('a bug')
    expect(heldDuring).toMatchObject({ runId: '7003' })
    expect(world.github.variable(APP, LEASE)).toBeUndefined()
  })
})

describe('a re-run after a partial failure', () => {
  const failApiWrite = () =>
    world.github.server.injectFault({
      method: 'PUT',
      path: '/repos/octo/api/actions/secrets/META_TOKEN',
      fault: { kind: 'status', status: 422, body: { message: 'Validation Failed' } },
      times: 1
    })

  test('reads the secret the first run wrote, mints nothing, writes every destination with that token, and names the replaced one with its expiry', async () => {
    failApiWrite()
    const first = await runWithInputs(world.inputs({ 'lease-wait': '10m' }), runEnv('7101'))
    expect(first.failed).toMatch(/^\[store\] /)
    const minted = secretIn('octo/app') as string
    expect(secretIn('octo/api')).toBe(world.token)
    const mintsBefore = mints()

    // The re-run reads the secret as it is now: the first run's token.
    const rerun = await runWithInputs(world.inputs({ token: minted, 'lease-wait': '10m' }), runEnv('7101', '2'))

    expect(rerun.failed).toBeUndefined()
    expect(rerun.outputs.rotated).toBe('true')
    expect(mints()).toBe(mintsBefore)
    for (const repo of REPOS) expect(secretIn(repo)).toBe(minted)
    expect(world.graph.isUsable(minted)).toBe(true)
    // Never revoked: the first run's token is the one stored; the replaced one is named, not guessed at.
    expect(world.graph.token(minted)?.revoked).toBe(false)
    expect(rerun.summary).toContain('This run resumes the rotation')
    expect(rerun.summary).toMatch(
      /The token that run replaced was not revoked .*: it stays valid until \d{4}-\d\d-\d\d/
    )
    expect(leaseRecord()?.journal).toMatchObject({
      replaced: fingerprint(world.token),
      minted: fingerprint(minted),
      complete: true
    })
    // A third run, given the replaced token again (a stale copy), finds it replaced everywhere: a skip, no mint.
    const stale = await runWithInputs(world.inputs({ 'lease-wait': '10m' }), runEnv('7102'))
    expect(stale.failed).toBeUndefined()
    expect(stale.outputs.rotated).toBe('false')
    expect(mints()).toBe(mintsBefore)
  })

  test('a journal whose minted token is not the one given (a token from elsewhere) rotates as usual', async () => {
    failApiWrite()
    await runWithInputs(world.inputs({ 'lease-wait': '10m' }), runEnv('7103'))
    const other = world.issue('SYSTEM_USER')
    const mintsBefore = mints()
    const run = await runWithInputs(world.inputs({ token: other, 'lease-wait': '10m' }), runEnv('7104'))
    expect(run.failed).toBeUndefined()
    expect(mints()).toBe(mintsBefore + 1)
    expect(run.summary).not.toContain('This run resumes the rotation')
  })
})

describe('a lease another run holds', () => {
  test('lease-wait 0: fails at lease before minting, naming the run with its link', async () => {
    const other = world.github.addRun('octo/app', 'in_progress')
    holdLease({
      runId: String(other.id),
      attempt: '1',
      repository: 'octo/app',
      runUrl: `https://github.com/octo/app/actions/runs/${other.id}`
    })
    const run = await runWithInputs(world.inputs({ 'lease-wait': '0' }), runEnv('7004'))
    expect(run.failed).toMatch(
      new RegExp(
        `^\\[lease\\] Another rotation of META_TOKEN holds its lease: run ${other.id} of octo/app \\(https://github.com/octo/app/actions/runs/${other.id}\\), since .*This run minted, wrote and revoked nothing\\. Fix: Let that run finish`
      )
    )
    expect(run.outputs['failed-step']).toBe('lease')
    expect(mints()).toBe(0)
    expect(world.graph.server.requests).toHaveLength(0)
    // GitHub's 409 is an answer about what exists, not a passing failure: the create is sent once.
    const creates = world.github.server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/variables'))
    expect(creates).toHaveLength(1)
    for (const repo of REPOS) expect(secretIn(repo)).toBe(world.token)
    expect(leaseRecord()?.lease).toMatchObject({ runId: String(other.id) })
  })

  test('lease-wait 2m: waits two minutes (injected), then fails the same way', async () => {
    const other = world.github.addRun('octo/app', 'queued')
    holdLease({ runId: String(other.id), attempt: '1', repository: 'octo/app' })
    const clock = testClock()
    const run = await runWithInputs(world.inputs({ 'lease-wait': '2m' }), runEnv('7005'), { ...FAST, clock })
    expect(run.failed).toMatch(/This run waited 1(19|20) s and minted, wrote and revoked nothing\./)
    expect(clock.waitedMs).toBeGreaterThan(118_000)
    expect(clock.waitedMs).toBeLessThanOrEqual(120_000)
    expect(run.log).toContain(`${LEASE}: run ${other.id} of octo/app holds the lease; waiting for it.`)
    expect(mints()).toBe(0)
  })

  test.each([
    [
      'whose run is over',
      () => ({ runId: String(world.github.addRun('octo/app', 'completed').id), attempt: '1', repository: 'octo/app' }),
      'is over'
    ],
    [
      'left by an earlier attempt of this very run',
      () => ({ runId: '7006', attempt: '1', repository: 'octo/app' }),
      'the lease was left by attempt 1 of this run'
    ],
    ['past its expiry', () => ({ expiresAt: new Date(Date.now() - 1000).toISOString() }), 'expired at']
  ])('a lease %s is taken over', async (_what, holder, said) => {
    holdLease(holder())
    const run = await runWithInputs(world.inputs({ 'lease-wait': '0' }), runEnv('7006', '2'))
    expect(run.failed).toBeUndefined()
    expect(run.log.some((line) => line.includes(said) && line.includes('this run takes the lease over'))).toBe(true)
    expect(leaseRecord()?.lease).toBeNull()
  })

  test('a variable of that name this action did not write is left alone, and the run fails before minting', async () => {
    world.github.setVariable(APP, LEASE, 'mine')
    const run = await runWithInputs(world.inputs({ 'lease-wait': '1m' }), runEnv('7007'))
    expect(run.failed).toMatch(
      /^\[lease\] META_TOKEN_ROTATION_LEASE in the repository octo\/app holds a value this action did not write/
    )
    expect(world.github.variable(APP, LEASE)?.value).toBe('mine')
    expect(mints()).toBe(0)
  })
})

describe('two overlapping grace-mode rotations of one secret', () => {
  test('the second waits for the first, finds its token replaced, and mints nothing: every slot holds a valid token', async () => {
    const previous = world.issue('SYSTEM_USER')
    for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN_PREVIOUS', previous)
    const inputs = world.inputs({
      'previous-secret-name': 'META_TOKEN_PREVIOUS',
      'previous-token': previous,
      'lease-wait': '30m'
    })
    let firstDone: () => void = () => undefined
    const firstOver = new Promise<void>((resolve) => (firstDone = resolve))
    // The second run's waits last until the first is over (or 50 ms): its clock moves on by what it waited.
    const waiting = testClock()
    const clock = {
      ...waiting,
      now: () => waiting.now(),
      sleep: async (ms: number) => {
        waiting.waitedMs += ms
        await Promise.race([firstOver, new Promise((resolve) => setTimeout(resolve, 50))])
      }
    }
    let second: Promise<RecordedRun> | undefined
    let started = false
    const githubFetch =
      (fetch: typeof globalThis.fetch): typeof globalThis.fetch =>
      async (input, init) => {
        const response = await fetch(input, init)
        const url = String(input instanceof Request ? input.url : input)
        if (!started && init?.method === 'PUT' && url.endsWith('/repos/octo/app/actions/secrets/META_TOKEN')) {
          started = true
          second = runWithInputs(inputs, runEnv('8002'), { ...FAST, clock })
          // Let the second run find the lease held before the first goes on.
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        return response
      }
    const first = await runWithInputs(inputs, runEnv('8001'), { ...FAST, githubFetch })
    firstDone()
    const later = await (second as Promise<RecordedRun>)

    expect(first.failed).toBeUndefined()
    expect(later.failed).toBeUndefined()
    expect(later.log).toContain(
      `${LEASE}: run 8001 of octo/app (https://github.com/octo/app/actions/runs/8001) holds the lease; waiting for it.`
    )
    expect(later.result?.skipped).toBe(true)
    expect(later.result?.skipReason).toContain(
      "run 8001 of octo/app (https://github.com/octo/app/actions/runs/8001) already replaced the token passed in 'token'"
    )
    expect(later.outputs.rotated).toBe('false')
    const winner = first.outputs.token as string
    for (const repo of REPOS) {
      expect(secretIn(repo)).toBe(winner)
      expect(secretIn(repo, 'META_TOKEN_PREVIOUS')).toBe(world.token)
    }
    // Every secret and previous slot holds a valid token; the only token revoked is previous-token, held by none.
    for (const repo of REPOS)
      for (const name of ['META_TOKEN', 'META_TOKEN_PREVIOUS'])
        expect(world.graph.isUsable(secretIn(repo, name) as string)).toBe(true)
    expect(world.graph.token(previous)?.revoked).toBe(true)
    // No third token: the second run minted nothing; every live token is held by a secret.
    expect(mints()).toBe(1)
    const held = new Set(REPOS.flatMap((repo) => [secretIn(repo), secretIn(repo, 'META_TOKEN_PREVIOUS')]))
    for (const token of world.graph
      .allTokens()
      .filter((t) => t.type === 'SYSTEM_USER' && world.graph.isUsable(t.value)))
      expect(held.has(token.value)).toBe(true)
    expect(leaseRecord()?.lease).toBeNull()
  })
})

describe('dry run and inputs', () => {
  test('a dry run takes and releases the lease: the permission is proven', async () => {
    const run = await runWithInputs(world.inputs({ 'lease-wait': '10m', 'dry-run': 'true' }), runEnv('7008'))
    expect(run.failed).toBeUndefined()
    expect(run.result?.notes).toContain(
      `Dry run: 'github-token' may create and remove ${LEASE} in the repository octo/app: a real run can take the lease.`
    )
    expect(world.github.variable(APP, LEASE)).toBeUndefined()
  })

  test('a dry run without the Variables permission fails at lease, naming it', async () => {
    world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS } })
    const run = await runWithInputs(world.inputs({ 'lease-wait': '10m', 'dry-run': 'true' }), runEnv('7009'))
    expect(run.failed).toMatch(
      /^\[lease\] Could not create the lease META_TOKEN_ROTATION_LEASE in the repository octo\/app \(403 /
    )
    expect(run.failed).toContain("Give 'github-token' the repository permission 'Variables: Read and write'")
    expect(mints()).toBe(0)
  })

  test.each(['soon', '7h', '-1m'])('lease-wait %s is refused before anything is sent', async (wait) => {
    const run = await runWithInputs(world.inputs({ 'lease-wait': wait }))
    expect(run.failed).toMatch(/^\[inputs\] /)
    expect(run.failed).toContain("'lease-wait'")
    expect(world.github.server.requests).toHaveLength(0)
  })
})
