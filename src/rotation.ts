// The rotation protocol, read top to bottom: check → prepare → mint → verify → store and confirm → revoke.
// It takes its collaborators as parameters, so the action, the CLI, the demo and the tests run the same code.
import type { RotationLog } from './action-io.js'
import type { Clock } from './clock.js'
import { mapWithConcurrency } from './concurrency.js'
import type { Deployment, DeployStep } from './deploy/deploy.js'
import { Input } from './contract.js'
import { describeDestination, planDestinations, type Destination } from './github/destinations.js'
import { mayHaveLanded, readGitHubError } from './github/github-error.js'
import { explainGitHubFailure, permissionNeeded } from './github/github-fixes.js'
import {
  StaleSecretError,
  UnclearWriteAnswerError,
  WriteNotSentError,
  type SecretStore,
  type WriteAnswer
} from './github/secret-store.js'
import { checkWriteBudget } from './github/write-budget.js'
import type { TokenInfo, TokenKind } from './graph/meta-tokens.js'
import type { InputNaming } from './input-naming.js'
import { replacedTokenToKeep, Revocation } from './revocation.js'
import { RotationError, type RotationStep } from './rotation-error.js'
import type { SecretKeeper } from './secret-keeper.js'
import type { SecretType, Settings } from './settings.js'
import { TooYoungError, type CheckedToken, type TokenSource } from './strategies/token-source.js'
import { dateText, expiryText, relativeText, unreachablePages } from './token-checks.js'

export type SecretStatus = 'created' | 'updated' | 'checked' | 'failed'

const DAY_MS = 86_400_000

/** Why an Instagram token was left as it is: when it was written (if known) and when it can be refreshed. */
function tooYoungText(written: Date | undefined, now: Date): string {
  const after = new Date((written ?? now).getTime() + DAY_MS)
  const since = written
    ? ` The secret was last written ${relativeText(written, now)}, so the token in it is that young.`
    : ''
  return (
    `Instagram refreshes a token only once it is 24 hours old, and this one is younger: nothing was changed.${since} ` +
    `It can be refreshed ${written ? 'after' : 'by'} ${dateText(after)}${written ? '' : ' at the latest'}; the next scheduled run will do it.`
  )
}

/** Which token a destination's secret holds after the run. */
export type Holding = 'new' | 'old' | 'new or old'

export interface SecretOutcome {
  kind: Destination['kind']
  type: SecretType
  target: string
  environment?: string
  name: string
  status: SecretStatus
  error?: string
  fix?: string
  /** Dry run: what was proven about the destination. */
  proven?: string[]
  /** Organization secrets with visibility selected: repositories this write gave access. */
  addedRepositories?: string[]
  /** The step a failed write failed in: store, or confirm when only the read-back failed. */
  failedIn?: RotationStep
  /** The token this secret holds now, when it was part of the writes. */
  holds?: Holding
  /** A failed write that may have landed all the same (its outcome could not be settled). */
  unsettled?: boolean
}

export interface RotationResult {
  strategy: Settings['strategy']
  rotated: boolean
  revoked: boolean
  skipped: boolean
  /** Why the run changed nothing, when it skipped. */
  skipReason?: string
  dryRun: boolean
  tokenKind?: TokenKind
  /** Who the token is for, when known in words (an Instagram account). */
  account?: string
  scopes: string[]
  /** Expiry of the token that was in the secret before this run. */
  previousExpiresAt?: Date | null
  /** Expiry of the token in the secret now. */
  expiresAt?: Date | null
  /** User tokens: when Meta's data-access window closes. */
  dataAccessExpiresAt?: Date | null
  newToken?: string
  /** Every destination, in the order given. */
  destinations: Destination[]
  secrets: SecretOutcome[]
  /** What each revocation was, in words, for the summary. */
  revocations: string[]
  failure?: RotationError
  notes: string[]
  /** The deploy workflows' runs (a dry run: what was checked of each). */
  deployments?: Deployment[]
  /** When the run ended, on the runner's clock (for "in N days"). */
  finishedAt?: Date
}

