// Every outbound request of every strategy and destination kind, hit in turn by every fault (5xx,
// 429, a reset connection, no answer, a cut body, 401, 403), each time in a fresh world whose
// destinations all hold the old token. A run may fail; it may never break a destination: the
// invariant (see harness.ts) is checked after every fault point, and every run that failed is run
// again without faults to prove that the re-run completes the rotation.
//
// How a fault hits one request: each scenario's baseline run (no fault) records both emulators'
// requests in order. A fault point is (scenario, the n-th request with that method and exact path,
// fault). armFault counts the requests with that method and path as they arrive and adds the fault
// rule the moment the n-th one is recorded, so the server applies it to that very request and to no
// other (debug_token's first call is the current token, its second the new one).
//
// Every destination is seeded with the old token as if written 40 days ago (as a rotated secret is),
// so the action's read-back really tells a write that landed from one that did not. Waits are
// shortened (RESILIENCE_TUNING), except in the few cases at the end that honour retry-after in real
// seconds; a Graph retry-after is always honoured in real seconds (the 429 points cost a second each).
// A point where the 150 ms timeout fired on a healthy request (a loaded machine) is tried again.
//
// Known limitation, documented and not tested: when a first run stored the new token in some
// destinations and failed, the re-run refreshes again from the old token and overwrites them; the
// first run's new token is then stored nowhere but stays alive until it expires (or is revoked by hand).
import { mapWithConcurrency } from '../../src/concurrency.js'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { leakScan, runWithInputs, type RecordedRun } from '../support/world.js'
import {
  armFault,
  describePoint,
  FAULTS,
  graphTokens,
  invariantProblems,
  record,
  requestPoints,
  RESILIENCE_TUNING,
  runChecked,
  SCENARIOS,
  stage,
  writeFigures,
  type FaultKind,
  type RequestPoint,
  type Scenario
} from './harness.js'

/** Fault points run at once: the machine has 2 cores; more would make the 150 ms timeout fire on healthy requests. */
const POOL = 6

interface PointResult {
  scenario: string
  point: string
  fault: string
  outcome: 'succeeded' | 'failed cleanly' | 'broke the invariant'
  failedStep?: string
  problems: string[]
  rerun?: 'completed' | 'did not complete'
}

const results: PointResult[] = []
const startedAt = Date.now()

afterAll(() => {
  const broken = results.filter((r) => r.outcome === 'broke the invariant')
  const reruns = results.filter((r) => r.rerun !== undefined)
  writeFigures('fault-injection', {
    pointsTried: results.length,
    survived: results.length - broken.length,
    succeeded: results.filter((r) => r.outcome === 'succeeded').length,
    failedCleanly: results.filter((r) => r.outcome === 'failed cleanly').length,
    brokeInvariant: broken.map((r) => `${r.scenario} | ${r.point} | ${r.fault}: ${r.problems.join('; ')}`),
    transientFailedAsDesigned: results
      .filter((r) => r.outcome === 'failed cleanly' && FAULTS.find((f) => f.name === r.fault)?.transient)
      .map(
        (r) =>
          `${r.scenario} | ${r.point} | ${r.fault}: failed at [${r.failedStep ?? '?'}] (mint calls are not retried after a reset or timeout)`
      ),
    failedCleanlyPoints: results
      .filter((r) => r.outcome === 'failed cleanly')
      .map((r) => `${r.scenario} | ${r.point} | ${r.fault}: [${r.failedStep ?? '?'}], re-run ${r.rerun ?? '-'}`),
    reruns: { tried: reruns.length, completed: reruns.filter((r) => r.rerun === 'completed').length },
    spuriousRetries,
    leakScan: { ...leakScan },
    durationMs: Date.now() - startedAt
  })
})

/**
 * The one transient fault that is not retried, by design: a reset or a timeout on POST
 * /{system-user-id}/access_tokens may come after Meta minted the token, and a retry would mint a
 * second one nobody sees (src/graph/graph-client.ts, `idempotent: false`). The run fails at [mint].
 */
