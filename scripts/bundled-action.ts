// Runs the committed bundle, `node dist/index.js`, as a child process the way the GitHub Actions
// runner runs a `node24` action: inputs as INPUT_<NAME> environment variables, a GITHUB_OUTPUT file
// and a GITHUB_STEP_SUMMARY file, GITHUB_REPOSITORY, and nothing else inherited from this process
// (no NODE_OPTIONS, no NODE_EXTRA_CA_CERTS, no proxies). Used by the demo and the acceptance test.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface BundledRunOptions {
  /** Action inputs by their action.yml names, e.g. { 'app-id': '123', 'secret-name': 'META_TOKEN' }. */
  inputs: Record<string, string>
  /** GITHUB_REPOSITORY; default 'octo/app'. */
  repository?: string
  /** Extra environment variables (e.g. GITHUB_API_URL), added to the clean environment. */
  env?: Record<string, string>
  /** The project root holding dist/index.js; found from this file's location by default. */
  root?: string
  /** The run is killed after this long; default 60 s. */
  timeoutMs?: number
  /** What node runs; default the project's dist/index.js (the benchmark also runs its floor process). */
  script?: string
  /** Node flags before the script, e.g. the benchmark's `--import` probe. */
  nodeArgs?: string[]
}

export interface BundledRun {
  /** null when the process was killed (see `signal`). */
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
  /** What the action wrote to GITHUB_OUTPUT, parsed. */
  outputs: Record<string, string>
  /** What the action wrote to GITHUB_STEP_SUMMARY (Markdown). */
  summary: string
  /** The values of the `::add-mask::` commands, in order. */
  masks: string[]
  durationMs: number
}

/** The project's root: the directory holding action.yml, walking up from this module (build/ holds a copy of package.json). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'action.yml')) && existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error('bundled-action: cannot find the meta-token-rotator project root')
    dir = parent
  }
}

/** The variable the runner sets for an input: upper case, spaces to underscores, dashes kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

export async function runBundledAction(options: BundledRunOptions): Promise<BundledRun> {
  const bundle = options.script ?? join(options.root ?? projectRoot(), 'dist', 'index.js')
  if (!existsSync(bundle)) throw new Error(`bundled-action: ${bundle} is missing; run npm run build`)

  const workDir = mkdtempSync(join(tmpdir(), 'meta-token-rotator-run-'))
  const outputFile = join(workDir, 'github_output')
  const summaryFile = join(workDir, 'step_summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: workDir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: options.repository ?? 'octo/app',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: workDir,
    ...options.env
  }
  for (const [name, value] of Object.entries(options.inputs)) env[inputVariable(name)] = value

  const started = performance.now()
  try {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bundle], {
      cwd: workDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs ?? 60_000)
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code, sig) => resolve([code, sig]))
    }).finally(() => clearTimeout(timer))
    return {
      exitCode,
      signal,
      timedOut,
      stdout,
      stderr,
      outputs: parseGitHubOutput(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
      masks: maskedValues(stdout),
      durationMs: performance.now() - started
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

/**
 * Parses a GITHUB_OUTPUT file: `name<<DELIMITER\nvalue\nDELIMITER` blocks (what @actions/core
 * writes) and plain `name=value` lines.
 */
export function parseGitHubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string]
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string)
      if (i >= lines.length) throw new Error(`GITHUB_OUTPUT: no closing delimiter for '${name}'`)
      outputs[name] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return outputs
}

/** Undoes the escaping of workflow command data (%25, %0D, %0A). */
export function unescapeCommandData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function maskedValues(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => unescapeCommandData(line.slice('::add-mask::'.length)))
    .filter(Boolean)
}

/**
 * The log as the runner shows it: `::add-mask::` lines dropped, every masked value replaced with
 * ***, `::error::` / `::warning::` shown as `Error:` / `Warning:`, `::debug::` lines shown only
 * when asked (the runner hides them unless step debug logging is on).
 */
export function runnerLog(output: string, masks: string[], options: { debug?: boolean } = {}): string[] {
  const secrets = [...new Set(masks)].filter(Boolean).sort((a, b) => b.length - a.length)
  const mask = (text: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('***'), text)
  const shown: string[] = []
  for (const line of output.split(/\r?\n/)) {
    if (line.startsWith('::add-mask::')) continue
    const command = /^::(error|warning|notice|debug)(?: [^:]*)?::(.*)$/.exec(line)
    if (!command) {
      shown.push(mask(line))
      continue
    }
    const [, kind, data] = command as unknown as [string, string, string]
    if (kind === 'debug' && !options.debug) continue
    const label = { error: 'Error: ', warning: 'Warning: ', notice: 'Notice: ', debug: 'Debug: ' }[kind]
    shown.push(...mask(label + unescapeCommandData(data)).split(/\r?\n/))
  }
  while (shown.length > 0 && shown.at(-1) === '') shown.pop()
  return shown
}
