// The rotation protocol, read top to bottom: check → prepare → mint → verify → store and confirm → revoke.
// It takes its collaborators as parameters, so the action, the demo and the tests run the same code.
import { mapWithConcurrency } from './concurrency.js'
import { describeDestination, planDestinations, type Destination } from './github/destinations.js'
import { explainGitHubFailure } from './github/github-fixes.js'
import { StaleSecretError, type SecretStore, type WriteStatus } from './github/secret-store.js'
import { graphFailure } from './graph/graph-fixes.js'
import type { MetaTokens, TokenInfo, TokenKind } from './graph/meta-tokens.js'
import { errorMessage, RotationError, type RotationStep } from './rotation-error.js'
import type { RotationLog } from './rotation-log.js'
import type { SecretRedactor } from './secret-redactor.js'
import type { SecretType, Settings } from './settings.js'
import { checkCurrentToken, checkNewToken, expiryText, rotationCanWait } from './token-checks.js'

export type SecretStatus = 'created' | 'updated' | 'checked' | 'failed'

export interface SecretOutcome {
  kind: Destination['kind']
  type: SecretType
  target: string
  environment?: string
  name: string
  status: SecretStatus
  error?: string
  fix?: string
  /** A failed write that may have landed all the same (no answer, a 5xx, an unconfirmed read-back). */
  mayHoldNewToken?: boolean
}

export interface RotationResult {
  rotated: boolean
  revoked: boolean
  skipped: boolean
  dryRun: boolean
  tokenKind?: TokenKind
  scopes: string[]
  /** Expiry of the token that was in the secret before this run. */
  previousExpiresAt?: Date | null
  /** Expiry of the token in the secret now. */
  expiresAt?: Date | null
  newToken?: string
  secrets: SecretOutcome[]
  /** What each revocation was, in words, for the summary. */
  revocations: string[]
  failure?: RotationError
  notes: string[]
}

export interface RotationServices {
  tokens: MetaTokens
  store: SecretStore
  log: RotationLog
  redactor: SecretRedactor
  githubToken: string
  now?: () => Date
}

interface SecretWrite {
  name: string
  value: string
}

export async function rotate(settings: Settings, services: RotationServices): Promise<RotationResult> {
  const result: RotationResult = {
    rotated: false,
    revoked: false,
    skipped: false,
    dryRun: settings.dryRun,
    scopes: [],
    secrets: [],
    revocations: [],
    notes: []
  }
  try {
    await new Rotation(settings, services, result).run()
  } catch (error) {
    if (!(error instanceof RotationError)) throw error
    result.failure = error
  }
  return result
}

class Rotation {
  private readonly log: RotationLog
  private readonly now: () => Date

  constructor(
    private readonly settings: Settings,
    private readonly services: RotationServices,
    private readonly result: RotationResult
  ) {
    this.log = services.log
    this.now = services.now ?? (() => new Date())
  }

  async run(): Promise<void> {
    const { settings, result, log } = this
    const current = await this.checkCurrent()
    const previous = await this.checkPrevious()
    if (
      current &&
      settings.strategy === 'refresh' &&
      rotationCanWait(current, settings.rotateBeforeSeconds, this.now())
    ) {
      result.skipped = true
      log.info(
        `The current token expires ${expiryText(current.expiresAt)}, further away than rotate-before: nothing to do.`
      )
      return
    }

    const destinations = planDestinations(settings)
    const ready = await this.prepare(destinations)
    if (settings.dryRun) {
      this.failIfAnyFailed(
        'prepare',
        'Dry run: some destinations are not ready; nothing was minted, written or revoked.'
      )
      log.info('Dry run: the token and every destination check out; nothing was minted, written or revoked.')
      return
    }
    if (ready.length === 0) {
      this.failIfAnyFailed('prepare', 'No destination can be written; nothing was minted, written or revoked.')
    }

    const fresh = await this.mint(current)
    const sameString = fresh === settings.token
    const freshInfo = await this.verify(fresh, current, sameString)
    const writes = await this.secretWrites(fresh, freshInfo)

    await this.store(ready, writes)
    const main = result.secrets.filter((s) => s.name === settings.secretName.toUpperCase())
    const storedSomewhere = main.some((s) => isWritten(s.status))
    result.rotated = storedSomewhere
    if (storedSomewhere) {
      result.newToken = fresh
      result.expiresAt = freshInfo.expiresAt
      result.tokenKind = freshInfo.kind
      result.scopes = freshInfo.scopes
    }
    if (result.secrets.some((s) => s.status === 'failed')) {
      if (main.some((s) => s.mayHoldNewToken)) {
        result.notes.push('A write whose outcome is unknown may have stored the new token, so it was left alive.')
      } else if (!storedSomewhere) {
        await this.revokeOrphan(fresh, freshInfo.kind === 'system-user' && freshInfo.isValid, sameString)
      }
      this.failIfAnyFailed(
        'store',
        `Not every destination holds the new token, so nothing was revoked: the old token still works${current ? ` until ${expiryText(current.expiresAt)}` : ''}.`
      )
    }
    await this.revokeReplaced(current, previous, fresh)
  }

