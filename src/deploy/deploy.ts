// The deploy step: Meta's zero-downtime rotation is refresh → deploy the new token → revoke the old
// one. Once every destination holds the new token, each workflow of deploy-workflows is dispatched and
// its run followed to the end; the old token is revoked only when every run concluded success. Before
// anything is minted, each workflow is checked as far as GitHub lets us know: it exists, is active,
// declares workflow_dispatch at its ref, and github-token may dispatch it.
import { randomBytes } from 'node:crypto'
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { Input } from '../contract.js'
import { readGitHubError, type GitHubRefusal } from '../github/github-error.js'
import { declaresDispatch, workflowLabel, type WorkflowAddress, type Workflows } from '../github/workflows.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import { durationText, expiryText } from '../token-checks.js'
import type { DeploySettings } from './deploy-settings.js'

/** One deploy workflow and what became of its run. */
export interface Deployment {
  /** As deploy-workflows names it, with the ref used: `owner/repo/.github/workflows/file.yml@ref`. */
  workflow: string
  repository: string
  ref: string
  /** The run, once dispatched. */
  id?: number
  url?: string
  /** checked: a dry run's verdict; the others are GitHub's run status, or what stopped the follow. */
  status: 'checked' | 'not dispatched' | 'queued' | 'in_progress' | 'completed' | 'timed out' | 'unknown'
  conclusion?: string | null
  /** Dry run: what was proven, and what cannot be without dispatching. */
  proven?: string[]
  unproven?: string[]
  error?: string
}

/** A workflow checked before minting, with the ref its run will use. */
export interface PreparedWorkflow {
  address: WorkflowAddress
  ref: string
  label: string
}

export interface DeployServices {
  workflows: Workflows
  clock: Clock
  log: RotationLog
  keeper: SecretKeeper
  naming: InputNaming
  /** GitHub's web address, for links to the runs. */
  serverUrl?: string
  /** GitHub's time now (epoch ms), when known: the rate limit resets on its clock. */
  githubTime: () => number | undefined
}

/** What the deploy step found: the rotation hands it one and reports its deployments. */
export interface DeployRecord {
  deployments?: Deployment[]
}

const FIRST_POLL_MS = 5_000
const POLL_GROWTH = 1.5
const MAX_POLL_MS = 30_000
/** Polls of every run together stay under this many an hour: a share of the 5,000 a token has. */
const POLLS_PER_HOUR = 1_000
/** Below this many requests left, polling waits for the rate limit's reset. */
const RATE_LIMIT_RESERVE = 50
const MAX_POLL_FAILURES = 5
const PROBE_ATTEMPTS = 3

export class DeployStep {
  constructor(
    private readonly settings: DeploySettings,
    private readonly services: DeployServices
  ) {}

  get wanted(): boolean {
    return this.settings.workflows.length > 0
  }

  /**
   * Before anything is minted: each workflow exists and is active, its file declares workflow_dispatch
   * at the ref, and github-token may dispatch it (a dispatch at a ref that cannot exist: GitHub checks
   * the permission first, and refuses the ref without creating a run). Throws, naming every problem.
   */
  async prepare(record: DeployRecord, dryRun: boolean): Promise<PreparedWorkflow[]> {
    if (!this.wanted) return []
    const prepared: PreparedWorkflow[] = []
    const deployments: Deployment[] = []
    const problems: Array<{ label: string; message: string; fix: string }> = []
    for (const address of this.settings.workflows) {
      const checked = await this.check(address)
      deployments.push(checked.deployment)
      if (checked.problem) problems.push({ label: checked.deployment.workflow, ...checked.problem })
      else prepared.push({ address, ref: checked.deployment.ref, label: checked.deployment.workflow })
    }
    if (dryRun) record.deployments = deployments
    if (problems.length > 0) {
      const { naming } = this.services
      throw new RotationError(
        'deploy',
        `${problems.length} of ${this.settings.workflows.length} deploy workflow${this.settings.workflows.length > 1 ? 's' : ''} cannot be dispatched; nothing was minted, written or revoked.\n  - ${problems.map((p) => `${p.label}: ${p.message}`).join('\n  - ')}`,
        `${[...new Set(problems.map((p) => p.fix))].join(' ')} Or remove it from ${naming.name(Input.DeployWorkflows)}. Then re-run.`
      )
    }
    for (const d of deployments) {
      const unproven = d.unproven?.length ? ` Not proven: ${d.unproven.join('; ')}.` : ''
      this.services.log.info(`Deploy workflow ${d.workflow}: ${(d.proven ?? []).join(', ')}.${unproven}`)
    }
    return prepared
  }

