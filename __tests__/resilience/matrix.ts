// The fault matrix: every request of every scenario's baseline run, hit by every fault, once and for
// good, each point in a fresh world whose destinations all hold the old token; the invariant (see
// harness.ts) is checked after every run, and every run that failed is run again without faults to
// prove that the re-run completes the rotation. The fault-matrix-*.test.ts files each run a share of
// the scenarios, so that jest runs them side by side.
//
// How a fault hits one request: each scenario's baseline run (no fault) records the emulators'
// requests in order. A point is (scenario, the n-th request with that method and exact path, fault,
// once or for good). armFault counts the requests with that method and path as they arrive and adds
// the fault rule the moment the n-th one is recorded, so the server applies it to that very request
// (once) or to it and every later one with the same method and path (for good: its retries fail too).
//
// What keeps it fast without dropping a point:
// - the baselines are checked against GitHub's OpenAPI description; the points, which send the same
//   operations (their retries and read-backs included), are not parsed against it again;
// - time is injected: our waits (Graph's backoff and retry-after, the read-back's pauses) are instant
//   on the fake clock, and one of GitHub's seconds lasts 1 ms inside Octokit's plugins;
// - only the points that hang a request use a short request timeout (400 ms); the others a generous one,
//   so a loaded machine cannot make a healthy request time out there;
// - all the points of a file share one pool, so the points waiting on a hung request overlap the others;
// - a point "for good" whose "once" run never sent that request again (a 401, a 403: nothing retries
//   them) would be the very same run: it is not run twice, and is counted with its "once" twin;
// - a failed run that changed nothing (secrets, tokens and installed apps exactly as staged) leaves the
//   world its scenario's baseline started from: its re-run IS the baseline, which completed.
// A timeout of another request than the hung one (published by the HTTP stack) means the machine was
// too loaded for the short timeout: that point is tried again in a fresh world.
//
// Known limitations, documented and not points:
// - when a first run stored the new token in some destinations and failed, the re-run refreshes again
//   from the old token and overwrites them; the first run's new token is then stored nowhere but stays
//   alive until it expires (or is revoked by hand). Invariant (c) is checked per run.
// - a mint or a refresh whose answer is lost after Meta made the token (a reset or a 5xx after the
//   fact) leaves a token nobody ever saw: no API lists the tokens minted. The faults here hit a request
//   before the emulator carries it out; only GitHub's writes are also hit after they landed.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mapWithConcurrency } from '../../src/concurrency.js'
import { requestTimeouts } from '../../src/http/http-stack.js'
import { leakScan, testClock, type RecordedRun, type World } from '../support/world.js'
import {
  APIS,
  armFault,
  describePoint,
  EXPIRY_VARIABLE,
  FAULTS,
  GENEROUS_TIMEOUT_MS,
  HANG_TIMEOUT_MS,
  isHang,
  knownTokens,
  LANDED_FAULTS,
  record,
  requestPoints,
  RESILIENCE_TUNING,
  runChecked,
  serverOf,
  shape,
  stage,
  writeFigures,
  type FaultKind,
  type RequestPoint,
  type Scenario
} from './harness.js'

/**
 * How much of the matrix a run covers:
 * - `full` (`npm run resilience`, and CI after `npm test`): every point once AND for good;
 * - `sampled` (the default, `npm test`): every kind of request (the same request to another
 *   destination is the same kind) meets one fault of every class (FAULT_CLASSES), once or for good;
 *   the member of the class, the destination hit and the persistence rotate from one kind and fault to
 *   the next. About a sixth of the runs, to keep `npm test` within its time budget; CI runs the full
 *   matrix too (`npm run resilience`);
 * - `once`: every point once, no "for good".
 */
const MODE = (process.env.FAULT_MATRIX ?? 'sampled') as 'full' | 'sampled' | 'once'
if (!['full', 'sampled', 'once'].includes(MODE))
  throw new Error(`FAULT_MATRIX must be full, sampled or once, not ${MODE}`)

/** Points run at once in one jest worker: most of a hung point's time is waiting. */
const POOL = 10
const ATTEMPTS = 3

export const MATRIX_FAULTS: FaultKind[] = [...FAULTS, ...LANDED_FAULTS]

export type Persistence = 'once' | 'for good'

export interface PointResult {
  scenario: string
  point: string
  fault: string
  persistence: Persistence
  outcome: 'succeeded' | 'failed cleanly' | 'broke the invariant'
  failedStep?: string
  problems: string[]
  rerun?: 'completed' | 'completed (same shape as a re-run that completed)' | 'did not complete'
  /** A "for good" point counted with its "once" twin: the once run never sent that request again. */
  sameRunAsOnce?: boolean
  /** Requests with the faulted method and path after the faulted one. */
  repeats: number
  /** Runs made for this point (first runs and re-runs, spurious attempts included). */
  runs: number
}

