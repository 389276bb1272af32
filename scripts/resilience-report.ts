// `npm run resilience`: runs the resilience suites (__tests__/resilience) and prints their figures:
// fault points tried and survived, bad inputs tried and cleanly rejected, leak-scan hits. The suites
// write their figures to build/resilience/*.json; jest's own verdict comes from --json. Exits non-zero
// unless every suite passed and every target was met (100% survived, every bad input rejected, 0 leaks).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from './bundled-action.js'

/** What each fault-matrix-*.test.ts file writes (see __tests__/resilience/matrix.ts). */
interface FaultFigures {
  pointsTried: number
  survived: number
  succeeded: number
  failedCleanly: number
  /** "For good" points whose "once" run never sent that request again: the same run, counted twice. */
  forGoodSameRunAsOnce: number
  /** Runs made (first runs and re-runs). */
  runs: number
  liveOrphans: number
  brokeInvariant: string[]
  reruns: { tried: number; completed: number; sameShapeAsAnother: number }
  leakScan: { scans: number; hits: number }
  durationMs: number
}

interface BadInputFigures {
  tried: number
  cleanlyRejected: number
  notCleanlyRejected: string[]
  leakScan: { scans: number; hits: number }
}

interface JestSummary {
  success: boolean
  numTotalTests: number
  numPassedTests: number
  numFailedTests: number
  testResults: Array<{ name: string; startTime: number; endTime: number }>
}

const root = projectRoot()
const figuresDir = join(root, 'build', 'resilience')
const jestFile = join(figuresDir, 'jest-results.json')
const percent = (part: number, whole: number): string => (whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)}%`)

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined
}

// Stale figures must not pass for this run's.
rmSync(figuresDir, { recursive: true, force: true })
mkdirSync(figuresDir, { recursive: true })

const matrixMode = process.env.FAULT_MATRIX ?? 'full'
const MODE_TEXT: Record<string, string> = {
  full: 'every request × fault, once and for good',
  once: 'every request × fault, once',
  sampled: 'every kind of request × fault, once or for good'
}

const started = Date.now()
const jest = spawnSync('npx', ['jest', '__tests__/resilience', '--json', `--outputFile=${jestFile}`], {
  cwd: root,
  env: {
    ...process.env,
    // The whole matrix, every point once and for good (npm test samples every kind of request).
    FAULT_MATRIX: matrixMode,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim()
  },
  stdio: ['ignore', 'ignore', 'inherit'],
  timeout: 10 * 60_000
})
const wallMs = Date.now() - started

const summary = readJson<JestSummary>(jestFile)
/** The fault matrix's files' figures, added up. */
function faultFigures(): FaultFigures | undefined {
  const files = readdirSync(figuresDir).filter((name) => /^fault-injection-.+\.json$/.test(name))
  const all = files.map((name) => readJson<FaultFigures>(join(figuresDir, name)) as FaultFigures)
  if (all.length === 0) return undefined
  const sum = (pick: (f: FaultFigures) => number) => all.reduce((total, f) => total + pick(f), 0)
  return {
    pointsTried: sum((f) => f.pointsTried),
    survived: sum((f) => f.survived),
    succeeded: sum((f) => f.succeeded),
    failedCleanly: sum((f) => f.failedCleanly),
    forGoodSameRunAsOnce: sum((f) => f.forGoodSameRunAsOnce),
    runs: sum((f) => f.runs),
    liveOrphans: sum((f) => f.liveOrphans),
    brokeInvariant: all.flatMap((f) => f.brokeInvariant),
    reruns: {
      tried: sum((f) => f.reruns.tried),
      completed: sum((f) => f.reruns.completed),
      sameShapeAsAnother: sum((f) => f.reruns.sameShapeAsAnother)
    },
    // Each jest module registry counts its own scans; a sum over the files.
    leakScan: { scans: sum((f) => f.leakScan.scans), hits: sum((f) => f.leakScan.hits) },
    durationMs: Math.max(...all.map((f) => f.durationMs))
  }
}

const faults = faultFigures()
const inputs = readJson<BadInputFigures>(join(figuresDir, 'bad-inputs.json'))

const lines: string[] = ['', 'Resilience report', '=================', '']
let ok = jest.status === 0 && summary?.success === true

if (faults) {
  lines.push(
    `Fault points tried:        ${faults.pointsTried} (FAULT_MATRIX=${matrixMode}: ${MODE_TEXT[matrixMode] ?? '?'})`,
    `  survived (invariant held): ${faults.survived} (${percent(faults.survived, faults.pointsTried)}; target 100%)`,
    `  of which the run succeeded: ${faults.succeeded}; failed cleanly: ${faults.failedCleanly}`,
    `  live orphans:              ${faults.liveOrphans} (target 0)`,
    `  re-runs after a failure:   ${faults.reruns.completed} of ${faults.reruns.tried} completed the rotation (${faults.reruns.sameShapeAsAnother} left the world in the shape of another point's, whose re-run completed)`,
    `  runs made:                 ${faults.runs} (${faults.forGoodSameRunAsOnce} "for good" points were their "once" run: nothing sent that request again)`
  )
  for (const broken of faults.brokeInvariant) lines.push(`  ✘ ${broken.split('\n')[0]}`)
  ok &&= faults.survived === faults.pointsTried && faults.pointsTried > 0 && faults.liveOrphans === 0
} else {
  lines.push('Fault points: no figures (build/resilience/fault-injection-*.json missing)')
  ok = false
}
lines.push('')
if (inputs) {
  lines.push(
    `Bad inputs tried:          ${inputs.tried}`,
    `  cleanly rejected:        ${inputs.cleanlyRejected} (${percent(inputs.cleanlyRejected, inputs.tried)})`
  )
  for (const name of inputs.notCleanlyRejected) lines.push(`  ✘ ${name}`)
  ok &&= inputs.cleanlyRejected === inputs.tried && inputs.tried >= 40
} else {
  lines.push('Bad inputs: no figures (build/resilience/bad-inputs.json missing)')
  ok = false
}
lines.push('')
const scans = (faults?.leakScan.scans ?? 0) + (inputs?.leakScan.scans ?? 0)
const hits = (faults?.leakScan.hits ?? 0) + (inputs?.leakScan.hits ?? 0)
lines.push(`Leak scan:                 ${scans} runs scanned, ${hits} hits (target 0)`)
ok &&= hits === 0 && scans > 0
lines.push('')
if (summary) {
  lines.push(`Jest:                      ${summary.numPassedTests} of ${summary.numTotalTests} tests passed`)
  for (const result of summary.testResults) {
    lines.push(`  ${result.name.slice(root.length + 1)}: ${((result.endTime - result.startTime) / 1000).toFixed(1)} s`)
  }
}
lines.push(
  `Wall time:                 ${(wallMs / 1000).toFixed(1)} s`,
  '',
  ok ? 'All targets met.' : 'Targets NOT met.',
  ''
)
console.log(lines.join('\n'))
process.exitCode = ok ? 0 : 1