  private async check(
    address: WorkflowAddress
  ): Promise<{ deployment: Deployment; problem?: { message: string; fix: string } }> {
    const { workflows, naming } = this.services
    const token = naming.name(Input.GithubToken)
    const repository = `${address.owner}/${address.repo}`
    const deployment: Deployment = {
      workflow: workflowLabel(address),
      repository,
      ref: address.ref ?? '',
      status: 'checked',
      proven: [],
      unproven: []
    }
    const proven = deployment.proven as string[]
    const unproven = deployment.unproven as string[]
    const fail = (message: string, fix: string) => {
      deployment.status = 'not dispatched'
      deployment.error = message
      return { deployment, problem: { message, fix } }
    }
    const grant = `Give ${token} 'Actions: Read and write' on ${repository} (a classic PAT: the repo scope; the workflow's GITHUB_TOKEN: permissions: actions: write).`

    let ref = address.ref
    if (ref === undefined) {
      try {
        ref = (await workflows.repository(address.owner, address.repo)).defaultBranch
      } catch (error) {
        return fail(
          this.refused(`reading ${repository}`, error),
          `Check the repository name and that ${token} can see it.`
        )
      }
      deployment.ref = ref
      deployment.workflow = workflowLabel({ ...address, ref })
    }

    try {
      const facts = await workflows.workflow(address, address.file)
      if (facts.state !== 'active') {
        return fail(
          `the workflow is ${facts.state.replace(/_/g, ' ')}, and GitHub refuses to dispatch a disabled workflow.`,
          `Enable it (the repository's Actions tab > the workflow > Enable workflow, or gh workflow enable ${address.file} -R ${repository}).`
        )
      }
      proven.push('exists and is active')
    } catch (error) {
      const { status } = readGitHubError(error)
      if (status === 404) {
        return fail(
          `GitHub knows no workflow .github/workflows/${address.file} in ${repository} (or ${token} cannot see it).`,
          `Check the path (a workflow is known once its file is on the default branch) and that ${token} has 'Actions: Read' on ${repository}.`
        )
      }
      return fail(this.refused('reading the workflow', error), status === 403 ? grant : 'Re-run.')
    }

    try {
      const file = await workflows.workflowFile(address, ref)
      const dispatchable = declaresDispatch(file)
      if (dispatchable === false) {
        return fail(
          `the workflow file at ${ref} has no workflow_dispatch trigger, so it cannot be dispatched (GitHub would answer 422).`,
          `Add 'workflow_dispatch:' under 'on:' in .github/workflows/${address.file} at ${ref}.`
        )
      }
      proven.push(dispatchable ? `declares workflow_dispatch at ${ref}` : `its file is at ${ref}`)
      if (dispatchable === undefined) unproven.push('its triggers (the file has no on: this check can read)')
    } catch (error) {
      const { status, said } = readGitHubError(error)
      if (status === 404) {
        const noRef = /no commit found/i.test(said)
        return fail(
          noRef
            ? `${repository} has no branch or tag '${ref}'.`
            : `.github/workflows/${address.file} is not in ${repository} at '${ref}'.`,
          `Name a branch or tag of ${repository} that holds the workflow after '@'.`
        )
      }
      // The file's text needs 'Contents: Read', which a deploy token may not have: the dispatch checks it later.
      unproven.push(`the workflow_dispatch trigger and the ref (the file could not be read: ${said})`)
    }

    const probe = await this.probeDispatch(address)
    if (probe.verdict === 'may dispatch') proven.push(`${token} may dispatch it (Actions: write)`)
    else if (probe.verdict === 'refused') {
      const { status, said } = probe.refusal
      if (status === 403) return fail(`${token} may not dispatch it (GitHub answered 403: ${said}).`, grant)
      if (/workflow_dispatch' trigger/i.test(said))
        return fail(
          `the workflow has no workflow_dispatch trigger (GitHub answered 422: ${said}).`,
          `Add 'workflow_dispatch:' under 'on:' in .github/workflows/${address.file}.`
        )
      if (/disabled/i.test(said))
        return fail(`GitHub refuses to dispatch it: ${said}.`, `Enable the workflow in ${repository}'s Actions tab.`)
      return fail(`checking the dispatch permission failed (${status ?? 'no answer'}: ${said}).`, 'Re-run.')
    } else {
      unproven.push(`${token}'s permission to dispatch (${probe.why})`)
    }
    return { deployment }
  }

  /**
   * A dispatch at a branch that cannot exist: without Actions: write GitHub answers 403; with it, 422
   * "No ref found", and no run is created. Sent again when no answer came (it changes nothing).
   */
  private async probeDispatch(
    address: WorkflowAddress
  ): Promise<
    { verdict: 'may dispatch' } | { verdict: 'refused'; refusal: GitHubRefusal } | { verdict: 'unknown'; why: string }
  > {
    const ref = `meta-token-rotator-probe-${randomBytes(12).toString('hex')}`
    for (let attempt = 1; ; attempt++) {
      try {
        await this.services.workflows.dispatch(address, ref)
        // The branch existed after all: a run was dispatched at it.
        this.services.log.warning(
          `The dispatch check of ${workflowLabel(address)} started a run at a branch named ${ref}.`
        )
        return { verdict: 'may dispatch' }
      } catch (error) {
        const refusal = readGitHubError(error)
        if (refusal.status === 422 && /no ref found/i.test(refusal.said)) return { verdict: 'may dispatch' }
        if (refusal.status === undefined && attempt < PROBE_ATTEMPTS) continue
        if (refusal.status === undefined || refusal.status >= 500)
          return { verdict: 'unknown', why: `the check got ${refusal.status ?? 'no answer'}: ${refusal.said}` }
        return { verdict: 'refused', refusal }
      }
    }
  }

  /**
   * Once every destination holds the new token: dispatches every workflow and follows each run until it
   * completes or deploy-timeout runs out. Throws at step deploy unless every run concluded success;
   * `oldExpiresAt` is when the old token (left valid then) expires.
   */
  async run(prepared: PreparedWorkflow[], record: DeployRecord, oldExpiresAt: Date | null | undefined): Promise<void> {
    if (prepared.length === 0) return
    const { clock, log } = this.services
    const started = clock.now().getTime()
    const deadline = started + this.settings.timeoutMs
    const deployments: Deployment[] = []
    record.deployments = deployments
    for (const workflow of prepared) deployments.push(await this.dispatch(workflow))
    await this.follow(prepared, deployments, deadline)
    for (const d of deployments) {
      if (d.status === 'completed')
        log.info(
          `Deploy run of ${d.workflow} concluded ${d.conclusion ?? 'without a conclusion'}${d.url ? `: ${d.url}` : ''}.`
        )
    }
    const failed = deployments.filter((d) => d.status !== 'completed' || d.conclusion !== 'success')
    if (failed.length > 0) throw this.failure(failed, deployments.length, oldExpiresAt)
  }

  private async dispatch(workflow: PreparedWorkflow): Promise<Deployment> {
    const { address, ref, label } = workflow
    const repository = `${address.owner}/${address.repo}`
    const deployment: Deployment = { workflow: label, repository, ref, status: 'not dispatched' }
    try {
      const run = await this.services.workflows.dispatch(address, ref)
      if (!run) {
        deployment.status = 'unknown'
        deployment.error =
          'GitHub dispatched it but answered 204 without the run (a host from before return_run_details, such as an older Enterprise Server), so its outcome cannot be followed.'
        return deployment
      }
      deployment.id = run.id
      deployment.url = this.runUrl(repository, run.id)
      deployment.status = 'queued'
      this.services.log.info(`Dispatched ${label}: run ${run.id}${deployment.url ? ` (${deployment.url})` : ''}.`)
    } catch (error) {
      const { status } = readGitHubError(error)
      deployment.error =
        status === undefined || status >= 500
          ? `${this.refused('dispatching it', error)} It may have started all the same: check the workflow's runs.`
          : this.refused('dispatching it', error)
    }
    return deployment
  }

  /** Polls every run still going, backing off, within the request budget and the rate limit, until the deadline. */
  private async follow(prepared: PreparedWorkflow[], deployments: Deployment[], deadline: number): Promise<void> {
    const { clock, workflows, log } = this.services
    const going = () =>
      deployments.filter((d) => d.id !== undefined && (d.status === 'queued' || d.status === 'in_progress'))
    const failures = new Map<Deployment, number>()
    // Every run polled once per round: the rounds are spaced so all polls stay within POLLS_PER_HOUR.
    const floor = Math.ceil((3_600_000 * Math.max(1, going().length)) / POLLS_PER_HOUR)
    let interval = Math.max(FIRST_POLL_MS, floor)
    while (going().length > 0) {
      const now = clock.now().getTime()
      if (now >= deadline) break
      await clock.sleep(Math.min(interval, deadline - now))
      interval = Math.min(Math.max(MAX_POLL_MS, floor), Math.round(interval * POLL_GROWTH))
      for (const deployment of going()) {
        const address = prepared.find((p) => p.label === deployment.workflow)?.address
        if (!address) continue
        try {
          const state = await workflows.run(address, deployment.id as number)
          failures.delete(deployment)
          deployment.status =
            state.status === 'completed' ? 'completed' : state.status === 'in_progress' ? 'in_progress' : 'queued'
          deployment.conclusion = state.conclusion
        } catch (error) {
          const { status } = readGitHubError(error)
          const count = (failures.get(deployment) ?? 0) + 1
          failures.set(deployment, count)
          if ((status !== undefined && status < 500 && status !== 429) || count >= MAX_POLL_FAILURES) {
            deployment.status = 'unknown'
            deployment.error = `${this.refused('reading the run', error)} Its outcome is unknown.`
          }
        }
      }
      const wait = this.rateLimitWait()
      if (wait > 0 && going().length > 0) {
        log.warning(
          `GitHub's rate limit is nearly used up: following the deploy runs again in ${Math.ceil(wait / 1000)} s, when it resets.`
        )
        const left = deadline - clock.now().getTime()
        await clock.sleep(Math.max(0, Math.min(wait, left)))
      }
    }
    for (const deployment of going()) {
      const was = deployment.status === 'queued' ? 'queued (it never started)' : 'in progress'
      deployment.status = 'timed out'
      deployment.error = `still ${was} after ${durationText(this.settings.timeoutMs / 1000)} (${this.services.naming.name(Input.DeployTimeout)}).`
    }
  }

  /** How long until the rate limit resets, when fewer than RATE_LIMIT_RESERVE requests are left. */
  private rateLimitWait(): number {
    const { remaining, resetAt } = this.services.workflows.rateLimit
    if (remaining === undefined || remaining >= RATE_LIMIT_RESERVE || resetAt === undefined) return 0
    const githubNow = this.services.githubTime() ?? this.services.clock.now().getTime()
    return Math.max(0, resetAt - githubNow) + 1000
  }

  private failure(failed: Deployment[], total: number, oldExpiresAt: Date | null | undefined): RotationError {
    const { naming, clock } = this.services
    const now = clock.now()
    const lines = failed.map((d) => {
      const run = d.url ?? (d.id !== undefined ? `run ${d.id}` : 'no run')
      const what =
        d.status === 'completed' ? `concluded ${d.conclusion ?? 'without a conclusion'}` : (d.error ?? d.status)
      return `${d.workflow}: ${run}: ${what}`
    })
    const until = oldExpiresAt === undefined ? '' : ` until ${expiryText(oldExpiresAt, now)}`
    const timedOut = failed.some((d) => d.status === 'timed out')
    return new RotationError(
      'deploy',
      `${failed.length} of ${total} deploy run${total > 1 ? 's' : ''} did not succeed, so nothing was revoked: the new token is stored and confirmed in every destination, and the old token stays valid${until}, so a consumer still running on it keeps working.\n  - ${lines.join('\n  - ')}`,
      `Open the run${failed.length > 1 ? 's' : ''} above and fix the deploy${timedOut ? ` (or raise ${naming.name(Input.DeployTimeout)})` : ''}. Then re-run: the next run refreshes again, stores, deploys and revokes. If the consumers run on the new token already, revoke the old one instead with the finish action (or by hand in Business settings > System users).`
    )
  }

  private refused(what: string, error: unknown): string {
    const { status, said } = readGitHubError(error)
    return this.services.keeper.redact(
      `${what} failed (${status === undefined ? 'no answer' : `GitHub answered ${status}`}: ${said}).`
    )
  }

  /** The run's page, built from GitHub's address and numbers only: no outside text becomes a link. */
  private runUrl(repository: string, id: number): string | undefined {
    const server = this.services.serverUrl?.replace(/\/+$/, '')
    if (!server) return undefined
    return `${server}/${repository.split('/').map(encodeURIComponent).join('/')}/actions/runs/${id}`
  }
}
