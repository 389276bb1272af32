// What a run tells its user: the action's outputs and the job summary, the run page read at a glance.
// Text from outside (Meta's and GitHub's messages) is escaped, or fenced longer than any run of
// backticks in it, and redacted like the error output. What the report says (status, token facts,
// destinations) is built here once, in a style; the CLI writes the same content as plain text
// (cli/text-report.ts), where nothing renders Markdown and the text stands as it is, unescaped.
import { Output } from './contract.js'
import { secretNameProblem } from './github/secret-names.js'
import { echoed } from './outside-text.js'
import { deploymentsOutput, deploysSection } from './deploy/deploy-report.js'
import { describeDestination, slotNames, type Destination } from './github/destinations.js'
import { samePlace } from './rotation/outcomes.js'
import { fixText } from './rotation-error.js'
import type { RotationResult, SecretOutcome } from './rotation/result.js'
import { dateText, durationText, expiryOutput, outputTokenType, relativeText } from './token-checks.js'

export function outputsOf(result: RotationResult): Record<string, string> {
  return {
    [Output.Rotated]: String(result.rotated),
    [Output.Revoked]: String(result.revoked),
    [Output.ExpiresAt]: expiryOutput(result.expiresAt),
    [Output.TokenType]: result.tokenKind ? outputTokenType(result.tokenKind) : '',
    [Output.Scopes]: result.scopes.join(','),
    [Output.Secrets]: JSON.stringify(
      result.secrets.map((outcome) => {
        const { kind, type, target, environment, name, status } = outcome
        const proven = outcome.status === 'checked' ? outcome.proven : undefined
        const addedRepositories = outcome.status === 'checked' ? undefined : outcome.addedRepositories
        const error = outcome.status === 'failed' ? outcome.error : undefined
        const holds = outcome.status === 'checked' ? undefined : outcome.holds
        return {
          kind,
          type,
          target,
          ...(environment ? { environment } : {}),
          name,
          status,
          ...(proven ? { proven } : {}),
          ...(addedRepositories ? { addedRepositories } : {}),
          ...(holds ? { holds } : {}),
          ...(error ? { error } : {})
        }
      })
    ),
    [Output.Token]: result.newToken ?? '',
    [Output.DataAccessExpiresAt]:
      result.tokenKind === 'user' && result.dataAccessExpiresAt ? expiryOutput(result.dataAccessExpiresAt) : '',
    [Output.Deployments]: deploymentsOutput(result.deployments)
  }
}

export interface ReportContext {
  secretName?: string
  rotateBeforeSeconds?: number
  /** The web address of GitHub (https://github.com, or the Enterprise Server), for links to settings pages. */
  serverUrl?: string
  now: Date
  /** Default: the job summary's escaped Markdown. */
  style?: ReportStyle
}

/** How the report writes text that is not its own, names (secrets, scopes), and table cells. */
export interface ReportStyle {
  text: (text: string) => string
  code: (text: string) => string
  cell: (text: string) => string
}

/** GitHub's Markdown (the job summary): outside text escaped, inert. */
export const markdownStyle: ReportStyle = {
  text: (text) => escapeText(text),
  code: (text) => inlineCode(text),
  cell: (text) => text.replace(/\|/g, '\\|')
}

/**
 * A terminal renders no Markdown, so an escape would show as a backslash or `&gt;`: text as it is,
 * one line (control characters never get this far: outside text loses them where it comes in).
 */
export const terminalStyle: ReportStyle = {
  text: (text) => text.replace(/[\r\n]+/g, ' '),
  code: (text) => text.replace(/[\r\n]+/g, ' '),
  cell: (text) => text
}

/** A failure the run reports without a rotation's result: refused inputs, or an unexpected error. */
export interface ReportedFailure {
  step: string
  message: string
  fix: string
}

/** What a summary reports: a rotation's result (with its failure, if any), or a run that ended before one. */
export type Reported = { result: RotationResult } | { failure: ReportedFailure }

/** Writes what a run reports: the job summary's Markdown, or the CLI's plain text. */
export type ReportRenderer = (reported: Reported, context: ReportContext) => string

/** The result and the failure of what a summary reports. */
export function reportedParts(reported: Reported): {
  result: RotationResult | undefined
  problem: ReportedFailure | undefined
} {
  return 'result' in reported
    ? { result: reported.result, problem: reported.result.failure }
    : { result: undefined, problem: reported.failure }
}

