// The last step, and the only one that can break a working token: revoking. The replaced token is
// revoked once every destination holds the new one; a minted token that is stored nowhere is revoked
// so nothing unseen stays alive; and a token that may still be in use is never touched.
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { Input } from '../contract.js'
import { graceSlots } from '../github/destinations.js'
import { GraphError } from '../graph/graph-error.js'
import { explainGraphFailure } from '../graph/graph-fixes.js'
import type { TokenInfo } from '../graph/meta-tokens.js'
import type { InputNaming } from '../input-naming.js'
import { errorMessage, RotationError } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import type { Settings } from '../settings.js'
import type { TokenSource } from '../strategies/token-source.js'
import { expiryText } from '../token-checks.js'
import type { Notes } from './notes.js'

/**
 * The concurrency guard. A run can only revoke a token another run is still storing when that token
 * is the one it was given, which means it was minted moments ago. `revoke: auto` leaves such tokens alive.
 */
export const FRESH_TOKEN_MINUTES = 60

/**
 * Grace mode moves the replaced token into previous-secret-name. When there is none to move (no
 * `token`, or Meta handed back the same string), that slot keeps what it holds: previous-token.
 */
export function replacedTokenToKeep(settings: Settings, fresh: string): string | undefined {
  return settings.token && settings.token !== fresh ? settings.token : undefined
}

export interface RevocationServices {
  source: TokenSource
  log: RotationLog
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  notes: Notes
}

/** What orphan() knows of the new token: debug_token's facts, or, when it could not be checked, whether its kind can be revoked. */
export type OrphanFacts = { info: TokenInfo } | { revocable: boolean }

/** The token revoke would act on, and what is known of it. */
interface ReplacedToken {
  label: string
  info: TokenInfo
  target: string
  fresh: string
  grace: boolean
  now: Date
}

interface KeptAlive {
  note: string
  warning?: string
}

export class Revocation {
  constructor(
    private readonly settings: Settings,
    private readonly services: RevocationServices
  ) {}

  /**
   * After every destination holds the new token and was read back: the replaced token (or, in grace
   * mode, the one from previous-token) is revoked. Never the new token, never the admin token.
   * Returns what was revoked, in words, when it was.
   */
  async replaced(
    current: TokenInfo | undefined,
    previous: TokenInfo | undefined,
    fresh: string
  ): Promise<string | undefined> {
    const { settings, services } = this
    const grace = graceSlots(settings.destinations).length > 0
    const target = grace ? settings.previousToken : settings.token
    const info = grace ? previous : current
    const label = grace ? `the token from ${services.naming.name(Input.PreviousToken)}` : 'the replaced token'
    if (settings.revoke === 'false' || !target || !info) return undefined
    const now = services.clock.now()
    const kept = this.keptAlive({ label, info, target, fresh, grace, now })
    if (kept) {
      services.notes.add(kept.note)
      if (kept.warning) services.log.warning(kept.warning)
      return undefined
    }
    try {
      await services.source.revoke(target, fresh)
    } catch (error) {
      if (!(error instanceof GraphError)) throw error
      // Invalid by now, though it was valid when checked: another run revoked it. What holds what decides.
      if (error.failure.code === 190) throw new ReplacedAlreadyRevoked(label)
      const explained = explainGraphFailure(`revoking ${label}`, error, services.clock, services.naming)
      throw new RotationError(
        'revoke',
        `The new token is stored and confirmed in every destination, but ${explained.message} ${capitalized(label)} stays valid until ${expiryText(info.expiresAt, now)} unless revoked by hand.`,
        `${explained.fix} To revoke it by hand: Business settings > Users > System users > Revoke tokens.`
      )
    }
    services.log.info(`Revoked ${label}.`)
    return label
  }