  private async checkCurrent(): Promise<TokenInfo | undefined> {
    const { settings, result } = this
    if (!settings.token) return undefined
    const current = await this.graph('check', 'Checking the current token (debug_token)', () =>
      this.services.tokens.inspect(settings.token as string)
    )
    result.tokenKind = current.kind
    result.scopes = current.scopes
    result.previousExpiresAt = current.expiresAt
    result.expiresAt = current.expiresAt
    if (settings.strategy === 'refresh') {
      checkCurrentToken(current, settings, this.now())
    } else if (!current.isValid) {
      result.notes.push("The token in 'token' is no longer valid: there is nothing to revoke.")
    } else if (current.appId !== settings.appId) {
      throw new RotationError(
        'check',
        `The token in 'token' belongs to app ${current.appId}, not app-id ${settings.appId}.`,
        "pass this app's token in 'token', or leave it empty."
      )
    } else if (settings.revoke === 'true' && current.kind !== 'system-user') {
      throw new RotationError(
        'check',
        `revoke: true, but the token in 'token' is a ${current.kind} token; Meta revokes only system user tokens.`,
        'use revoke: auto or false.'
      )
    }
    this.log.info(
      `Current token: ${current.kind}, ${current.isValid ? 'valid' : 'not valid'}, expires ${expiryText(current.expiresAt)}, scopes ${current.scopes.join(', ') || 'none'}.`
    )
    return current
  }

  /** Grace mode: the token in previous-secret-name, revoked instead of the one being replaced. */
  private async checkPrevious(): Promise<TokenInfo | undefined> {
    const { settings } = this
    if (!settings.previousToken) return undefined
    const info = await this.graph('check', "Checking 'previous-token' (debug_token)", () =>
      this.services.tokens.inspect(settings.previousToken as string)
    )
    if (info.isValid && info.appId !== settings.appId) {
      throw new RotationError(
        'check',
        `'previous-token' belongs to app ${info.appId}, not app-id ${settings.appId}.`,
        "pass the value held in 'previous-secret-name'."
      )
    }
    if (info.isValid && settings.revoke === 'true' && info.kind !== 'system-user') {
      throw new RotationError(
        'check',
        `revoke: true, but 'previous-token' is a ${info.kind} token; Meta revokes only system user tokens.`,
        'use revoke: auto or false.'
      )
    }
    return info
  }

  /** Reads every destination's public key (and repository ids): GitHub access is proven before anything is minted. */
  private async prepare(destinations: Destination[]): Promise<Destination[]> {
    const { store } = this.services
    const outcomes = await mapWithConcurrency(destinations, this.settings.maxConcurrency, async (destination) => {
      try {
        await store.publicKey(destination)
        for (const name of destination.selectedRepositories ?? [])
          await store.repositoryId(`${destination.target}/${name}`)
        return this.outcome(destination, this.settings.secretName, 'checked')
      } catch (error) {
        return this.failure(destination, this.settings.secretName, error)
      }
    })
    // Results keep the order the user listed the destinations in.
    this.result.secrets.push(...outcomes.filter((o) => o.status === 'failed' || this.settings.dryRun))
    this.suggestOrganizationSecret(destinations)
    return destinations.filter((_, index) => outcomes[index]?.status === 'checked')
  }

  private async mint(current: TokenInfo | undefined): Promise<string> {
    const { settings, services } = this
    let fresh: string
    if (settings.strategy === 'generate') {
      const systemUserId = settings.systemUserId as string
      const adminToken = settings.adminToken as string
      if (settings.installApp) {
        await this.graph('mint', `Installing app ${settings.appId} for system user ${systemUserId}`, () =>
          services.tokens.installApp(systemUserId, adminToken)
        )
      }
      fresh = (
        await this.graph('mint', `Generating a system user token for ${systemUserId}`, () =>
          services.tokens.generate(systemUserId, adminToken, settings.scopes, settings.expiring)
        )
      ).token
    } else {
      const expiring = current?.kind === 'system-user' && settings.expiring
      fresh = (
        await this.graph('mint', 'Refreshing the token (oauth/access_token)', () =>
          services.tokens.refresh(settings.token as string, expiring)
        )
      ).token
    }
    this.keepSecret(fresh)
    this.log.info(fresh === settings.token ? 'Meta handed back the same token string.' : 'Meta issued a new token.')
    return fresh
  }

