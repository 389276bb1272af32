// Where does the time go? Runs the bundle with `node --cpu-prof` against the emulators (1 repository
// at 0 ms; 100 repositories at 50 ms) and summarises each profile: self time by bundled package (module
// boundaries read from the bundle's `/***/ ID:` and `// CONCATENATED MODULE:` markers, named by an
// optional ncc `--stats-out` file), and the hottest functions.
//   node build/scripts/bench/profile.js [bundle.js] [stats.json]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from '../bundled-action.js'
import { runMeasured, writeProbeFiles } from './child.js'
import { startWorld } from './world.js'

interface CpuProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  children?: number[]
}
interface CpuProfile {
  nodes: CpuProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** Line (0-based) → package name, from the bundle's module markers. */
function moduleMap(bundleText: string, statsPath?: string): (line: number) => string {
  const names = new Map<string, string>()
  if (statsPath) {
    const stats = JSON.parse(readFileSync(statsPath, 'utf8')) as {
      modules: Array<{ id: number | string; name: string }>
    }
    for (const m of stats.modules) names.set(String(m.id), m.name)
  }
  const pkg = (name: string): string => {
    const m = /node_modules\/((?:@[^/]+\/)?[^/ ]+)/.exec(name)
    if (m) return m[1] as string
    return /(^|\/)src\//.test(name) ? 'src (the action)' : name.slice(0, 40)
  }
  const starts: Array<[number, string]> = []
  bundleText.split('\n').forEach((text, line) => {
    const id = /^\/\*\*\*\/ (\d+):$/.exec(text)
    if (id) starts.push([line, pkg(names.get(id[1] as string) ?? `module ${id[1]}`)])
    const concat = /^;?\/\/ CONCATENATED MODULE: (.*)$/.exec(text)
    if (concat) starts.push([line, pkg(concat[1] as string)])
    if (/^\/\*{6}\/ \/\/ (The module cache|webpack)/.test(text)) starts.push([line, 'webpack runtime'])
  })
  return (line) => {
    let lo = 0
    let hi = starts.length - 1
    let found = 'bundle top level'
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const [start, name] = starts[mid] as [number, string]
      if (start <= line) {
        found = name
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
}

export function summarise(
  profile: CpuProfile,
  bundleUrl: string,
  lineToModule: (line: number) => string,
  top = 12
): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const totalUs = profile.endTime - profile.startTime
  const byModule = new Map<string, number>()
  const byFunction = new Map<string, number>()
  for (const [id, us] of self) {
    const frame = (byId.get(id) as CpuProfileNode).callFrame
    let group: string
    if (frame.url === bundleUrl) group = lineToModule(frame.lineNumber)
    else if (!frame.url) group = frame.functionName ? `(${frame.functionName.replace(/[()]/g, '')})` : '(native)'
    else if (frame.url.startsWith('node:')) group = 'node internals'
    else if (frame.url.startsWith('file:') || frame.url.startsWith('/')) group = `other: ${frame.url.split('/').pop()}`
    else group = frame.url
    byModule.set(group, (byModule.get(group) ?? 0) + us)
    const fn = `${frame.functionName || '(anonymous)'} ${frame.url === bundleUrl ? `[${lineToModule(frame.lineNumber)}:${frame.lineNumber + 1}]` : frame.url.split('/').slice(-2).join('/')}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  }
  const fmt = (entries: Map<string, number>): string =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, us]) =>
          `    ${(us / 1000).toFixed(1).padStart(7)} ms  ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${name}`
      )
      .join('\n')
  return `  profile span ${(totalUs / 1000).toFixed(0)} ms\n  self time by package / category:\n${fmt(byModule)}\n  hottest functions (self):\n${fmt(byFunction)}`
}

async function main(): Promise<void> {
  const root = projectRoot()
  const bundle = resolve(process.argv[2] ?? join(root, 'dist', 'index.js'))
  const stats = process.argv[3]
  const lineToModule = moduleMap(readFileSync(bundle, 'utf8'), stats)
  const probe = writeProbeFiles(root)
  const world = await startWorld(100, { validateAgainstOpenApi: false })
  try {
    for (const [count, latency] of [
      [1, 0],
      [100, 50]
    ] as const) {
      world.setLatency(latency)
      const dir = mkdtempSync(join(tmpdir(), 'mtr-prof-'))
      const { inputs } = world.inputs(count)
      world.reset()
      const run = await runMeasured({
        probe,
        script: bundle,
        inputs,
        nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200']
      })
      const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
      console.log(
        `\n${count} repositories at ${latency} ms: exit ${run.exitCode}, wall ${run.wallMs.toFixed(0)} ms, CPU ${run.cpuMs.toFixed(0)} ms, uptime ${run.uptimeMs.toFixed(0)} ms`
      )
      if (file)
        console.log(
          summarise(
            JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile,
            pathToFileURL(bundle).href,
            lineToModule
          )
        )
      rmSync(dir, { recursive: true, force: true })
    }
  } finally {
    await world.stop()
    rmSync(probe.dir, { recursive: true, force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
}
