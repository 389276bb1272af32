// What the rotation needs from a kind of token: check the current one, mint a new one, check that,
// and revoke where revoking exists. One implementation per API (Graph: refresh and generate;
// Instagram Login: refresh at graph.instagram.com).
import type { MintedToken, TokenInfo } from '../graph/meta-tokens.js'

/** What a check learned about a token, whichever API it came from. */
export interface CheckedToken {
  info: TokenInfo
  /** Who the token is for, in words for the summary (an Instagram account). */
  account?: string
  /** A sentence for the summary about what the check found. */
  note?: string
}

/** When the secret was last written and the time now, both on GitHub's clock. */
export interface SecretAge {
  written: Date
  now: Date
}

export interface MintContext {
  current: CheckedToken | undefined
  /** When the secret in the first destination was last written, if GitHub says. */
  secretAge(): Promise<SecretAge | undefined>
}

/** The API would not mint yet, and that is no failure (an Instagram token less than a day old): why. */
export interface MintSkipped {
  skip: string
}

/** A secret the source fills in every destination besides secret-name, from the new token (a page's token). */
export interface ExtraSecret {
  name: string
  value: string
  /** A sentence for the summary about this secret's token (what debug_token says of its expiry). */
  note?: string
}

export interface TokenSource {
  /** The API version the run used, in words for the summary (the one Meta answered as, when it differs). */
  apiVersion?(): string | undefined
  /** Checks the current token; throws RotationError at `check`. Undefined when there is none (generate). */
  checkCurrent(): Promise<CheckedToken | undefined>
  /** Grace mode: checks the token in previous-secret-name. */
  checkPrevious(current: CheckedToken | undefined): Promise<TokenInfo | undefined>
  /**
   * Why this run changes nothing although the token is fine (rotate-before not reached): a sentence,
   * or undefined. Throws RotationError at `check` when the token is unhealthy in a way a skip must
   * not hide (a user token whose data access is about to close).
   */
  notDue(current: CheckedToken | undefined): string | undefined
  /**
   * Mints the new token, or says why it is too early to; throws RotationError at `mint`. The new
   * token is kept secret before this returns.
   */
  mint(context: MintContext): Promise<MintedToken | MintSkipped>
  /** Whether a token minted from this current token could be revoked if it ends up stored nowhere. */
  mintsRevocable(current: CheckedToken | undefined): boolean
  /** Reads what the new token is; throws RotationError at `verify`. */
  inspectNew(minted: MintedToken): Promise<CheckedToken>
  /**
   * Judges the new token (`token`, its value) before it is written anywhere; throws RotationError (`verify`, or `mint` for a
   * token Meta did not extend). Returns a sentence for the summary when the token is accepted with a caveat.
   */
  judgeNew(fresh: CheckedToken, current: CheckedToken | undefined, token: string): Promise<string | undefined>
  /** How many secrets besides secret-name each destination receives (for the write budget). */
  extraSecretCount(): number
  /** Those secrets, derived from the new token; throws RotationError at `mint`. */
  extraSecrets(token: string, info: TokenInfo): Promise<ExtraSecret[]>
  /** Whether a token of this kind can be revoked at all. */
  canRevoke(info: TokenInfo): boolean
  /** Revokes `token`, calling as `caller` (a working token of the same app). */
  revoke(token: string, caller: string): Promise<void>
}
