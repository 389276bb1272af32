// Runs one measured node process the way the Actions runner runs the action (runBundledAction: a
// clean environment, INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), with a tiny `--import` probe that records the process's own peak RSS and uptime on exit.
// Every measured process (the floor and the action alike) gets the same probe, so they compare alike.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runBundledAction } from '../bundled-action.js'

export interface ProbeFiles {
  dir: string
  /** file: URL of the probe, for --import (the output file goes in its query string, not the env). */
  probe: string
  /** The floor: the ncc bundle of scripts/bench/floor-entry.ts (the toolkit and libsodium loaded, sodium.ready). */
  floor: string
}

/** Writes probe.mjs into a temp dir and bundles the floor there with ncc, as the action is bundled. */
export function writeProbeFiles(root: string): ProbeFiles {
  const dir = mkdtempSync(join(tmpdir(), 'mtr-bench-'))
  const probe = join(dir, 'probe.mjs')
  writeFileSync(
    probe,
    [
      "import { writeFileSync } from 'node:fs'",
      "const out = new URL(import.meta.url).searchParams.get('out')",
      "process.on('exit', (code) => {",
      '  const u = process.resourceUsage()',
      '  writeFileSync(out, JSON.stringify({ maxRssKb: u.maxRSS, uptimeMs: performance.now(), userUs: u.userCPUTime, systemUs: u.systemCPUTime, code }))',
      '})',
      ''
    ].join('\n')
  )
  const floorDir = join(dir, 'floor')
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js'),
      'build',
      join(root, 'scripts/bench/floor-entry.ts'),
      '-o',
      floorDir,
      '--target',
      'es2022',
      '-q'
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] }
  )
  return { dir, probe: pathToFileURL(probe).href, floor: join(floorDir, 'index.js') }
}

export interface MeasuredRun {
  exitCode: number | null
  timedOut: boolean
  /** Spawn to exit, as the parent sees it. */
  wallMs: number
  /** From the probe: the process's own peak resident set, KiB (getrusage ru_maxrss). */
  maxRssKb: number
  /** From the probe: node's uptime at exit (performance.now()), ms. */
  uptimeMs: number
  cpuMs: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
}

export interface MeasuredOptions {
  probe: ProbeFiles
  /** The script node runs, e.g. dist/index.js or the floor. */
  script: string
  inputs?: Record<string, string>
  /** Extra node flags (e.g. --cpu-prof), before the script. */
  nodeFlags?: string[]
  extraEnv?: Record<string, string>
  timeoutMs?: number
}

let serial = 0

export async function runMeasured(options: MeasuredOptions): Promise<MeasuredRun> {
  const probeOut = join(options.probe.dir, `probe-${process.pid}-${serial++}.json`)
  try {
    const run = await runBundledAction({
      inputs: options.inputs ?? {},
      env: options.extraEnv,
      timeoutMs: options.timeoutMs ?? 120_000,
      script: options.script,
      nodeArgs: [...(options.nodeFlags ?? []), '--import', `${options.probe.probe}?out=${encodeURIComponent(probeOut)}`]
    })
    let probe = { maxRssKb: NaN, uptimeMs: NaN, userUs: NaN, systemUs: NaN }
    try {
      probe = JSON.parse(readFileSync(probeOut, 'utf8')) as typeof probe
    } catch {
      // killed: no probe output
    }
    return {
      exitCode: run.exitCode,
      timedOut: run.timedOut,
      wallMs: run.durationMs,
      maxRssKb: probe.maxRssKb,
      uptimeMs: probe.uptimeMs,
      cpuMs: (probe.userUs + probe.systemUs) / 1000,
      stdout: run.stdout,
      stderr: run.stderr,
      outputs: run.outputs
    }
  } finally {
    rmSync(probeOut, { force: true })
  }
}
