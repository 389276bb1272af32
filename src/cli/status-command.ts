// `status`: how healthy the token in the secret is, for a person or a monitoring system, without
// changing anything. It runs the dry run's first half (the current token checked with debug_token,
// or Instagram's /me) and one read of GitHub (the first destination's public key) to learn the
// github-token's expiry; it mints, writes and revokes nothing. One line per token: its type, expiry,
// data-access expiry, next due date; exit 1 when any is inside its threshold (rotate-before, or 14
// days when empty) or could not be checked, 0 when all are healthy, 2 for bad input.
import type { ActionIO } from '../action-io.js'
import { systemClock, type Clock } from '../clock.js'
import { DEFAULT_DATA_ACCESS_WARNING_SECONDS, Input } from '../contract.js'
import { readGitHubError } from '../github/github-error.js'
import { SecretStore } from '../github/secret-store.js'
import { GitHubTokenExpiry, type GitHubTokenKind } from '../github/token-expiry.js'
import { HttpStack } from '../http/http-stack.js'
import type { InputNaming } from '../input-naming.js'
import {
  gitHubClientOf,
  keepInputCredentials,
  MAX_GITHUB_BODY_BYTES,
  MAX_GRAPH_BODY_BYTES,
  tokenSource,
  type ActionDeps
} from '../wiring.js'
import { inertLines } from '../outside-text.js'
import { nextDueDate } from '../report.js'
import { errorMessage, RotationError } from '../rotation-error.js'
import { SecretKeeper } from '../secret-keeper.js'
import { readSettings, type Settings } from '../settings.js'
import { dateText, durationText, expiryOutput, outputTokenType, relativeText } from '../token-checks.js'

export interface StatusTerminal {
  out(text: string): void
  err(text: string): void
}

/** One token's health. */
export interface TokenStatus {
  /** The secret's name, or `github-token`. */
  name: string
  tokenType: string
  /** ISO 8601; null: never expires; undefined: not told. */
  expiresAt?: string | null
  daysLeft?: number | null
  dataAccessExpiresAt?: string | null
  nextDue?: string | null
  /** Inside its threshold (or expired): the reason the command exits 1. */
  due: boolean
  /** Could not be checked: what went wrong. */
  problem?: string
}

const DAY_MS = 86_400_000
const KIND_WORDS: Record<GitHubTokenKind, string> = {
  'fine-grained': 'fine-grained PAT',
  classic: 'classic PAT',
  installation: 'GitHub App installation token',
  other: 'GitHub token'
}

export async function runStatus(
  inputs: Record<string, string>,
  env: NodeJS.ProcessEnv,
  terminal: StatusTerminal,
  options: { json: boolean; naming: InputNaming },
  deps: ActionDeps = {}
): Promise<number> {
  const keeper = new SecretKeeper(() => undefined)
  const shown = (text: string) => inertLines(keeper.redact(text))
  const read = (name: string) => inputs[name] ?? ''
  keepInputCredentials(keeper, read)
  const clock = deps.clock ?? systemClock
  const { naming } = options
  let settings: Settings
  try {
    settings = readSettings(read, env, naming)
    if (!settings.token)
      throw new RotationError(
        'inputs',
        `status checks the token in the secret: pass it in ${naming.name(Input.Token)}.`,
        naming.fixInputs
      )
  } catch (error) {
    if (!(error instanceof RotationError)) throw error
    terminal.err(`error: ${shown(error.describe())}\n`)
    return 2
  }
  const io: ActionIO = {
    getInput: read,
    setOutput: () => undefined,
    mask: (secret) => keeper.keep(secret),
    info: () => undefined,
    warning: () => undefined,
    debug: env.META_ROTATOR_DEBUG ? (message) => terminal.err(`debug: ${shown(message)}\n`) : () => undefined,
    group: (_name, work) => work(),
    writeSummary: () => Promise.resolve(),
    setFailed: () => undefined
  }
  const timeoutMs = deps.requestTimeoutMs ?? settings.requestTimeoutMs
  const stacks = [
    new HttpStack({ timeoutMs, maxBodyBytes: MAX_GRAPH_BODY_BYTES }),
    new HttpStack({ timeoutMs, maxBodyBytes: MAX_GITHUB_BODY_BYTES })
  ] as const
  const threshold = settings.rotateBeforeSeconds ?? DEFAULT_DATA_ACCESS_WARNING_SECONDS
  let statuses: TokenStatus[]
  try {
    const source = tokenSource(settings, { io, keeper, naming, clock, deps, http: stacks[0] })
    const [meta, github] = await Promise.all([
      metaStatus(
        settings,
        source,
        threshold,
        () => clock.now(),
        (error) => shown(errorMessage(error))
      ),
      githubStatus(settings, stacks[1], deps, io, threshold, clock, shown)
    ])
    statuses = [meta, github]
  } finally {
    for (const stack of stacks) stack.dispose()
  }
  const healthy = statuses.every((s) => !s.due && !s.problem)
  if (options.json) {
    const report = { ok: healthy, thresholdSeconds: threshold, tokens: statuses }
    terminal.out(`${shown(JSON.stringify(report, null, 2))}\n`)
  } else {
    const now = clock.now()
    terminal.out(`${statuses.map((s) => shown(statusLine(s, now, threshold))).join('\n')}\n`)
  }
  return healthy ? 0 : 1
}

