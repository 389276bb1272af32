// What the run page and the outputs say of the deploy runs: the `deployments` output (JSON: each run
// with its id, URL and conclusion) and the summary's Deploys section, each run linked.
import type { ReportStyle } from '../report.js'
import type { Deployment } from './deploy.js'

export function deploymentsOutput(deployments: Deployment[] | undefined): string {
  if (!deployments) return '[]'
  return JSON.stringify(
    deployments.map(({ workflow, repository, ref, id, url, status, conclusion, proven, unproven, error }) => ({
      workflow,
      repository,
      ref,
      ...(id !== undefined ? { id } : {}),
      ...(url ? { url } : {}),
      status,
      conclusion: conclusion ?? null,
      ...(proven ? { proven } : {}),
      ...(unproven?.length ? { unproven } : {}),
      ...(error ? { error } : {})
    }))
  )
}

/** The Deploys section: one row per workflow, its run linked (the link is built from GitHub's address and numbers only). */
export function deploysSection(deployments: Deployment[] | undefined, style: ReportStyle): string[] {
  if (!deployments || deployments.length === 0) return []
  const lines = ['### Deploys', '', '| Workflow | Run | Result |', '|---|---|---|']
  for (const d of deployments) {
    const run = d.id === undefined ? '—' : d.url ? `[run ${d.id}](${d.url})` : `run ${d.id}`
    const { ok, text } = deployOutcome(d, style)
    lines.push(`| ${[style.text(d.workflow), run, `${ok ? '✅' : '❌'} ${text}`].map(style.cell).join(' | ')} |`)
  }
  return [...lines, '']
}

/** What a deploy run came to: checked (a dry run), its conclusion, or what stopped the follow. */
export function deployOutcome(d: Deployment, style: ReportStyle): { ok: boolean; text: string } {
  if (d.status === 'checked') {
    const unproven = d.unproven?.length ? `; not proven: ${d.unproven.join('; ')}` : ''
    return { ok: true, text: `checked: ${style.text(`${(d.proven ?? []).join(', ')}${unproven}`)}` }
  }
  if (d.status === 'completed') {
    const conclusion = d.conclusion ?? 'no conclusion'
    return { ok: conclusion === 'success', text: style.text(conclusion) }
  }
  const what = d.status === 'queued' || d.status === 'in_progress' ? d.status.replace('_', ' ') : d.status
  return { ok: false, text: style.text(`${what}${d.error ? `: ${d.error}` : ''}`) }
}
