// What the rotation needs from a kind of token: check the current one, mint a new one, check that,
// and revoke where revoking exists. One implementation per API (Graph: refresh and generate;
// Instagram Login: refresh at graph.instagram.com).
import type { MintedToken, PageToken, TokenInfo } from '../graph/meta-tokens.js'
import type { RotationError } from '../rotation-error.js'

/** What a check learned about a token, whichever API it came from. */
export interface CheckedToken {
  info: TokenInfo
  /** Who the token is for, in words for the summary (an Instagram account). */
  account?: string
}

export interface TokenSource {
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
   * Mints the new token; throws RotationError at `mint`, or TooYoungError when the API may be saying
   * it is too early. The new token is kept secret before this returns.
   */
  mint(current: CheckedToken | undefined): Promise<MintedToken>
  /** Whether a token minted from this current token could be revoked if it ends up stored nowhere. */
  mintsRevocable(current: CheckedToken | undefined): boolean
  /** Reads what the new token is; throws RotationError at `verify`. */
  inspectNew(minted: MintedToken): Promise<CheckedToken>
  /** Judges the new token before it is written anywhere; throws RotationError (`verify`, or `mint` for a token Meta did not extend). */
  judgeNew(fresh: CheckedToken, current: CheckedToken | undefined): void
  /** Whether a token of this kind can be revoked at all. */
  canRevoke(info: TokenInfo): boolean
  /** Revokes `token`, calling as `caller` (a working token of the same app). */
  revoke(token: string, caller: string): Promise<void>
  /** Page tokens derived from a user token (Graph only): the pages asked for that the user can reach. */
  pageTokens?(userToken: string, pageIds: string[]): Promise<PageToken[]>
}

/**
 * The API refused to refresh the token in a way that may mean it is too young (Instagram refreshes a
 * token only once it is a day old). `certain`: the answer says so; otherwise the rotation judges by
 * when the secret was last written, and reports `failure` when that was long enough ago.
 */
export class TooYoungError extends Error {
  constructor(
    readonly failure: RotationError,
    readonly certain: boolean
  ) {
    super(failure.message)
  }
}
