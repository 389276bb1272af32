// `npm run bench`: how fast is a rotation, and where does the time go? Runs the committed bundle
// (`node dist/index.js`) as a process, the way the Actions runner does, against the Graph and GitHub
// emulators on 127.0.0.1, and writes docs/benchmarks.md and docs/benchmarks.svg.
//
//   BENCH_QUICK=1      a much smaller run (smoke test in CI, < 30 s); writes to .bench/ instead of docs/
//   BENCH_RUNS=N       cold-start repetitions (default 15; quick 3)
//   BENCH_BUDGET_S=S   stop starting new cases after S seconds (default 480; quick 25)
//   BENCH_OUT=DIR      where the Markdown and the SVG go
//   BENCH_GH=0         skip the `gh secret set` comparison
import { DEFAULT_MAX_CONCURRENCY } from '../src/contract.js'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { projectRoot } from './bundled-action.js'
import { lineChart, type Series } from './bench/chart.js'
import { runMeasured, writeProbeFiles, type MeasuredRun } from './bench/child.js'
import { findGh, startGhLoop } from './bench/gh-loop.js'
import { mark, mb, median, ms, quantile, ratio, seconds, table } from './bench/stats.js'
import { checkRotation, repoName, SECRET_NAME, startWorld, type BenchWorld } from './bench/world.js'

const quick = process.env.BENCH_QUICK === '1'
const coldRuns = Math.max(1, Math.min(100, Number(process.env.BENCH_RUNS ?? (quick ? 3 : 15)) || 15))
const budgetMs = Math.max(5, Number(process.env.BENCH_BUDGET_S ?? (quick ? 25 : 480)) || 480) * 1000
const root = projectRoot()
const outDir = process.env.BENCH_OUT ?? join(root, quick ? '.bench' : 'docs')
const bundle = join(root, 'dist', 'index.js')
const benchStarted = performance.now()
const elapsed = (): number => performance.now() - benchStarted
const overBudget = (): boolean => elapsed() > budgetMs
const log = (line = ''): void => console.log(line)
const problems: string[] = []
const skipped: string[] = []

interface FanOutCase {
  count: number
  latencyMs: number
  concurrency: number
  reps: number
}

interface FanOutResult extends FanOutCase {
  wallMs: number[]
  rssKb: number[]
  cpuMs: number[]
  emulatorCpuMs: number[]
  peakInFlight: number
  graphRequests: number
  githubRequests: number
  connections: { graph: number; github: number }
  error?: string
}

/** Requests a rotation into `count` repositories needs at least (one key scope per repository). */
const minimumRequests = (count: number): { graph: number; github: number } => ({
  graph: 4, // debug_token (current), oauth/access_token, debug_token (new), oauth/revoke
  github: 3 * count // per repository: public key, PUT, GET read-back
})

async function rotateOnce(
  world: BenchWorld,
  probe: ReturnType<typeof writeProbeFiles>,
  count: number,
  concurrency?: number,
  timeoutMs = 180_000
): Promise<{ run: MeasuredRun; error?: string; emulatorCpuMs: number }> {
  const { inputs, oldToken } = world.inputs(count, concurrency ? { 'max-concurrency': String(concurrency) } : {})
  world.reset()
  const cpu = process.cpuUsage()
  const run = await runMeasured({ probe, script: bundle, inputs, timeoutMs })
  const used = process.cpuUsage(cpu)
  const error = run.timedOut ? `timed out after ${timeoutMs} ms` : checkRotation(world, count, run, oldToken)
  return { run, error, emulatorCpuMs: (used.user + used.system) / 1000 }
}

