// Each destination's part of the rotation: before minting, its key (and in a dry run its write access)
// is read; then every secret is written, read back, and a write without a clear answer is settled.
// What each destination ends up holding is its outcome.
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { mapWithConcurrency } from '../concurrency.js'
import { Input } from '../contract.js'
import {
  describeDestination,
  graceSlots,
  keyScope,
  selectedFullNames,
  type Destination
} from '../github/destinations.js'
import { mayHaveLanded, readGitHubError } from '../github/github-error.js'
import { gitHubFailure, permissionNeeded } from '../github/github-fixes.js'
import {
  StaleSecretError,
  UnclearWriteAnswerError,
  WriteNotSentError,
  type SecretStore,
  type WriteAnswer,
  type WriteMark
} from '../github/secret-store.js'
import type { InputNaming } from '../input-naming.js'
import { fixText, type Fix } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import type { Settings } from '../settings.js'
import type { ExtraSecret, SecretAge } from '../strategies/token-source.js'
import { replacedTokenToKeep } from './revocation.js'
import type { Notes } from './notes.js'
import { secretPlace } from './outcomes.js'
import type { FailedSecret, Holding, SecretOutcome } from './result.js'

/** One secret to write in a destination. */
export interface SecretWrite {
  name: string
  value: string
  /** The destination's own secret (or a page secret): it receives a new token. */
  fresh: boolean
}

export interface WritesWanted {
  settings: Settings
  /** The new token. */
  fresh: string
  /** The token source's own secrets (the pages'). */
  extra: () => Promise<ExtraSecret[]>
  notes: Notes
}

/** The values a run writes; which of them go into a destination is writesIn()'s to say. */
export interface PlannedWrites {
  fresh: string
  /** The replaced token, for grace mode's slots; undefined when there is none to keep. */
  replaced?: string
  pages: ExtraSecret[]
}

export async function secretWrites({ settings, fresh, extra, notes }: WritesWanted): Promise<PlannedWrites> {
  const replaced = replacedTokenToKeep(settings, fresh)
  if (!replaced) {
    for (const slot of graceSlots(settings.destinations))
      notes.add(`No replaced token to keep in ${slot}: it was left as it was.`)
  }
  return { fresh, ...(replaced ? { replaced } : {}), pages: await extra() }
}

/** What goes into one destination: the previous slot first, so both slots always hold a working token. */
export function writesIn(destination: Destination, planned: PlannedWrites): SecretWrite[] {
  const writes: SecretWrite[] = []
  if (destination.previousSecretName && planned.replaced)
    writes.push({ name: destination.previousSecretName, value: planned.replaced, fresh: false })
  writes.push({ name: destination.secretName, value: planned.fresh, fresh: true })
  if (destination.pages) writes.push(...planned.pages.map((secret) => ({ ...secret, fresh: true })))
  return writes.map((write) => ({ ...write, name: write.name.toUpperCase() }))
}

/** How many writes a destination takes (for the write budget): its secret, grace mode's slot, the pages'. */
export function writeCount(destination: Destination, pageCount: number): number {
  return 1 + (destination.previousSecretName ? 1 : 0) + (destination.pages ? pageCount : 0)
}

export interface SecretWriteServices {
  store: SecretStore
  log: RotationLog
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  notes: Notes
  /** github-token, whose kind some fixes depend on. */
  githubToken: string
  maxConcurrency: number
  dryRun: boolean
}

/** What the checks before minting found: the outcomes to report, and the destinations that can be written. */
export interface Prepared {
  outcomes: SecretOutcome[]
  ready: Destination[]
}

export class SecretWrites {
  /** When each confirmed write was last seen landed, on GitHub's clock: a later write is another run's. */
  private readonly confirmedAt = new Map<string, number>()

  constructor(private readonly services: SecretWriteServices) {}

  /** Whether another writer has written this secret since this run confirmed its own write. */
  async overwrittenSince(destination: Destination, name: string): Promise<boolean | undefined> {
    const confirmed = this.confirmedAt.get(slotKey(destination, name))
    const written = await this.services.store.lastWritten(destination, name).catch(() => undefined)
    if (confirmed === undefined || written === undefined) return undefined
    return written > confirmed
  }

