// lease-wait: one rotation of a secret at a time. Before anything is checked or minted, the run takes
// a lease: it creates an Actions variable named after the secret (<SECRET>_ROTATION_LEASE) in the
// scope of the first destination that has variables. GitHub answers 409 to a POST of a name that
// exists, so of two runs only one creates it. The other reads who holds it: a lease whose run is over
// (GET the run: completed), left by an earlier attempt of this very run, released, or past its expiry
// is taken over (delete, then create again: a 409 then means another run was quicker); a live one is
// waited for, at most lease-wait, then the run fails before minting, naming the run that holds it.
// The lease is released on every way out (PATCH to `lease: null`, keeping the journal; DELETE when
// there is none). A dry run takes and releases it too: that proves the permission a real run needs.
import { randomBytes } from 'node:crypto'
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { Input, type InputName } from '../contract.js'
import type { GitHubClient } from '../github/github-client.js'
import { mayHaveLanded, readGitHubError } from '../github/github-error.js'
import { variablePermission, variableScopes, Variables, type VariableScope } from '../github/variables.js'
import { Workflows } from '../github/workflows.js'
import type { InputNaming } from '../input-naming.js'
import { nothingFound, type RotationResult } from '../rotation/result.js'
import { errorMessage, RotationError } from '../rotation-error.js'
import type { Resume } from '../rotation/resume.js'
import type { Settings } from '../settings.js'
import { fingerprint, journalOf, type Journal } from './journal.js'
import { holderText, leaseText, parseLease, type LeaseHolder, type LeaseRecord } from './lease-record.js'
import { thisRunUrl } from '../github/run-url.js'

/** A job on a GitHub-hosted runner is stopped after 6 hours: no run can still hold a lease older than that. */
export const LEASE_TTL_MS = 6 * 3600_000
/** How often a waiting run looks again. */
export const LEASE_POLL_MS = 15_000
/** Takeovers in a row before the run gives up (each one lost to a quicker run, or a lease deleted meanwhile). */
const MAX_TAKEOVERS = 3

export interface LeaseServices {
  github: GitHubClient
  clock: Clock
  log: RotationLog
  naming: InputNaming
  env: NodeJS.ProcessEnv
}

/** The lease variable's name: the secret's, with _ROTATION_LEASE (GitHub's variable names follow its secret names' rules). */
export function leaseVariableName(secretName: string): string {
  return `${secretName.toUpperCase()}_ROTATION_LEASE`
}

export class Lease {
  private readonly variables: Variables
  private readonly name: string
  private readonly scope: VariableScope | undefined
  private readonly me: LeaseHolder
  private held = false
  /** This run deleted the variable to take it over (its journal then lives only in memory until recreated). */
  private deleted = false
  private waitedMs = 0
  private waitedFor: LeaseHolder | undefined
  /** The fingerprint of the token this run was given, which the journal is read against. */
  private readonly given: string | undefined
  /** The journal found in the variable, or this run's once it writes one. */
  journal: Journal | undefined

  constructor(
    private readonly settings: Settings,
    private readonly services: LeaseServices
  ) {
    this.variables = new Variables(services.github)
    this.name = leaseVariableName(settings.secretName)
    this.scope = variableScopes(settings.destinations)[0]
    this.me = this.holder()
    this.given = settings.token ? fingerprint(settings.token, this.key()) : undefined
  }

  get wanted(): boolean {
    return this.settings.leaseWaitSeconds !== undefined
  }

  /** Runs the rotation under the lease: a lease that cannot be had is the run's failure, before anything is minted. */
  async around(work: (resume?: Resume) => Promise<RotationResult>): Promise<RotationResult> {
    if (!this.wanted) return work()
    try {
      await this.take()
    } catch (error) {
      await this.restoreJournal()
      if (!(error instanceof RotationError)) throw error
      if (this.settings.dryRun && this.waitedFor) return this.dryRunHeld(await work())
      return refusedResult(this.settings, error, this.services.clock.now())
    }
    let result: RotationResult | undefined
    const resume = this.resumable()
    try {
      const replaced = this.replacedAlready()
      result = replaced ? replacedResult(this.settings, replaced, this.services.clock.now()) : await work(resume)
      return result
    } finally {
      if (result) this.journal = this.journalAfter(result, resume) ?? this.journal
      const note = await this.release()
      if (note) result?.notes.push(note)
    }
  }

