// A Meta app, a system user token and two repositories, served by both emulators over loopback;
// plus a recording ActionIO, so a test sees every output, mask, log line and the summary of a run.
import { GitHubEmulator } from '../../emulators/github-emulator.js'
import { GraphEmulator } from '../../emulators/graph-emulator.js'
import { InstagramEmulator } from '../../emulators/instagram-emulator.js'
import { HeartbeatReceiver } from '../../emulators/heartbeat-receiver.js'
import type { GraphTokenType } from '../../emulators/graph-emulator.js'
import type { ActionIO } from '../../src/action-io.js'
import type { Clock } from '../../src/clock.js'
import { runAction, type ActionDeps } from '../../src/main.js'
import type { RotationResult } from '../../src/rotation/result.js'

export const APP_ID = '1234567890'
export const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
export const GITHUB_PAT = 'github_pat_11AAAAAAA0rotator0test0token'
export const REPOS = ['octo/app', 'octo/api']
/** Every permission a secrets-writing token can hold: the PAT of the world has them all. */
export const ALL_PERMISSIONS = {
  metadata: 'read',
  secrets: 'write',
  environments: 'write',
  organization_secrets: 'write',
  dependabot_secrets: 'write',
  organization_dependabot_secrets: 'write',
  codespaces_secrets: 'write',
  organization_codespaces_secrets: 'write'
} as const
const DAY = 86_400

export interface World {
  graph: GraphEmulator
  github: GitHubEmulator
  /** graph.instagram.com, for strategy: instagram. */
  instagram: InstagramEmulator
  /** A healthchecks.io-style ping receiver, for heartbeat-url (its check: heartbeat.url()). */
  heartbeat: HeartbeatReceiver
  /** A valid 60-day system user token with ads_read and business_management. */
  token: string
  issue(type: GraphTokenType, options?: { expiresIn?: number; scopes?: string[]; appId?: string }): string
  inputs(overrides?: Record<string, string>): Record<string, string>
  stop(): Promise<void>
}

export async function startWorld(
  options: { github?: Parameters<typeof GitHubEmulator.start>[0] } = {}
): Promise<World> {
  const [graph, github, instagram, heartbeat] = await Promise.all([
    GraphEmulator.start(),
    GitHubEmulator.start(options.github),
    InstagramEmulator.start(),
    // One check uuid for every world: the fault matrix finds a baseline's ping paths again in a fresh world.
    startHeartbeat({ check: '5f0c2b1e-7a4d-4c8e-9b1a-3d6e8f2a4c10' })
  ])
  const emulators = { graph, github, instagram }
  liveWorlds.add(emulators)
  graph.addApp({ id: APP_ID, secret: APP_SECRET, name: 'Rotator Test App' })
  for (const repo of REPOS) github.addRepository(repo, { environments: ['production', 'prod/eu'] })
  github.addOrganization('octo')
  github.addToken(GITHUB_PAT, { permissions: ALL_PERMISSIONS })
  // Issued long ago, as a secret's token is when its rotation comes due.
  const issue: World['issue'] = (type, o = {}) =>
    graph.issueToken({
      appId: o.appId ?? APP_ID,
      type,
      scopes: o.scopes ?? ['ads_read', 'business_management'],
      expiresIn: o.expiresIn ?? 20 * DAY,
      issuedAgo: 40 * DAY,
      userId: type === 'SYSTEM_USER' ? '61550000000001' : undefined
    })
  const token = issue('SYSTEM_USER')
  return {
    graph,
    github,
    instagram,
    heartbeat,
    token,
    issue,
    inputs: (overrides = {}) => ({
      'app-id': APP_ID,
      'app-secret': APP_SECRET,
      token,
      'secret-name': 'META_TOKEN',
      repositories: REPOS.join('\n'),
      'github-token': GITHUB_PAT,
      'graph-api-url': graph.url,
      'github-api-url': github.url,
      ...overrides
    }),
    stop: async () => {
      liveWorlds.delete(emulators)
      await Promise.all([graph.stop(), github.stop(), instagram.stop(), heartbeat.stop()])
      // Every request the action sends must fit GitHub's published OpenAPI description, and pin the API version.
      if (github.openApiViolations.length > 0) {
        throw new Error(`GitHub requests outside the OpenAPI description: ${JSON.stringify(github.openApiViolations)}`)
      }
      const unversioned = github.server.requests.filter((r) => r.headers['x-github-api-version'] !== '2022-11-28')
      if (unversioned.length > 0) {
        throw new Error(
          `GitHub requests without X-GitHub-Api-Version: 2022-11-28: ${unversioned.map((r) => `${r.method} ${r.path}`).join(', ')}`
        )
      }
    }
  }
}

