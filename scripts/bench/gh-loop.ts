// The same repository secret writes done the way many workflows do them: one `gh secret set` per
// repository, in a shell-style loop. gh is pointed at the GitHub emulator through its
// `http_unix_socket` setting: a Unix socket here, piped to the emulator on 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The gh binary on PATH, or undefined. */
export function findGh(): { path: string; version: string } | undefined {
  const which = spawnSync('sh', ['-c', 'command -v gh'], { encoding: 'utf8' })
  const path = which.stdout.trim()
  if (which.status !== 0 || !path) return undefined
  const version = spawnSync(path, ['--version'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: tmpdir() }
  })
  return { path, version: (version.stdout.split('\n')[0] ?? '').trim() }
}

export interface GhLoop {
  /** Runs `gh secret set NAME --body VALUE --repo R` for each repository, one after the other. */
  run(repositories: string[], name: string, value: string): Promise<{ wallMs: number; failures: string[] }>
  stop(): Promise<void>
}

export async function startGhLoop(gh: string, githubUrl: string, token: string): Promise<GhLoop> {
  const target = new URL(githubUrl)
  if (target.hostname !== '127.0.0.1') throw new Error(`gh loop: ${githubUrl} is not loopback`)
  const dir = mkdtempSync(join(tmpdir(), 'mtr-bench-gh-'))
  const socketPath = join(dir, 'gh.sock')
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), '127.0.0.1')
    client.pipe(upstream).pipe(client)
    const close = (): void => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', close)
    upstream.on('error', close)
  })
  await new Promise<void>((resolve) => proxy.listen(socketPath, resolve))
  const configDir = join(dir, 'config')
  spawnSync('mkdir', ['-p', configDir])
  writeFileSync(join(configDir, 'config.yml'), `http_unix_socket: ${socketPath}\nprompt: disabled\n`)
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    GH_CONFIG_DIR: configDir,
    GH_HOST: 'github.com',
    GH_TOKEN: token,
    GH_NO_UPDATE_NOTIFIER: '1',
    GH_PROMPT_DISABLED: '1',
    NO_COLOR: '1'
  }
  const once = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(gh, args, { env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      child.once('error', reject)
      child.once('close', (code) => {
        clearTimeout(timer)
        resolve({ code, stderr })
      })
    })
  return {
    async run(repositories, name, value) {
      const failures: string[] = []
      const started = performance.now()
      for (const repo of repositories) {
        const { code, stderr } = await once(['secret', 'set', name, '--body', value, '--repo', repo])
        if (code !== 0) failures.push(`${repo}: exit ${code}: ${stderr.trim().slice(0, 200)}`)
      }
      return { wallMs: performance.now() - started, failures }
    },
    async stop() {
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