/** The verdict of each re-run made, by scenario and the shape the failed run left (see harness.ts `shape`). */
const rerunVerdicts = new Map<string, Promise<string[]>>()

/**
 * The timeouts each point expects, by the origin of its emulators: a request that times out and is not
 * the hung one (another one, or the same path before the fault fired, or its retry after a fault that
 * hit once) makes the point spurious.
 */
interface Watch {
  /** Whether this timeout is the hung request's own. */
  expected(method: string, path: string): boolean
  spurious: boolean
}
const watches = new Map<string, Watch>()
const onTimeout = (message: unknown): void => {
  const { method, origin, path } = message as { method: string; origin: string; path: string }
  const watch = watches.get(origin)
  if (watch && !watch.expected(method, path)) watch.spurious = true
}

/**
 * The requests that mint are not retried after a reset or a timeout: they may come after the token was
 * minted, and a retry would mint a second one nobody sees (src/graph/graph-client.ts, `idempotent:
 * false`): generate's POST /{system-user-id}/access_tokens and Instagram's refresh. Such a point fails
 * at [mint] by design.
 */
function expiryRecordProblems(world: World, run: RecordedRun): string[] {
  return ['octo/app', 'octo/api'].flatMap((repo) => {
    const value = world.github.variable({ kind: 'repository', repo }, EXPIRY_VARIABLE)?.value ?? ''
    let expiresAt: unknown
    try {
      expiresAt = (JSON.parse(value) as { expiresAt?: unknown }).expiresAt
    } catch {
      expiresAt = undefined
    }
    if (expiresAt === run.outputs['expires-at']) return []
    const warned = run.log.some(
      (line) => line.startsWith('warning: ') && line.includes(`repository ${repo}`) && /expiry-variable/.test(line)
    )
    return warned ? [] : [`(h) ${EXPIRY_VARIABLE} of ${repo} holds no record of the new token and no warning says so`]
  })
}

function notRetriedByDesign(point: RequestPoint, fault: FaultKind): boolean {
  const fired = fault.fault(point.api).kind
  const mints =
    (point.api === 'graph' && point.method === 'POST' && point.path.endsWith('/access_tokens')) ||
    (point.api === 'instagram' && point.path.endsWith('/refresh_access_token'))
  // A dispatch that got no answer may have started a run: sent again it would deploy twice, and
  // without its id the run cannot be followed, so the deploy fails with nothing revoked. (The first
  // POST of each workflow is the dispatch check, at a ref that cannot exist: that one is sent again.)
  const dispatches =
    point.api === 'github' && point.method === 'POST' && point.path.endsWith('/dispatches') && point.occurrence > 1
  return (mints || dispatches) && (fired === 'reset' || fired === 'hang')
}