  /** The journal says a run already replaced this run's token, and every destination holds what it minted. */
  private replacedAlready(): string | undefined {
    const { journal, settings, given } = this
    if (!journal?.complete || !given || settings.dryRun) return undefined
    if (journal.replaced !== given || journal.minted === given) return undefined
    return `${journal.by} already replaced the token passed in ${this.naming(Input.Token)} (at ${journal.at}), and every destination holds the token it minted: nothing to do. Read the token from ${settings.secretName} again for the next run.`
  }

  /**
   * The journal of an unfinished rotation whose minted token is the one this run was given (a re-run
   * after a partial failure reads the secret that run wrote): this run completes it instead of minting.
   */
  private resumable(): Resume | undefined {
    const { journal, settings, given } = this
    if (!journal || journal.complete || !given || settings.dryRun) return undefined
    if (journal.minted !== given || journal.replaced === journal.minted) return undefined
    const expires = journal.replacedExpiresAt
    return {
      by: journal.by,
      ...(expires === undefined ? {} : { replacedExpiresAt: expires === null ? null : new Date(expires) })
    }
  }

  /** This run's journal; a resumed one still names the token the rotation replaced, so a run given that token skips. */
  private journalAfter(result: RotationResult, resume: Resume | undefined): Journal | undefined {
    const mine = journalOf(result, this.settings.token, this.key(), holderText(this.me), this.services.clock.now())
    if (!mine || !resume || !this.journal) return mine
    const { replaced, replacedExpiresAt } = this.journal
    return {
      ...mine,
      ...(replaced ? { replaced } : {}),
      ...(replacedExpiresAt !== undefined ? { replacedExpiresAt } : {})
    }
  }

  /** The fingerprints' key: the app secret, where there is one (see journal.ts). */
  private key(): string | undefined {
    return this.settings.strategy === 'instagram' ? undefined : this.settings.app.secret
  }

  private async take(): Promise<void> {
    const { clock, log } = this.services
    const scope = this.scope
    if (!scope) {
      throw new RotationError(
        'lease',
        `The destinations have no scope with Actions variables (a user's codespaces secret has none), so ${this.name} cannot be created; nothing was minted, written or revoked.`,
        `Empty ${this.naming(Input.LeaseWait)}, or list a repository, environment or organization destination first.`
      )
    }
    // A dry run does not wait: it says who holds the lease.
    const waitMs = this.settings.dryRun ? 0 : (this.settings.leaseWaitSeconds ?? 0) * 1000
    const deadline = clock.now().getTime() + waitMs
    let takeovers = 0
    for (;;) {
      const record: LeaseRecord = { lease: this.me, ...(this.journal ? { journal: this.journal } : {}) }
      try {
        // Only a 201 is a lease taken; any other answer is read back (the nonce says whose it is).
        if (await this.variables.create(scope, this.name, leaseText(record), this.access())) {
          this.held = true
          return
        }
      } catch (error) {
        // A create without an answer, or a garbled one, may have landed: the read below tells.
        const { status } = readGitHubError(error)
        const refused = status !== undefined && status !== 409 && status < 500
        if (refused && !mayHaveLanded(error)) throw this.cannot('create', error)
      }
      const text = await this.variables.read(scope, this.name).catch((error: unknown) => {
        throw this.cannot('read', error)
      })
      if (text === undefined) {
        if (++takeovers > MAX_TAKEOVERS) throw this.contended()
        continue
      }
      const found = parseLease(text)
      if (!found) throw this.foreign()
      if (found.lease?.nonce === this.me.nonce) {
        this.held = true
        return
      }
      this.journal = found.journal
      const over = await this.over(found.lease)
      if (over) {
        if (++takeovers > MAX_TAKEOVERS) throw this.contended()
        log.info(`${this.name}: ${over}; this run takes the lease over.`)
        await this.variables.remove(scope, this.name).catch((error: unknown) => {
          throw this.cannot('delete', error)
        })
        this.deleted = true
        continue
      }
      const holder = found.lease as LeaseHolder
      const left = deadline - clock.now().getTime()
      const first = !this.waitedFor
      this.waitedFor = holder
      if (left <= 0) throw this.refused(holder)
      if (first) log.info(`${this.name}: ${holderText(holder)} holds the lease; waiting for it.`)
      const pause = Math.min(LEASE_POLL_MS, left)
      await clock.sleep(pause)
      this.waitedMs += pause
    }
  }