/** The job summary: status, token, destinations (in the order given), what to do, notes. */
export function summaryMarkdown(reported: Reported, context: ReportContext): string {
  const { result, problem } = reportedParts(reported)
  const style = context.style ?? markdownStyle
  const { text } = style
  const status = statusOf(result, problem, style)
  const lines = [
    `## Meta token rotation${context.secretName ? `: ${inlineCode(titleName(context.secretName))}` : ''}`,
    '',
    status ? `${status.icon} **${status.label}:** ${status.text}` : '',
    ''
  ]
  if (problem) {
    lines.push(
      `**Failed at step \`${problem.step}\`.**`,
      '',
      fenced(problem.message),
      '',
      `**Fix:** ${text(problem.fix)}`,
      ''
    )
  }
  if (result) {
    lines.push(...tokenFacts(result, context).map(([label, value]) => `- **${label}:** ${value}`), '')
    lines.push(...destinationTable(result, context))
    lines.push(...deploysSection(result.deployments, style))
    if (result.notes.length > 0) lines.push('### Notes', '', ...result.notes.map((note) => `- ${text(note)}`), '')
  }
  return lines.join('\n') + '\n'
}

/** The run in one sentence, with its sign: rotated, not due, a dry run, or how far a failure got. */
export interface ReportStatus {
  icon: string
  label: string
  text: string
}

export function statusOf(
  result: RotationResult | undefined,
  problem: { step: string } | undefined,
  { text }: ReportStyle
): ReportStatus | undefined {
  const failed = (label: string, sentence: string): ReportStatus => ({ icon: '❌', label, text: sentence })
  if (problem) {
    if (problem.step === 'unexpected') {
      return failed(
        'Stopped',
        'an unexpected error ended the run midway; some destinations may hold a new token. Check the secrets before re-running.'
      )
    }
    if (!result || problem.step === 'inputs')
      return failed('Not started', 'the inputs were refused; nothing was minted, written or revoked.')
    if (result.dryRun)
      return failed('Dry run failed', 'the setup does not check out; nothing was minted, written or revoked.')
    // Checked and prepared before anything is minted: "the old token was not revoked" would read as if it had been tried.
    if ((problem.step === 'check' || problem.step === 'prepare') && !result.rotated)
      return failed('Rotation failed', 'it stopped before minting: nothing was minted, written or revoked.')
    const held = result.rotated ? 'some destinations hold the new token' : 'no destination holds a new token'
    return failed('Rotation failed', `${held}; the old token was ${result.revoked ? 'revoked' : 'not revoked'}.`)
  }
  if (!result) return undefined
  if (result.skipped) return { icon: '⏭️', label: 'Not due', text: text(result.skipReason ?? 'nothing to do') }
  if (result.dryRun) {
    return {
      icon: '🔍',
      label: 'Dry run passed',
      text: 'the token, read and write access to every destination and their keys check out; nothing was minted, written or revoked.'
    }
  }
  const count = result.secrets.filter((s) => s.status !== 'checked' && s.holds === 'new').length
  return {
    icon: '✅',
    label: 'Rotated',
    text: `the new token is stored and confirmed in ${count === 1 ? 'the destination' : `all ${count} destinations`}; ${result.revoked ? 'the old token was revoked' : 'no token was revoked'}.`
  }
}

/** The token's facts, label and value: type and scopes, expiries, the next rotation, data access, what was revoked. */
export function tokenFacts(result: RotationResult, context: ReportContext): Array<[string, string]> {
  const { now } = context
  const { text, code } = context.style ?? markdownStyle
  const facts: Array<[string, string]> = []
  const type = result.tokenKind ? outputTokenType(result.tokenKind) : 'unknown'
  facts.push([
    'Token',
    `${type}${result.account ? ` (${text(result.account)})` : ''}${result.scopes.length > 0 ? ` · scopes ${result.scopes.map(code).join(', ')}` : ''}`
  ])
  const when = (date: Date | null | undefined): string =>
    date === undefined ? 'unknown' : date === null ? 'never' : `${dateText(date)} (${relativeText(date, now)})`
  if (result.rotated) {
    facts.push(['New token expires', when(result.expiresAt)])
    facts.push(['Replaced token expires', when(result.previousExpiresAt)])
  } else {
    facts.push(['Current token expires', when(result.previousExpiresAt)])
  }
  const due = nextRotation(result, context)
  if (due) facts.push(['Next rotation due', due])
  if (result.tokenKind === 'user' && result.dataAccessExpiresAt) {
    facts.push([
      'Data access ends',
      `${when(result.dataAccessExpiresAt)}; only the person logging in to the app again moves it.`
    ])
  }
  const revoked = result.revocations.length > 0 ? result.revocations.map(text).join('; ') : 'nothing'
  facts.push(['Revoked', revoked])
  // Our own sentence; the versions in it are checked to be vN.N where they come in.
  if (result.apiVersion) facts.push(['Graph API', result.apiVersion])
  return facts
}

