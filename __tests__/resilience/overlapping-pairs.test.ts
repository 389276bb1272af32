// Two rotations of one secret that overlap, with lease-wait: run B runs whole right after each of run
// A's GitHub requests is answered (every place in A's writes, read-backs and lease where B can come
// in, up to A's revoke), in grace mode and without. Whatever the interleaving, the pair ends with
// every secret and every previous slot holding a working token, no secret holding a revoked one, every
// live token minted by the pair held by some secret, and B either waited for A (and found its token
// replaced), or was refused before minting naming A's run, or ran first and A found its token replaced.
import { describe, expect, test } from '@jest/globals'
import {
  ALL_PERMISSIONS,
  GITHUB_PAT,
  runWithInputs,
  testClock,
  type RecordedRun,
  type World
} from '../support/world.js'
import { knownTokens, RESILIENCE_TUNING, stage, stageGrace, type Scenario, type Staged } from './harness.js'

const withLease = (name: string, grace: boolean): Scenario => ({
  name,
  stage: (w) => {
    const staged = grace
      ? stageGrace(w)
      : {
          inputs: w.inputs(),
          slots: ['octo/app', 'octo/api'].map((repo) => ({
            label: `actions secret META_TOKEN of ${repo}`,
            scope: { kind: 'repository' as const, repo },
            type: 'actions' as const,
            name: 'META_TOKEN',
            role: 'current' as const,
            seed: w.token
          }))
        }
    return { ...staged, inputs: { ...staged.inputs, 'lease-wait': '1m' } }
  }
})

const runEnv = (id: number) => ({
  GITHUB_RUN_ID: String(id),
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_REPOSITORY: 'octo/app',
  GITHUB_SERVER_URL: 'https://github.com'
})

function permit(world: World): void {
  world.github.addToken(GITHUB_PAT, {
    permissions: { ...ALL_PERMISSIONS, actions_variables: 'write', actions: 'read' }
  })
}

/** Run A, with run B run whole right after A's `k`-th GitHub request was answered. */
async function pair(staged: Staged, k: number): Promise<{ a: RecordedRun; b: RecordedRun | undefined }> {
  const { world } = staged
  const runA = world.github.addRun('octo/app', 'in_progress')
  const runB = world.github.addRun('octo/app', 'in_progress')
  let seen = 0
  let b: RecordedRun | undefined
  const githubFetch =
    (fetch: typeof globalThis.fetch): typeof globalThis.fetch =>
    async (input, init) => {
      const response = await fetch(input, init)
      if (++seen === k)
        b = await runWithInputs(staged.inputs, runEnv(runB.id), { ...RESILIENCE_TUNING, clock: testClock() })
      return response
    }
  const a = await runWithInputs(staged.inputs, runEnv(runA.id), {
    ...RESILIENCE_TUNING,
    clock: testClock(),
    githubFetch
  })
  return { a, b }
}

function problemsOf(staged: Staged, before: Set<string>, a: RecordedRun, b: RecordedRun | undefined): string[] {
  const { world, slots } = staged
  const problems: string[] = []
  const held = slots.map((slot) => world.github.secret(slot.scope, slot.name, slot.type)?.value)
  slots.forEach((slot, i) => {
    const value = held[i]
    if (value === undefined || !world.graph.isUsable(value)) problems.push(`${slot.label} holds no working token`)
    if (value !== undefined && world.graph.token(value)?.revoked) problems.push(`${slot.label} holds a revoked token`)
  })
  const live = world.graph
    .allTokens()
    .filter((t) => t.type === 'SYSTEM_USER' && !before.has(t.value) && world.graph.isUsable(t.value))
  for (const token of live)
    if (!held.includes(token.value)) problems.push('a token the pair minted is alive and held by no secret')
  const mints = world.graph.server.requests.filter((r) => r.path.endsWith('/oauth/access_token')).length
  if (mints > 1) problems.push(`the pair minted ${mints} tokens`)
  for (const run of [a, b]) {
    if (run && /log in|put a new token/i.test(`${run.failed ?? ''} ${run.summary}`))
      problems.push('a run said to log in again')
  }
  if (b?.failed && !/^\[lease\] Another rotation of META_TOKEN holds its lease: run \d+ of octo\/app/.test(b.failed))
    problems.push(`B failed other than refused at lease: ${b.failed.slice(0, 200)}`)
  if (a.failed) problems.push(`A failed: ${a.failed.slice(0, 200)}`)
  return problems
}

describe.each([
  ['grace mode (previous-secret-name and previous-token)', true],
  ['one secret in two repositories', false]
])('two overlapping rotations with lease-wait: %s', (name, grace) => {
  test('every interleaving of B into A ends with every slot on a working token and nothing minted twice', async () => {
    const scenario = withLease(name, grace)
    // A's GitHub requests, alone.
    const alone = await stage(scenario)
    permit(alone.world)
    let requests = 0
    await runWithInputs(alone.inputs, runEnv(1), {
      ...RESILIENCE_TUNING,
      clock: testClock(),
      githubFetch: (fetch) => async (input, init) => {
        requests++
        return fetch(input, init)
      }
    })
    await alone.world.stop()
    expect(requests).toBeGreaterThan(5)

    const broken: string[] = []
    for (let k = 1; k <= requests; k++) {
      const staged = await stage(scenario)
      permit(staged.world)
      const before = knownTokens(staged)
      try {
        const { a, b } = await pair(staged, k)
        const problems = problemsOf(staged, before, a, b)
        if (problems.length > 0) broken.push(`B after A's request ${k}: ${problems.join('; ')}`)
      } finally {
        await staged.world.stop()
      }
    }
    expect(broken).toEqual([])
  })
})