  private async verify(fresh: string, current: TokenInfo | undefined, sameString: boolean): Promise<TokenInfo> {
    let info: TokenInfo
    try {
      info = await this.graph('verify', 'Checking the new token (debug_token)', () =>
        this.services.tokens.inspect(fresh)
      )
    } catch (error) {
      // Unchecked, it is stored nowhere: a system user token must not stay alive.
      await this.revokeOrphan(
        fresh,
        this.settings.strategy === 'generate' || current?.kind === 'system-user',
        sameString
      )
      throw error
    }
    try {
      checkNewToken(info, this.settings, current)
    } catch (error) {
      await this.revokeOrphan(fresh, info.kind === 'system-user' && info.isValid, sameString)
      throw error
    }
    this.log.info(
      `New token: ${info.kind}, expires ${expiryText(info.expiresAt)}, scopes ${info.scopes.join(', ') || 'none'}.`
    )
    return info
  }

  /** What goes into each destination: the previous slot first, so both slots always hold a working token. */
  private async secretWrites(fresh: string, freshInfo: TokenInfo): Promise<SecretWrite[]> {
    const { settings } = this
    const writes: SecretWrite[] = []
    if (settings.previousSecretName) {
      if (settings.token && settings.token !== fresh)
        writes.push({ name: settings.previousSecretName, value: settings.token })
      else this.result.notes.push(`No replaced token to keep in ${settings.previousSecretName}: it was left as it was.`)
    }
    writes.push({ name: settings.secretName, value: fresh })
    if (settings.pageSecrets.length > 0) writes.push(...(await this.pageWrites(fresh, freshInfo)))
    return writes.map((write) => ({ ...write, name: write.name.toUpperCase() }))
  }

  private async pageWrites(userToken: string, userInfo: TokenInfo): Promise<SecretWrite[]> {
    const pages = await this.graph('mint', 'Reading the page tokens (me/accounts)', () =>
      this.services.tokens.pages(userToken)
    )
    for (const page of pages) this.keepSecret(page.token)
    const missing = this.settings.pageSecrets.filter((wanted) => !pages.some((page) => page.id === wanted.pageId))
    if (missing.length > 0) {
      throw new RotationError(
        'mint',
        `User ${userInfo.userId ?? ''} no longer manages page${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.pageId).join(', ')}; nothing was written.`,
        "give the user a task on the page (Page settings > Page access), or remove it from 'page-secrets'."
      )
    }
    return this.settings.pageSecrets.map((wanted) => ({
      name: wanted.secretName,
      value: pages.find((page) => page.id === wanted.pageId)?.token as string
    }))
  }

  private async store(destinations: Destination[], writes: SecretWrite[]): Promise<void> {
    const { store } = this.services
    const outcomes = await mapWithConcurrency(destinations, this.settings.maxConcurrency, async (destination) => {
      const done: SecretOutcome[] = []
      for (const write of writes) done.push(await this.writeAndConfirm(store, destination, write))
      return done
    })
    this.result.secrets.push(...outcomes.flat())
  }

  private async writeAndConfirm(
    store: SecretStore,
    destination: Destination,
    write: SecretWrite
  ): Promise<SecretOutcome> {
    const startedAt = this.now()
    let status: WriteStatus
    try {
      status = await store.write(destination, write.name, write.value)
    } catch (error) {
      return { ...this.failure(destination, write.name, error), mayHoldNewToken: writeMayHaveLanded(error) }
    }
    try {
      await store.confirm(destination, write.name, startedAt)
    } catch (error) {
      return {
        ...this.failure(destination, write.name, error, 'confirm'),
        mayHoldNewToken: !(error instanceof StaleSecretError)
      }
    }
    this.log.info(`${write.name}: ${status} the ${describeDestination(destination)}.`)
    return this.outcome(destination, write.name, status)
  }

