// The rotation protocol, read top to bottom: check → plan → prepare → mint → verify → store and
// confirm → deploy → revoke. Each step lives in its own module and returns what it found; this file
// records it. It takes its collaborators as parameters, so the action, the CLI, the demo and the tests
// run the same code.
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import type { DeployRecord, DeployStep, PreparedWorkflow } from '../deploy/deploy.js'
import type { Destination } from '../github/destinations.js'
import { isGitHubDotCom } from '../github/github-client.js'
import type { SecretStore } from '../github/secret-store.js'
import { checkWriteBudget } from '../github/write-budget.js'
import type { MintedToken, TokenInfo } from '../graph/meta-tokens.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import type { Settings } from '../settings.js'
import type { CheckedToken, TokenSource } from '../strategies/token-source.js'
import { occupiedGraceSlots, warnOverwrite } from './grace-slots.js'
import { Notes } from './notes.js'
import {
  anyFailed,
  failedWritesStep,
  failureOf,
  mainWrites,
  mayHoldNew,
  movedOverNote,
  oldTokenStillWorks,
  organizationSecretSuggestions,
  storedSomewhere,
  unsettledNote,
  type FailedOutcomes
} from './outcomes.js'
import { nothingFound, tokenFacts, type RotationResult, type SecretOutcome } from './result.js'
import { lostRace } from './lost-race.js'
import { ReplacedAlreadyRevoked, Revocation, type OrphanFacts } from './revocation.js'
import { whyNotSkip } from './stale-destinations.js'
import { secretWrites, SecretWrites, writeCount, type PlannedWrites } from './secret-writes.js'

export type { Holding, RotationResult, SecretOutcome, SecretStatus } from './result.js'

export interface RotationServices {
  source: TokenSource
  store: SecretStore
  log: RotationLog
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  /** deploy-workflows: dispatched once every destination holds the new token, before anything is revoked. */
  deploy?: DeployStep
}

/** The new token, once checked: what is written and what is known of it. */
interface NewToken {
  token: string
  info: TokenInfo
}

export async function rotate(settings: Settings, services: RotationServices): Promise<RotationResult> {
  const rotation = new Rotation(settings, services, new Notes())
  let failure: RotationError | undefined
  try {
    await rotation.run()
  } catch (error) {
    if (!(error instanceof RotationError)) throw error
    failure = error
  }
  return rotation.result(failure, services.clock.now())
}

/** What the steps found so far; the result is made of it once the run ends. */
type Found = Omit<RotationResult, 'notes' | 'deployments' | 'failure' | 'finishedAt'>

class Rotation {
  private readonly found: Found
  private readonly deployed: DeployRecord = {}
  private readonly writer: SecretWrites
  private readonly revocation: Revocation

  constructor(
    private readonly settings: Settings,
    private readonly services: RotationServices,
    private readonly notes: Notes
  ) {
    this.found = nothingFound(settings)
    this.writer = new SecretWrites({
      ...services,
      notes,
      githubToken: settings.githubToken,
      maxConcurrency: settings.maxConcurrency,
      dryRun: settings.dryRun
    })
    this.revocation = new Revocation(settings, { ...services, notes })
  }

  async run(): Promise<void> {
    const { settings, services } = this
    const current = await this.check()
    const previous = await services.source.checkPrevious(current)
    const notDue = services.source.notDue(current)
    if (notDue && (await this.skipStands(current))) return this.skip(notDue)

    const destinations = this.plan()
    const ready = await this.prepare(destinations)
    const occupied = await occupiedGraceSlots(ready, settings, services.store)
    const deploys = (await services.deploy?.prepare(this.deployed, settings.dryRun)) ?? []
    if (settings.dryRun) warnOverwrite(occupied, { ...services, notes: this.notes }, true)
    if (settings.dryRun) return this.passDryRun()
    if (ready.length === 0) {
      this.failIfAnyFailed({
        step: 'prepare',
        message: 'No destination can be written; nothing was minted, written or revoked.',
        closing: 'Then re-run.'
      })
    }

    const minted = await services.source.mint({ current, secretAge: () => this.writer.secretAge(ready) })
    if ('skip' in minted) return this.skip(minted.skip)
    const fresh = await this.verify(minted, current)
    const extra = () => services.source.extraSecrets(fresh.token, fresh.info)
    const writes = await secretWrites({ settings, fresh: fresh.token, extra, notes: this.notes })
    if (writes.replaced) warnOverwrite(occupied, { ...services, notes: this.notes }, false)
    const main = await this.store(ready, writes, fresh)
    if (anyFailed(this.found.secrets)) await this.afterFailedWrites(main, fresh, current?.info, previous)
    await this.deploy(deploys, current)
    await this.revokeReplaced(current?.info, previous, fresh, ready, main)
  }

  result(failure: RotationError | undefined, now: Date): RotationResult {
    const apiVersion = this.services.source.apiVersion?.()
    return {
      ...this.found,
      ...(apiVersion ? { apiVersion } : {}),
      ...(failure ? { failure } : {}),
      notes: this.notes.list(),
      ...(this.deployed.deployments ? { deployments: this.deployed.deployments } : {}),
      finishedAt: now
    }
  }

  private async check(): Promise<CheckedToken | undefined> {
    const current = await this.services.source.checkCurrent()
    if (current) {
      Object.assign(this.found, tokenFacts(current.info), {
        account: current.account,
        previousExpiresAt: current.info.expiresAt
      })
      this.notes.add(current.note)
    }
    return current
  }

