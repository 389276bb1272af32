// What a run tells its user: the action's outputs and the job summary, the run page read at a glance.
// Text from outside (Meta's and GitHub's messages) is escaped, or fenced longer than any run of
// backticks in it, and redacted like the error output. The CLI prints the same report to a terminal,
// where nothing renders Markdown: there the text stands as it is, unescaped.
import { Output } from './contract.js'
import { secretNameProblem } from './github/secret-names.js'
import { echoed } from './outside-text.js'
import { deploymentsOutput, deploysSection } from './deploy/deploy-report.js'
import { describeDestination, type Destination } from './github/destinations.js'
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
        return {
          kind,
          type,
          target,
          ...(environment ? { environment } : {}),
          name,
          status,
          ...(proven ? { proven } : {}),
          ...(addedRepositories ? { addedRepositories } : {}),
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

/** How the report writes text that is not its own, and table cells. */
export interface ReportStyle {
  text: (text: string) => string
  cell: (text: string) => string
}

/** GitHub's Markdown (the job summary): outside text escaped, inert. */
export const markdownStyle: ReportStyle = {
  text: (text) => escapeText(text),
  cell: (text) => text.replace(/\|/g, '\\|')
}

/**
 * A terminal renders no Markdown, so an escape would show as a backslash or `&gt;`: text as it is,
 * one line (control characters never get this far: outside text loses them where it comes in).
 */
export const terminalStyle: ReportStyle = {
  text: (text) => text.replace(/[\r\n]+/g, ' '),
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

/** The job summary (with terminalStyle, the CLI's text report): status, token, destinations (in the order given), what to do, notes. */
export function summaryMarkdown(reported: Reported, context: ReportContext): string {
  const result = 'result' in reported ? reported.result : undefined
  const problem = 'result' in reported ? reported.result.failure : reported.failure
  const { text } = context.style ?? markdownStyle
  const lines = [
    `## Meta token rotation${context.secretName ? `: ${inlineCode(titleName(context.secretName))}` : ''}`,
    '',
    statusLine(result, problem, text),
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
    lines.push(...tokenFacts(result, context))
    lines.push(...destinationTable(result, context))
    lines.push(...deploysSection(result.deployments, context.style ?? markdownStyle))
    if (result.notes.length > 0) lines.push('### Notes', '', ...result.notes.map((note) => `- ${text(note)}`), '')
  }
  return lines.join('\n') + '\n'
}

function statusLine(
  result: RotationResult | undefined,
  problem: { step: string } | undefined,
  text: ReportStyle['text']
): string {
  if (problem) {
    if (problem.step === 'unexpected') {
      return '❌ **Stopped:** an unexpected error ended the run midway; some destinations may hold a new token. Check the secrets before re-running.'
    }
    if (!result || problem.step === 'inputs')
      return '❌ **Not started:** the inputs were refused; nothing was minted, written or revoked.'
    if (result.dryRun)
      return '❌ **Dry run failed:** the setup does not check out; nothing was minted, written or revoked.'
    const held = result.rotated ? 'some destinations hold the new token' : 'no destination holds a new token'
    return `❌ **Rotation failed:** ${held}; the old token was ${result.revoked ? 'revoked' : 'not revoked'}.`
  }
  if (!result) return ''
  if (result.skipped) return `⏭️ **Not due:** ${text(result.skipReason ?? 'nothing to do')}`
  if (result.dryRun)
    return '🔍 **Dry run passed:** the token, read and write access to every destination and their keys check out; nothing was minted, written or revoked.'
  const count = result.secrets.filter((s) => s.status !== 'checked' && s.holds === 'new').length
  return `✅ **Rotated:** the new token is stored and confirmed in ${count === 1 ? 'the destination' : `all ${count} destinations`}; ${result.revoked ? 'the old token was revoked' : 'no token was revoked'}.`
}

function tokenFacts(result: RotationResult, context: ReportContext): string[] {
  const { now } = context
  const { text } = context.style ?? markdownStyle
  const facts: string[] = []
  const type = result.tokenKind ? outputTokenType(result.tokenKind) : 'unknown'
  facts.push(
    `- **Token:** ${type}${result.account ? ` (${text(result.account)})` : ''}${result.scopes.length > 0 ? ` · scopes ${result.scopes.map(inlineCode).join(', ')}` : ''}`
  )
  const when = (date: Date | null | undefined): string =>
    date === undefined ? 'unknown' : date === null ? 'never' : `${dateText(date)} (${relativeText(date, now)})`
  if (result.rotated) {
    facts.push(`- **New token expires:** ${when(result.expiresAt)}`)
    facts.push(`- **Replaced token expires:** ${when(result.previousExpiresAt)}`)
  } else {
    facts.push(`- **Current token expires:** ${when(result.previousExpiresAt)}`)
  }
  const due = nextRotation(result, context)
  if (due) facts.push(`- **Next rotation due:** ${due}`)
  if (result.tokenKind === 'user' && result.dataAccessExpiresAt) {
    facts.push(
      `- **Data access ends:** ${when(result.dataAccessExpiresAt)}; only the person logging in to the app again moves it.`
    )
  }
  const revoked = result.revocations.length > 0 ? result.revocations.map(text).join('; ') : 'nothing'
  facts.push(`- **Revoked:** ${revoked}`)
  return [...facts, '']
}

/** When `rotate-before` will let the token in the secret be rotated. */
function nextRotation(result: RotationResult, context: ReportContext): string | undefined {
  const expiry = result.expiresAt
  if (result.strategy === 'instagram')
    return 'on the next run (a token can be refreshed once it is a day old; each refresh gives 60 days)'
  if (!expiry) return expiry === null ? 'never (the token does not expire)' : undefined
  if (context.rotateBeforeSeconds === undefined) return 'on every run (rotate-before is empty)'
  const due = new Date(expiry.getTime() - context.rotateBeforeSeconds * 1000)
  const threshold = durationText(context.rotateBeforeSeconds)
  return due <= context.now
    ? `now (fewer than ${threshold} left)`
    : `${dateText(due)} (${relativeText(due, context.now)}), when ${threshold} are left`
}

function destinationTable(result: RotationResult, context: ReportContext): string[] {
  const rows = result.secrets
  if (rows.length === 0 && result.destinations.length === 0) return []
  const failed = rows.some((s) => s.status === 'failed')
  const partial = failed && !result.dryRun && rows.some((s) => s.status !== 'checked' && s.holds !== undefined)
  const columns: Columns = { holds: partial, fix: failed }
  const header = ['Destination', 'Secret', 'Result', ...(partial ? ['Holds now'] : []), ...(failed ? ['Fix'] : [])]
  const lines = ['### Destinations', '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`]
  const seen = new Set<SecretOutcome>()
  for (const destination of result.destinations.length > 0 ? result.destinations : []) {
    const outcomes = rows.filter((s) => matches(s, destination))
    if (outcomes.length === 0) {
      // Planned, never reached: the run stopped before writing it, so it holds what it held.
      lines.push(
        row(
          [link(destination, context), '—', 'not written', ...(partial ? ['old'] : []), ...(failed ? [''] : [])],
          context
        )
      )
      continue
    }
    for (const outcome of outcomes) {
      seen.add(outcome)
      lines.push(tableRow({ outcome, destination, context, columns }))
    }
  }
  for (const outcome of rows.filter((s) => !seen.has(s))) lines.push(tableRow({ outcome, context, columns }))
  return [...lines, '']
}

/** The table's optional columns: what each destination holds now (a partial rotation), and the fix (any failure). */
interface Columns {
  holds: boolean
  fix: boolean
}

interface TableRow {
  outcome: SecretOutcome
  /** The planned destination it belongs to, linked; absent for an outcome of no planned destination. */
  destination?: Destination
  context: ReportContext
  columns: Columns
}

function tableRow({ outcome, destination, context, columns }: TableRow): string {
  const { text } = context.style ?? markdownStyle
  const where = destination
    ? link(destination, context)
    : text(`${outcome.target}${outcome.environment ? ` (${outcome.environment})` : ''}`)
  return row(
    [
      where,
      inlineCode(outcome.name),
      resultCell(outcome, text),
      ...(columns.holds ? [holdsCell(outcome)] : []),
      ...(columns.fix ? [outcome.status === 'failed' ? text(fixText(outcome.fix)) : ''] : [])
    ],
    context
  )
}

function resultCell(outcome: SecretOutcome, text: ReportStyle['text']): string {
  switch (outcome.status) {
    case 'failed':
      return `❌ ${text(outcome.error)}`
    case 'checked':
      return `✅ checked${outcome.proven ? `: ${outcome.proven.join(', ')}` : ''}`
    default:
      return `✅ ${outcome.status}${outcome.addedRepositories ? `; now also open to ${outcome.addedRepositories.map(text).join(', ')}` : ''}`
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

function matches(outcome: SecretOutcome, destination: Destination): boolean {
  return (
    outcome.kind === destination.kind &&
    outcome.type === destination.secretType &&
    outcome.target === destination.target &&
    (outcome.environment ?? '') === (destination.environment ?? '')
  )
}

function row(cells: string[], context: ReportContext): string {
  const { cell } = context.style ?? markdownStyle
  return `| ${cells.map(cell).join(' | ')} |`
}

/** The destination, linked to its secrets settings page. */
function link(destination: Destination, context: ReportContext): string {
  const text = (context.style ?? markdownStyle).text(describeDestination(destination))
  const server = context.serverUrl?.replace(/\/+$/, '')
  if (!server) return text
  const area = destination.secretType
  const path =
    destination.kind === 'organization'
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
