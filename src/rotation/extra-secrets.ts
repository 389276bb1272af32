// The source's own secrets, derived from the new token (the page tokens of page-secrets). When they
// cannot be read, the new token is stored nowhere: it is revoked where it can be, so none stays alive unseen.
import type { ExtraSecret, TokenSource } from '../strategies/token-source.js'
import type { Notes } from './notes.js'
import type { NewToken, RevokeOrphan } from './verify.js'

export async function extraSecrets(
  fresh: NewToken,
  { source, notes, revokeOrphan }: { source: TokenSource; notes: Notes; revokeOrphan: RevokeOrphan }
): Promise<ExtraSecret[]> {
  try {
    const secrets = await source.extraSecrets(fresh.token, fresh.info)
    for (const secret of secrets) notes.add(secret.note)
    return secrets.map(({ name, value }) => ({ name, value }))
  } catch (error) {
    await revokeOrphan(fresh.token, { info: fresh.info })
    throw error
  }
}
