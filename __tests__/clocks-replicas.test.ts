// GitHub's clock is not the runner's, and a read right after a write may come from a replica that has
// not seen it. Over real HTTP against the GitHub emulator (clockOffsetMs, staleReadsAfterWrite, answers
// without a Date header): every destination ends holding a valid token, no token a secret holds is ever
// revoked, and with the clocks apart the rotation still completes.
import { afterEach, describe, expect, test } from '@jest/globals'
import type { GitHubEmulatorOptions } from '../emulators/github-emulator.js'
import { REPOS, runWithInputs, stageGenerate, startWorld, type RecordedRun, type World } from './support/world.js'

const MINUTE = 60_000
const DAY = 86_400

let world: World | undefined
afterEach(async () => {
  await world?.stop()
  world = undefined
})

interface Strategy {
  name: string
  /** The inputs of the run and the token it replaces. */
  setUp(w: World): { inputs: Record<string, string>; old: string }
  /** Whether a completed run revokes the old token. */
  revokes: boolean
}

const STRATEGIES: Strategy[] = [
  { name: 'refresh, revoke auto', setUp: (w) => ({ inputs: w.inputs(), old: w.token }), revokes: true },
  {
    name: 'refresh, revoke false',
    setUp: (w) => ({ inputs: w.inputs({ revoke: 'false' }), old: w.token }),
    revokes: false
  },
  {
    name: 'generate',
    setUp: (w) => {
      const stage = stageGenerate(w, { appInstalled: false })
      return { inputs: stage.inputs({ 'install-app': 'true' }), old: stage.old }
    },
    revokes: true
  }
]

const GITHUB_CONDITIONS: Array<[string, GitHubEmulatorOptions]> = [
  ["GitHub's clock 6 minutes behind the runner's", { clockOffsetMs: -6 * MINUTE }],
  ["GitHub's clock 6 minutes ahead of the runner's", { clockOffsetMs: 6 * MINUTE }],
  ['a stale first read-back', { staleReadsAfterWrite: 1 }],
  ['a stale first read-back and GitHub 6 minutes behind', { staleReadsAfterWrite: 1, clockOffsetMs: -6 * MINUTE }]
]

/** Both repositories hold `old`, written 40 days ago (as a secret due for rotation is). */
async function staged(github: GitHubEmulatorOptions, strategy: Strategy) {
  world = await startWorld({ github })
  const w = world
  const { inputs, old } = strategy.setUp(w)
  for (const repo of REPOS) {
    w.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', old)
    w.github.backdateSecret({ kind: 'repository', repo }, 'META_TOKEN', 40 * DAY)
  }
  return { w, inputs, old }
}

const held = (w: World) => REPOS.map((repo) => w.github.secret({ kind: 'repository', repo }, 'META_TOKEN')?.value)

/** What must hold after any run: every secret holds a token Graph accepts; none holds a revoked one. */
function expectEveryDestinationWorking(w: World): void {
  for (const value of held(w)) {
    expect(value).toBeDefined()
    expect(w.graph.token(value as string)?.revoked).toBe(false)
    expect(w.graph.isUsable(value as string)).toBe(true)
  }
}

function expectCompleted(w: World, run: RecordedRun, old: string, revokes: boolean): void {
  expect(run.failed).toBeUndefined()
  const fresh = run.outputs.token as string
  expect(fresh).toBeTruthy()
  expect(fresh).not.toBe(old)
  expect(held(w)).toEqual(REPOS.map(() => fresh))
  expectEveryDestinationWorking(w)
  expect(w.graph.token(old)?.revoked).toBe(revokes)
  expect(run.outputs).toMatchObject({ rotated: 'true', revoked: String(revokes) })
}

describe.each(GITHUB_CONDITIONS)('%s', (_condition, github) => {
  test.each(STRATEGIES)(
    '$name: every destination holds the new token, confirmed; the rotation completes',
    async (strategy) => {
      const { w, inputs, old } = await staged(github, strategy)
      const run = await runWithInputs(inputs)
      expectCompleted(w, run, old, strategy.revokes)
      expect(run.summary).toContain('✅ **Rotated:**')
      // Each secret was read back after its write, on GitHub's clock: the skew alone never looks stale.
      const reads = w.github.server.requestsTo(/\/secrets\/META_TOKEN$/, 'GET')
      expect(reads.length).toBe(REPOS.length * (github.staleReadsAfterWrite ? 2 : 1))
    }
  )
})