async function main(): Promise<void> {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`)
  const probe = writeProbeFiles(root)
  const maxCount = quick ? 100 : 1000
  const world = await startWorld(maxCount, { validateAgainstOpenApi: false })
  const sections: string[] = []
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'} (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform} ${process.arch}`
  const loadAtStart = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  log(`meta-token-rotator benchmark${quick ? ' (BENCH_QUICK)' : ''}: ${machine}; load average ${loadAtStart}`)
  log(`bundle ${relative(root, bundle)}; emulators ${world.graph.url} (Graph), ${world.github.url} (GitHub)`)
  try {
    // ── 1. Cold start ───────────────────────────────────────────────────────────────────────────
    log(`\n1. Cold start: floor vs 1-repository rotation at 0 ms, ${coldRuns} runs each (interleaved, 1 warm-up each)…`)
    world.setLatency(0)
    const floorRuns: MeasuredRun[] = []
    const actionRuns: MeasuredRun[] = []
    for (let i = -1; i < coldRuns && !overBudget(); i++) {
      const floor = await runMeasured({ probe, script: probe.floor, timeoutMs: 30_000 })
      if (floor.exitCode !== 0) throw new Error(`the floor process failed: ${floor.stderr}`)
      const { run, error } = await rotateOnce(world, probe, 1)
      if (error) throw new Error(`1-repository rotation failed: ${error}`)
      if (i >= 0) {
        floorRuns.push(floor)
        actionRuns.push(run)
      }
    }
    const wall = (runs: MeasuredRun[], q: number): number =>
      q === 0.5
        ? median(runs.map((r) => r.wallMs))
        : quantile(
            runs.map((r) => r.wallMs),
            q
          )
    const coldRatio = wall(actionRuns, 0.5) / wall(floorRuns, 0.5)
    const coldRows = [
      [
        'floor: ncc bundle of @actions/core, @actions/github, libsodium-wrappers; sodium.ready',
        String(floorRuns.length),
        ms(wall(floorRuns, 0.5)),
        ms(wall(floorRuns, 0.9)),
        ms(median(floorRuns.map((r) => r.cpuMs))),
        mb(median(floorRuns.map((r) => r.maxRssKb))),
        ''
      ],
      [
        'action: full rotation, 1 repository, 0 ms',
        String(actionRuns.length),
        ms(wall(actionRuns, 0.5)),
        ms(wall(actionRuns, 0.9)),
        ms(median(actionRuns.map((r) => r.cpuMs))),
        mb(median(actionRuns.map((r) => r.maxRssKb))),
        `${ratio(coldRatio)} ${mark(coldRatio <= 1.5)} (target ≤ 1.5×)`
      ]
    ]
    const coldTable = table(
      ['process', 'runs', 'median wall', 'p90 wall', 'median CPU', 'peak RSS', 'ratio (median)'],
      coldRows
    )
    log(coldTable)
    sections.push(
      `## 1. Cold start\n\nSame run, same clean environment (no NODE_OPTIONS, no NODE_EXTRA_CA_CERTS), runs interleaved floor/action after one discarded warm-up of each. Wall time is spawn → exit as the parent sees it; CPU is the child's user + system time.\n\n${coldTable}`
    )

    // ── 2./3. Fan-out and requests ─────────────────────────────────────────────────────────────
    const counts = quick ? [1, 10, 100] : [1, 10, 100, 1000]
    const cases: FanOutCase[] = []
    for (const latencyMs of [0, 50])
      for (const count of counts)
        cases.push({ count, latencyMs, concurrency: DEFAULT_MAX_CONCURRENCY, reps: count >= 1000 ? 1 : quick ? 1 : 3 })
    for (const count of counts.filter((c) => c >= 100))
      for (const concurrency of quick ? [4] : [4, 16])
        cases.push({ count, latencyMs: 50, concurrency, reps: count >= 1000 ? 1 : quick ? 1 : 3 })
    log(`\n2. Fan-out: ${cases.length} cases…`)
    const results: FanOutResult[] = []
    for (const c of cases) {
      if (overBudget()) {
        skipped.push(
          `fan-out ${c.count} destinations at ${c.latencyMs} ms, concurrency ${c.concurrency} (time budget spent)`
        )
        continue
      }
      world.setLatency(c.latencyMs)
      const result: FanOutResult = {
        ...c,
        wallMs: [],
        rssKb: [],
        cpuMs: [],
        emulatorCpuMs: [],
        peakInFlight: 0,
        graphRequests: 0,
        githubRequests: 0,
        connections: { graph: 0, github: 0 }
      }
      for (let rep = 0; rep < c.reps; rep++) {
        const { run, error, emulatorCpuMs } = await rotateOnce(
          world,
          probe,
          c.count,
          c.concurrency === DEFAULT_MAX_CONCURRENCY ? undefined : c.concurrency
        )
        if (error) {
          result.error = error
          problems.push(`${c.count} destinations at ${c.latencyMs} ms, c=${c.concurrency}: ${error}`)
          break
        }
        result.wallMs.push(run.wallMs)
        result.rssKb.push(run.maxRssKb)
        result.cpuMs.push(run.cpuMs)
        result.emulatorCpuMs.push(emulatorCpuMs)
        result.peakInFlight = world.githubPeakInFlight
        result.graphRequests = world.graph.server.requests.length
        result.githubRequests = world.github.server.requests.length
        result.connections = { ...world.connections }
      }
      results.push(result)
      log(
        `   ${String(c.count).padStart(4)} destinations, ${String(c.latencyMs).padStart(2)} ms, c=${String(c.concurrency).padEnd(2)}: ${seconds(median(result.wallMs))}, ${mb(Math.max(...result.rssKb))}${result.error ? `  FAILED: ${result.error}` : ''}`
      )
    }
    const target = (r: FanOutResult): string => {
      const notes: string[] = []
      // The time target is the default's; the other concurrencies are there for comparison.
      if (r.count === 100 && r.latencyMs === 50 && r.concurrency === DEFAULT_MAX_CONCURRENCY)
        notes.push(`${mark(median(r.wallMs) <= 1500)} ≤ 1.5 s`)
      if (r.count === 1000) notes.push(`${mark(Math.max(...r.rssKb) <= 150 * 1024)} ≤ 150 MB`)
      return notes.join(', ')
    }
    const fanRows = results.map((r) => [
      String(r.count),
      `${r.latencyMs} ms`,
      String(r.concurrency),
      String(r.wallMs.length),
      seconds(median(r.wallMs)),
      r.wallMs.length > 1 ? `${seconds(Math.min(...r.wallMs))}–${seconds(Math.max(...r.wallMs))}` : '',
      Number.isFinite(median(r.wallMs)) ? `${((r.count * 1000) / median(r.wallMs)).toFixed(0)}/s` : '—',
      ms(median(r.cpuMs)),
      ms(median(r.emulatorCpuMs)),
      mb(r.rssKb.length ? Math.max(...r.rssKb) : NaN),
      r.error ? `FAILED: ${r.error}` : target(r)
    ])
    const fanTable = table(
      [
        'destinations',
        'latency',
        'max-concurrency',
        'runs',
        'median wall',
        'range',
        'destinations/s',
        'action CPU',
        'emulator CPU',
        'peak RSS (max)',
        'target'
      ],
      fanRows
    )
    log(fanTable)
    sections.push(
      `## 2. Fan-out\n\nRepository secrets in N repositories; every request to either emulator is delayed by the latency shown (no rate limit: the github-api-url is loopback, so the throttling plugin's github.com pacing is off, as on GHES). max-concurrency ${DEFAULT_MAX_CONCURRENCY} is the default. Action CPU is the child's user + system time; emulator CPU is the benchmark process's own CPU during the run (both emulators live there). Peak RSS is the child's own \`process.resourceUsage().maxRSS\`, written on exit by the \`--import\` probe.\n\n${fanTable}\n\n![wall time against destination count](benchmarks.svg)`
    )

    const reqRows = results
      .filter((r) => !r.error)
      .map((r) => {
        const min = minimumRequests(r.count)
        const made = r.graphRequests + r.githubRequests
        const minimum = min.graph + min.github
        return [
          String(r.count),
          `${r.latencyMs} ms`,
          String(r.concurrency),
          `${r.graphRequests} / ${min.graph}`,
          `${r.githubRequests} / ${min.github}`,
          `${made} / ${minimum}`,
          ratio(made / minimum),
          `${r.connections.graph} + ${r.connections.github}`,
          String(r.peakInFlight)
        ]
      })
    const reqTable = table(
      [
        'destinations',
        'latency',
        'c',
        'Graph made / min',
        'GitHub made / min',
        'total made / min',
        'made ÷ min',
        'TCP connections (Graph + GitHub)',
        'peak GitHub requests in flight'
      ],
      reqRows
    )
    log(`\n3. Requests made vs the minimum (last run of each case)\n${reqTable}`)
    sections.push(
      `## 3. Requests made vs the minimum\n\nCounted at both emulators (\`server.requests\`) in the last run of each case. Minimum: 1 debug_token + 1 refresh + 1 debug_token + 1 revoke at Graph; per repository 1 public key + 1 PUT + 1 GET read-back at GitHub. TCP connections are the connections each emulator accepted during the run (keep-alive reuse shows as far fewer connections than requests); peak in flight is the most requests the GitHub emulator was serving at once, i.e. the concurrency the action really reached.\n\n${reqTable}`
    )

    // ── 4. github.com pacing ───────────────────────────────────────────────────────────────────
    const limit = quick ? { writesPerWindow: 4, windowMs: 2000 } : { writesPerWindow: 8, windowMs: 6000 }
    const pacedCount = quick ? 8 : 24
    if (overBudget()) skipped.push('github.com pacing (time budget spent)')
    else {
      log(
        `\n4. Secondary rate limit: ${limit.writesPerWindow} writes per ${limit.windowMs / 1000} s, ${pacedCount} repositories…`
      )
      const paced = await startWorld(pacedCount, { validateAgainstOpenApi: false, secondaryRateLimit: limit })
      try {
        const { run, error } = await rotateOnce(paced, probe, pacedCount)
        if (error) problems.push(`paced run: ${error}`)
        const writes = pacedCount
        const windowFloorMs = (writes / limit.writesPerWindow) * limit.windowMs
        const earliestMs = (Math.ceil(writes / limit.writesPerWindow) - 1) * limit.windowMs
        // GitHub asks for a second between writes once limited: the least a client that does so can take.
        const floorMs = Math.max(windowFloorMs, (writes - 1) * 1000)
        const rl = paced.github.rateLimit
        const stored = !error
        const paceRatio = run.wallMs / floorMs
        const paceTable = table(
          [
            'writes',
            'limit',
            'wall',
            'window floor (writes ÷ per-window × window)',
            'earliest possible (last window opens)',
            'paced floor (max of window floor, a second between writes)',
            'wall ÷ paced floor',
            'accepted',
            'rejected (403)',
            'retriedTooEarly',
            'all stored'
          ],
          [
            [
              String(writes),
              `${limit.writesPerWindow} per ${limit.windowMs / 1000} s`,
              seconds(run.wallMs),
              seconds(windowFloorMs),
              seconds(earliestMs),
              seconds(floorMs),
              `${ratio(paceRatio)} ${mark(paceRatio <= 1.3)} (≤ 1.3×)`,
              String(rl.writesAccepted),
              String(rl.writesRejected),
              `${rl.retriedTooEarly} ${mark(rl.retriedTooEarly === 0)}`,
              mark(stored)
            ]
          ]
        )
        log(paceTable)
        sections.push(
          `## 4. github.com pacing (secondary rate limit)\n\nThe GitHub emulator enforces a sliding-window limit on content-creating requests: 8 per 6 s is GitHub's 80 a minute, scaled down (retry-after in whole seconds). Against a loopback URL the action does not pace at first (it does from the start only on api.github.com, as on GHES it does not): the first 403 + retry-after switches it to the throttling plugin's paced client, which waits retry-after out and from then on sends writes one at a time, a second apart, as GitHub's REST guidance asks. The writes already in flight when the first refusal comes are refused too: nothing told the action about the limit before. Two floors: the window's (writes ÷ writes-per-window × window; a sliding window lets the last batch start one window before that, shown as "earliest possible"), and the paced one, the least a client that keeps a second between writes can take; the target is against the paced floor.\n\n${paceTable}`
        )
      } finally {
        await paced.stop()
      }
    }

    // ── 5. Bundle size ─────────────────────────────────────────────────────────────────────────
    const bytes = readFileSync(bundle)
    const sizeTable = table(
      ['file', 'bytes', 'gzip -9'],
      [
        [
          relative(root, bundle),
          bytes.length.toLocaleString('en'),
          gzipSync(bytes, { level: 9 }).length.toLocaleString('en')
        ]
      ]
    )
    log(`\n5. Bundle size\n${sizeTable}`)
    sections.push(`## 5. Bundle size\n\n${sizeTable}`)

    // ── 6. gh secret set loop ──────────────────────────────────────────────────────────────────
    const gh = process.env.BENCH_GH === '0' ? undefined : findGh()
    if (!gh) {
      const why = process.env.BENCH_GH === '0' ? 'BENCH_GH=0' : '`gh` is not installed (`which gh` found nothing)'
      log(`\n6. gh secret set loop: skipped (${why})`)
      sections.push(`## 6. \`gh secret set\` loop\n\nSkipped: ${why}.`)
    } else {
      const ghCases = quick
        ? [{ count: 3, latencyMs: 0 }]
        : [
            { count: 10, latencyMs: 0 },
            { count: 10, latencyMs: 50 },
            { count: 100, latencyMs: 50 }
          ]
      log(`\n6. gh secret set loop (${gh.version})…`)
      const token = world.inputs(1).inputs['github-token'] as string
      const loop = await startGhLoop(gh.path, world.github.url, token)
      const rows: string[][] = []
      try {
        for (const c of ghCases) {
          if (overBudget()) {
            skipped.push(`gh loop ${c.count} at ${c.latencyMs} ms (time budget spent)`)
            continue
          }
          world.setLatency(c.latencyMs)
          world.reset()
          const value = `bench-${Date.now()}`
          const repos = Array.from({ length: c.count }, (_, i) => repoName(i))
          const { wallMs, failures } = await loop.run(repos, SECRET_NAME, value)
          const held = repos.every(
            (repo) => world.github.secret({ kind: 'repository', repo }, SECRET_NAME)?.value === value
          )
          if (failures.length > 0 || !held)
            problems.push(`gh loop ${c.count}: ${failures[0] ?? 'not every secret stored'}`)
          const action = results.find(
            (r) => r.count === c.count && r.latencyMs === c.latencyMs && r.concurrency === DEFAULT_MAX_CONCURRENCY
          )
          rows.push([
            String(c.count),
            `${c.latencyMs} ms`,
            seconds(wallMs),
            String(world.github.server.requests.length),
            mark(failures.length === 0 && held),
            action ? seconds(median(action.wallMs)) : '—',
            action ? String(action.githubRequests) : '—'
          ])
        }
      } finally {
        await loop.stop()
      }
      const ghTable = table(
        [
          'repositories',
          'latency',
          'gh loop wall',
          'gh GitHub requests',
          'all stored',
          `action wall (c=${DEFAULT_MAX_CONCURRENCY}, incl. Graph + read-back)`,
          'action GitHub requests'
        ],
        rows
      )
      log(ghTable)
      sections.push(
        `## 6. \`gh secret set\` loop\n\n${gh.version}, one \`gh secret set ${SECRET_NAME} --body … --repo R\` process per repository, one after another, pointed at the GitHub emulator through gh's \`http_unix_socket\` setting (a Unix socket piped to 127.0.0.1). gh only writes: it does no Graph calls, no read-back and no revoke, so the action does more work per repository.\n\n${ghTable}`
      )
    }

    // ── Chart and report ───────────────────────────────────────────────────────────────────────
    const seriesMap = new Map<string, Series>()
    for (const r of results.filter((x) => !x.error)) {
      const label = `${r.latencyMs} ms latency, c=${r.concurrency}`
      const s = seriesMap.get(label) ?? { label, points: [] }
      s.points.push({ x: r.count, y: median(r.wallMs) / 1000 })
      seriesMap.set(label, s)
    }
    const svg = lineChart([...seriesMap.values()], {
      title: 'Rotation wall time vs destinations (node dist/index.js, loopback emulators)',
      xLabel: 'repository destinations (log)',
      yLabel: 'wall time, s (log)',
      targets: [{ x: 100, y: 1.5, label: 'target: 100 @ 50 ms ≤ 1.5 s' }]
    })
    mkdirSync(outDir, { recursive: true })
    writeFileSync(join(outDir, 'benchmarks.svg'), svg)
    const doc = [
      '# Benchmarks',
      '',
      `Generated by \`npm run bench\` (\`scripts/bench.ts\`)${quick ? ' in BENCH_QUICK mode' : ''} on ${new Date().toISOString().slice(0, 10)}, in ${seconds(elapsed())}.`,
      '',
      `**Machine:** ${machine}. Load average (1/5/15 min) ${loadAtStart} at the start, ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at the end: other work on the machine shows up as noise, most in the cold-start numbers.`,
      '',
      '## Method',
      '',
      '- Every measured process is `node --import <probe.mjs> <script>`, spawned with an environment built from nothing, as the Actions runner does (PATH, HOME, CI, GITHUB_ACTIONS, GITHUB_REPOSITORY, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP and the INPUT_* variables; NODE_OPTIONS and NODE_EXTRA_CA_CERTS are never passed).',
      "- The probe (the same for the floor and the action) registers an `exit` handler that writes `process.resourceUsage()` (`maxRSS`, CPU times) to a file named in its own `import.meta.url` query, so the environment stays clean. Peak RSS is therefore the child's own getrusage high-water mark, not the benchmark's.",
      "- The floor is the design card's stack and nothing else: `scripts/bench/floor-entry.ts` (imports `@actions/core`, `@actions/github` and `libsodium-wrappers`, awaits `sodium.ready`), bundled with ncc into a temp dir at the start of the run exactly as the action is. It is the least any action built on that stack must do.",
      '- Emulators: `GraphEmulator` and `GitHubEmulator` on 127.0.0.1 in the benchmark process (OpenAPI request validation off, so the GitHub emulator costs little CPU per request; the test suite validates requests). Latency is `server.latencyMs`, added to every request at both emulators. Each run rotates a fresh system user token (issued 30 days earlier) into repository secrets and is checked: exit 0, rotated, old token revoked, every repository holding the new token.',
      `- Repetitions: cold start ${coldRuns} runs each; fan-out ${quick ? 1 : 3} runs per case, 1 for 1000 destinations. Medians are shown.`,
      '',
      ...sections.flatMap((s) => [s, '']),
      // Hand-written findings (profiles, experiments), kept beside the script and appended verbatim.
      ...(existsSync(join(root, 'scripts', 'bench', 'analysis.md'))
        ? [readFileSync(join(root, 'scripts', 'bench', 'analysis.md'), 'utf8').trimEnd(), '']
        : []),
      ...(skipped.length ? ['## Skipped', '', ...skipped.map((s) => `- ${s}`), ''] : []),
      ...(problems.length ? ['## Problems', '', ...problems.map((s) => `- ${s}`), ''] : [])
    ].join('\n')
    writeFileSync(join(outDir, 'benchmarks.md'), doc)
    log(
      `\nWrote ${relative(root, join(outDir, 'benchmarks.md'))} and ${relative(root, join(outDir, 'benchmarks.svg'))} in ${seconds(elapsed())}.`
    )
    if (skipped.length) log(`Skipped: ${skipped.join('; ')}`)
  } finally {
    await world.stop()
    rmSync(probe.dir, { recursive: true, force: true })
  }
  if (problems.length > 0) {
    console.error(`\nFAIL: ${problems.join('\n      ')}`)
    process.exitCode = 1
  }
}

main().catch((error: unknown) => {
  console.error(`FAIL: the benchmark broke: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 1
})