/**
 * When `rotate-before` lets a run rotate the token now in the secret: a date; null when that is no
 * date (every run rotates: rotate-before is empty, or Instagram, which refreshes on every run; or the
 * token never expires); undefined when its expiry is not known.
 */
export function nextDueDate(
  result: Pick<RotationResult, 'strategy' | 'expiresAt'>,
  rotateBeforeSeconds: number | undefined
): Date | null | undefined {
  const expiry = result.expiresAt
  if (result.strategy === 'instagram' || expiry === null) return null
  if (expiry === undefined) return undefined
  if (rotateBeforeSeconds === undefined) return null
  return new Date(expiry.getTime() - rotateBeforeSeconds * 1000)
}

/** When `rotate-before` will let the token in the secret be rotated, in words. */
function nextRotation(result: RotationResult, context: ReportContext): string | undefined {
  if (result.strategy === 'instagram')
    return 'on the next run (a token can be refreshed once it is a day old; each refresh gives 60 days)'
  if (result.expiresAt === null) return 'never (the token does not expire)'
  const due = nextDueDate(result, context.rotateBeforeSeconds)
  if (due === undefined) return undefined
  if (due === null || context.rotateBeforeSeconds === undefined) return 'on every run (rotate-before is empty)'
  const threshold = durationText(context.rotateBeforeSeconds)
  return due <= context.now
    ? `now (fewer than ${threshold} left)`
    : `${dateText(due)} (${relativeText(due, context.now)}), when ${threshold} are left`
}

/** A destination's line in the report: where, the secret, its result, what it holds now, the fix. */
export interface DestinationLine {
  /** The planned destination, to link; absent for an outcome of no planned destination (named by its target). */
  destination?: Destination
  where: string
  /** Empty for a planned destination the run never reached. */
  name: string
  ok: boolean
  result: string
  holds: string
  fix: string
}

/** What each destination came to, in the order given; a planned one the run never reached holds what it held. */
export function destinationLines(result: RotationResult, { text }: ReportStyle): DestinationLine[] {
  const lines: DestinationLine[] = []
  const seen = new Set<SecretOutcome>()
  for (const destination of result.destinations) {
    const outcomes = result.secrets.filter((s) => !seen.has(s) && matches(s, destination, result.destinations))
    if (outcomes.length === 0) {
      const where = text(describeDestination(destination))
      lines.push({ destination, where, name: '', ok: true, result: 'not written', holds: 'old', fix: '' })
      continue
    }
    for (const outcome of outcomes) {
      seen.add(outcome)
      lines.push(destinationLine(outcome, destination, text))
    }
  }
  for (const outcome of result.secrets.filter((s) => !seen.has(s)))
    lines.push(destinationLine(outcome, undefined, text))
  return lines
}

function destinationLine(
  outcome: SecretOutcome,
  destination: Destination | undefined,
  text: ReportStyle['text']
): DestinationLine {
  const where = text(
    destination
      ? describeDestination(destination)
      : `${outcome.target}${outcome.environment ? ` (${outcome.environment})` : ''}`
  )
  return {
    destination,
    where,
    name: outcome.name,
    ok: outcome.status !== 'failed',
    result: resultText(outcome, text),
    holds: holdsCell(outcome),
    fix: outcome.status === 'failed' ? text(fixText(outcome.fix)) : ''
  }
}

