// The report in a terminal: what the job summary says, as plain text. No Markdown (no headings,
// bold, code spans or tables), outside text as it is, and the failure said once: its step, what went
// wrong and the fix, with each failed destination or deploy run on its own line below.
import { deployOutcome } from '../deploy/deploy-report.js'
import {
  destinationLines,
  statusOf,
  terminalStyle,
  tokenFacts,
  reportedParts,
  type ReportedFailure,
  type ReportRenderer
} from '../report.js'
import type { RotationResult } from '../rotation/result.js'

export const textReport: ReportRenderer = (reported, context) => {
  const plain = { ...context, style: terminalStyle }
  const { result, problem } = reportedParts(reported)
  const status = statusOf(result, problem, terminalStyle)
  const lines = [`Meta token rotation${context.secretName ? `: ${context.secretName}` : ''}`]
  if (status) lines.push(`${status.icon} ${status.label}: ${status.text}`)
  if (problem) lines.push('', ...failureLines(problem, result))
  if (result) {
    // A run stopped before the token was read has no facts to give.
    if (result.tokenKind || !problem) lines.push('', ...aligned(tokenFacts(result, plain)))
    lines.push(...destinationSection(result))
    lines.push(...deploySection(result))
    if (result.notes.length > 0)
      lines.push('', 'Notes:', ...result.notes.map((note) => `  - ${terminalStyle.text(note)}`))
  }
  return `${lines.join('\n')}\n`
}

/**
 * The step, what went wrong and the fix. A failure that lists its destinations or deploy runs
 * (`  - …` lines) is said by its first line here: the lines below the report give each one.
 */
function failureLines(problem: ReportedFailure, result: RotationResult | undefined): string[] {
  const listedBelow =
    result !== undefined &&
    (destinationLines(result, terminalStyle).some((line) => !line.ok) ||
      (result.deployments ?? []).some((d) => !deployOutcome(d, terminalStyle).ok))
  const [headline, ...details] = problem.message.split('\n')
  const message = listedBelow ? headline : [headline, ...details].join('\n')
  return [`Failed at step ${problem.step}: ${message ?? ''}`, `Fix: ${terminalStyle.text(problem.fix)}`]
}

/** `Label:` in a column as wide as the longest, then the value. */
function aligned(pairs: Array<[string, string]>): string[] {
  const width = Math.max(...pairs.map(([label]) => label.length)) + 2
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`)
}

function destinationSection(result: RotationResult): string[] {
  const lines = destinationLines(result, terminalStyle)
  if (lines.length === 0) return []
  const partial =
    !result.dryRun &&
    lines.some((line) => !line.ok) &&
    result.secrets.some((s) => s.status !== 'checked' && s.holds !== undefined)
  const width = Math.max(...lines.map((line) => line.where.length))
  return [
    '',
    'Destinations:',
    ...lines.map((line) => {
      const sign = !line.name ? '  ' : line.ok ? '✅' : '❌'
      const holds = partial && line.holds ? `; holds ${holdsText(line.holds)}` : ''
      return `  ${sign} ${line.where.padEnd(width)}  ${line.name || '—'}: ${line.result.replace(/\.$/, '')}${holds}`
    })
  ]
}

function holdsText(holds: string): string {
  return holds === 'unknown'
    ? 'an unknown token'
    : holds === 'new or old'
      ? 'the new or the old token'
      : `the ${holds} token`
}

function deploySection(result: RotationResult): string[] {
  const deployments = result.deployments ?? []
  if (deployments.length === 0) return []
  return [
    '',
    'Deploys:',
    ...deployments.map((d) => {
      const { ok, text } = deployOutcome(d, terminalStyle)
      const run = d.id === undefined ? '' : ` (run ${d.id}${d.url ? ` ${d.url}` : ''})`
      return `  ${ok ? '✅' : '❌'} ${terminalStyle.text(d.workflow)}${run}: ${text}`
    })
  ]
}
