// expiry-variable: after a run that rotated or skipped, the token's expiry is written to a GitHub
// Actions variable beside the secret, in the scope of each destination (repository, environment,
// organization), so dashboards, other workflows (`vars.NAME`) and people see the token's health
// without reading a secret. A user's codespaces secret has no variables: said, and skipped.
//
// Each scope: GET the variable (its earlier record gives a skip's rotatedAt), then PATCH it, or POST
// it when GitHub answers 404 (and PATCH after all when a POST answers 409: written meanwhile), then
// read it back until it shows what was written. It runs after the secrets are written and confirmed
// and after the old token is revoked: by then the token is safe, so a variable that cannot be written
// is a warning that names the destination and the permission, never a failed run. A dry run reads the
// variables only: GitHub has no request that proves write access to a variable without writing one.
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { Input } from '../contract.js'
import { describeDestination, type Destination } from '../github/destinations.js'
import type { GitHubClient } from '../github/github-client.js'
import { variablePermission, variableScopes, Variables, type VariableScope } from '../github/variables.js'
import { mayHaveLanded, readGitHubError } from '../github/github-error.js'
import type { SecretStore } from '../github/secret-store.js'
import type { InputNaming } from '../input-naming.js'
import type { RotationResult } from '../rotation/result.js'
import { errorMessage } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import type { Settings } from '../settings.js'
import { expiryRecord, parseRecord, recordText } from './expiry-record.js'

export { variablePermission, variableScopes, type VariableScope } from '../github/variables.js'

export interface ExpiryVariableServices {
  github: GitHubClient
  store: SecretStore
  log: RotationLog
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  /** Pause between read-backs that still show the value before the write (a lagging replica). */
  readBackDelayMs?: number
}

const READ_BACK_ATTEMPTS = 3

export class ExpiryVariable {
  private readonly variables: Variables

  constructor(
    private readonly settings: Settings,
    private readonly services: ExpiryVariableServices
  ) {
    this.variables = new Variables(services.github)
  }

  /** Writes (or, in a dry run, checks) the variable after the run; the sentences for the summary. */
  async record(result: RotationResult): Promise<string[]> {
    const name = this.settings.expiryVariable
    if (!name) return []
    const notes: string[] = []
    if (this.settings.destinations.some((d) => d.kind === 'user')) {
      notes.push(
        `Expiry variable: the codespaces secret of the github-token's user has no variables; ${name} is not written for it.`
      )
    }
    const scopes = variableScopes(this.settings.destinations)
    if (result.dryRun) return [...notes, ...(await this.check(name, scopes))]
    if (result.failure || (!result.skipped && !result.rotated)) {
      return [
        ...notes,
        `Expiry variable: ${name} was not written, because the run failed; it still holds the last run's record.`
      ]
    }
    const now = this.services.clock.now()
    const written = await Promise.all(scopes.map((scope) => this.write(name, scope, result, now)))
    const done = scopes.filter((_, i) => written[i])
    const failed = scopes.filter((_, i) => !written[i])
    if (done.length > 0) {
      notes.push(
        `Expiry variable: ${name} holds the ${result.rotated ? 'new' : 'current'} token's expiry in ${done.map((s) => s.where).join(', ')}.`
      )
    }
    if (failed.length > 0) {
      notes.push(
        `Expiry variable: ${name} could not be written in ${failed.map((s) => s.where).join(', ')} (see the warnings); the token itself is stored.`
      )
    }
    return notes
  }

  /** Dry run: whether the token may read the variables; writing cannot be proven without writing. */
  private async check(name: string, scopes: VariableScope[]): Promise<string[]> {
    const readable: string[] = []
    for (const scope of scopes) {
      try {
        await this.variables.list(scope)
        readable.push(scope.where)
      } catch (error) {
        this.warn(scope, 'read', error)
      }
    }
    if (readable.length === 0) return []
    return [
      `Dry run: ${name}'s scopes can be read (${readable.join(', ')}); GitHub has no request that proves a token may write a variable without writing one, so the first real run proves it (it needs the ${variablePermission(scopes[0]?.destination as Destination)}).`
    ]
  }