export interface RotationServices {
  source: TokenSource
  store: SecretStore
  log: RotationLog
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  githubToken: string
  /** On github.com the hourly write limit applies. */
  githubDotCom: boolean
  /** Sentences for the summary, shared with the token source. */
  notes?: string[]
  /** deploy-workflows: dispatched once every destination holds the new token, before anything is revoked. */
  deploy?: DeployStep
}

interface SecretWrite {
  name: string
  value: string
  /** The secret named by secret-name (or a page secret): it receives a new token. */
  fresh: boolean
}

export async function rotate(settings: Settings, services: RotationServices): Promise<RotationResult> {
  const result: RotationResult = {
    strategy: settings.strategy,
    rotated: false,
    revoked: false,
    skipped: false,
    dryRun: settings.dryRun,
    scopes: [],
    destinations: [],
    secrets: [],
    revocations: [],
    notes: services.notes ?? []
  }
  try {
    await new Rotation(settings, services, result).run()
  } catch (error) {
    if (!(error instanceof RotationError)) throw error
    result.failure = error
  }
  result.finishedAt = services.clock.now()
  return result
}

class Rotation {
  private readonly log: RotationLog
  private readonly revocation: Revocation

  constructor(
    private readonly settings: Settings,
    private readonly services: RotationServices,
    private readonly result: RotationResult
  ) {
    this.log = services.log
    this.revocation = new Revocation(settings, services, result)
  }

  async run(): Promise<void> {
    const { settings, result, services } = this
    const current = await this.check()
    const previous = await services.source.checkPrevious(current)
    const notDue = services.source.notDue(current)
    if (notDue) return this.skip(notDue)

    const destinations = planDestinations(settings)
    result.destinations = destinations
    const deploys = settings.deploy.workflows.length
    checkWriteBudget(
      destinations,
      this.writesPerDestination(),
      settings.dryRun,
      services.githubDotCom,
      services.naming,
      deploys
    )
    const ready = await this.prepare(destinations)
    const deployments = (await services.deploy?.prepare(result, settings.dryRun)) ?? []
    if (settings.dryRun) {
      this.failIfAnyFailed(
        'prepare',
        'Dry run: some destinations did not pass their checks; nothing was minted, written or revoked.',
        'Then run the dry run again.'
      )
      this.log.info('Dry run: the token and every destination check out; nothing was minted, written or revoked.')
      return
    }
    if (ready.length === 0) {
      this.failIfAnyFailed(
        'prepare',
        'No destination can be written; nothing was minted, written or revoked.',
        'Then re-run.'
      )
    }

    let minted
    try {
      minted = await services.source.mint(current)
    } catch (error) {
      if (!(error instanceof TooYoungError)) throw error
      const young = await this.youngToken(ready)
      if (young || error.certain) return this.skip(young ?? tooYoungText(undefined, services.clock.now()))
      throw error.failure
    }
    const fresh = minted.token
    const freshToken = await this.verify(minted, current)
    const writes = await this.secretWrites(fresh, freshToken.info)

    await this.store(ready, writes)
    const main = result.secrets.filter((s) => s.name === settings.secretName.toUpperCase() && s.status !== 'checked')
    const storedSomewhere = main.some((s) => s.holds === 'new')
    result.rotated = storedSomewhere
    if (storedSomewhere) {
      result.newToken = fresh
      result.expiresAt = freshToken.info.expiresAt
      result.tokenKind = freshToken.info.kind
      result.scopes = freshToken.info.scopes
      result.dataAccessExpiresAt = freshToken.info.dataAccessExpiresAt
    }
    if (result.secrets.some((s) => s.status === 'failed')) {
      await this.afterFailedWrites(main, fresh, freshToken.info, current?.info, previous)
    }
    await services.deploy?.run(deployments, result, current?.info.expiresAt)
    await this.revocation.replaced(current?.info, previous, fresh)
  }