function mintNotRetried(point: RequestPoint, fault: FaultKind): boolean {
  const fired = fault.fault(point.api).kind
  return (
    point.api === 'graph' &&
    point.method === 'POST' &&
    point.path.endsWith('/access_tokens') &&
    (fired === 'reset' || fired === 'hang')
  )
}

/** Lines of a run that say a request timed out: Graph's retry log names the request; failures and GitHub's errors do not. */
const timeoutLines = (run: RecordedRun): string[] =>
  run.log.filter((line) => /no answer within|aborted due to timeout|operation was aborted/i.test(line))

/**
 * Whether a timeout fired on a request that was not the one hit by the fault: the 150 ms timeout is
 * short, and a loaded machine (2 cores, other jobs) can make a healthy request miss it. Such a point
 * says nothing about the action, so it is tried again in a fresh world (the invariant is still checked
 * on every attempt's figures: only the last attempt counts).
 */
function spuriousTimeout(runs: RecordedRun[], point: RequestPoint, fault: FaultKind): boolean {
  const hang = fault.fault(point.api).kind === 'hang'
  return runs.some((run, index) =>
    timeoutLines(run).some((line) => {
      if (!hang || index > 0) return true
      if (point.api === 'github') return true // GitHub timeouts are retried silently: any line is about another request
      if (line.includes(`${point.method} ${point.path} failed`)) return false // the hung request's own retry
      return !(mintNotRetried(point, fault) && line.includes('Generating a system user token')) // the unretried mint's failure
    })
  )
}

const ATTEMPTS = 3
let spuriousRetries = 0

async function tryPoint(scenario: Scenario, point: RequestPoint, fault: FaultKind): Promise<PointResult> {
  for (let attempt = 1; ; attempt++) {
    const { result, runs, fired } = await tryPointOnce(scenario, point, fault)
    const unsound = !fired || spuriousTimeout(runs, point, fault)
    if (!unsound || attempt === ATTEMPTS) {
      if (unsound)
        result.problems.push(
          `(harness) a healthy request timed out (or the fault never fired) in all ${ATTEMPTS} attempts: the machine is too loaded for a 150 ms timeout`
        )
      if (result.problems.length > 0) result.outcome = 'broke the invariant'
      results.push(result)
      return result
    }
    spuriousRetries += 1
  }
}

async function tryPointOnce(
  scenario: Scenario,
  point: RequestPoint,
  fault: FaultKind
): Promise<{ result: PointResult; runs: RecordedRun[]; fired: boolean }> {
  const result: PointResult = {
    scenario: scenario.name,
    point: describePoint(point),
    fault: fault.name,
    outcome: 'succeeded',
    problems: []
  }
  const runs: RecordedRun[] = []
  const staged = await stage(scenario)
  const armed = armFault(staged.world, point, fault.fault(point.api))
  try {
    const first = await runChecked(staged)
    runs.push(first.run)
    if (!armed.fired())
      result.problems.push('the fault never fired: this run did not send the request the baseline sent')
    result.problems.push(...first.problems)
    if (first.run.failed !== undefined && fault.transient && !mintNotRetried(point, fault)) {
      result.problems.push(`(retry) a transient fault was not survived by a retry: ${first.run.failed.slice(0, 300)}`)
    }
    if (first.run.failed !== undefined) {
      result.failedStep = /^\[(\w+)\]/.exec(first.run.failed)?.[1]
      // Idempotency: the same inputs, no fault, complete the rotation.
      const second = await runChecked(staged)
      runs.push(second.run)
      result.rerun = second.run.failed === undefined && second.problems.length === 0 ? 'completed' : 'did not complete'
      if (second.run.failed !== undefined)
        result.problems.push(`(re-run) failed too: ${second.run.failed.slice(0, 300)}`)
      result.problems.push(...second.problems.map((p) => `(re-run) ${p}`))
      if (result.problems.length > 0) result.problems.push(`first run ended: ${first.run.failed.slice(0, 300)}`)
    }
  } catch (error) {
    result.problems.push(`the run threw: ${(error as Error).message}`)
  } finally {
    // world.stop() also checks that every GitHub request fitted GitHub's OpenAPI description.
    await staged.world.stop().catch((error: unknown) => result.problems.push(`(protocol) ${(error as Error).message}`))
  }
  if (result.failedStep !== undefined) result.outcome = 'failed cleanly'
  return { result, runs, fired: armed.fired() }
}

