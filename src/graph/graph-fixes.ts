// Turns a Graph failure into a message a user can act on: what failed, Meta's reference, and the fix.
import { RotationError, type RotationStep } from '../rotation-error.js'
import { GraphError, isThrottlingCode } from './graph-error.js'

const NEW_TOKEN =
  'generate a new token (Business settings > Users > System users > Generate new token, or the Graph API Explorer for a user token), put it in the secret and re-run.'

export function graphFailure(step: RotationStep, what: string, error: unknown): RotationError {
  if (!(error instanceof GraphError)) throw error
  const { kind, code, subcode, transient } = error.failure
  const said = `${what} failed: ${error.message}${error.reference}.`
  const fail = (fix: string): RotationError => new RotationError(step, said, fix)

  if (kind === 'timeout' || kind === 'network') {
    return fail("the Graph API could not be reached; check the runner's network and graph-api-url, then re-run.")
  }
  if (kind === 'malformed')
    return fail(
      'the Graph API answered something unexpected; re-run, and quote this message to Meta support if it persists.'
    )
  if ((code === 1 && !transient) || error.failure.appCredentials) {
    return fail("'app-secret' is not the secret of 'app-id': copy it again from App settings > Basic.")
  }
  if (code === 101) return fail("'app-id' is not a Meta app id that exists: copy it from App settings > Basic.")
  if (code === 100 && /appsecret_proof/i.test(error.message)) {
    return fail("the token belongs to another app, or 'app-secret' is not the secret of 'app-id'.")
  }
  if (code === 190 && subcode === 463)
    return fail(`the token has expired, and an expired token cannot be refreshed: ${NEW_TOKEN}`)
  if (code === 190 || code === 102) return fail(`the token is invalid or was revoked: ${NEW_TOKEN}`)
  if (code === 368)
    return fail('Meta blocked the call for a policy reason: see the app in the App Dashboard; retrying will not help.')
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return fail('the token lacks a permission this call needs: grant it to the system user or user, then re-run.')
  }
  if (code !== undefined && isThrottlingCode(code))
    return fail('Meta is rate-limiting this app; re-run later (nothing was left half-done by this step).')
  if (transient) return fail('Meta kept failing; re-run later.')
  return fail('check the inputs named in the message; quote the fbtrace_id to Meta support if it persists.')
}