function destinationTable(result: RotationResult, context: ReportContext): string[] {
  const rows = result.secrets
  if (rows.length === 0 && result.destinations.length === 0) return []
  const failed = rows.some((s) => s.status === 'failed')
  const partial = failed && !result.dryRun && rows.some((s) => s.status !== 'checked' && s.holds !== undefined)
  const header = ['Destination', 'Secret', 'Result', ...(partial ? ['Holds now'] : []), ...(failed ? ['Fix'] : [])]
  const lines = ['### Destinations', '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`]
  for (const line of destinationLines(result, context.style ?? markdownStyle)) {
    // A planned destination the run never reached has no result to sign: it was not written.
    const outcome = line.name ? `${line.ok ? '✅' : '❌'} ${line.result}` : line.result
    lines.push(
      row(
        [
          line.destination ? link(line.destination, line.where, context) : line.where,
          line.name ? inlineCode(line.name) : '—',
          outcome,
          ...(partial ? [line.holds] : []),
          ...(failed ? [line.fix] : [])
        ],
        context
      )
    )
  }
  return [...lines, '']
}

function resultText(outcome: SecretOutcome, text: ReportStyle['text']): string {
  switch (outcome.status) {
    case 'failed':
      return text(outcome.error)
    case 'checked':
      return `checked${outcome.proven ? `: ${outcome.proven.join(', ')}` : ''}`
    default:
      return `${outcome.status}${outcome.addedRepositories ? `; now also open to ${outcome.addedRepositories.map(text).join(', ')}` : ''}`
  }
}

/**
 * A destination that failed before the writes still holds the old token; of a failed write whose
 * token the run does not follow (grace mode's previous slot), what it holds is not known.
 */
function holdsCell(outcome: SecretOutcome): string {
  if (outcome.status === 'checked') return ''
  if (outcome.holds) return outcome.holds
  if (outcome.status !== 'failed') return ''
  return outcome.failedIn === 'prepare' ? 'old' : 'unknown'
}

/** An outcome of this destination: its place, and one of its secrets (or a page's, where the pages go). */
function matches(outcome: SecretOutcome, destination: Destination, all: Destination[]): boolean {
  if (!samePlace(outcome, destination)) return false
  if (slotNames(destination).some((name) => name.toUpperCase() === outcome.name)) return true
  const claimed = all.some((d) => samePlace(outcome, d) && slotNames(d).some((n) => n.toUpperCase() === outcome.name))
  return destination.pages && !claimed
}

function row(cells: string[], context: ReportContext): string {
  const { cell } = context.style ?? markdownStyle
  return `| ${cells.map(cell).join(' | ')} |`
}

/** The destination (`text`, its description as styled), linked to its secrets settings page. */
function link(destination: Destination, text: string, context: ReportContext): string {
  const server = context.serverUrl?.replace(/\/+$/, '')
  if (!server) return text
  const area = destination.secretType
  const path =
    destination.kind === 'user'
      ? 'settings/codespaces'
      : destination.kind === 'organization'
        ? `organizations/${encodeURIComponent(destination.target)}/settings/secrets/${area}`
        : destination.kind === 'environment'
          ? `${destination.target.split('/').map(encodeURIComponent).join('/')}/settings/environments`
          : `${destination.target.split('/').map(encodeURIComponent).join('/')}/settings/secrets/${area}`
  return `[${text}](${server}/${path})`
}

/** A zero-width space: breaks a bare address up so that GitHub's Markdown does not turn it into a link. */
const UNLINK = '\u200b'

/**
 * Markdown-inert text: every character Markdown or HTML could read as markup is escaped, and bare
 * addresses (`https://…`, `www.…`, `name@host`), which GitHub's Markdown links even when escaped, are
 * broken up by a zero-width space: text from outside never renders a link.
 */
export function escapeText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    .replace(/:\/\//g, `:${UNLINK}//`)
    .replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}${UNLINK}.`)
    .replace(/([\w.+-])@/g, `$1@${UNLINK}`)
}

function inlineCode(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ')
  const longest = Math.max(0, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}${longest > 0 ? ' ' : ''}${clean}${longest > 0 ? ' ' : ''}${fence}`
}

/** A code block whose fence is longer than any run of backticks in the text, so nothing breaks out of it. */
export function fenced(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}text\n${text}\n${fence}`
}

/** The secret's name in the title: whole only when it is a valid name (so never a credential given as one). */
function titleName(name: string): string {
  return secretNameProblem(name) === undefined ? name : echoed(name)
}
