// A Meta app, a system user token and two repositories, served by both emulators over loopback;
// plus a recording ActionIO, so a test sees every output, mask, log line and the summary of a run.
import { GitHubEmulator } from '../../emulators/github-emulator.js'
import { GraphEmulator } from '../../emulators/graph-emulator.js'
import type { GraphTokenType } from '../../emulators/graph-emulator.js'
import { runAction, type ActionIO, type ActionTuning } from '../../src/main.js'
import type { RotationResult } from '../../src/rotation.js'

export const APP_ID = '1234567890'
export const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
export const GITHUB_PAT = 'github_pat_11AAAAAAA0rotator0test0token'
export const REPOS = ['octo/app', 'octo/api']
const DAY = 86_400

export interface World {
  graph: GraphEmulator
  github: GitHubEmulator
  /** A valid 60-day system user token with ads_read and business_management. */
  token: string
  issue(type: GraphTokenType, options?: { expiresIn?: number; scopes?: string[]; appId?: string }): string
  inputs(overrides?: Record<string, string>): Record<string, string>
  stop(): Promise<void>
}

export async function startWorld(options: { github?: Parameters<typeof GitHubEmulator.start>[0] } = {}): Promise<World> {
  const graph = await GraphEmulator.start()
  const github = await GitHubEmulator.start(options.github)
  graph.addApp({ id: APP_ID, secret: APP_SECRET, name: 'Rotator Test App' })
  for (const repo of REPOS) github.addRepository(repo, { environments: ['production', 'prod/eu'] })
  github.addOrganization('octo')
  github.addToken(GITHUB_PAT, {
    permissions: { metadata: 'read', secrets: 'write', environments: 'write', organization_secrets: 'write', dependabot_secrets: 'write', codespaces_secrets: 'write' }
  })
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
      await Promise.all([graph.stop(), github.stop()])
      // Every request the action sends must fit GitHub's published OpenAPI description.
      if (github.openApiViolations.length > 0) {
        throw new Error(`GitHub requests outside the OpenAPI description: ${JSON.stringify(github.openApiViolations)}`)
      }
    }
  }
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
}

/** Graph retries a few milliseconds apart, and GitHub's retry-after read as milliseconds: fast, not faithful. */
export const FAST: ActionTuning = {
  graphRetry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 2000 },
  githubRetryAfterBaseMs: 5
}

/** Graph retries shortened, GitHub's retry-after honoured in real seconds, as the action does. */
export const HONOUR_RETRY_AFTER: ActionTuning = { graphRetry: FAST.graphRetry }

/** Runs the action in-process with these inputs, with waits shortened for tests unless told otherwise. */
export async function runWithInputs(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}, tuning: ActionTuning = FAST): Promise<RecordedRun> {
  const run: RecordedRun = { result: undefined, outputs: {}, masks: [], log: [], summary: '' }
  const io: ActionIO = {
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
    error: (message) => run.log.push(`error: ${message}`),
    writeSummary: async (markdown) => {
      run.summary += markdown
    },
    setFailed: (message) => {
      run.failed = message
      run.log.push(`error: ${message}`)
    }
  }
  run.result = await runAction(io, env, tuning)
  return run
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