async function metaStatus(
  settings: Settings,
  source: ReturnType<typeof tokenSource>,
  threshold: number,
  now: () => Date,
  said: (error: unknown) => string
): Promise<TokenStatus> {
  const name = settings.secretName
  const tokenType = settings.strategy === 'instagram' ? 'instagram' : 'unknown'
  let checked
  try {
    checked = await source.checkCurrent()
  } catch (error) {
    return { name, tokenType, due: true, problem: said(error) }
  }
  const info = checked?.info
  const at = now()
  const expiresAt = info?.expiresAt
  const dataAccess = info?.kind === 'user' ? info.dataAccessExpiresAt : undefined
  // The report's next due date: none for Instagram (every run refreshes) or without rotate-before.
  const due = nextDueDate({ strategy: settings.strategy, expiresAt }, settings.rotateBeforeSeconds)
  return {
    name,
    tokenType: settings.strategy === 'instagram' ? 'instagram' : outputTokenType(info?.kind ?? 'unknown'),
    expiresAt: expiryOutput(expiresAt) || undefined,
    daysLeft: expiresAt ? Math.floor((expiresAt.getTime() - at.getTime()) / DAY_MS) : null,
    dataAccessExpiresAt: dataAccess ? expiryOutput(dataAccess) : null,
    nextDue: due ? expiryOutput(due) : null,
    due: within(expiresAt, at, threshold) || within(dataAccess, at, threshold)
  }
}

/** One read (the first destination's public key) tells the github-token's expiry, and that it works. */
async function githubStatus(
  settings: Settings,
  http: HttpStack,
  deps: ActionDeps,
  io: ActionIO,
  threshold: number,
  clock: Clock,
  shown: (text: string) => string
): Promise<TokenStatus> {
  const now = () => clock.now()
  const expiry = new GitHubTokenExpiry(settings.githubToken)
  const status: TokenStatus = { name: 'github-token', tokenType: expiry.kind, due: false }
  const github = gitHubClientOf(settings, { http, expiry, deps, log: io })
  const first = settings.destinations[0]
  try {
    if (first) await new SecretStore(github, { clock, githubTime: () => http.serverTime() }).publicKey(first)
  } catch (error) {
    const { status: code, said } = readGitHubError(error)
    status.problem = shown(`GitHub answered ${code ?? 'nothing'} (${said}) for the first destination's public key`)
  }
  const expiresAt = expiry.expiresAt
  status.expiresAt = expiresAt ? expiryOutput(expiresAt) : expiry.kind === 'installation' ? null : undefined
  status.daysLeft = expiresAt ? Math.floor((expiresAt.getTime() - now().getTime()) / DAY_MS) : null
  status.due = within(expiresAt, now(), threshold)
  return status
}

function within(date: Date | null | undefined, now: Date, thresholdSeconds: number): boolean {
  return date instanceof Date && date.getTime() - now.getTime() <= thresholdSeconds * 1000
}

/** `META_TOKEN: system-user token, expires 2027-02-05 06:00 UTC (in 60 days), …, healthy` */
export function statusLine(status: TokenStatus, now: Date, thresholdSeconds: number): string {
  const type =
    status.name === 'github-token' ? KIND_WORDS[status.tokenType as GitHubTokenKind] : `${status.tokenType} token`
  const parts = [`${status.name}: ${type}`]
  const when = (iso: string) => `${dateText(new Date(iso))} (${relativeText(new Date(iso), now)})`
  if (status.problem) return `${status.name}: could not be checked: ${status.problem} - UNHEALTHY`
  if (status.expiresAt) parts.push(`expires ${when(status.expiresAt)}`)
  else if (status.expiresAt === null)
    parts.push(status.tokenType === 'installation' ? 'minted for each run' : 'never expires')
  else parts.push('no expiry told')
  if (status.dataAccessExpiresAt) parts.push(`data access ends ${when(status.dataAccessExpiresAt)}`)
  if (status.nextDue) parts.push(`next due ${dateText(new Date(status.nextDue))}`)
  const verdict = status.due ? `INSIDE the ${durationText(thresholdSeconds)} threshold` : 'healthy'
  return `${parts.join(', ')} - ${verdict}`
}
