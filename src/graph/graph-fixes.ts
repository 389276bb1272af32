// Turns a Graph failure into what went wrong, Meta's reference and its own words, and the fix.
import type { Clock } from '../clock.js'
import { Input, type InputName } from '../contract.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError, type Explained, type RotationStep } from '../rotation-error.js'
import { GraphError, isThrottlingCode } from './graph-error.js'

function newToken(naming: InputNaming): string {
  return `generate a new token (Business settings > Users > System users > Generate new token, or the Graph API Explorer for a user token), put it in ${naming.credentialHolder(Input.Token)} and re-run.`
}

/** The fix for each reason Meta gives (`error_subcode`) for an access token it no longer accepts. */
function tokenFixes(naming: InputNaming): Record<number, string> {
  return {
    458: `The app is no longer installed for this user or system user: install it again (a user logs in to the app; a system user: ${naming.setting(Input.InstallApp, 'true')}, or Business settings > System users > Assign assets > Apps), then generate a new token.`,
    459: 'The account is held at a security checkpoint: the person must log in at facebook.com and clear it, then generate a new token.',
    460:
      'The session ended (a changed password, or the person logged out): the person must log in to the app again; then ' +
      newToken(naming),
    463: 'The token has expired, and an expired token cannot be refreshed: ' + newToken(naming),
    464: 'The account is not confirmed: the person must confirm it at facebook.com, then generate a new token.',
    467: 'The token is invalid or was revoked: ' + newToken(naming)
  }
}

/** What to do about a token Meta refuses with code 190 and this subcode; undefined for a subcode without its own fix. */
export function tokenFix(subcode: number | undefined, naming: InputNaming): string | undefined {
  return subcode === undefined ? undefined : tokenFixes(naming)[subcode]
}

/** A failure of `what` (a Graph call), explained: Meta's message and reference, Meta's words for the person, the fix. */
export function explainGraphFailure(what: string, error: GraphError, clock: Clock, naming: InputNaming): Explained {
  const { kind, code, subcode, transient, retryAfterMs } = error.failure
  const forThePerson = error.userFacing ? ` Meta says: "${error.userFacing}".` : ''
  const explained = (fix: string): Explained => ({
    message: `${what} failed: ${error.message}${error.reference}.${forThePerson}`,
    fix
  })

  const name = naming.name
  if (kind === 'timeout' || kind === 'network') {
    const { unreachable } = error.failure
    const url = unreachable ? name(unreachable.urlInput as InputName) : 'its URL input'
    return explained(
      `The ${unreachable?.api ?? 'API'} could not be reached: check ${naming.machine}'s network and ${url}, then re-run.`
    )
  }
  if (kind === 'malformed') {
    return explained(
      'The API answered something unexpected: re-run, and quote this message to Meta support if it persists.'
    )
  }
  if (error.failure.appCredentials === 'app-id') {
    return explained(
      `Meta knows no app with the id in ${name(Input.AppId)}: copy the App ID from App settings > Basic (and ${name(Input.AppSecret)} from the same page), then re-run.`
    )
  }
  // Meta may answer an app token of an app id that does not exist this way too (unverified): both are named.
  if (error.failure.appCredentials === 'app-secret') {
    return explained(
      `${name(Input.AppSecret)} is not the secret of ${name(Input.AppId)}: copy it again from App settings > Basic, and check that ${name(Input.AppId)} is the App ID on that page.`
    )
  }
  if (code === 1 && !transient) {
    return explained(
      `${name(Input.AppSecret)} is not the secret of ${name(Input.AppId)}: copy it again from App settings > Basic.`
    )
  }
  if (code === 101)
    return explained(`${name(Input.AppId)} is not a Meta app id that exists: copy it from App settings > Basic.`)
  if (code === 100 && /appsecret_proof/i.test(error.message)) {
    return explained(
      `The token belongs to another app, or ${name(Input.AppSecret)} is not the secret of ${name(Input.AppId)}.`
    )
  }
  if (code === 100 && /scope|permission/i.test(error.message)) {
    return explained(
      `Meta does not know a permission named in ${name(Input.Scopes)}, or will not give it to this token: correct the name (see the warning above for close matches), then re-run.`
    )
  }
  if (code === 100 && /not installed/i.test(error.message)) {
    return explained(
      `Install the app for the system user: set ${naming.setting(Input.InstallApp, 'true')}, or Business settings > System users > Add assets > Apps.`
    )
  }
  if (code === 190 || code === 102)
    return explained(tokenFix(subcode, naming) ?? `The token is invalid or was revoked: ${newToken(naming)}`)
  if (code === 368) {
    return explained(
      "Meta has temporarily blocked this call for policy violations: wait, then re-run later (the block lifts with time; hours, sometimes a day, so not at once). The App Dashboard's Alerts say why, and what to resolve so it does not come back."
    )
  }
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return explained('The token lacks a permission this call needs: grant it to the system user or user, then re-run.')
  }
  if (code !== undefined && isThrottlingCode(code)) {
    const back = retryAfterMs ? new Date(clock.now().getTime() + retryAfterMs) : undefined
    return explained(
      back
        ? `Meta is rate-limiting this app and says access returns in about ${Math.ceil(retryAfterMs! / 60_000)} minutes: re-run after ${back.toISOString().replace(/\.\d{3}Z$/, 'Z')}. Nothing was left half-done by this step.`
        : 'Meta is rate-limiting this app (a rolling hour): re-run later. Nothing was left half-done by this step.'
    )
  }
  if (transient) return explained('Meta kept failing: re-run later.')
  return explained('Check the inputs named in the message, and quote the fbtrace_id to Meta support if it persists.')
}

/** The Graph failure of a step as a RotationError; anything that is not a Graph failure is a bug and goes on up. */
export function graphFailure(
  step: RotationStep,
  what: string,
  error: unknown,
  clock: Clock,
  naming: InputNaming
): RotationError {
  if (!(error instanceof GraphError)) throw error
  return RotationError.of(step, explainGraphFailure(what, error, clock, naming))
}