async function tryPointOnce(
  scenario: Scenario,
  point: RequestPoint,
  fault: FaultKind,
  persistence: Persistence
): Promise<{ result: PointResult; spurious: boolean }> {
  const result: PointResult = {
    scenario: scenario.name,
    point: describePoint(point),
    fault: fault.name,
    persistence,
    outcome: 'succeeded',
    problems: [],
    repeats: 0,
    runs: 0
  }
  const staged = await stage(scenario, { validate: false })
  const origins = APIS.map((api) => ({
    api,
    origin: serverOf(staged.world, api).url
  }))
  const armed = armFault(staged.world, point, fault, persistence === 'for good')
  let hungTimeouts = 0
  let disarmed = false
  for (const { api, origin } of origins) {
    watches.set(origin, {
      spurious: false,
      expected: (method, path) => {
        const hung = isHang(fault) && api === point.api && method === point.method && path === point.path
        if (!hung || !armed.fired() || disarmed) return false
        hungTimeouts += 1
        return persistence === 'for good' || hungTimeouts === 1
      }
    })
  }
  // A clock of its own: the time this point's runs wait is theirs alone.
  const tuning = {
    ...RESILIENCE_TUNING,
    clock: scenario.clock?.(staged.world) ?? testClock(),
    requestTimeoutMs: isHang(fault) ? HANG_TIMEOUT_MS : GENEROUS_TIMEOUT_MS
  }
  let spurious = false
  try {
    const known = knownTokens(staged)
    const first = await runChecked(staged, tuning)
    result.runs += 1
    result.repeats = armed.repeats()
    armed.disarm()
    disarmed = true
    if (!armed.fired())
      result.problems.push('the fault never fired: this run did not send the request the baseline sent')
    result.problems.push(...first.problems)
    // (g) a heartbeat is a report about the run, never a reason for it to fail
    if (point.api === 'heartbeat' && first.run.failed !== undefined) {
      result.problems.push(`(g) a fault at the heartbeat failed the rotation: ${first.run.failed.slice(0, 300)}`)
    }
    // (h) the expiry record is written after the token is safe: a fault there never fails the run, and
    // each variable holds the new token's expiry or the run warned naming where it does not
    if (scenario.expiryRecord && first.run.failed === undefined) {
      result.problems.push(...expiryRecordProblems(staged.world, first.run))
    } else if (scenario.expiryRecord) {
      result.problems.push(`(h) a fault at the expiry variable failed the rotation: ${first.run.failed?.slice(0, 300)}`)
    }
    if (
      first.run.failed !== undefined &&
      fault.transient &&
      persistence === 'once' &&
      !notRetriedByDesign(point, fault)
    ) {
      result.problems.push(`(retry) a transient fault was not survived by a retry: ${first.run.failed.slice(0, 300)}`)
    }
    if (first.run.failed !== undefined) {
      result.failedStep = /^\[(\w+)\]/.exec(first.run.failed)?.[1]
      // Idempotency: the same inputs, no fault, complete the rotation. A world left in a shape whose
      // re-run was already made (in another point of this scenario) would do the very same.
      const key = `${scenario.name} ${shape(staged, known)}`
      let rerun = rerunVerdicts.get(key)
      if (rerun) {
        const verdict = await rerun
        result.rerun = verdict.length === 0 ? 'completed (same shape as a re-run that completed)' : 'did not complete'
        result.problems.push(...verdict)
      } else {
        // No fault is armed any more: the short timeout of a hang point would only make the re-run (and
        // every point of another fault that shares its verdict) fail on a loaded machine.
        rerun = runChecked(staged, { ...tuning, requestTimeoutMs: GENEROUS_TIMEOUT_MS }).then(({ run, problems }) => [
          ...(run.failed !== undefined ? [`(re-run) failed too: ${run.failed.slice(0, 300)}`] : []),
          ...problems.map((p) => `(re-run) ${p}`)
        ])
        rerunVerdicts.set(key, rerun)
        const verdict = await rerun
        result.runs += 1
        result.rerun = verdict.length === 0 ? 'completed' : 'did not complete'
        result.problems.push(...verdict)
      }
      if (result.problems.length > 0) result.problems.push(`first run ended: ${first.run.failed.slice(0, 300)}`)
    }
  } catch (error) {
    result.problems.push(`the run threw: ${(error as Error).message}`)
  } finally {
    // world.stop() also checks that every GitHub request fitted GitHub's OpenAPI description.
    await staged.world.stop().catch((error: unknown) => result.problems.push(`(protocol) ${(error as Error).message}`))
    for (const { origin } of origins) {
      if (watches.get(origin)?.spurious) spurious = true
      watches.delete(origin)
    }
  }
  if (result.failedStep !== undefined) result.outcome = 'failed cleanly'
  if (result.problems.length > 0) result.outcome = 'broke the invariant'
  return { result, spurious }
}

/** A point, tried again in a fresh world when a healthy request timed out (a loaded machine). */
async function tryPoint(
  scenario: Scenario,
  point: RequestPoint,
  fault: FaultKind,
  persistence: Persistence
): Promise<PointResult & { spuriousRetries: number }> {
  let runs = 0
  for (let attempt = 1; ; attempt++) {
    const { result, spurious } = await tryPointOnce(scenario, point, fault, persistence)
    runs += result.runs
    if (!spurious || attempt === ATTEMPTS) {
      if (spurious) {
        result.problems.push(
          `(harness) another request than the hung one timed out in all ${ATTEMPTS} attempts: the machine is too loaded for a ${HANG_TIMEOUT_MS} ms timeout`
        )
        result.outcome = 'broke the invariant'
      }
      return { ...result, runs, spuriousRetries: attempt - 1 }
    }
  }
}

interface Job {
  scenario: Scenario
  point: RequestPoint
  fault: FaultKind
  /** In the sampled matrix, whether this point is tried for good (else once). */
  sampledForGood: boolean
}

/**
 * The same request to another destination (PUT of repository A's secret, then of B's): one kind of
 * request. The n-th request to one exact path stays its own kind (debug_token of the current token,
 * then of the new one).
 */