describe.each(SCENARIOS)('$name', (scenario) => {
  let points: RequestPoint[] = []

  beforeAll(async () => {
    const staged = await stage(scenario)
    const timeline = record(staged.world)
    try {
      // A generous timeout: the baseline must record the requests of a run without any retry.
      const { run, problems } = await runChecked(staged, { ...RESILIENCE_TUNING, requestTimeoutMs: 10_000 })
      if (run.failed !== undefined || problems.length > 0) {
        throw new Error(`the baseline of '${scenario.name}' must succeed: ${run.failed ?? problems.join('; ')}`)
      }
    } finally {
      await staged.world.stop()
    }
    points = requestPoints(timeline)
  })

  test.each(FAULTS)('$name at every request: no destination is left without a working token', async (fault) => {
    expect(points.length).toBeGreaterThan(0)
    const tried = await mapWithConcurrency(points, POOL, (point) => tryPoint(scenario, point, fault))
    const broken = tried.filter((r) => r.outcome === 'broke the invariant')
    if (broken.length > 0) {
      throw new Error(
        `${broken.length} of ${tried.length} fault points broke the invariant:\n` +
          broken
            .map((r) => `  ${r.scenario} | ${r.point} | ${r.fault}:\n    - ${r.problems.join('\n    - ')}`)
            .join('\n')
      )
    }
  })
})

describe('retry-after honoured in real seconds (no shortened base)', () => {
  const REAL_SECONDS = { graphRetry: RESILIENCE_TUNING.graphRetry, requestTimeoutMs: 2000 }
  const cases: Array<[string, string, 'graph' | 'github', string, string]> = [
    [
      'a Graph 429 on the exchange',
      'refresh (system user, 2 repositories)',
      'graph',
      'GET',
      '/v26.0/oauth/access_token'
    ],
    [
      'a GitHub 429 on a public key',
      'refresh (system user, 2 repositories)',
      'github',
      'GET',
      '/repos/octo/app/actions/secrets/public-key'
    ],
    [
      'a GitHub 429 on a write',
      "environment 'prod/eu' secrets",
      'github',
      'PUT',
      '/repos/octo/api/environments/prod%2Feu/secrets/META_TOKEN'
    ]
  ]

  test.each(cases)(
    '%s: the retry waits a second, then the rotation completes',
    async (_name, scenarioName, api, method, path) => {
      const scenario = SCENARIOS.find((s) => s.name === scenarioName) as Scenario
      const staged = await stage(scenario)
      const timeline = record(staged.world)
      const fault = FAULTS.find((f) => f.name === 'HTTP 429 retry-after: 1') as FaultKind
      const armed = armFault(staged.world, { index: 0, api, method, path, occurrence: 1 }, fault.fault(api))
      try {
        const before = graphTokens(staged.world)
        const run = await runWithInputs(staged.inputs, {}, REAL_SECONDS)
        expect(armed.fired()).toBe(true)
        expect(invariantProblems(staged, run, before)).toEqual([])
        expect(run.failed).toBeUndefined()
        const tries = timeline.filter((r) => r.api === api && r.method === method && r.path === path)
        expect(tries).toHaveLength(2)
        expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(950)
      } finally {
        await staged.world.stop()
      }
    },
    15_000
  )
})