  /** Why the lease is anyone's now; undefined while its holder may still be running. */
  private async over(holder: LeaseHolder | null): Promise<string | undefined> {
    if (!holder) return 'the lease was released by the run before'
    const now = this.services.clock.now().getTime()
    if (Date.parse(holder.expiresAt) <= now) return `the lease of ${holderText(holder)} expired at ${holder.expiresAt}`
    const { runId, repository, attempt } = holder
    if (!runId || !repository) return undefined
    if (runId === this.me.runId && repository === this.me.repository) {
      // A re-run of failed jobs keeps the run id: an earlier attempt is over.
      return Number(attempt) < Number(this.me.attempt)
        ? `the lease was left by attempt ${attempt} of this run`
        : undefined
    }
    const [owner = '', repo = ''] = repository.split('/')
    try {
      const run = await new Workflows(this.services.github).run({ owner, repo }, Number(runId))
      return run.status === 'completed' ? `${holderText(holder)} is over` : undefined
    } catch (error) {
      this.services.log.debug(`${this.name}: could not read ${holderText(holder)}: ${errorMessage(error)}`)
      return undefined
    }
  }

  /**
   * A takeover deletes the variable before creating it again: when that create never lands, the
   * journal it carried would be gone, and a re-run would mint again. Put back (best effort) as released.
   */
  private async restoreJournal(): Promise<void> {
    if (!this.deleted || !this.journal || !this.scope) return
    const text = leaseText({ lease: null, journal: this.journal })
    await this.variables.create(this.scope, this.name, text, this.access()).catch((error: unknown) => {
      // 409: another run created it meanwhile, carrying the journal it read.
      if (readGitHubError(error).status === 409) return
      this.services.log.warning(
        `${this.name}: the journal of the last rotation could not be put back (${errorMessage(error)}): a re-run will not know which token that rotation minted.`
      )
    })
  }

  /** Released: the journal kept (PATCH), or the variable deleted when there is none. */
  private async release(): Promise<string | undefined> {
    if (!this.held || !this.scope) return undefined
    const { scope } = this
    this.held = false
    try {
      if (this.journal) await this.variables.update(scope, this.name, leaseText({ lease: null, journal: this.journal }))
      else await this.variables.remove(scope, this.name)
    } catch (error) {
      this.services.log.warning(
        `${this.naming(Input.LeaseWait)}: could not release ${this.name} in the ${scope.where} (${errorMessage(error)}). The next rotation takes it over once this run is over, or at ${this.me.expiresAt} at the latest.`
      )
      return undefined
    }
    const waited = this.waitedFor
      ? ` after waiting ${Math.round(this.waitedMs / 1000)} s for ${holderText(this.waitedFor)}`
      : ''
    if (this.settings.dryRun)
      return `Dry run: ${this.naming(Input.GithubToken)} may create and remove ${this.name} in the ${scope.where}: a real run can take the lease.`
    return `Lease: this run held ${this.name} in the ${scope.where}${waited}, and released it.`
  }

