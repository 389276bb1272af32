// The new token is judged before it is written anywhere. One that fails is stored nowhere, so a
// revocable one is revoked at once: no minted token is left alive unseen.
import type { MintedToken, TokenInfo } from '../graph/meta-tokens.js'
import type { CheckedToken, TokenSource } from '../strategies/token-source.js'
import type { Notes } from './notes.js'
import type { OrphanFacts } from './revocation.js'

/** The new token, once checked: what is written and what is known of it. */
export interface NewToken {
  token: string
  info: TokenInfo
}

/** Revokes a minted token that no secret holds; says what was revoked, in words, when it was. */
export type RevokeOrphan = (token: string, facts: OrphanFacts, caller?: string) => Promise<string | undefined>

export interface Verification {
  source: TokenSource
  notes: Notes
  revokeOrphan: RevokeOrphan
}

export async function verifyNew(
  minted: MintedToken,
  current: CheckedToken | undefined,
  { source, notes, revokeOrphan }: Verification
): Promise<NewToken> {
  let fresh: CheckedToken
  try {
    fresh = await source.inspectNew(minted)
  } catch (error) {
    await revokeOrphan(minted.token, { revocable: source.mintsRevocable(current) })
    throw error
  }
  try {
    notes.add(await source.judgeNew(fresh, current, minted.token))
  } catch (error) {
    await revokeOrphan(minted.token, { info: fresh.info })
    throw error
  }
  return { token: minted.token, info: fresh.info }
}
