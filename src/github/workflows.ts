// GitHub Actions workflows as a rotation uses them: read a workflow's state, read its file at a ref
// (to know before minting that it can be dispatched there), dispatch it asking for the run's id
// (return_run_details, GitHub since 2026-02), follow the run, and re-enable a workflow.
// https://docs.github.com/rest/actions/workflows, https://docs.github.com/rest/actions/workflow-runs
import type { GitHubClient } from './github-client.js'

/** A workflow as `uses:` names it: `owner/repo/.github/workflows/file.yml@ref`. */
export interface WorkflowAddress {
  owner: string
  repo: string
  /** The file name under .github/workflows, e.g. `deploy.yml`. */
  file: string
  /** Undefined: the repository's default branch. */
  ref?: string
}

export interface WorkflowFacts {
  id: number
  name: string
  state: string
}

export interface RepositoryFacts {
  defaultBranch: string
  /** A public repository's scheduled workflows stop after 60 days without activity. */
  public: boolean
  pushedAt?: Date
}

export interface DispatchedRun {
  id: number
}

export interface RunState {
  status: string
  conclusion: string | null
}

/** What a GitHub answer says about the core rate limit, for a caller that paces itself. */
export interface RateLimitState {
  remaining?: number
  /** When the window resets, epoch ms on GitHub's clock. */
  resetAt?: number
}

export function workflowLabel(address: WorkflowAddress): string {
  return `${address.owner}/${address.repo}/.github/workflows/${address.file}${address.ref ? `@${address.ref}` : ''}`
}

export class Workflows {
  /** The rate limit as the last answer told it. */
  rateLimit: RateLimitState = {}

  constructor(private readonly github: GitHubClient) {}

  async repository(owner: string, repo: string): Promise<RepositoryFacts> {
    const { data } = await this.github.request('GET /repos/{owner}/{repo}', { owner, repo })
    const pushed = typeof data.pushed_at === 'string' ? new Date(data.pushed_at) : undefined
    return {
      defaultBranch: data.default_branch,
      public: data.private === false,
      pushedAt: pushed && !Number.isNaN(pushed.getTime()) ? pushed : undefined
    }
  }

  async workflow(
    address: Pick<WorkflowAddress, 'owner' | 'repo'>,
    workflowId: string | number
  ): Promise<WorkflowFacts> {
    const { data } = await this.github.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}', {
      owner: address.owner,
      repo: address.repo,
      workflow_id: workflowId
    })
    return { id: data.id, name: data.name, state: data.state }
  }

  /** The workflow file's text at `ref`. */
  async workflowFile(address: WorkflowAddress, ref: string): Promise<string> {
    const { data } = await this.github.request('GET /repos/{owner}/{repo}/contents/{path}', {
      owner: address.owner,
      repo: address.repo,
      path: `.github/workflows/${address.file}`,
      ref
    })
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data) || typeof data.content !== 'string') {
      throw new Error(`.github/workflows/${address.file} is not a file`)
    }
    return Buffer.from(data.content, 'base64').toString('utf8')
  }

  /** Dispatches the workflow; undefined when the host answered 204 (no run details: an older Enterprise Server). */
  async dispatch(address: WorkflowAddress, ref: string): Promise<DispatchedRun | undefined> {
    const response = await this.github.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner: address.owner,
        repo: address.repo,
        workflow_id: address.file,
        ref,
        return_run_details: true
      }
    )
    // Typed as 200 only, but a host without run details answers 204 and no body.
    const { status, data } = response as { status: number; data?: { workflow_run_id?: unknown } }
    if (status === 204 || typeof data?.workflow_run_id !== 'number') return undefined
    return { id: data.workflow_run_id }
  }

  async run(address: Pick<WorkflowAddress, 'owner' | 'repo'>, runId: number): Promise<RunState> {
    const response = await this.github.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
      owner: address.owner,
      repo: address.repo,
      run_id: runId
    })
    this.rateLimit = readRateLimit(response.headers)
    return { status: response.data.status ?? 'queued', conclusion: response.data.conclusion ?? null }
  }

  async enable(owner: string, repo: string, workflowId: number | string): Promise<void> {
    await this.github.request('PUT /repos/{owner}/{repo}/actions/workflows/{workflow_id}/enable', {
      owner,
      repo,
      workflow_id: workflowId
    })
  }
}

function readRateLimit(headers: Record<string, unknown>): RateLimitState {
  const remaining = Number(headers['x-ratelimit-remaining'])
  const reset = Number(headers['x-ratelimit-reset'])
  return {
    ...(Number.isFinite(remaining) && headers['x-ratelimit-remaining'] !== undefined ? { remaining } : {}),
    ...(Number.isFinite(reset) && reset > 0 ? { resetAt: reset * 1000 } : {})
  }
}

/**
 * Whether a workflow file declares the workflow_dispatch trigger, read from its `on:` (a name, a list
 * or a mapping), comments dropped. Undefined when the file has no `on:` this reading understands.
 */
export function declaresDispatch(yaml: string): boolean | undefined {
  const lines = yaml.split(/\r?\n/).map((line) => line.replace(/(^|\s)#.*$/, '').replace(/\s+$/, ''))
  const start = lines.findIndex((line) => /^["']?on["']?\s*:/.test(line))
  if (start < 0) return undefined
  const inline = (lines[start] as string).replace(/^["']?on["']?\s*:\s*/, '')
  if (inline) return /(^|[\s[,{'"])workflow_dispatch(["']?\s*[:,\]}]|["']?$)/.test(inline)
  // Only the triggers themselves, the first level under `on:` (an input may be named workflow_dispatch).
  let indent: number | undefined
  for (const line of lines.slice(start + 1)) {
    if (line === '') continue
    const depth = /^\s*/.exec(line)?.[0].length ?? 0
    if (depth === 0) break
    indent ??= depth
    if (depth === indent && /^\s+(-\s*)?["']?workflow_dispatch["']?\s*(:|$)/.test(line)) return true
  }
  return false
}