  private async revokeReplaced(
    current: TokenInfo | undefined,
    previous: TokenInfo | undefined,
    fresh: string
  ): Promise<void> {
    const { settings, result } = this
    const grace = settings.previousSecretName !== undefined
    const target = grace ? settings.previousToken : settings.token
    const info = grace ? previous : current
    const label = grace ? "the token from 'previous-token'" : 'the replaced token'
    if (settings.revoke === 'false' || !target || !info) return
    if (target === fresh) {
      result.notes.push(`${label} is the token now stored: it was not revoked.`)
      return
    }
    if (!info.isValid) {
      result.notes.push(`${label} was already invalid: nothing to revoke.`)
      return
    }
    if (info.kind !== 'system-user') {
      result.notes.push(
        `${label} is a ${info.kind} token, which Meta cannot revoke: it stays valid until ${expiryText(info.expiresAt)}.`
      )
      return
    }
    if (settings.revoke === 'auto' && mayStillBeStoredByAnotherRun(info, this.now())) {
      result.notes.push(
        `${label} was issued less than ${FRESH_TOKEN_MINUTES} minutes ago, perhaps by another rotation of this secret that is still storing it, so revoke: auto left it alive (it expires ${expiryText(info.expiresAt)}). ` +
          'Give the workflow a concurrency group so rotations never overlap; use revoke: true to revoke a fresh token anyway (after a leak).'
      )
      this.log.warning(
        `Not revoking ${label}: it is less than ${FRESH_TOKEN_MINUTES} minutes old and another rotation may still be storing it.`
      )
      return
    }
    try {
      await this.services.tokens.revoke(target, fresh)
    } catch (error) {
      const explained = graphFailure('revoke', `Revoking ${label}`, error)
      throw new RotationError(
        'revoke',
        `The new token is stored and confirmed in every destination, but ${explained.message} ${label} stays valid until ${expiryText(info.expiresAt)} unless revoked by hand.`,
        `${explained.fix ?? ''} To revoke it by hand: Business settings > Users > System users > Revoke tokens.`.trim()
      )
    }
    result.revoked = true
    result.revocations.push(label)
    this.log.info(`Revoked ${label}.`)
  }

  /** A system user token minted but stored nowhere must not stay alive. */
  private async revokeOrphan(fresh: string, systemUser: boolean, sameString: boolean): Promise<void> {
    if (sameString || !systemUser) return
    try {
      await this.services.tokens.revoke(
        fresh,
        this.settings.token && this.settings.token !== fresh ? this.settings.token : fresh
      )
      this.result.revocations.push('the new token, stored nowhere')
      this.result.notes.push('The new token was stored nowhere, so it was revoked: no unstored token is left alive.')
    } catch (error) {
      this.result.notes.push(
        `The new token was stored nowhere and revoking it failed (${errorMessage(error)}): revoke the system user's unused tokens by hand (Business settings > System users).`
      )
    }
  }

  private failure(destination: Destination, name: string, error: unknown, step?: RotationStep): SecretOutcome {
    const explained =
      step === 'confirm'
        ? {
            message: `The write to the ${describeDestination(destination)} could not be confirmed: ${errorMessage(error)}.`,
            fix: 're-run.'
          }
        : explainGitHubFailure(error, destination, this.services.githubToken)
    const message = this.services.redactor.redact(explained.message)
    this.log.warning(`${name}: ${message} Fix: ${explained.fix}`)
    return { ...this.outcome(destination, name, 'failed'), error: message, fix: explained.fix }
  }

  private failIfAnyFailed(step: RotationStep, message: string): void {
    const failed = this.result.secrets.filter((s) => s.status === 'failed')
    if (failed.length === 0) return
    const lines = failed.map((s) => `${s.name} in ${s.target}${s.environment ? ` (${s.environment})` : ''}: ${s.error}`)
    throw new RotationError(
      step,
      `${failed.length} of ${this.result.secrets.length} secret write${this.result.secrets.length > 1 ? 's' : ''} failed. ${message}\n  - ${lines.join('\n  - ')}`,
      `${[...new Set(failed.map((s) => s.fix))].join(' ')} Then re-run: the run that gets every destination written completes the rotation.`
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

  private keepSecret(secret: string): void {
    this.services.log.mask(secret)
    this.services.redactor.add(secret)
  }

  private async graph<T>(step: RotationStep, what: string, call: () => Promise<T>): Promise<T> {
    this.log.debug(`${what}…`)
    try {
      return await call()
    } catch (error) {
      throw graphFailure(step, what, error)
    }
  }
}

/**
 * The concurrency guard. A run can only revoke a token another run is still storing when that token
 * is the one it was given, which means it was minted moments ago. `revoke: auto` leaves such tokens alive.
 */
const FRESH_TOKEN_MINUTES = 60

function mayStillBeStoredByAnotherRun(info: TokenInfo, now: Date): boolean {
  return info.issuedAt !== undefined && now.getTime() - info.issuedAt.getTime() < FRESH_TOKEN_MINUTES * 60_000
}

/** A refusal (4xx) proves the write did not happen; no answer or a server error (5xx, which is also how Octokit reports a lost connection) does not. */
function writeMayHaveLanded(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status
  return typeof status !== 'number' || status >= 500
}

function isWritten(status: SecretStatus): boolean {
  return status === 'created' || status === 'updated'
}