describe("GitHub's clock 6 minutes ahead, the secrets last written 2 minutes ago (GitHub time)", () => {
  test('a write that got only 500s is not mistaken for one that landed: the old token stays, unrevoked', async () => {
    const { w, inputs, old } = await staged({ clockOffsetMs: 6 * MINUTE }, STRATEGIES[0]!)
    for (const repo of REPOS) {
      w.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN', old)
      w.github.backdateSecret({ kind: 'repository', repo }, 'META_TOKEN', 120)
    }
    w.github.server.injectFault({
      method: 'PUT',
      path: '/repos/octo/app/actions/secrets/META_TOKEN',
      fault: { kind: 'status', status: 500, body: { message: 'Server Error' } },
      times: 100
    })
    const run = await runWithInputs(inputs)

    expect(run.failed).toMatch(/^\[store\] /)
    const fresh = w.github.secret({ kind: 'repository', repo: 'octo/api' }, 'META_TOKEN')?.value as string
    expect(held(w)).toEqual([old, fresh])
    expect(fresh).not.toBe(old)
    expectEveryDestinationWorking(w)
    expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'false' })
    expect(JSON.parse(run.outputs.secrets as string)).toMatchObject([
      { target: 'octo/app', status: 'failed' },
      { target: 'octo/api', status: 'updated' }
    ])
  })
})

describe('more stale reads than the store reads back (a replica 3 reads behind)', () => {
  test.each(STRATEGIES)(
    '$name: fails at confirm with both tokens alive, the new one not revoked; a re-run completes',
    async (strategy) => {
      const { w, inputs, old } = await staged({ staleReadsAfterWrite: 3 }, strategy)
      const before = new Set(w.graph.allTokens().map((t) => t.value))
      const run = await runWithInputs(inputs)

      expect(run.failed).toMatch(/^\[confirm\] /)
      expect(run.outputs).toMatchObject({ revoked: 'false' })
      // The writes were answered 204: the secrets hold the new token, which stays alive.
      const minted = w.graph.allTokens().filter((t) => !before.has(t.value))
      expect(minted).toHaveLength(1)
      const fresh = minted[0]!.value
      expect(held(w)).toEqual(REPOS.map(() => fresh))
      expect(w.graph.isUsable(fresh)).toBe(true)
      expect(w.graph.isUsable(old)).toBe(true)
      expectEveryDestinationWorking(w)
      expect(run.summary).toMatch(/kept showing the secret as it was before/)

      // The replica catches up: the same inputs complete the rotation.
      w.github.staleReadsAfterWrite = 0
      const rerun = await runWithInputs(inputs)
      expectCompleted(w, rerun, old, strategy.revokes)
    }
  )
})

describe("GitHub's answers carry no Date header", () => {
  test('a write that got only 500s is never judged "not landed": the new token stays alive, and the summary says so', async () => {
    const { w, inputs, old } = await staged({}, STRATEGIES[0]!)
    w.github.server.sendsDate = false
    const before = new Set(w.graph.allTokens().map((t) => t.value))
    for (const repo of REPOS) {
      w.github.server.injectFault({
        method: 'PUT',
        path: `/repos/${repo}/actions/secrets/META_TOKEN`,
        fault: { kind: 'status', status: 500, body: { message: 'Server Error' } },
        times: 100
      })
    }
    const run = await runWithInputs(inputs)

    expect(run.failed).toMatch(/^\[store\] /)
    const minted = w.graph.allTokens().filter((t) => !before.has(t.value))
    expect(minted).toHaveLength(1)
    // Without GitHub's time, reading the secret back cannot prove the write did not land.
    expect(w.graph.token(minted[0]!.value)?.revoked).toBe(false)
    expect(w.graph.isUsable(old)).toBe(true)
    expect(held(w)).toEqual(REPOS.map(() => old))
    expect(run.summary).toMatch(/could not be settled may have stored the new token, so the new token was left alive/)
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false' })
  })

  test('writes answered 2xx are confirmed by reading the secrets back, and the rotation completes', async () => {
    const { w, inputs, old } = await staged({}, STRATEGIES[0]!)
    w.github.server.sendsDate = false
    const run = await runWithInputs(inputs)
    expectCompleted(w, run, old, true)
  })
})