  /**
   * Reads every destination's public key (and repository ids) before anything is minted. A dry run
   * also proves the token may write there, changing nothing.
   */
  async prepare(destinations: Destination[]): Promise<Prepared> {
    const { store, dryRun, maxConcurrency } = this.services
    const outcomes = await mapWithConcurrency(destinations, maxConcurrency, async (destination) => {
      const checked = { ...secretPlace(destination, destination.secretName), status: 'checked' as const }
      try {
        await store.publicKey(destination)
        for (const fullName of selectedFullNames(destination)) await store.repositoryId(fullName)
      } catch (error) {
        return { ...this.failure(destination, destination.secretName, error), failedIn: 'prepare' as const }
      }
      if (!dryRun) return checked
      try {
        await store.proveWriteAccess(destination)
      } catch (error) {
        return this.writeAccessFailure(destination, error)
      }
      return { ...checked, proven: ['public key readable', 'write access'] }
    })
    return {
      // Results keep the order the user listed the destinations in.
      outcomes: outcomes.filter((o) => o.status === 'failed' || dryRun),
      ready: destinations.filter((_, index) => outcomes[index]?.status === 'checked')
    }
  }

  /** Every secret into every destination, each read back: the outcome of each write, in order. */
  async store(destinations: Destination[], writes: PlannedWrites): Promise<SecretOutcome[]> {
    const outcomes = await mapWithConcurrency(destinations, this.services.maxConcurrency, async (destination) => {
      const done: SecretOutcome[] = []
      for (const write of writesIn(destination, writes)) done.push(await this.writeAndConfirm(destination, write))
      return done
    })
    return outcomes.flat()
  }

  /** When the first destination's secret was last written, on GitHub's clock (Instagram's too-young check). */
  async secretAge(destinations: Destination[]): Promise<SecretAge | undefined> {
    const { store } = this.services
    const first = destinations[0]
    if (!first) return undefined
    const written = await store.lastWritten(first, first.secretName).catch(() => undefined)
    const now = store.githubNow()
    if (written === undefined || now === undefined) return undefined
    return { written: new Date(written), now: new Date(now) }
  }

  /**
   * One write and its read-back. A write GitHub answered 2xx may hold the new token whatever the
   * read-back says; a write with no answer or a 5xx is settled by reading the secret back.
   */
  private async writeAndConfirm(destination: Destination, write: SecretWrite): Promise<SecretOutcome> {
    const { store } = this.services
    const mark = store.mark()
    let written: WriteAnswer
    try {
      written = await store.write(destination, write.name, write.value)
    } catch (thrown) {
      return this.unanswered(destination, write, mark, thrown)
    }
    const added = written.addedRepositories.length > 0 ? { addedRepositories: written.addedRepositories } : {}
    try {
      await store.confirm(destination, write.name, mark)
    } catch (error) {
      return { ...this.unconfirmed(destination, write, error), ...added }
    }
    const seen = store.githubNow()
    if (seen !== undefined) this.confirmedAt.set(slotKey(destination, write.name), seen)
    this.services.log.info(`${write.name}: ${written.status} the ${describeDestination(destination)}.`)
    for (const repo of written.addedRepositories)
      this.services.log.info(`${write.name}: ${repo} can now use the organization secret too.`)
    if (written.visibility) this.keptVisibility(destination, write.name, written.visibility)
    return {
      ...secretPlace(destination, write.name),
      status: written.status,
      ...added,
      ...(write.fresh ? { holds: 'new' as const } : {})
    }
  }

