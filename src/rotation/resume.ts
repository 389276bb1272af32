// A re-run after a partial failure: the lease's journal says the token this run was given is the one
// an earlier run minted and did not get into every destination. Minting again would leave two live
// tokens; instead the run takes that token as the new one, writes every destination with it, and
// revokes nothing. The token that earlier run replaced is not in this run's inputs (the re-run reads
// the secrets as they are now), so it is not revoked here: the summary names it and when it expires.
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import type { CheckedToken } from '../strategies/token-source.js'
import { expiryText } from '../token-checks.js'
import type { Notes } from './notes.js'
import type { NewToken } from './verify.js'

export interface Resume {
  /** The run that minted the token, in words with its link. */
  by: string
  /** When the token that run replaced expires (null: never), when it said. */
  replacedExpiresAt?: Date | null
}

export function resumedToken(
  token: string,
  current: CheckedToken,
  resume: Resume,
  { notes, log, clock }: { notes: Notes; log: RotationLog; clock: Clock }
): NewToken {
  const until =
    resume.replacedExpiresAt === undefined
      ? 'until it expires'
      : `until ${expiryText(resume.replacedExpiresAt, clock.now())}`
  log.info(`Resuming the rotation of ${resume.by}: its token is written to every destination; nothing is minted.`)
  notes.add(
    `This run resumes the rotation ${resume.by} left unfinished: the token it was given is the one that run minted, so it minted none and writes that token to every destination (the table says which hold it). ` +
      `The token that run replaced was not revoked (this run was not given it, or cannot tell what still runs on it): it stays valid ${until}. Revoke it by hand once nothing uses it (Business settings > Users > System users > Revoke tokens).`
  )
  return { token, info: current.info }
}
