// `npm run resilience`: runs the resilience suites (__tests__/resilience) and prints their figures:
// fault points tried and survived, bad inputs tried and cleanly rejected, leak-scan hits. The suites
// write their figures to build/resilience/*.json; jest's own verdict comes from --json. Exits non-zero
// unless every suite passed and every target was met (100% survived, every bad input rejected, 0 leaks).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from './bundled-action.js'

interface FaultFigures {
  pointsTried: number
  survived: number
  succeeded: number
  failedCleanly: number
  brokeInvariant: string[]
  transientFailedAsDesigned: string[]
  reruns: { tried: number; completed: number }
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

const started = Date.now()
const jest = spawnSync('npx', ['jest', '__tests__/resilience', '--json', `--outputFile=${jestFile}`], {
  cwd: root,
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
  stdio: ['ignore', 'ignore', 'inherit'],
  timeout: 10 * 60_000
})
const wallMs = Date.now() - started

const summary = readJson<JestSummary>(jestFile)
const faults = readJson<FaultFigures>(join(figuresDir, 'fault-injection.json'))
const inputs = readJson<BadInputFigures>(join(figuresDir, 'bad-inputs.json'))

const lines: string[] = ['', 'Resilience report', '=================', '']
let ok = jest.status === 0 && summary?.success === true

if (faults) {
  lines.push(
    `Fault points tried:        ${faults.pointsTried}`,
    `  survived (invariant held): ${faults.survived} (${percent(faults.survived, faults.pointsTried)}; target 100%)`,
    `  of which the run succeeded: ${faults.succeeded}; failed cleanly: ${faults.failedCleanly}`,
    `  re-runs after a failure:   ${faults.reruns.completed} of ${faults.reruns.tried} completed the rotation`
  )
  for (const broken of faults.brokeInvariant) lines.push(`  ✘ ${broken.split('\n')[0]}`)
  for (const designed of faults.transientFailedAsDesigned) lines.push(`  · ${designed}`)
  ok &&= faults.survived === faults.pointsTried && faults.pointsTried > 0
} else {
  lines.push('Fault points: no figures (build/resilience/fault-injection.json missing)')
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
