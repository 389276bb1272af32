// GitHub Actions workflows and their runs, as the REST API shows them: a workflow has a state (active,
// or disabled by hand or for inactivity), declares workflow_dispatch or not, and exists at some refs;
// a dispatch creates a run that goes queued → in_progress → completed on GitHub's clock, with the
// conclusion its scenario says. A run's job reads its secret when it starts (GitHub resolves secrets at
// job start), and the run records the value it saw: tests prove which token a deploy received.
//
// Answers as GitHub gives them:
//   POST …/dispatches: 404 unknown workflow; 422 disabled workflow, no workflow_dispatch trigger,
//   unknown ref, missing or unexpected inputs; 200 with the run's id and URLs when return_run_details
//   is true (GitHub since 2026-02), else 204 (and always 204 on an older Enterprise Server).
//   GET …/workflows/{id}, GET …/runs/{id}, PUT …/workflows/{id}/enable, GET …/contents/{path}?ref=.
import type { JsonResponse } from '../loopback-server.js'
import type { GitHubClock } from './clock.js'
import type { SecretScope, SecretType } from './model.js'
import { githubError, notFound } from './responses.js'

export type WorkflowState = 'active' | 'disabled_manually' | 'disabled_inactivity'

/** How a dispatched run goes: concluded success, failure or cancelled; queued for ever; or success, slowly. */
export type RunScenario = 'success' | 'failure' | 'cancelled' | 'never-started' | 'slow'

export interface WorkflowSpec {
  /** 'owner/name' of its repository. */
  repo: string
  /** The file name under .github/workflows, e.g. 'deploy.yml'. */
  file: string
  name?: string
  /** Default 'active'. */
  state?: WorkflowState
  /** Whether the file declares `on: workflow_dispatch`; default true. */
  dispatchable?: boolean
  /** The branches and tags the file exists at; default ['main']. */
  refs?: string[]
  /** Inputs its workflow_dispatch declares, required or not; default none. */
  inputs?: Record<string, { required?: boolean }>
  /** Default 'success'. */
  scenario?: RunScenario
  /** The secret its job reads when it starts. */
  reads?: { scope: SecretScope; name: string; type?: SecretType }
  /** Time queued before the job starts, on GitHub's clock; default 5 s. */
  queuedMs?: number
  /** Time the job runs; default 60 s, 45 minutes for 'slow'. */
  runMs?: number
}

export interface EmulatedWorkflow extends Required<Omit<WorkflowSpec, 'reads' | 'name'>> {
  id: number
  name: string
  reads?: WorkflowSpec['reads']
  createdAt: string
  /** Each PUT …/enable, on GitHub's clock. */
  enabledAt: string[]
}

export interface EmulatedRun {
  id: number
  workflowId: number
  repo: string
  ref: string
  inputs: Record<string, unknown>
  status: 'queued' | 'in_progress' | 'completed'
  conclusion: 'success' | 'failure' | 'cancelled' | null
  createdAt: Date
  startedAt?: Date
  completedAt?: Date
  /** The value of the secret the job read when it started (undefined: not started, or no such secret). */
  saw?: string
  /** Login of whoever dispatched it. */
  actor: string
}

/** How the host answers a dispatch: with run details when asked (github.com), or 204 always (older Enterprise Server). */
export type DispatchAnswers = 'run-details' | 'no-content'

export interface WorkflowRequest {
  apiUrl: string
  webUrl: string
  docs: string
  actor: string
}

const DEFAULT_QUEUED_MS = 5_000
const DEFAULT_RUN_MS = 60_000
const SLOW_RUN_MS = 45 * 60_000
const SHA = '009b8a3a9ccbb128af87f9b1c0f4c62e8a304f6d'

export class WorkflowStore {
  readonly workflows: EmulatedWorkflow[] = []
  readonly runs: EmulatedRun[] = []
  dispatchAnswers: DispatchAnswers = 'run-details'
  private nextWorkflowId = 161335
  private nextRunId = 30433642

  constructor(
    private readonly clock: GitHubClock,
    /** The value a secret holds right now, for a job that starts. */
    private readonly readSecret: (reads: NonNullable<WorkflowSpec['reads']>) => string | undefined
  ) {}

