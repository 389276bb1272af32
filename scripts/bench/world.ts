// The emulated world the benchmark runs against: both emulators on 127.0.0.1, one Meta app, and as
// many repositories as the largest case needs. Each run gets a fresh system user token (the previous
// one was revoked by the run before), so every run is a full rotation.
import { randomBytes } from 'node:crypto'
import type http from 'node:http'
import { GitHubEmulator, type GitHubEmulatorOptions } from '../../emulators/github-emulator.js'
import { GraphEmulator } from '../../emulators/graph-emulator.js'
import type { LoopbackServer } from '../../emulators/loopback-server.js'

const DAY = 86_400
export const APP_ID = '1234567890'
const SYSTEM_USER_ID = '61550000000001'
export const SECRET_NAME = 'META_TOKEN'
const SCOPES = ['ads_read', 'business_management']

export const repoName = (i: number): string => `octo/repo-${String(i).padStart(4, '0')}`

export interface BenchWorld {
  graph: GraphEmulator
  github: GitHubEmulator
  /** TCP connections each emulator accepted since the last reset(). */
  connections: { graph: number; github: number }
  /** Most requests in progress at the GitHub emulator at once since the last reset(). */
  githubPeakInFlight: number
  setLatency(ms: number): void
  /** Forgets recorded requests and connection counts. */
  reset(): void
  /** Inputs for a rotation into the first `count` repositories, with a fresh token. */
  inputs(count: number, extra?: Record<string, string>): { inputs: Record<string, string>; oldToken: string }
  stop(): Promise<void>
}

/** The loopback server's http.Server is private: it is read here only to count connections and requests in flight. */
const httpServer = (server: LoopbackServer): http.Server => (server as unknown as { server: http.Server }).server

export async function startWorld(repositories: number, github: GitHubEmulatorOptions = {}): Promise<BenchWorld> {
  const graphEmulator = await GraphEmulator.start()
  const githubEmulator = await GitHubEmulator.start(github)
  for (const url of [graphEmulator.url, githubEmulator.url]) {
    if (new URL(url).hostname !== '127.0.0.1') throw new Error(`bench: emulator not on loopback: ${url}`)
  }
  const appSecret = randomBytes(16).toString('hex')
  const pat = `github_pat_11BENCH${randomBytes(12).toString('hex')}`
  graphEmulator.addApp({ id: APP_ID, secret: appSecret, name: 'Bench App' })
  for (let i = 0; i < repositories; i++) githubEmulator.addRepository(repoName(i))
  githubEmulator.addToken(pat, { permissions: { metadata: 'read', secrets: 'write' } })
  const connections = { graph: 0, github: 0 }
  httpServer(graphEmulator.server).on('connection', () => (connections.graph += 1))
  httpServer(githubEmulator.server).on('connection', () => (connections.github += 1))
  let inFlight = 0
  let peak = 0
  httpServer(githubEmulator.server).on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight += 1
    peak = Math.max(peak, inFlight)
    res.once('close', () => (inFlight -= 1))
  })
  return {
    graph: graphEmulator,
    github: githubEmulator,
    connections,
    get githubPeakInFlight() {
      return peak
    },
    setLatency(ms) {
      graphEmulator.server.latencyMs = ms
      githubEmulator.server.latencyMs = ms
    },
    reset() {
      graphEmulator.server.requests.length = 0
      githubEmulator.server.requests.length = 0
      connections.graph = 0
      connections.github = 0
      peak = inFlight
    },
    inputs(count, extra = {}) {
      if (count > repositories) throw new Error(`bench: world has ${repositories} repositories, ${count} asked`)
      // Issued long ago, as a token due for rotation is (a just-issued one may be left unrevoked).
      const oldToken = graphEmulator.issueToken({
        appId: APP_ID,
        type: 'SYSTEM_USER',
        scopes: SCOPES,
        expiresIn: 20 * DAY,
        issuedAgo: 40 * DAY,
        userId: SYSTEM_USER_ID
      })
      const inputs = {
        'app-id': APP_ID,
        'app-secret': appSecret,
        token: oldToken,
        'secret-name': SECRET_NAME,
        repositories: Array.from({ length: count }, (_, i) => repoName(i)).join('\n'),
        'github-token': pat,
        'graph-api-url': graphEmulator.url,
        'github-api-url': githubEmulator.url,
        ...extra
      }
      return { inputs, oldToken }
    },
    async stop() {
      await Promise.all([graphEmulator.stop(), githubEmulator.stop()])
    }
  }
}

/** What a correct rotation leaves behind: exit 0, rotated and revoked, every repository holding the new token. */
export function checkRotation(
  world: BenchWorld,
  count: number,
  run: { exitCode: number | null; outputs: Record<string, string>; stderr: string },
  oldToken: string
): string | undefined {
  if (run.exitCode !== 0) return `exit ${run.exitCode}: ${run.outputs.error ?? run.stderr.slice(0, 300)}`
  const fresh = run.outputs.token
  if (run.outputs.rotated !== 'true' || !fresh) return 'not rotated'
  if (run.outputs.revoked !== 'true' || world.graph.token(oldToken)?.revoked !== true) return 'old token not revoked'
  for (let i = 0; i < count; i++) {
    if (world.github.secret({ kind: 'repository', repo: repoName(i) }, SECRET_NAME)?.value !== fresh)
      return `${repoName(i)} does not hold the new token`
  }
  return undefined
}