  private async check(): Promise<CheckedToken | undefined> {
    const current = await this.services.source.checkCurrent()
    if (current) {
      const { info } = current
      this.result.tokenKind = info.kind
      this.result.account = current.account
      this.result.scopes = info.scopes
      this.result.previousExpiresAt = info.expiresAt
      this.result.expiresAt = info.expiresAt
      this.result.dataAccessExpiresAt = info.dataAccessExpiresAt
    }
    return current
  }

  private skip(reason: string): void {
    this.result.skipped = true
    this.result.skipReason = reason
    this.log.info(reason)
  }

  /**
   * Instagram refreshes a token only once it is a day old. When the secret was written less than a day
   * ago (on GitHub's clock), the token in it is that young: the sentence that says until when.
   */
  private async youngToken(ready: Destination[]): Promise<string | undefined> {
    const first = ready[0]
    if (!first) return undefined
    const written = await this.services.store.lastWritten(first, this.settings.secretName).catch(() => undefined)
    const now = this.services.store.githubNow()
    if (written === undefined || now === undefined || now - written >= DAY_MS) return undefined
    return tooYoungText(new Date(written), new Date(now))
  }

  /** Secrets written in each destination: the main one, grace mode's previous slot, the pages'. */
  private writesPerDestination(): number {
    const { settings } = this
    const pages = settings.strategy === 'refresh' ? settings.pageSecrets.length : 0
    return 1 + (settings.previousSecretName ? 1 : 0) + pages
  }

  /**
   * Reads every destination's public key (and repository ids) before anything is minted. A dry run
   * also proves the token may write there, changing nothing.
   */
  private async prepare(destinations: Destination[]): Promise<Destination[]> {
    const { store } = this.services
    const { settings } = this
    const outcomes = await mapWithConcurrency(destinations, settings.maxConcurrency, async (destination) => {
      try {
        await store.publicKey(destination)
        for (const name of destination.selectedRepositories ?? [])
          await store.repositoryId(`${destination.target}/${name}`)
      } catch (error) {
        return { ...this.failure(destination, settings.secretName, error), failedIn: 'prepare' as const }
      }
      if (!settings.dryRun) return this.outcome(destination, settings.secretName, 'checked')
      try {
        await store.proveWriteAccess(destination)
      } catch (error) {
        return this.writeAccessFailure(destination, error)
      }
      return {
        ...this.outcome(destination, settings.secretName, 'checked'),
        proven: ['public key readable', 'write access']
      }
    })
    // Results keep the order the user listed the destinations in.
    this.result.secrets.push(...outcomes.filter((o) => o.status === 'failed' || settings.dryRun))
    this.suggestOrganizationSecret(destinations)
    return destinations.filter((_, index) => outcomes[index]?.status === 'checked')
  }

  /** Checks the new token; one that fails is stored nowhere, so a revocable one is revoked at once. */
  private async verify(minted: { token: string }, current: CheckedToken | undefined): Promise<CheckedToken> {
    const { source } = this.services
    let fresh: CheckedToken
    try {
      fresh = await source.inspectNew(minted)
    } catch (error) {
      await this.revocation.orphan(minted.token, undefined, source.mintsRevocable(current))
      throw error
    }
    try {
      source.judgeNew(fresh, current)
    } catch (error) {
      await this.revocation.orphan(minted.token, fresh.info)
      throw error
    }
    return fresh
  }