  add(spec: WorkflowSpec): EmulatedWorkflow {
    const scenario = spec.scenario ?? 'success'
    const workflow: EmulatedWorkflow = {
      id: this.nextWorkflowId++,
      repo: spec.repo,
      file: spec.file,
      name: spec.name ?? spec.file.replace(/\.ya?ml$/, ''),
      state: spec.state ?? 'active',
      dispatchable: spec.dispatchable ?? true,
      refs: spec.refs ?? ['main'],
      inputs: spec.inputs ?? {},
      scenario,
      reads: spec.reads,
      queuedMs: spec.queuedMs ?? DEFAULT_QUEUED_MS,
      runMs: spec.runMs ?? (scenario === 'slow' ? SLOW_RUN_MS : DEFAULT_RUN_MS),
      createdAt: this.clock.timestamp(new Date(this.clock.now().getTime() - 90 * 86_400_000)),
      enabledAt: []
    }
    this.workflows.push(workflow)
    return workflow
  }

  /** By id, or by file name as GitHub allows (`deploy.yml`). */
  find(repo: string, idOrFile: string): EmulatedWorkflow | undefined {
    return this.workflows.find(
      (w) => w.repo.toLowerCase() === repo.toLowerCase() && (String(w.id) === idOrFile || w.file === idOrFile)
    )
  }

  /**
   * Moves every run on to GitHub's time now. Called before each request is handled, so a job that
   * started before a secret was written saw the value from before the write.
   */
  advance(): void {
    const now = this.clock.now().getTime()
    for (const run of this.runs) {
      const workflow = this.workflows.find((w) => w.id === run.workflowId)
      // A never-started workflow's runs stay as they are (addRun's frozen runs too).
      if (!workflow || run.status === 'completed' || workflow.scenario === 'never-started') continue
      if (run.status === 'queued') {
        if (now < run.createdAt.getTime() + workflow.queuedMs) continue
        run.status = 'in_progress'
        run.startedAt = new Date(run.createdAt.getTime() + workflow.queuedMs)
        run.saw = workflow.reads ? this.readSecret(workflow.reads) : undefined
      }
      if (run.startedAt && now >= run.startedAt.getTime() + workflow.runMs) {
        run.status = 'completed'
        run.completedAt = new Date(run.startedAt.getTime() + workflow.runMs)
        run.conclusion =
          workflow.scenario === 'failure' ? 'failure' : workflow.scenario === 'cancelled' ? 'cancelled' : 'success'
      }
    }
  }

  getWorkflow(request: WorkflowRequest, repo: string, idOrFile: string): JsonResponse {
    const workflow = this.find(repo, idOrFile)
    if (!workflow) return notFound(request.docs)
    return { status: 200, body: workflowBody(request, workflow) }
  }