  /** One scope: written and read back; false (with a warning) when it could not be. */
  private async write(name: string, scope: VariableScope, result: RotationResult, now: Date): Promise<boolean> {
    let value = ''
    try {
      const earlier = await this.read(name, scope)
      value = recordText(expiryRecord(result, this.settings.rotateBeforeSeconds, now, parseRecord(earlier)))
      if (earlier === undefined) await this.create(name, scope, value)
      else await this.update(name, scope, value)
    } catch (error) {
      // A write that got no answer may have landed: the read-back settles it.
      if (!value || !mayHaveLanded(error) || !(await this.readsBack(name, scope, value, true))) {
        this.warn(scope, 'write', error)
        return false
      }
      return true
    }
    if (await this.readsBack(name, scope, value, false)) return true
    this.services.log.warning(
      `expiry-variable: ${name} in the ${scope.where} (beside the ${describeDestination(scope.destination)}) does not read back as written. ` +
        'The token is stored and the rotation is complete; re-run to write the record again.'
    )
    return false
  }

  private read(name: string, scope: VariableScope): Promise<string | undefined> {
    return this.variables.read(scope, name)
  }

  // Each falls back on the other once: a host that answers 409 to every POST and 404 to every PATCH
  // ends in a warning, not in requests without end.
  private async create(name: string, scope: VariableScope, value: string, fallback = true): Promise<void> {
    try {
      await this.variables.create(scope, name, value, await this.access(scope.destination))
    } catch (error) {
      if (!fallback || readGitHubError(error).status !== 409) throw error
      await this.update(name, scope, value, false)
    }
  }

  private async update(name: string, scope: VariableScope, value: string, fallback = true): Promise<void> {
    try {
      await this.variables.update(scope, name, value)
    } catch (error) {
      if (!fallback || readGitHubError(error).status !== 404) throw error
      await this.create(name, scope, value, false)
    }
  }

  /** An organization variable gets the secret's visibility and repositories. */
  private async access(destination: Destination): Promise<Record<string, unknown>> {
    if (destination.kind !== 'organization') return {}
    const visibility = destination.visibility ?? 'private'
    if (visibility !== 'selected') return { visibility }
    const { store } = this.services
    const names = destination.selectedRepositories ?? []
    const ids = await Promise.all(names.map((repo) => store.repositoryId(`${destination.target}/${repo}`)))
    return { visibility, selected_repository_ids: ids }
  }

  /** Reads the variable until it shows `value` (a replica may lag); true once it does. */
  private async readsBack(name: string, scope: VariableScope, value: string, afterFailure: boolean): Promise<boolean> {
    const { clock, readBackDelayMs = 1000 } = this.services
    for (let attempt = 1; attempt <= READ_BACK_ATTEMPTS; attempt++) {
      try {
        if ((await this.read(name, scope)) === value) return true
      } catch (error) {
        if (afterFailure) return false
        this.services.log.debug(`expiry-variable: read-back of ${name} in the ${scope.where}: ${errorMessage(error)}`)
      }
      if (attempt < READ_BACK_ATTEMPTS) await clock.sleep(readBackDelayMs * attempt)
    }
    return false
  }

  private warn(scope: VariableScope, what: 'read' | 'write', error: unknown): void {
    const { naming, keeper, log } = this.services
    const { status, said } = readGitHubError(error)
    const token = naming.name(Input.GithubToken)
    const answer = status === undefined ? `no answer: ${said}` : `${status} ${said}`
    const fix =
      status === 403 || status === 404
        ? `Give ${token} the ${variablePermission(scope.destination)} on ${scope.destination.target}.`
        : 'Re-run later; see https://www.githubstatus.com.'
    const name = naming.name(Input.ExpiryVariable)
    log.warning(
      keeper.redact(
        `${name}: could not ${what} the variable in the ${scope.where}, beside the ${describeDestination(scope.destination)} (${answer}). ${fix}` +
          (what === 'write' ? ' The token is stored and the rotation is complete: only the record is missing.' : '')
      )
    )
  }
}