function requestKind(point: RequestPoint): string {
  return `${point.api} ${point.method} ${point.path.replace(/^\/repos\/[^/]+\/[^/]+/, '/repos/*')} #${point.occurrence}`
}

/**
 * Faults the action handles alike (an answer to retry after a wait, a lost connection, a refusal, a
 * write lost after it landed): in the sampled matrix each kind of request meets one of each class, the
 * member rotating from one kind of request to the next.
 */
const FAULT_CLASSES: string[][] = [
  ['HTTP 500', 'HTTP 502', 'HTTP 503', 'HTTP 429 retry-after: 1'],
  ['connection reset', 'no answer until the timeout (hang)'],
  ['HTTP 401', 'HTTP 403'],
  ['HTTP 500 after the write landed', 'no answer after the write landed']
]

function faultClass(fault: FaultKind): string[] {
  return FAULT_CLASSES.find((members) => members.includes(fault.name)) ?? [fault.name]
}

/**
 * The points of a scenario to try. Full: every point with every fault, once and for good (`once`: once).
 * Sampled: every kind of request with every class of fault, the request hit (among the same kind's),
 * the member of the class and once / for good rotating across kinds and faults, so that every request,
 * every fault and both persistences are tried.
 */
function jobsOf(scenario: Scenario, place: number, points: RequestPoint[], faults: FaultKind[]): Job[] {
  if (MODE !== 'sampled') {
    return faults.flatMap((fault) =>
      points
        .filter((point) => fault.appliesTo?.(point) ?? true)
        .map((point) => ({ scenario, point, fault, sampledForGood: false }))
    )
  }
  const kinds = new Map<string, RequestPoint[]>()
  for (const point of points) kinds.set(requestKind(point), [...(kinds.get(requestKind(point)) ?? []), point])
  // Per class, how many kinds of request it has met: the member chosen for the next one. The scenarios
  // of a file start at different members.
  const turn = new Map<string, number>()
  return [...kinds.values()].flatMap((group, g) => {
    const chosen = new Map<string, string>()
    return faults.flatMap((fault, f) => {
      const applicable = group.filter((point) => fault.appliesTo?.(point) ?? true)
      if (applicable.length === 0) return []
      const members = faultClass(fault)
      const key = members.join('|')
      if (!chosen.has(key)) {
        const n = turn.get(key) ?? place
        chosen.set(key, members[n % members.length] as string)
        turn.set(key, n + 1)
      }
      if (chosen.get(key) !== fault.name) return []
      const point = applicable[(f + g) % applicable.length] as RequestPoint
      return [{ scenario, point, fault, sampledForGood: (f + g) % 2 === 1 }]
    })
  })
}

/**
 * Registers the matrix of these scenarios: the work runs once, in beforeAll, in one pool; each
 * (scenario, fault) test then reads its points' results, so a broken point fails the test that names it.
 */
