// The rotation protocol, read top to bottom: check → plan → prepare → mint → verify → store and
// confirm → deploy → revoke. Each step lives in its own module and returns what it found; this file
// records it. It takes its collaborators as parameters, so the action, the CLI, the demo and the tests
// run the same code.
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import type { DeployRecord, DeployStep } from '../deploy/deploy.js'
import type { Destination } from '../github/destinations.js'
import type { SecretStore } from '../github/secret-store.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import type { Settings } from '../settings.js'
import type { CheckedToken, TokenSource } from '../strategies/token-source.js'
import { expiryText } from '../token-checks.js'
import { extraSecrets } from './extra-secrets.js'
import { failAfterWrites } from './failed-writes.js'
import { occupiedGraceSlots, warnOverwrite, type OccupiedSlot } from './grace-slots.js'
import { revokeOrLoseRace } from './lost-race.js'
import { Notes } from './notes.js'
import { anyFailed, failedChecks, mainWrites, organizationSecretSuggestions, storedSomewhere } from './outcomes.js'
import { plan } from './plan.js'
import { nothingFound, tokenFacts, type Findings, type RotationResult, type SecretOutcome } from './result.js'
import { resumedToken, type Resume } from './resume.js'
import { Revocation, type OrphanFacts } from './revocation.js'
import { secretWrites, SecretWrites, type PlannedWrites } from './secret-writes.js'
import { skipStands } from './stale-destinations.js'
import { verifyNew, type NewToken } from './verify.js'

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
  /** The lease's journal: this run completes an earlier run's rotation instead of minting. */
  resume?: Resume
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

class Rotation {
  private readonly found: Findings
  private readonly deployed: DeployRecord = {}
  private readonly writer: SecretWrites
  private readonly revocation: Revocation
  private readonly steps: RotationServices & { notes: Notes }

  constructor(
    private readonly settings: Settings,
    services: RotationServices,
    private readonly notes: Notes
  ) {
    const { dryRun, githubToken, maxConcurrency } = settings
    this.found = nothingFound(settings)
    this.steps = { ...services, notes }
    this.writer = new SecretWrites({ ...this.steps, githubToken, maxConcurrency, dryRun })
    this.revocation = new Revocation(settings, this.steps)
  }

  async run(): Promise<void> {
    const { settings, steps } = this
    const current = await this.check()
    const previous = await steps.source.checkPrevious(current)
    const notDue = steps.source.notDue(current)
    if (notDue && !steps.resume && (await skipStands(current, { settings, services: steps }))) return this.skip(notDue)

    const ready = await this.prepare(plan(settings, steps))
    const occupied = await occupiedGraceSlots(ready, settings, steps.store)
    const deploys = (await steps.deploy?.prepare(this.deployed, settings.dryRun)) ?? []
    if (settings.dryRun) return this.passDryRun(occupied)
    if (ready.length === 0) this.failIf(failedChecks(this.found.secrets, false))

    const fresh = await this.newToken(current, ready)
    if ('skip' in fresh) return this.skip(fresh.skip)
    const extra = () => extraSecrets(fresh, { ...steps, revokeOrphan: this.revokeOrphan })
    const writes = await secretWrites({ settings, fresh: fresh.token, extra, notes: steps.notes })
    if (writes.replaced) warnOverwrite(occupied, steps, false)
    const main = await this.store(ready, writes, fresh)
    if (anyFailed(this.found.secrets)) await this.failAfterWrites(main, fresh, current, previous)
    await steps.deploy?.run(deploys, this.deployed, current?.info.expiresAt)
    if (!steps.resume) await this.revokeReplaced(current, previous, fresh, { ready, main })
  }

  result(failure: RotationError | undefined, now: Date): RotationResult {
    const apiVersion = this.steps.source.apiVersion?.()
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
    const current = await this.steps.source.checkCurrent()
    if (current) {
      Object.assign(this.found, tokenFacts(current.info), {
        account: current.account,
        previousExpiresAt: current.info.expiresAt
      })
      this.notes.add(current.note)
    }
    return current
  }

  private skip(reason: string): void {
    this.found.skipped = true
    this.found.skipReason = reason
    this.steps.log.info(reason)
  }

  private async prepare(destinations: Destination[]): Promise<Destination[]> {
    this.found.destinations = destinations
    const { outcomes, ready } = await this.writer.prepare(destinations)
    this.found.secrets.push(...outcomes)
    for (const note of organizationSecretSuggestions(destinations)) this.notes.add(note)
    return ready
  }

  private passDryRun(occupied: OccupiedSlot[]): void {
    warnOverwrite(occupied, this.steps, true)
    this.failIf(failedChecks(this.found.secrets, true))
    this.steps.log.info('Dry run: the token and every destination check out; nothing was minted, written or revoked.')
  }

  /** Mints and verifies the new token; a resumed rotation's is the token it was given, minted by the run it completes. */
  private async newToken(
    current: CheckedToken | undefined,
    ready: Destination[]
  ): Promise<NewToken | { skip: string }> {
    const { settings, steps } = this
    if (steps.resume && current && settings.token) return resumedToken(settings.token, current, steps.resume, steps)
    const minted = await steps.source.mint({ current, secretAge: () => this.writer.secretAge(ready) })
    if ('skip' in minted) return minted
    return verifyNew(minted, current, { ...steps, revokeOrphan: this.revokeOrphan })
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

  private async failAfterWrites(
    main: SecretOutcome[],
    fresh: NewToken,
    current: CheckedToken | undefined,
    previous: CheckedToken['info'] | undefined
  ): Promise<void> {
    const services = { ...this.steps, revokeOrphan: this.revokeOrphan }
    const { settings, found } = this
    await failAfterWrites({ settings, services, secrets: found.secrets, main, fresh, current: current?.info, previous })
  }

  /** The last step: the replaced token, once every destination holds the new one and every deploy ran on it. */
  private async revokeReplaced(
    current: CheckedToken | undefined,
    previous: CheckedToken['info'] | undefined,
    fresh: NewToken,
    { ready, main }: { ready: Destination[]; main: SecretOutcome[] }
  ): Promise<void> {
    const revokeNew = async () => Boolean(await this.revokeOrphan(fresh.token, { info: fresh.info }, fresh.token))
    const revoked = await revokeOrLoseRace(() => this.revocation.replaced(current?.info, previous, fresh.token), {
      ready,
      main,
      writer: this.writer,
      naming: this.steps.naming,
      revokeNew,
      newExpiry: expiryText(fresh.info.expiresAt, this.steps.clock.now())
    })
    if (!revoked) return
    this.found.revoked = true
    this.found.revocations.push(revoked)
  }

  private readonly revokeOrphan = async (token: string, facts: OrphanFacts, caller?: string) => {
    const revoked = await this.revocation.orphan(token, facts, caller)
    if (revoked) this.found.revocations.push(revoked)
    return revoked
  }

  private failIf(error: RotationError | undefined): void {
    if (error) throw error
  }
}
