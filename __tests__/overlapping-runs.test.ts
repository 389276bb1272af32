// Two rotations of one secret from the same token at once, over real HTTP, interleaved on purpose:
// run B runs from start to end while run A is between confirming its writes and revoking. B's token
// ends in every secret; A finds the replaced token already revoked: it says it lost a race and what
// holds what (never "log in again"), and revokes its own new token, which no secret holds.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { FAST, REPOS, runWithInputs, startWorld, type RecordedRun, type World } from './support/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
  for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', world.token)
})
afterEach(async () => {
  await world.stop()
})

const secretIn = (repo: string, name: string) => world.github.secret({ kind: 'repository', repo }, name)?.value

/** Runs `other` once, right after this run's request matching `after` is answered. */
function interleave(after: (method: string, path: string) => boolean, other: () => Promise<void>) {
  let done = false
  return (fetch: typeof globalThis.fetch): typeof globalThis.fetch =>
    async (input, init) => {
      const response = await fetch(input, init)
      const url = new URL(input instanceof Request ? input.url : String(input))
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
      if (!done && after(method, url.pathname)) {
        done = true
        await other()
      }
      return response
    }
}

/** Every token of the app's system user that still works is held by some secret. */
function aliveTokensHeld(): void {
  const held = new Set(REPOS.map((repo) => secretIn(repo, 'META_TOKEN')))
  const alive = world.graph
    .allTokens()
    .filter((t) => t.type === 'SYSTEM_USER' && world.graph.isUsable(t.value))
    .map((t) => t.value)
  for (const token of alive) expect(held.has(token)).toBe(true)
}

/**
 * Run A from start to end, with run B (same inputs) run whole while A reads back its last write:
 * B's token then ends in every secret, and A comes to revoke a token B already revoked.
 */
async function secondRunsWhileFirstConfirms(): Promise<{ first: RecordedRun; second: RecordedRun | undefined }> {
  let second: RecordedRun | undefined
  const lastWrite = /\/repos\/octo\/api\/actions\/secrets\/META_TOKEN$/
  let putSeen = false
  const githubFetch = interleave(
    (method, path) => {
      if (method === 'PUT' && lastWrite.test(path)) putSeen = true
      return putSeen && method === 'GET' && lastWrite.test(path)
    },
    async () => {
      world.github.advanceClock(5_000)
      second = await runWithInputs(world.inputs())
    }
  )
  const first = await runWithInputs(world.inputs(), {}, { ...FAST, githubFetch })
  return { first, second }
}