export function faultMatrix(file: string, allScenarios: Scenario[], faults: FaultKind[] = MATRIX_FAULTS): void {
  const scenarios = allScenarios.filter((scenario) => MODE === 'full' || !scenario.fullMatrixOnly)
  const results: Array<PointResult & { spuriousRetries: number }> = []
  const pointsOf = new Map<Scenario, RequestPoint[]>()
  let durationMs = 0
  let cpuMs = 0

  beforeAll(async () => {
    const started = Date.now()
    const cpu = process.cpuUsage()
    subscribe(requestTimeouts.name, onTimeout)
    try {
      await Promise.all(
        scenarios.map(async (scenario) => {
          const staged = await stage(scenario)
          const timeline = record(staged.world)
          try {
            // A generous timeout: the baseline must record the requests of a run without any retry.
            const { run, problems } = await runChecked(staged, {
              ...RESILIENCE_TUNING,
              ...(scenario.clock ? { clock: scenario.clock(staged.world) } : {}),
              requestTimeoutMs: GENEROUS_TIMEOUT_MS
            })
            if (run.failed !== undefined || problems.length > 0) {
              throw new Error(`the baseline of '${scenario.name}' must succeed: ${run.failed ?? problems.join('; ')}`)
            }
          } finally {
            await staged.world.stop()
          }
          const points = requestPoints(timeline, scenario.faultApis)
          pointsOf.set(
            scenario,
            points.filter((p) => !scenario.faultPaths || scenario.faultPaths.test(p.path))
          )
        })
      )
      const jobs: Job[] = scenarios.flatMap((scenario, place) =>
        jobsOf(scenario, place, pointsOf.get(scenario) ?? [], faults)
      )
      // The hung points first: they wait the most, and the others fill the time they wait.
      jobs.sort((a, b) => Number(isHang(b.fault)) - Number(isHang(a.fault)))
      await mapWithConcurrency(jobs, POOL, async ({ scenario, point, fault, sampledForGood }) => {
        if (MODE === 'sampled' && sampledForGood) {
          results.push(await tryPoint(scenario, point, fault, 'for good'))
          return
        }
        const once = await tryPoint(scenario, point, fault, 'once')
        results.push(once)
        if (MODE !== 'full') return
        if (once.repeats === 0 && once.outcome !== 'broke the invariant') {
          results.push({ ...once, persistence: 'for good', sameRunAsOnce: true, runs: 0, spuriousRetries: 0 })
        } else {
          results.push(await tryPoint(scenario, point, fault, 'for good'))
        }
      })
    } finally {
      unsubscribe(requestTimeouts.name, onTimeout)
      durationMs = Date.now() - started
      const used = process.cpuUsage(cpu)
      cpuMs = Math.round((used.user + used.system) / 1000)
    }
  }, 600_000)

  afterAll(() => writeFigures(`fault-injection-${file}`, { ...figures(results, durationMs), cpuMs }))

  describe.each(scenarios)('$name', (scenario) => {
    test.each(faults)(
      `$name, ${MODE === 'full' ? 'once and for good, at every request' : MODE === 'sampled' ? 'sampled: every kind of request, once or for good' : 'once, at every request'}: no destination is left without a working token`,
      (fault) => {
        const points = (pointsOf.get(scenario) ?? []).filter((point) => fault.appliesTo?.(point) ?? true)
        const mine = results.filter((r) => r.scenario === scenario.name && r.fault === fault.name)
        if (MODE === 'sampled') {
          // Every kind of request meets this fault or another of its class, once or for good.
          const kinds = [...new Set(points.map(requestKind))]
          const classMates = results.filter(
            (r) => r.scenario === scenario.name && faultClass(fault).includes(r.fault) && r.fault !== fault.name
          )
          expect(mine.length + classMates.length).toBeGreaterThanOrEqual(kinds.length)
        } else {
          expect(mine).toHaveLength((MODE === 'full' ? 2 : 1) * points.length)
        }
        const broken = mine.filter((r) => r.outcome === 'broke the invariant')
        if (broken.length > 0) {
          throw new Error(
            `${broken.length} of ${mine.length} fault points broke the invariant:\n` +
              broken
                .map(
                  (r) =>
                    `  ${r.scenario} | ${r.point} | ${r.fault} ${r.persistence}:\n    - ${r.problems.join('\n    - ')}`
                )
                .join('\n')
          )
        }
      }
    )
  })
}

/** The figures scripts/resilience-report.ts prints. */
function figures(results: Array<PointResult & { spuriousRetries: number }>, durationMs: number) {
  const broken = results.filter((r) => r.outcome === 'broke the invariant')
  const reruns = results.filter((r) => r.rerun !== undefined && !r.sameRunAsOnce)
  const alive = (r: PointResult) => r.problems.some((p) => p.startsWith('(c)') || p.startsWith('(re-run) (c)'))
  return {
    pointsTried: results.length,
    survived: results.length - broken.length,
    succeeded: results.filter((r) => r.outcome === 'succeeded').length,
    failedCleanly: results.filter((r) => r.outcome === 'failed cleanly').length,
    forGoodSameRunAsOnce: results.filter((r) => r.sameRunAsOnce).length,
    runs: results.reduce((sum, r) => sum + r.runs, 0),
    liveOrphans: results.filter(alive).length,
    brokeInvariant: broken.map(
      (r) => `${r.scenario} | ${r.point} | ${r.fault} ${r.persistence}: ${r.problems.join('; ')}`
    ),
    reruns: {
      tried: reruns.length,
      completed: reruns.filter((r) => r.rerun?.startsWith('completed')).length,
      sameShapeAsAnother: reruns.filter((r) => r.rerun?.includes('same shape')).length
    },
    failedCleanlyPoints: results
      .filter((r) => r.outcome === 'failed cleanly' && !r.sameRunAsOnce)
      .map(
        (r) =>
          `${r.scenario} | ${r.point} | ${r.fault} ${r.persistence}: [${r.failedStep ?? '?'}], re-run ${r.rerun ?? '-'}`
      ),
    spuriousRetries: results.reduce((sum, r) => sum + r.spuriousRetries, 0),
    leakScan: { ...leakScan },
    durationMs
  }
}

export type { RecordedRun }