/** The Business Manager of the `generate` tests: a business, the person who administers it, one system user. */
export const BUSINESS = '710000000000001'
export const SYSTEM_USER = '61550000000077'
export const ADMIN_USER = '10000000000099'

export interface GenerateStage {
  /** The admin's user token (business_management), which mints. */
  admin: string
  /** A 40-day-old system user token with 20 days left: the one a rotation replaces. */
  old: string
  /** `strategy: generate` inputs replacing `old`, with the world's destinations. */
  inputs: (overrides?: Record<string, string>) => Record<string, string>
}

/** Adds the business and its system user; with `appInstalled: false` the run must install the app itself. */
export function stageGenerate(world: World, options: { appInstalled?: boolean } = {}): GenerateStage {
  world.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
  world.graph.addSystemUser({
    id: SYSTEM_USER,
    businessId: BUSINESS,
    installedAppIds: options.appInstalled === false ? [] : [APP_ID]
  })
  const admin = world.graph.issueToken({
    appId: APP_ID,
    type: 'USER',
    userId: ADMIN_USER,
    scopes: ['business_management']
  })
  const old = world.graph.issueToken({
    appId: APP_ID,
    type: 'SYSTEM_USER',
    userId: SYSTEM_USER,
    scopes: ['ads_read', 'business_management'],
    expiresIn: 20 * DAY,
    issuedAgo: 40 * DAY
  })
  const inputs = (overrides: Record<string, string> = {}) =>
    world.inputs({
      strategy: 'generate',
      token: old,
      'system-user-id': SYSTEM_USER,
      'admin-token': admin,
      scopes: 'ads_read,business_management',
      ...overrides
    })
  return { admin, old, inputs }
}

/** Stores the token in every repository's secret, as a secret holds its token between rotations (a skip reads them). */
export function holdEverywhere(world: World, token = world.token, name = 'META_TOKEN'): void {
  for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, name, token)
}

/** Moves a token's issue date back, as if that much time had passed since it was minted. */
export function backdate(graph: GraphEmulator, token: string, seconds: number): void {
  const record = graph.token(token)
  if (record) record.issuedAt -= seconds
}

export interface RecordedRun {
  result: RotationResult | undefined
  outputs: Record<string, string>
  masks: string[]
  /** Every line the run printed, as the runner would show it (masks not applied). */
  log: string[]
  summary: string
  failed?: string
  /** What the run left where others read it: each heartbeat ping's body, each Actions variable. */
  published?: Array<[string, string]>
}

/**
 * The runner's clock in tests: real time plus whatever the run waited. A wait returns at once and
 * moves the clock on, so a retry after 60 s costs nothing and still reads as 60 s later.
 */
