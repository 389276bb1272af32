// What a rotation found, for the outputs and the summary: assembled by rotate() from what each step returned.
import type { Deployment } from '../deploy/deploy.js'
import type { Destination } from '../github/destinations.js'
import type { TokenInfo, TokenKind } from '../graph/meta-tokens.js'
import type { Fix, RotationError } from '../rotation-error.js'
import type { SecretType, Settings } from '../settings.js'

export type SecretStatus = SecretOutcome['status']

/** Which token a destination's secret holds after the run. */
export type Holding = 'new' | 'old' | 'new or old'

/** Where a secret is: the destination and the secret's name there. */
export interface SecretPlace {
  kind: Destination['kind']
  type: SecretType
  target: string
  environment?: string
  name: string
}

/** A destination that passed its checks before minting (in a dry run: everything a dry run proves). */
export interface CheckedSecret extends SecretPlace {
  status: 'checked'
  /** Dry run: what was proven about the destination. */
  proven?: string[]
}

export interface WrittenSecret extends SecretPlace {
  status: 'created' | 'updated'
  /** Organization secrets with visibility selected: repositories this write gave access. */
  addedRepositories?: string[]
  /** The secret named by secret-name (or a page secret) holds the new token now. */
  holds?: 'new'
}

export interface FailedSecret extends SecretPlace {
  status: 'failed'
  error: string
  fix: Fix
  /** The step it failed in: prepare (checks before minting), store, or confirm when only the read-back failed. */
  failedIn: 'prepare' | 'store' | 'confirm'
  addedRepositories?: string[]
  /** The token this secret holds now, when it was part of the writes and that is known. */
  holds?: Holding
  /** A failed write that may have landed all the same (its outcome could not be settled). */
  unsettled?: boolean
}

export type SecretOutcome = CheckedSecret | WrittenSecret | FailedSecret

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
  /** The Graph API version used, in words (Graph strategies only). */
  apiVersion?: string
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

/** What the result says of the token in the secret: the current one, or the new one once stored. */
export function tokenFacts(
  info: TokenInfo
): Pick<RotationResult, 'tokenKind' | 'scopes' | 'expiresAt' | 'dataAccessExpiresAt'> {
  return {
    tokenKind: info.kind,
    scopes: info.scopes,
    expiresAt: info.expiresAt,
    dataAccessExpiresAt: info.dataAccessExpiresAt
  }
}

/** What a run has found before any step: nothing rotated, revoked or skipped. */
export function nothingFound(
  settings: Pick<Settings, 'strategy' | 'dryRun'>
): Omit<RotationResult, 'notes' | 'deployments' | 'failure' | 'finishedAt'> {
  return {
    strategy: settings.strategy,
    rotated: false,
    revoked: false,
    skipped: false,
    dryRun: settings.dryRun,
    scopes: [],
    destinations: [],
    secrets: [],
    revocations: []
  }
}