  /** A write that threw: refused (nothing landed), or without a clear answer (settled by reading it back). */
  private async unanswered(
    destination: Destination,
    write: SecretWrite,
    mark: WriteMark,
    thrown: unknown
  ): Promise<SecretOutcome> {
    const { store, clock, log } = this.services
    const before: Holding = write.fresh ? 'old' : 'new or old'
    // Failed before the PUT was sent (its key or the secret's access could not be read): nothing landed.
    const notSent = thrown instanceof WriteNotSentError
    const error = notSent ? thrown.reason : thrown
    const status = readGitHubError(error).status
    // A refusal proves nothing landed only if no earlier attempt of the write may have.
    const refused = notSent || (status !== undefined && status < 500 && !mayHaveLanded(error))
    const landing = refused ? 'not-landed' : await store.settle(destination, write.name, mark, clock.now())
    if (landing === 'landed') {
      log.info(
        `${write.name}: the write to the ${describeDestination(destination)} got no clear answer, but reading it back shows it landed.`
      )
      return { ...secretPlace(destination, write.name), status: 'updated', ...(write.fresh ? { holds: 'new' } : {}) }
    }
    return {
      ...this.failure(destination, write.name, error),
      ...(landing === 'not-landed' ? {} : { unsettled: true }),
      ...(write.fresh ? { holds: landing === 'not-landed' ? before : 'new or old' } : {})
    }
  }

  /** GitHub accepted the write but the read-back failed or kept showing the secret as before. */
  private unconfirmed(destination: Destination, write: SecretWrite, error: unknown): FailedSecret {
    const why =
      error instanceof StaleSecretError
        ? `GitHub accepted the write to the ${describeDestination(destination)} but kept showing the secret as it was before`
        : `GitHub accepted the write to the ${describeDestination(destination)} but reading it back failed (${readGitHubError(error).said})`
    const message = this.services.keeper.redact(`${why}, so it may hold either token.`)
    this.services.log.warning(`${write.name}: ${message}`)
    return {
      ...secretPlace(destination, write.name),
      status: 'failed',
      error: message,
      fix: { action: 'Re-run: the next run reads the secret again and completes the rotation.' },
      failedIn: 'confirm',
      ...(write.fresh ? { holds: 'new or old' as const } : {})
    }
  }

  /** The organization secret kept a wider visibility than the one asked for: said in the log and the summary. */
  private keptVisibility(
    destination: Destination,
    name: string,
    { kept, requested }: NonNullable<WriteAnswer['visibility']>
  ): void {
    const note = `${name} in ${destination.target}: the organization secret's visibility stays '${kept}' (${this.services.naming.setting(Input.Visibility, requested)} would shut repositories out that can read it now, and a rotation never takes access away). Change the visibility in the organization's settings if that is meant.`
    this.services.log.warning(note)
    this.services.notes.addOnce(note)
  }

  private failure(destination: Destination, name: string, error: unknown): FailedSecret {
    const { naming, keeper, githubToken } = this.services
    const explained =
      error instanceof UnclearWriteAnswerError
        ? {
            message: `${error.message}, for the ${describeDestination(destination)}.`,
            fix: {
              action: `Re-run; if it persists, check what stands between ${naming.machine} and GitHub (a proxy).`
            }
          }
        : gitHubFailure(error, destination, githubToken, naming)
    return this.failed(destination, name, { message: keeper.redact(explained.message), fix: explained.fix }, 'store')
  }

  /** Dry run: a token that can read but not write a destination fails here, before any real run mints. */
  private writeAccessFailure(destination: Destination, error: unknown): FailedSecret {
    const { naming, keeper } = this.services
    const { secretName } = destination
    const { status } = readGitHubError(error)
    if (status !== 403) return this.failure(destination, secretName, error)
    const token = naming.name(Input.GithubToken)
    const message = keeper.redact(
      `${token} can read but not write the ${describeDestination(destination)} (GitHub answered 403 to a write check).`
    )
    const fix = { action: `Give ${token} the ${permissionNeeded(destination)} on ${destination.target}.` }
    return this.failed(destination, secretName, { message, fix }, 'prepare')
  }

  private failed(
    destination: Destination,
    name: string,
    { message, fix }: { message: string; fix: Fix },
    failedIn: FailedSecret['failedIn']
  ): FailedSecret {
    this.services.log.warning(`${name}: ${message} Fix: ${fixText(fix)}`)
    return { ...secretPlace(destination, name), status: 'failed', error: message, fix, failedIn }
  }
}

/** One secret of one destination, as the key of what this run confirmed. */
function slotKey(destination: Destination, name: string): string {
  return `${keyScope(destination)} ${name}`
}
