// A write whose outcome is unknown (a 5xx on every attempt, no answer, an answer garbled on the way) is
// settled by reading the secret's metadata back, on GitHub's clock: proven not landed → the new system
// user token, stored nowhere, is revoked; landed → counted as written; unknowable (the read-back fails
// too) → the new token stays alive and the summary says so. One destination, so "stored nowhere" can happen.
import { describe, expect, test } from '@jest/globals'
import type { Fault } from '../emulators/loopback-server.js'
import type { Clock } from '../src/clock.js'
import {
  FAST,
  runWithInputs,
  stageGenerate,
  startWorld,
  testClock,
  type RecordedRun,
  type World
} from './support/world.js'

const DAY = 86_400
const SECRET = '/repos/octo/app/actions/secrets/META_TOKEN'
/** The run's waits are injected; a hung request gives up after 150 ms, and without a hang no request can time out. */
const TUNING = { ...FAST, requestTimeoutMs: 10_000 }
const tuningFor = (fault: Fault) => (fault.kind === 'hang' ? { ...FAST, requestTimeoutMs: 150 } : TUNING)

interface Strategy {
  name: string
  setUp(w: World): { inputs: Record<string, string>; old: string }
}

const STRATEGIES: Strategy[] = [
  {
    name: 'refresh of a system user token',
    setUp: (w) => ({ inputs: w.inputs({ repositories: 'octo/app' }), old: w.token })
  },
  {
    name: 'generate',
    setUp: (w) => {
      const stage = stageGenerate(w)
      return { inputs: stage.inputs({ repositories: 'octo/app' }), old: stage.old }
    }
  }
]

const SERVER_ERROR: Fault = { kind: 'status', status: 500, body: { message: 'Server Error' } }
const BAD_GATEWAY: Fault = { kind: 'status', status: 502, body: { message: 'Bad Gateway' } }

/** Every attempt of the write fails this way; `afterHandler`: each attempt lands first. */
interface WriteFault {
  name: string
  fault: Fault
  afterHandler?: boolean
}

const NOT_LANDED: WriteFault[] = [
  { name: '500 on every attempt', fault: SERVER_ERROR },
  { name: '502 on every attempt', fault: BAD_GATEWAY },
  { name: 'no answer on every attempt', fault: { kind: 'hang' } },
  { name: 'the connection reset on every attempt', fault: { kind: 'reset' } },
  { name: 'a garbled 200 (a body GitHub never sends to a write)', fault: { kind: 'truncated' } }
]
const LANDED: WriteFault[] = NOT_LANDED.map((f) => ({
  ...f,
  name: `${f.name}, after the write landed`,
  afterHandler: true
}))

interface Staged {
  w: World
  inputs: Record<string, string>
  old: string
  /** Every token Graph knew before the run. */
  before: Set<string>
}

/** A world of its own (the tests run concurrently: most of their time is hung requests timing out). */
async function inWorld(strategy: Strategy, body: (staged: Staged) => Promise<void>): Promise<void> {
  const w = await startWorld()
  try {
    const { inputs, old } = strategy.setUp(w)
    w.github.setSecret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN', old)
    w.github.backdateSecret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN', 40 * DAY)
    await body({ w, inputs, old, before: new Set(w.graph.allTokens().map((t) => t.value)) })
  } finally {
    await w.stop()
  }
}

function failWrites(w: World, { fault, afterHandler }: WriteFault): void {
  w.github.server.injectFault({ method: 'PUT', path: SECRET, fault, afterHandler, times: 1000 })
}

/** The one token the run minted. */
function minted(w: World, before: Set<string>): string {
  const fresh = w.graph.allTokens().filter((t) => !before.has(t.value))
  expect(fresh).toHaveLength(1)
  return fresh[0]!.value
}

const held = (w: World) => w.github.secret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN')?.value
const secretsOutput = (run: RecordedRun) => JSON.parse(run.outputs.secrets ?? '[]') as Array<Record<string, unknown>>