  /** What goes into each destination: the previous slot first, so both slots always hold a working token. */
  private async secretWrites(fresh: string, freshInfo: TokenInfo): Promise<SecretWrite[]> {
    const { settings } = this
    const writes: SecretWrite[] = []
    if (settings.previousSecretName) {
      const replaced = replacedTokenToKeep(settings, fresh)
      if (replaced) {
        writes.push({ name: settings.previousSecretName, value: replaced, fresh: false })
      } else {
        this.result.notes.push(`No replaced token to keep in ${settings.previousSecretName}: it was left as it was.`)
      }
    }
    writes.push({ name: settings.secretName, value: fresh, fresh: true })
    if (settings.strategy === 'refresh' && settings.pageSecrets.length > 0) {
      writes.push(...(await this.pageWrites(fresh, freshInfo)))
    }
    return writes.map((write) => ({ ...write, name: write.name.toUpperCase() }))
  }

  private async pageWrites(userToken: string, userInfo: TokenInfo): Promise<SecretWrite[]> {
    const { settings } = this
    if (settings.strategy !== 'refresh') return []
    const pages =
      (await this.services.source.pageTokens?.(
        userToken,
        settings.pageSecrets.map((p) => p.pageId)
      )) ?? []
    const found = new Map(pages.map((page) => [page.id, page.token]))
    const missing = settings.pageSecrets.filter((wanted) => !found.has(wanted.pageId))
    if (missing.length > 0) {
      throw unreachablePages(
        'mint',
        userInfo.userId,
        missing.map((m) => m.pageId),
        this.services.naming
      )
    }
    return settings.pageSecrets.map((wanted) => ({
      name: wanted.secretName,
      value: found.get(wanted.pageId) as string,
      fresh: true
    }))
  }

  private async store(destinations: Destination[], writes: SecretWrite[]): Promise<void> {
    const outcomes = await mapWithConcurrency(destinations, this.settings.maxConcurrency, async (destination) => {
      const done: SecretOutcome[] = []
      for (const write of writes) done.push(await this.writeAndConfirm(destination, write))
      return done
    })
    this.result.secrets.push(...outcomes.flat())
  }

  /**
   * One write and its read-back. A write GitHub answered 2xx may hold the new token whatever the
   * read-back says; a write with no answer or a 5xx is settled by reading the secret back.
   */
  private async writeAndConfirm(destination: Destination, write: SecretWrite): Promise<SecretOutcome> {
    const { store } = this.services
    const before: Holding = write.fresh ? 'old' : 'new or old'
    const mark = store.mark()
    let written: WriteAnswer
    try {
      written = await store.write(destination, write.name, write.value)
    } catch (thrown) {
      // Failed before the PUT was sent (its key or the secret's access could not be read): nothing landed.
      const notSent = thrown instanceof WriteNotSentError
      const error = notSent ? thrown.reason : thrown
      const status = readGitHubError(error).status
      // A refusal proves nothing landed only if no earlier attempt of the write may have.
      const refused = notSent || (status !== undefined && status < 500 && !mayHaveLanded(error))
      const landing = refused
        ? 'not-landed'
        : await store.settle(destination, write.name, mark, this.services.clock.now())
      if (landing === 'landed') {
        this.log.info(
          `${write.name}: the write to the ${describeDestination(destination)} got no clear answer, but reading it back shows it landed.`
        )
        return { ...this.outcome(destination, write.name, 'updated'), holds: write.fresh ? 'new' : undefined }
      }
      return {
        ...this.failure(destination, write.name, error),
        ...(landing === 'not-landed' ? {} : { unsettled: true }),
        ...(write.fresh ? { holds: landing === 'not-landed' ? before : 'new or old' } : {})
      }
    }
    const added = written.addedRepositories.length > 0 ? { addedRepositories: written.addedRepositories } : {}
    try {
      await store.confirm(destination, write.name, mark)
    } catch (error) {
      const why =
        error instanceof StaleSecretError
          ? `GitHub accepted the write to the ${describeDestination(destination)} but kept showing the secret as it was before`
          : `GitHub accepted the write to the ${describeDestination(destination)} but reading it back failed (${readGitHubError(error).said})`
      const message = this.services.keeper.redact(`${why}, so it may hold either token.`)
      this.log.warning(`${write.name}: ${message}`)
      return {
        ...this.outcome(destination, write.name, 'failed'),
        ...added,
        error: message,
        fix: 'Re-run: the next run reads the secret again and completes the rotation.',
        failedIn: 'confirm',
        ...(write.fresh ? { holds: 'new or old' as const } : {})
      }
    }
    this.log.info(`${write.name}: ${written.status} the ${describeDestination(destination)}.`)
    for (const repo of written.addedRepositories)
      this.log.info(`${write.name}: ${repo} can now use the organization secret too.`)
    if (written.visibility) this.keptVisibility(destination, write.name, written.visibility)
    return {
      ...this.outcome(destination, write.name, written.status),
      ...added,
      ...(write.fresh ? { holds: 'new' as const } : {})
    }
  }