export function testClock(): Clock & { waitedMs: number } {
  const clock = {
    waitedMs: 0,
    now: () => new Date(Date.now() + clock.waitedMs),
    sleep: async (ms: number) => {
      clock.waitedMs += ms
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return clock
}

/** Time injected: our own waits are instant, and one of GitHub's seconds lasts 2 ms inside Octokit's plugins. */
export const FAST: ActionDeps = {
  clock: testClock(),
  graphRetry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
  githubSecondMs: 2,
  readBackDelayMs: 1000
}

/** An ActionIO that records everything a run says into `run`: outputs, masks, log lines, summary, failure. */
export function recordingIO(inputs: Record<string, string>, run: RecordedRun): ActionIO {
  return {
    getInput: (name) => inputs[name] ?? '',
    setOutput: (name, value) => {
      run.outputs[name] = value
    },
    mask: (secret) => {
      run.masks.push(secret)
    },
    info: (message) => run.log.push(message),
    warning: (message) => run.log.push(`warning: ${message}`),
    debug: (message) => run.log.push(`debug: ${message}`),
    group: async (name, work) => {
      run.log.push(`group: ${name}`)
      return work()
    },
    writeSummary: (markdown) => {
      run.summary += markdown
      return Promise.resolve()
    },
    setFailed: (message) => {
      run.failed = message
      run.log.push(`error: ${message}`)
    }
  }
}

export function emptyRun(): RecordedRun {
  return { result: undefined, outputs: {}, masks: [], log: [], summary: '' }
}

/** Runs the action in-process with these inputs, with waits shortened for tests unless told otherwise. */
export async function runWithInputs(
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
  tuning: ActionDeps = FAST
): Promise<RecordedRun> {
  const run = emptyRun()
  const io = recordingIO(inputs, run)
  // Known before the run too: a leak check must not depend on what the run left behind.
  const before = secretsInPlay(inputs)
  const pingsBefore = new Map([...liveReceivers].map((r) => [r, r.pings.length]))
  run.result = await runAction(io, env, tuning)
  run.published = [
    ...[...liveReceivers].flatMap((r) =>
      r.pings
        .slice(pingsBefore.get(r) ?? 0)
        .map((p, i) => [`heartbeat ping ${i + 1} (${p.kind})`, p.body] as [string, string])
    ),
    ...[...liveWorlds].flatMap(({ github }) =>
      github.allVariables().map((v) => [`Actions variable ${v.name}`, v.value] as [string, string])
    )
  ]
  scanForLeaks(run, [...before, ...secretsInPlay(inputs)])
  return run
}

function heartbeatKey(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url.trim()).pathname.replace(/^\/+|\/+$/g, '') || undefined : undefined
  } catch {
    return undefined
  }
}

/** Heartbeat receivers whose pings the leak scan reads (started with startHeartbeat, until stopped). */
const liveReceivers = new Set<HeartbeatReceiver>()

/** A heartbeat receiver whose ping bodies every run's leak scan reads. */
export async function startHeartbeat(
  options?: Parameters<typeof HeartbeatReceiver.start>[0]
): Promise<HeartbeatReceiver> {
  const receiver = await HeartbeatReceiver.start(options)
  liveReceivers.add(receiver)
  const stop = receiver.stop.bind(receiver)
  receiver.stop = () => {
    liveReceivers.delete(receiver)
    return stop()
  }
  return receiver
}

// ---------------------------------------------------------------------------------------------
// The leak scan: every run made with runWithInputs, in every test, is scanned for every secret the
// live worlds know (every Graph token of every app, every app secret and app token, every GitHub
// token) and every credential input, raw, URL-encoded and base64-encoded. A hit throws, naming the
// kind of secret and where it showed, never its value.

/** Worlds between startWorld and stop(): their emulators know the secrets in play. */
const liveWorlds = new Set<{ graph: GraphEmulator; github: GitHubEmulator; instagram: InstagramEmulator }>()

/** How many runs were scanned, and how many secrets were found where they must not be. */
export const leakScan = { scans: 0, hits: 0 }

/** A secret the scan looks for: what kind it is (for the message) and its value (never printed). */
export interface KnownSecret {
  kind: string
  value: string
}

/** Shorter values are not secrets worth the name (and would match by chance): bad-input tests pass such. */
const MIN_SECRET_LENGTH = 8
/** Long enough that no secret's beginning shows by chance (a Graph token's is "EAA" and 9 random characters). */
const BEGINNING_LENGTH = 12
const CREDENTIALS = ['app-secret', 'token', 'admin-token', 'previous-token', 'github-token']