  dispatch(request: WorkflowRequest, repo: string, idOrFile: string, body: Record<string, unknown>): JsonResponse {
    const { docs } = request
    const workflow = this.find(repo, idOrFile)
    if (!workflow) return notFound(docs)
    if (workflow.state !== 'active')
      return githubError(422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow", docs)
    if (!workflow.dispatchable) return githubError(422, "Workflow does not have 'workflow_dispatch' trigger", docs)
    const ref = String(body.ref).replace(/^refs\/(heads|tags)\//, '')
    if (!workflow.refs.includes(ref)) return githubError(422, `No ref found for: ${String(body.ref)}`, docs)
    const inputs = (body.inputs ?? {}) as Record<string, unknown>
    const unexpected = Object.keys(inputs).filter((name) => !(name in workflow.inputs))
    if (unexpected.length > 0)
      return githubError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`, docs)
    const missing = Object.entries(workflow.inputs).find(([name, input]) => input.required && !(name in inputs))
    if (missing) return githubError(422, `Required input '${missing[0]}' not provided`, docs)

    const run: EmulatedRun = {
      id: this.nextRunId++,
      workflowId: workflow.id,
      repo: workflow.repo,
      ref,
      inputs,
      status: 'queued',
      conclusion: null,
      createdAt: this.clock.now(),
      actor: request.actor
    }
    this.runs.push(run)
    if (body.return_run_details !== true || this.dispatchAnswers === 'no-content') return { status: 204 }
    return {
      status: 200,
      body: {
        workflow_run_id: run.id,
        run_url: `${request.apiUrl}/repos/${workflow.repo}/actions/runs/${run.id}`,
        html_url: `${request.webUrl}/${workflow.repo}/actions/runs/${run.id}`
      }
    }
  }

  /** A run of the workflow as if it had been started and had got this far (the run a lease names). */
  addRun(workflow: EmulatedWorkflow, status: EmulatedRun['status']): EmulatedRun {
    const now = this.clock.now()
    const run: EmulatedRun = {
      id: this.nextRunId++,
      workflowId: workflow.id,
      repo: workflow.repo,
      ref: 'main',
      inputs: {},
      status,
      conclusion: status === 'completed' ? 'failure' : null,
      createdAt: new Date(now.getTime() - 120_000),
      startedAt: new Date(now.getTime() - 115_000),
      ...(status === 'completed' ? { completedAt: now } : {}),
      actor: 'octocat'
    }
    this.runs.push(run)
    return run
  }

  getRun(request: WorkflowRequest, repo: string, runId: number): JsonResponse {
    const run = this.runs.find((r) => r.id === runId && r.repo.toLowerCase() === repo.toLowerCase())
    const workflow = run && this.workflows.find((w) => w.id === run.workflowId)
    if (!run || !workflow) return notFound(request.docs)
    return { status: 200, body: this.runBody(request, run, workflow) }
  }

  enable(request: WorkflowRequest, repo: string, idOrFile: string): JsonResponse {
    const workflow = this.find(repo, idOrFile)
    if (!workflow) return notFound(request.docs)
    workflow.state = 'active'
    workflow.enabledAt.push(this.clock.timestamp())
    return { status: 204 }
  }

  /** GET …/contents/.github/workflows/{file}?ref=: the workflow files only; any other path is not found. */
  contents(
    request: WorkflowRequest,
    repo: string,
    path: string,
    ref: string | undefined,
    defaultBranch: string
  ): JsonResponse {
    const at = (ref ?? defaultBranch).replace(/^refs\/(heads|tags)\//, '')
    const mine = this.workflows.filter((w) => w.repo.toLowerCase() === repo.toLowerCase())
    if (!mine.some((w) => w.refs.includes(at)) && at !== defaultBranch)
      return githubError(404, `No commit found for the ref ${at}`, request.docs)
    const workflow = mine.find((w) => `.github/workflows/${w.file}` === path && w.refs.includes(at))
    if (!workflow) return notFound(request.docs)
    const content = Buffer.from(workflowYaml(workflow)).toString('base64')
    const url = `${request.apiUrl}/repos/${repo}/contents/${path}?ref=${encodeURIComponent(at)}`
    const html = `${request.webUrl}/${repo}/blob/${at}/${path}`
    const git = `${request.apiUrl}/repos/${repo}/git/blobs/${SHA}`
    return {
      status: 200,
      body: {
        type: 'file',
        encoding: 'base64',
        size: Buffer.byteLength(workflowYaml(workflow)),
        name: workflow.file,
        path,
        content,
        sha: SHA,
        url,
        git_url: git,
        html_url: html,
        download_url: `${request.webUrl}/${repo}/raw/${at}/${path}`,
        _links: { self: url, git, html }
      }
    }
  }

  private runBody(request: WorkflowRequest, run: EmulatedRun, workflow: EmulatedWorkflow): Record<string, unknown> {
    const api = `${request.apiUrl}/repos/${run.repo}`
    const runUrl = `${api}/actions/runs/${run.id}`
    const repository = minimalRepository(request, run.repo)
    const updated = run.completedAt ?? run.startedAt ?? run.createdAt
    return {
      id: run.id,
      name: workflow.name,
      node_id: Buffer.from(`WorkflowRun${run.id}`).toString('base64'),
      check_suite_id: run.id + 1,
      head_branch: run.ref,
      head_sha: SHA,
      path: `.github/workflows/${workflow.file}`,
      display_title: workflow.name,
      run_number: this.runs.filter((r) => r.workflowId === workflow.id && r.id <= run.id).length,
      run_attempt: 1,
      event: 'workflow_dispatch',
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: workflow.id,
      url: runUrl,
      html_url: `${request.webUrl}/${run.repo}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: this.clock.timestamp(run.createdAt),
      updated_at: this.clock.timestamp(updated),
      ...(run.startedAt ? { run_started_at: this.clock.timestamp(run.startedAt) } : {}),
      actor: simpleUser(request, run.actor),
      triggering_actor: simpleUser(request, run.actor),
      jobs_url: `${runUrl}/jobs`,
      logs_url: `${runUrl}/logs`,
      check_suite_url: `${api}/check-suites/${run.id + 1}`,
      artifacts_url: `${runUrl}/artifacts`,
      cancel_url: `${runUrl}/cancel`,
      rerun_url: `${runUrl}/rerun`,
      workflow_url: `${api}/actions/workflows/${workflow.id}`,
      head_commit: null,
      repository,
      head_repository: repository
    }
  }
}

function workflowBody(request: WorkflowRequest, workflow: EmulatedWorkflow): Record<string, unknown> {
  const path = `.github/workflows/${workflow.file}`
  return {
    id: workflow.id,
    node_id: Buffer.from(`Workflow${workflow.id}`).toString('base64'),
    name: workflow.name,
    path,
    state: workflow.state,
    created_at: workflow.createdAt,
    updated_at: workflow.enabledAt.at(-1) ?? workflow.createdAt,
    url: `${request.apiUrl}/repos/${workflow.repo}/actions/workflows/${workflow.id}`,
    html_url: `${request.webUrl}/${workflow.repo}/blob/${workflow.refs[0] ?? 'main'}/${path}`,
    badge_url: `${request.webUrl}/${workflow.repo}/workflows/${encodeURIComponent(workflow.name)}/badge.svg`
  }
}

/** The file as its repository would hold it: the triggers are what a reader of the contents API looks for. */
export function workflowYaml(workflow: Pick<EmulatedWorkflow, 'name' | 'dispatchable' | 'inputs'>): string {
  const inputs = Object.entries(workflow.inputs)
  const dispatch = workflow.dispatchable
    ? [
        '  workflow_dispatch:',
        ...(inputs.length > 0
          ? ['    inputs:', ...inputs.flatMap(([n, i]) => [`      ${n}:`, `        required: ${i.required === true}`])]
          : [])
      ]
    : []
  return [
    `name: ${workflow.name}`,
    '# Runs on every push; workflow_dispatch is what a rotation needs.',
    'on:',
    '  push:',
    '    branches: [main]',
    ...dispatch,
    'jobs:',
    '  deploy:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: ./deploy.sh',
    ''
  ].join('\n')
}

function simpleUser(request: WorkflowRequest, login: string): Record<string, unknown> {
  const url = `${request.apiUrl}/users/${login}`
  return {
    login,
    id: 583231,
    node_id: 'MDQ6VXNlcjU4MzIzMQ==',
    avatar_url: `${request.webUrl}/images/${login}.png`,
    gravatar_id: '',
    url,
    html_url: `${request.webUrl}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false
  }
}

function minimalRepository(request: WorkflowRequest, repo: string): Record<string, unknown> {
  const [owner = '', name = ''] = repo.split('/')
  const url = `${request.apiUrl}/repos/${repo}`
  const urls = Object.fromEntries(
    [
      'archive_url:/{archive_format}{/ref}',
      'assignees_url:/assignees{/user}',
      'blobs_url:/git/blobs{/sha}',
      'branches_url:/branches{/branch}',
      'collaborators_url:/collaborators{/collaborator}',
      'comments_url:/comments{/number}',
      'commits_url:/commits{/sha}',
      'compare_url:/compare/{base}...{head}',
      'contents_url:/contents/{+path}',
      'contributors_url:/contributors',
      'deployments_url:/deployments',
      'downloads_url:/downloads',
      'events_url:/events',
      'forks_url:/forks',
      'git_commits_url:/git/commits{/sha}',
      'git_refs_url:/git/refs{/sha}',
      'git_tags_url:/git/tags{/sha}',
      'hooks_url:/hooks',
      'issue_comment_url:/issues/comments{/number}',
      'issue_events_url:/issues/events{/number}',
      'issues_url:/issues{/number}',
      'keys_url:/keys{/key_id}',
      'labels_url:/labels{/name}',
      'languages_url:/languages',
      'merges_url:/merges',
      'milestones_url:/milestones{/number}',
      'notifications_url:/notifications{?since,all,participating}',
      'pulls_url:/pulls{/number}',
      'releases_url:/releases{/id}',
      'stargazers_url:/stargazers',
      'statuses_url:/statuses/{sha}',
      'subscribers_url:/subscribers',
      'subscription_url:/subscription',
      'tags_url:/tags',
      'teams_url:/teams',
      'trees_url:/git/trees{/sha}'
    ].map((entry) => {
      const [key = '', suffix = ''] = entry.split(/:(.*)/)
      return [key, `${url}${suffix}`]
    })
  )
  return {
    id: 1296269,
    node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
    name,
    full_name: repo,
    owner: simpleUser(request, owner),
    private: true,
    html_url: `${request.webUrl}/${repo}`,
    description: null,
    fork: false,
    url,
    ...urls
  }
}