  /** The organization secret kept a wider visibility than the one asked for: said in the log and the summary. */
  private keptVisibility(
    destination: Destination,
    name: string,
    { kept, requested }: NonNullable<WriteAnswer['visibility']>
  ): void {
    const note = `${name} in ${destination.target}: the organization secret's visibility stays '${kept}' (${this.services.naming.setting(Input.Visibility, requested)} would shut repositories out that can read it now, and a rotation never takes access away). Change the visibility in the organization's settings if that is meant.`
    this.log.warning(note)
    if (!this.result.notes.includes(note)) this.result.notes.push(note)
  }

  /** Some writes failed: nothing is revoked, and a new token that no destination can hold is revoked. */
  private async afterFailedWrites(
    main: SecretOutcome[],
    fresh: string,
    freshInfo: TokenInfo,
    current: TokenInfo | undefined,
    previous: TokenInfo | undefined
  ): Promise<void> {
    const { result, services } = this
    const now = services.clock.now()
    this.noteMovedOver(previous, now)
    const mayHold = main.some((s) => s.holds === 'new' || s.holds === 'new or old')
    if (main.some((s) => s.holds === 'new or old')) {
      result.notes.push(
        'A write whose outcome could not be settled may have stored the new token, so the new token was left alive.'
      )
    }
    if (!mayHold) await this.revocation.orphan(fresh, freshInfo)
    const oldStillWorks =
      current && current.expiresAt !== undefined
        ? ` The old token was not revoked and keeps working until ${expiryText(current.expiresAt, now)}.`
        : ' The old token was not revoked and keeps working.'
    const onlyConfirm = result.secrets.every((s) => s.status !== 'failed' || s.failedIn === 'confirm')
    this.failIfAnyFailed(
      onlyConfirm ? 'confirm' : 'store',
      `Not every destination holds the new token.${oldStillWorks}`,
      'Then re-run: the run that gets every destination written completes the rotation.'
    )
  }

  /**
   * Grace mode writes the previous slot first. Where it landed, the token from previous-token is no
   * longer kept; a failed run revokes nothing, and a re-run cannot know that token any more: said.
   */
  private noteMovedOver(previous: TokenInfo | undefined, now: Date): void {
    const { settings, result, services } = this
    if (!settings.previousSecretName || !settings.previousToken || !previous?.isValid) return
    const slot = settings.previousSecretName.toUpperCase()
    const written = (s: SecretOutcome) => s.status === 'created' || s.status === 'updated'
    // A write only the read-back failed, or one whose outcome is unknown, may have landed.
    const maybe = (s: SecretOutcome) => s.status === 'failed' && (s.failedIn === 'confirm' || s.unsettled === true)
    const moved = result.secrets.filter((s) => s.name === slot && (written(s) || maybe(s)))
    if (moved.length === 0) return
    const where = moved.map((s) => `${s.target}${s.environment ? ` (${s.environment})` : ''}`).join(', ')
    const holds = moved.every(written) ? 'now holds' : 'holds (or may hold)'
    const byHand =
      previous.kind === 'system-user'
        ? ': once no secret holds it, revoke it by hand (Business settings > Users > System users > Revoke tokens).'
        : '.'
    result.notes.push(
      `${slot} in ${where} ${holds} the replaced token, so the token from ${services.naming.name(Input.PreviousToken)} is no longer kept there. It was not revoked and stays valid until ${expiryText(previous.expiresAt, now)}${byHand}`
    )
  }