  /** Why the replaced token must stay alive, in words for the summary (and the log); undefined when it may be revoked. */
  private keptAlive({ label, info, target, fresh, grace, now }: ReplacedToken): KeptAlive | undefined {
    const { settings, services } = this
    const { naming } = services
    const Label = capitalized(label)
    if (target === fresh) return { note: `${Label} is the token now stored: it was not revoked.` }
    if (grace && !replacedTokenToKeep(settings, fresh)) {
      return { note: `${Label} is still held in ${graceSlots(settings.destinations).join(', ')}: it was not revoked.` }
    }
    if (!info.isValid) return { note: `${Label} was already invalid: nothing to revoke.` }
    if (!services.source.canRevoke(info)) {
      return {
        note:
          info.kind === 'instagram'
            ? `${Label} stays valid until it expires: Instagram has no way to revoke a token.`
            : `${Label} is a ${info.kind} token, which Meta cannot revoke: it stays valid until ${expiryText(info.expiresAt, now)}.`
      }
    }
    if (settings.revoke === 'after-deploy') return { note: this.handOver(label, info, now) }
    if (settings.revoke !== 'auto') return undefined
    // Without issued_at a token's age is unknown: revoke: auto treats it as possibly fresh.
    if (!info.issuedAt) {
      return {
        note:
          `Meta did not say when ${label} was issued (debug_token had no issued_at), so ${naming.setting(Input.Revoke, 'auto')} cannot tell it from a token another rotation of this secret is still storing, and left it alive (it expires ${expiryText(info.expiresAt, now)}). ` +
          `Revoke it by hand once no other rotation runs, or use ${naming.setting(Input.Revoke, 'true')}.`,
        warning: `Not revoking ${label}: debug_token did not say when it was issued.`
      }
    }
    if (now.getTime() - info.issuedAt.getTime() >= FRESH_TOKEN_MINUTES * 60_000) return undefined
    return {
      note:
        `${Label} was issued less than ${FRESH_TOKEN_MINUTES} minutes ago, perhaps by another rotation of this secret that is still storing it, so ${naming.setting(Input.Revoke, 'auto')} left it alive (it expires ${expiryText(info.expiresAt, now)}). ` +
        `${naming.inWorkflow ? 'Give the workflow a concurrency group so rotations never overlap' : 'Never run two rotations of this secret at once'}; use ${naming.setting(Input.Revoke, 'true')} to revoke a fresh token anyway (after a leak).`,
      warning: `Not revoking ${label}: it is less than ${FRESH_TOKEN_MINUTES} minutes old and another rotation may still be storing it.`
    }
  }

  /** revoke: after-deploy: the old token stays valid for the finish action, which revokes it later. */
  private handOver(label: string, info: TokenInfo, now: Date): string {
    const { naming } = this.services
    return `${capitalized(label)} was not revoked (${naming.setting(Input.Revoke, 'after-deploy')}): it stays valid until ${expiryText(info.expiresAt, now)}. Once every consumer runs on the new token, revoke it with the finish action (given the old and the new token).`
  }

  /**
   * A minted token that no destination holds (and none may hold: every write was refused, or read
   * back and proven not to have landed) must not stay alive unseen. Returns what was revoked, in words, when it was.
   */
  async orphan(fresh: string, facts: OrphanFacts, caller?: string): Promise<string | undefined> {
    const { settings, services } = this
    const { notes } = services
    if (fresh === settings.token) return undefined
    const info = 'info' in facts ? facts.info : undefined
    const revocable = info ? info.isValid && services.source.canRevoke(info) : 'revocable' in facts && facts.revocable
    if (!revocable) {
      // Meta cannot revoke a user, page or Instagram token: it stays alive unused, and is said so.
      if (info?.isValid) {
        const until =
          info.expiresAt === undefined
            ? 'until it expires'
            : `until ${expiryText(info.expiresAt, services.clock.now())}`
        const why =
          info.kind === 'instagram'
            ? 'Instagram has no way to revoke a token'
            : `Meta cannot revoke a ${info.kind} token`
        notes.add(`The new ${info.kind} token was stored nowhere, and ${why}: it stays valid, unused, ${until}.`)
      }
      return undefined
    }
    try {
      // The caller must be a working token of the app: the old one, unless Meta handed back the same.
      await services.source.revoke(
        fresh,
        caller ?? (settings.token && settings.token !== fresh ? settings.token : fresh)
      )
      notes.add('The new token was stored nowhere, so it was revoked: no unstored token is left alive.')
      return 'the new token, stored nowhere'
    } catch (error) {
      notes.add(
        `The new token was stored nowhere and revoking it failed (${services.keeper.redact(errorMessage(error))}): revoke the system user's unused tokens by hand (Business settings > System users).`
      )
      return undefined
    }
  }
}

/** The replaced token was revoked by someone else between this run's check and its revoke. */
export class ReplacedAlreadyRevoked extends Error {
  constructor(readonly label: string) {
    super(`${label} was already revoked`)
  }
}

export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