  /** Dry run while another run holds the lease: not a failure of the dry run, but said. */
  private dryRunHeld(result: RotationResult): RotationResult {
    const holder = this.waitedFor as LeaseHolder
    result.notes.push(
      `Dry run: ${holderText(holder)} holds ${this.name} right now, so whether this token may create it was not proven; a real run would wait for it (at most ${this.naming(Input.LeaseWait)}).`
    )
    return result
  }

  private holder(): LeaseHolder {
    const { env, clock } = this.services
    const now = clock.now()
    const { GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: attempt, GITHUB_REPOSITORY: repository } = env
    const runUrl = thisRunUrl(env, 'https://github.com')
    return {
      ...(runId ? { runId, attempt: attempt ?? '1' } : {}),
      ...(repository ? { repository } : {}),
      ...(runUrl ? { runUrl } : {}),
      nonce: randomBytes(8).toString('hex'),
      takenAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + LEASE_TTL_MS).toISOString()
    }
  }

  /** An organization variable is seen by the organization's private repositories only. */
  private access(): Record<string, unknown> {
    return this.scope?.destination.kind === 'organization' ? { visibility: 'private' } : {}
  }

  private naming(input: InputName): string {
    return this.services.naming.name(input)
  }

  private refused(holder: LeaseHolder): RotationError {
    const waited = this.waitedMs > 0 ? `waited ${Math.round(this.waitedMs / 1000)} s and ` : ''
    return new RotationError(
      'lease',
      `Another rotation of ${this.settings.secretName} holds its lease: ${holderText(holder)}, since ${holder.takenAt}. This run ${waited}minted, wrote and revoked nothing.`,
      `Let that run finish (or cancel it), then re-run: a lease whose run is over is taken over. To wait longer, raise ${this.naming(Input.LeaseWait)}.`
    )
  }

  private cannot(what: 'create' | 'read' | 'delete', error: unknown): RotationError {
    const scope = this.scope as VariableScope
    const { status, said } = readGitHubError(error)
    const answer = status === undefined ? `no answer: ${said}` : `${status} ${said}`
    const fix =
      status === 403 || status === 404
        ? `Give ${this.naming(Input.GithubToken)} the ${variablePermission(scope.destination)} on ${scope.destination.target}, or empty ${this.naming(Input.LeaseWait)}, then re-run.`
        : 'Re-run later; see https://www.githubstatus.com.'
    return new RotationError(
      'lease',
      `Could not ${what} the lease ${this.name} in the ${scope.where} (${answer}); nothing was minted, written or revoked.`,
      fix
    )
  }

  private contended(): RotationError {
    return new RotationError(
      'lease',
      `${this.name} changed hands ${MAX_TAKEOVERS} times while this run tried to take it: other rotations of ${this.settings.secretName} are running. Nothing was minted, written or revoked.`,
      'Re-run once the other rotations are over; give the workflow a concurrency group so they never overlap.'
    )
  }

  private foreign(): RotationError {
    const scope = this.scope as VariableScope
    return new RotationError(
      'lease',
      `${this.name} in the ${scope.where} holds a value this action did not write, so it is not touched; nothing was minted, written or revoked.`,
      `Rename or delete that variable (this action's lease uses the name), then re-run.`
    )
  }
}

/** The result of a run that could not have the lease: nothing was checked, minted, written or revoked. */
export function refusedResult(settings: Settings, failure: RotationError, now: Date): RotationResult {
  return { ...untouched(settings, now), failure }
}

/** The result of a run whose token another run already replaced everywhere: a skip, nothing minted. */
function replacedResult(settings: Settings, reason: string, now: Date): RotationResult {
  return { ...untouched(settings, now), skipped: true, skipReason: reason }
}

function untouched(settings: Settings, now: Date): RotationResult {
  return { ...nothingFound(settings), destinations: settings.destinations, notes: [], finishedAt: now }
}