describe('two runs from one token at once', () => {
  test('the run that revokes second says it lost the race and leaves no token stored nowhere', async () => {
    const { first, second } = await secondRunsWhileFirstConfirms()

    expect(second?.failed).toBeUndefined()
    const winner = second?.outputs.token as string
    for (const repo of REPOS) expect(secretIn(repo, 'META_TOKEN')).toBe(winner)
    expect(world.graph.token(world.token)?.revoked).toBe(true)

    expect(first.failed).toMatch(/^\[revoke\] /)
    expect(first.failed).toContain('another rotation of this secret ran at the same time')
    expect(first.failed).toContain(
      'Every destination was written again after this run wrote it (META_TOKEN in octo/app, octo/api)'
    )
    expect(first.failed).toContain('so it was revoked')
    expect(first.failed).toContain("Nothing to put back: the other run's token is in every destination")
    expect(first.failed).not.toMatch(/log in|put a new token/i)
    expect(first.summary).not.toMatch(/log in|put a new token/i)
    aliveTokensHeld()
  })

  test('Meta refusing a token that revokes itself (unverified, switchable): the loser names its new token, alive and held by no secret, with its expiry', async () => {
    world.graph.selfRevocation = 'refused'
    const { first, second } = await secondRunsWhileFirstConfirms()

    const winner = second?.outputs.token as string
    for (const repo of REPOS) expect(secretIn(repo, 'META_TOKEN')).toBe(winner)
    expect(first.failed).toMatch(/^\[revoke\] /)
    expect(first.failed).toMatch(
      /held by no secret and revoking it failed: it stays valid, unused, until \d{4}-\d\d-\d\d \d\d:\d\d UTC/
    )
    expect(first.failed).toContain("Revoke this run's new token by hand")
    expect(first.failed).not.toMatch(/log in|put a new token/i)
    // The one live token no secret holds is the one the failure names.
    const held = new Set(REPOS.map((repo) => secretIn(repo, 'META_TOKEN')))
    const unheld = world.graph
      .allTokens()
      .filter((t) => t.type === 'SYSTEM_USER' && world.graph.isUsable(t.value) && !held.has(t.value))
    expect(unheld).toHaveLength(1)
    expect(first.summary).toContain('revoking it failed')
  })

  test('when the other run wrote only some destinations, the loser keeps its token (still held) and says which hold which', async () => {
    let second: RecordedRun | undefined
    const githubFetch = interleave(
      (method, path) => method === 'GET' && /\/repos\/octo\/api\/actions\/secrets\/META_TOKEN$/.test(path),
      async () => {
        world.github.advanceClock(5_000)
        second = await runWithInputs(world.inputs({ repositories: 'octo/app' }))
      }
    )
    const first = await runWithInputs(world.inputs(), {}, { ...FAST, githubFetch })

    expect(second?.failed).toBeUndefined()
    expect(first.failed).toMatch(/^\[revoke\] /)
    expect(first.failed).toContain(
      "META_TOKEN in octo/api may still hold this run's new token; META_TOKEN in octo/app hold the other run's token"
    )
    expect(first.failed).not.toMatch(/log in|put a new token/i)
    expect(world.graph.isUsable(secretIn('octo/api', 'META_TOKEN') as string)).toBe(true)
    expect(world.graph.isUsable(secretIn('octo/app', 'META_TOKEN') as string)).toBe(true)
    aliveTokensHeld()
  })
})

describe('a re-run after a partial failure, with rotate-before', () => {
  test('a destination last written before the current token was issued cannot hold it: the re-run completes instead of skipping', async () => {
    for (const repo of REPOS) world.github.backdateSecret({ kind: 'repository', repo }, 'META_TOKEN', 40 * 86_400)
    world.github.server.injectFault({
      method: 'PUT',
      path: '/repos/octo/api/actions/secrets/META_TOKEN',
      fault: { kind: 'status', status: 422, body: { message: 'Validation Failed' } }
    })
    // Due: 20 days left, within 21.
    const first = await runWithInputs(world.inputs({ 'rotate-before': '21d' }))
    expect(first.failed).toMatch(/^\[store\] /)
    const partial = secretIn('octo/app', 'META_TOKEN') as string
    expect(secretIn('octo/api', 'META_TOKEN')).toBe(world.token)

    // The first run's token has 60 days left: by itself, not due.
    const rerun = await runWithInputs(world.inputs({ token: partial, 'rotate-before': '21d' }))
    expect(rerun.failed).toBeUndefined()
    expect(rerun.outputs.rotated).toBe('true')
    expect(rerun.log).toContain(
      'warning: The current token is far from expiry, but META_TOKEN in the repository secret in octo/api was last written before the current token was issued: no such secret can hold that token (a run stopped midway, or it was never written), so this run rotates and writes every destination instead of skipping.'
    )
    const held = secretIn('octo/app', 'META_TOKEN') as string
    expect(secretIn('octo/api', 'META_TOKEN')).toBe(held)
    expect(world.graph.isUsable(held)).toBe(true)
  })

  test('every destination written after the token was issued: the skip stands (GitHub clock skewed 2 minutes behind)', async () => {
    const run1 = await runWithInputs(world.inputs())
    world.github.advanceClock(-120_000)
    const run2 = await runWithInputs(world.inputs({ token: run1.outputs.token as string, 'rotate-before': '14d' }))
    expect(run2.failed).toBeUndefined()
    expect(run2.result?.skipped).toBe(true)
  })

  test('debug_token without issued_at: the run rotates instead of skipping, and says why', async () => {
    world.graph.debugTokenOmitsIssuedAt = true
    const run = await runWithInputs(world.inputs({ 'rotate-before': '14d', revoke: 'true' }))
    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    expect(run.summary).toContain('the run rotates instead of skipping')
  })
})