describe.each(STRATEGIES)('$name', (strategy) => {
  test.concurrent.each(NOT_LANDED)(
    '$name: proven not landed, so the new token, stored nowhere, is revoked',
    (writeFault) =>
      inWorld(strategy, async ({ w, inputs, old, before }) => {
        failWrites(w, writeFault)
        const run = await runWithInputs(inputs, {}, tuningFor(writeFault.fault))

        expect(run.failed).toMatch(/^\[store\] /)
        const fresh = minted(w, before)
        expect(w.graph.token(fresh)?.revoked).toBe(true)
        // The secret holds the old token, which was not revoked.
        expect(held(w)).toBe(old)
        expect(w.graph.isUsable(old)).toBe(true)
        expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
        expect(secretsOutput(run)).toMatchObject([{ target: 'octo/app', status: 'failed' }])
        expect(run.summary).toMatch(/\*\*Revoked:\*\* the new token, stored nowhere/)
        expect(run.summary).toMatch(/no unstored token is left alive/)
        // It was read back before it was judged: a lagging replica gets more than one look.
        expect(w.github.server.requestsTo(SECRET, 'GET').length).toBeGreaterThanOrEqual(2)
      })
  )

  test.concurrent.each(LANDED)('$name: reading it back shows it landed, so it counts as written', (writeFault) =>
    inWorld(strategy, async ({ w, inputs, old, before }) => {
      failWrites(w, writeFault)
      const run = await runWithInputs(inputs, {}, tuningFor(writeFault.fault))

      expect(run.failed).toBeUndefined()
      const fresh = minted(w, before)
      expect(held(w)).toBe(fresh)
      expect(w.graph.isUsable(fresh)).toBe(true)
      expect(w.graph.token(old)?.revoked).toBe(true)
      expect(run.outputs).toMatchObject({ rotated: 'true', revoked: 'true', token: fresh })
      expect(secretsOutput(run)).toMatchObject([{ target: 'octo/app', status: 'updated' }])
      expect(run.log.join('\n')).toMatch(/got no clear answer, but reading it back shows it landed/)
    })
  )

  test.concurrent.each([
    ['no answer', undefined],
    ["a gateway's 504", 504]
  ])(
    '%s, and GitHub carries the write out seconds later (it stops processing a request after 10 s): judged only after that, so it counts as written and no secret holds a revoked token',
    (_, status) =>
      inWorld(strategy, async ({ w, inputs, old, before }) => {
        failWrites(w, { name: 'late', fault: { kind: 'late', delayMs: 8000, status } })
        // GitHub's time passes with the run's waits.
        const clock = testClock()
        const githubFollows: Clock = {
          now: () => clock.now(),
          sleep: async (ms) => {
            w.github.clockOffsetMs += ms
            await clock.sleep(ms)
          }
        }
        const run = await runWithInputs(inputs, {}, { ...TUNING, clock: githubFollows })
        await w.github.server.carryOutLate(Infinity)

        const fresh = minted(w, before)
        expect(held(w)).toBe(fresh)
        expect(w.graph.isUsable(fresh)).toBe(true)
        expect(run.failed).toBeUndefined()
        expect(run.outputs).toMatchObject({ rotated: 'true', token: fresh })
        expect(w.graph.token(old)?.revoked).toBe(true)
      })
  )

  test.concurrent.each([
    ['422', { kind: 'status', status: 422, body: { message: 'Validation Failed' } }],
    [
      'a secondary rate limit to the end',
      {
        kind: 'status',
        status: 403,
        body: { message: 'You have exceeded a secondary rate limit.' },
        headers: { 'retry-after': '1' }
      }
    ]
  ] as Array<[string, Fault]>)(
    'the first attempt landed but its answer was lost, and every retry got %s: read back, so it counts as written and the token it stored is never revoked',
    (_, refusal) =>
      inWorld(strategy, async ({ w, inputs, old, before }) => {
        w.github.server.injectFault({ method: 'PUT', path: SECRET, fault: { kind: 'reset' }, afterHandler: true })
        w.github.server.injectFault({ method: 'PUT', path: SECRET, fault: refusal, times: 1000 })
        const run = await runWithInputs(inputs, {}, TUNING)

        const fresh = minted(w, before)
        expect(held(w)).toBe(fresh)
        expect(w.graph.isUsable(fresh)).toBe(true)
        expect(run.failed).toBeUndefined()
        expect(w.graph.token(old)?.revoked).toBe(true)
      })
  )

  test.concurrent('unknowable (the read-back fails too): the new token stays alive, and the summary says why', () =>
    inWorld(strategy, async ({ w, inputs, old, before }) => {
      failWrites(w, { name: '500', fault: SERVER_ERROR })
      w.github.server.injectFault({ method: 'GET', path: SECRET, fault: SERVER_ERROR, times: 1000 })
      const run = await runWithInputs(inputs, {}, TUNING)

      expect(run.failed).toMatch(/^\[store\] /)
      const fresh = minted(w, before)
      expect(w.graph.isUsable(fresh)).toBe(true)
      expect(held(w)).toBe(old)
      expect(w.graph.isUsable(old)).toBe(true)
      expect(run.outputs).toMatchObject({ revoked: 'false' })
      expect(run.summary).toMatch(/\*\*Revoked:\*\* nothing/)
      expect(run.summary).toMatch(/could not be settled may have stored the new token, so the new token was left alive/)
      // The re-run, once GitHub answers again, completes the rotation.
      w.github.server.clearFaults()
      const rerun = await runWithInputs(inputs, {}, TUNING)
      expect(rerun.failed).toBeUndefined()
      expect(held(w)).toBe(rerun.outputs.token)
      expect(w.graph.token(old)?.revoked).toBe(true)
    })
  )
})

describe('a write that was never sent is no unknown outcome', () => {
  test.concurrent(
    "the organization secret's visibility cannot be read (500 for good, its read-back too): the PUT is never sent, and the new token is revoked",
    () =>
      inWorld(STRATEGIES[0]!, async ({ w, old, before }) => {
        w.github.setOrganizationSecret('octo', 'META_TOKEN', old, { visibility: 'private' })
        const secret = '/orgs/octo/actions/secrets/META_TOKEN'
        w.github.server.injectFault({ method: 'GET', path: secret, fault: SERVER_ERROR, times: 1000 })
        const run = await runWithInputs(w.inputs({ organization: 'octo', repositories: '' }), {}, TUNING)

        expect(run.failed).toMatch(/^\[store\] /)
        expect(w.github.server.requestsTo(secret, 'PUT')).toEqual([])
        expect(w.graph.token(minted(w, before))?.revoked).toBe(true)
        expect(w.graph.isUsable(old)).toBe(true)
        expect(w.github.secret({ kind: 'organization', org: 'octo' }, 'META_TOKEN')?.value).toBe(old)
      })
  )
})