  private failure(destination: Destination, name: string, error: unknown): SecretOutcome {
    const explained =
      error instanceof UnclearWriteAnswerError
        ? {
            message: `${error.message}, for the ${describeDestination(destination)}.`,
            fix: `Re-run; if it persists, check what stands between ${this.services.naming.machine} and GitHub (a proxy).`
          }
        : explainGitHubFailure(error, destination, this.services.githubToken, this.services.naming)
    const message = this.services.keeper.redact(explained.message)
    this.log.warning(`${name}: ${message} Fix: ${explained.fix}`)
    return { ...this.outcome(destination, name, 'failed'), error: message, fix: explained.fix, failedIn: 'store' }
  }

  /** Dry run: a token that can read but not write a destination fails here, before any real run mints. */
  private writeAccessFailure(destination: Destination, error: unknown): SecretOutcome {
    const { status } = readGitHubError(error)
    if (status !== 403) return this.failure(destination, this.settings.secretName, error)
    const token = this.services.naming.name(Input.GithubToken)
    const message = this.services.keeper.redact(
      `${token} can read but not write the ${describeDestination(destination)} (GitHub answered 403 to a write check).`
    )
    const fix = `Give ${token} the ${permissionNeeded(destination)} on ${destination.target}.`
    this.log.warning(`${this.settings.secretName}: ${message} Fix: ${fix}`)
    return {
      ...this.outcome(destination, this.settings.secretName, 'failed'),
      error: message,
      fix,
      failedIn: 'prepare'
    }
  }

  private failIfAnyFailed(step: RotationStep, message: string, then: string): void {
    const failed = this.result.secrets.filter((s) => s.status === 'failed')
    if (failed.length === 0) return
    const counted = this.result.secrets.filter((s) => s.status !== 'checked' || this.settings.dryRun)
    const what = step === 'prepare' ? 'destination check' : 'secret write'
    const lines = failed.map(
      (s) => `${s.name} in ${s.target}${s.environment ? ` (${s.environment})` : ''}: ${s.error ?? ''}`
    )
    throw new RotationError(
      step,
      `${failed.length} of ${counted.length} ${what}${counted.length > 1 ? 's' : ''} failed. ${message}\n  - ${lines.join('\n  - ')}`,
      // Each fix once, and "re-run" once: the closing sentence says it for all of them.
      `${[...new Set(failed.map((s) => (s.fix ?? '').replace(/,? then re-run\.$/, '.')))].join(' ')} ${then}`
    )
  }

  private suggestOrganizationSecret(destinations: Destination[]): void {
    if (this.settings.organization) return
    const owners = new Map<string, number>()
    for (const d of destinations) {
      if (d.kind !== 'repository') continue
      const owner = d.target.split('/')[0] as string
      owners.set(owner, (owners.get(owner) ?? 0) + 1)
    }
    for (const [owner, count] of owners) {
      if (count >= 10) {
        this.result.notes.push(
          `${count} repositories of ${owner} get their own copy: an organization secret (organization: ${owner}, visibility: selected, selected-repositories) is one write instead of ${count}.`
        )
      }
    }
  }

  private outcome(destination: Destination, name: string, status: SecretStatus): SecretOutcome {
    return {
      kind: destination.kind,
      type: destination.secretType,
      target: destination.target,
      ...(destination.environment ? { environment: destination.environment } : {}),
      name: name.toUpperCase(),
      status
    }
  }
}