function secretsInPlay(inputs: Record<string, string>): KnownSecret[] {
  const known: KnownSecret[] = []
  for (const { graph, github, instagram } of liveWorlds) {
    for (const t of graph.allTokens()) known.push({ kind: `a Graph ${t.type} token of app ${t.appId}`, value: t.value })
    for (const t of instagram.allTokens()) known.push({ kind: 'an Instagram Login token', value: t.value })
    for (const app of graph.appSecrets()) {
      known.push({ kind: `the app secret of app ${app.appId}`, value: app.secret })
      known.push({ kind: `the app token of app ${app.appId}`, value: `${app.appId}|${app.secret}` })
    }
    for (const value of github.tokenValues()) known.push({ kind: 'a GitHub token', value })
  }
  for (const name of CREDENTIALS) {
    const value = (inputs[name] ?? '').trim()
    if (value) known.push({ kind: `the '${name}' input`, value })
  }
  // A ping URL's key is its path (the URL's beginning is only the service's host, as in any other URL).
  const key = heartbeatKey(inputs['heartbeat-url'])
  if (key) known.push({ kind: "the 'heartbeat-url' input's key", value: key })
  const appId = (inputs['app-id'] ?? '').trim()
  const appSecret = (inputs['app-secret'] ?? '').trim()
  if (appSecret)
    known.push({ kind: "the app token built from 'app-id' and 'app-secret'", value: `${appId}|${appSecret}` })
  return known.filter((s) => s.value.length >= MIN_SECRET_LENGTH)
}

/** Throws when any known secret, in any of its forms or its beginning, shows in the log, the failure, the outputs (but `token`) or the summary. */
function scanForLeaks(run: RecordedRun, secrets: KnownSecret[]): void {
  leakScan.scans += 1
  const hits = findLeaks(run, secrets)
  if (hits.length > 0) {
    leakScan.hits += hits.length
    throw new Error(`Leak scan: a secret was printed. ${hits.join('; ')}`)
  }
}

/** Where each secret shows, as `kind (form) in place`; never the value. Exported for the scan's own test. */
export function findLeaks(run: RecordedRun, secrets: KnownSecret[]): string[] {
  const { token: _masked, ...outputs } = run.outputs
  const places: Array<[string, string]> = [
    ...run.log.map((line, i) => [`log line ${i + 1}`, line] as [string, string]),
    ['the summary', run.summary],
    ['the failure message', run.failed ?? ''],
    ...Object.entries(outputs).map(([name, value]) => [`output '${name}'`, value] as [string, string]),
    ...(run.published ?? [])
  ]
  const hits = new Set<string>()
  const seen = new Set<string>()
  for (const secret of secrets) {
    if (seen.has(secret.value)) continue
    seen.add(secret.value)
    const forms: Array<[string, string]> = [
      ['raw', secret.value],
      ['URL-encoded', urlEncoded(secret.value)],
      ['base64-encoded', Buffer.from(secret.value).toString('base64')],
      // A text cut to length inside a secret keeps the secret's beginning.
      ['beginning', secret.value.slice(0, BEGINNING_LENGTH)]
    ]
    for (const [where, text] of places) {
      const form = forms.find(([, value]) => text.includes(value))
      if (form) hits.add(`${secret.kind} (${form[0]}) in ${where}`)
    }
  }
  return [...hits]
}

/** encodeURIComponent, which throws on a lone surrogate (a bad-input test may pass one): then the raw form only. */
function urlEncoded(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    return value
  }
}

/** Every place a secret could leak: the log, the summary, the outputs other than the masked token. */
export function leakedSecrets(run: RecordedRun, secrets: string[]): string[] {
  const { token: _masked, ...outputs } = run.outputs
  const haystack = [...run.log, run.summary, run.failed ?? '', JSON.stringify(outputs)].join('\n')
  return secrets.filter(
    (secret) =>
      haystack.includes(secret) ||
      haystack.includes(encodeURIComponent(secret)) ||
      haystack.includes(Buffer.from(secret).toString('base64'))
  )
}