  /** Whether the skip stands once the destinations are judged too; when not, the note says why. */
  private async skipStands(current: CheckedToken | undefined): Promise<boolean> {
    const { settings, services } = this
    if (!current) return true
    const { store, clock } = services
    const why = await whyNotSkip(settings.destinations, current.info, {
      store,
      now: clock.now(),
      maxConcurrency: settings.maxConcurrency
    })
    this.notes.add(why)
    if (why) services.log.warning(why)
    return !why
  }

  private skip(reason: string): void {
    this.found.skipped = true
    this.found.skipReason = reason
    this.services.log.info(reason)
  }

  /** The destinations, in the order given, once they fit in GitHub's write limit. */
  private plan(): Destination[] {
    const { settings, services } = this
    const { destinations } = settings
    this.found.destinations = destinations
    checkWriteBudget({
      destinations,
      writesIn: (destination) => writeCount(destination, services.source.extraSecretCount()),
      dryRun: settings.dryRun,
      githubDotCom: isGitHubDotCom(settings.githubApiUrl),
      naming: services.naming,
      deploys: settings.deploy.workflows.length
    })
    return destinations
  }

  private async prepare(destinations: Destination[]): Promise<Destination[]> {
    const { outcomes, ready } = await this.writer.prepare(destinations)
    this.found.secrets.push(...outcomes)
    for (const note of organizationSecretSuggestions(destinations)) this.notes.add(note)
    return ready
  }

  private passDryRun(): void {
    this.failIfAnyFailed({
      step: 'prepare',
      message: 'Dry run: some destinations did not pass their checks; nothing was minted, written or revoked.',
      closing: 'Then run the dry run again.'
    })
    this.services.log.info(
      'Dry run: the token and every destination check out; nothing was minted, written or revoked.'
    )
  }

  /** Checks the new token; one that fails is stored nowhere, so a revocable one is revoked at once. */
  private async verify(minted: MintedToken, current: CheckedToken | undefined): Promise<NewToken> {
    const { source } = this.services
    let fresh: CheckedToken
    try {
      fresh = await source.inspectNew(minted)
    } catch (error) {
      await this.revokeOrphan(minted.token, { revocable: source.mintsRevocable(current) })
      throw error
    }
    try {
      this.notes.add(source.judgeNew(fresh, current))
    } catch (error) {
      await this.revokeOrphan(minted.token, { info: fresh.info })
      throw error
    }
    return { token: minted.token, info: fresh.info }
  }

  /** Writes and reads back every secret; the new token's facts become the result's once it is stored somewhere. */
  private async store(ready: Destination[], writes: PlannedWrites, fresh: NewToken): Promise<SecretOutcome[]> {
    const { found } = this
    found.secrets.push(...(await this.writer.store(ready, writes)))
    const main = mainWrites(found.secrets, ready)
    found.rotated = storedSomewhere(main)
    if (found.rotated) Object.assign(found, tokenFacts(fresh.info), { newToken: fresh.token })
    return main
  }

  /** Some writes failed: nothing is revoked, and a new token that no destination can hold is revoked. */
  private async afterFailedWrites(
    main: SecretOutcome[],
    fresh: NewToken,
    current: TokenInfo | undefined,
    previous: TokenInfo | undefined
  ): Promise<void> {
    const { settings, services, found } = this
    const now = services.clock.now()
    this.notes.add(
      movedOverNote({
        secrets: found.secrets,
        destinations: settings.destinations,
        previousTokenGiven: Boolean(settings.previousToken),
        previous,
        now,
        naming: services.naming
      })
    )
    this.notes.add(unsettledNote(main))
    if (!mayHoldNew(main)) await this.revokeOrphan(fresh.token, { info: fresh.info })
    this.failIfAnyFailed({
      step: failedWritesStep(found.secrets),
      message: `Not every destination holds the new token. ${oldTokenStillWorks(current, now)}`,
      closing: 'Then re-run: the run that gets every destination written completes the rotation.'
    })
  }

  private async deploy(prepared: PreparedWorkflow[], current: CheckedToken | undefined): Promise<void> {
    await this.services.deploy?.run(prepared, this.deployed, current?.info.expiresAt)
  }

  private async revokeReplaced(
    current: TokenInfo | undefined,
    previous: TokenInfo | undefined,
    fresh: NewToken,
    ready: Destination[],
    main: SecretOutcome[]
  ): Promise<void> {
    const revoked = await this.revocation.replaced(current, previous, fresh.token).catch((error: unknown) => {
      if (!(error instanceof ReplacedAlreadyRevoked)) throw error
      const { writer, services } = this
      const revokeNew = async () => Boolean(await this.revokeOrphan(fresh.token, { info: fresh.info }, fresh.token))
      return lostRace({ label: error.label, ready, main, writer, naming: services.naming, revokeNew })
    })
    if (!revoked) return
    this.found.revoked = true
    this.found.revocations.push(revoked)
  }

  private async revokeOrphan(token: string, facts: OrphanFacts, caller?: string): Promise<string | undefined> {
    const revoked = await this.revocation.orphan(token, facts, caller)
    if (revoked) this.found.revocations.push(revoked)
    return revoked
  }

  private failIfAnyFailed(failure: Omit<FailedOutcomes, 'secrets' | 'dryRun'>): void {
    const error = failureOf({ ...failure, secrets: this.found.secrets, dryRun: this.settings.dryRun })
    if (error) throw error
  }
}
