// Which Graph API version a run used. Meta answers a call to a version that is no longer available as
// the next usable one (its facebook-api-version header says which), so the version asked for is not
// always the version whose behaviour the run saw.
import { Input } from '../contract.js'

/** For the summary: the version asked for, and the one that answered when Meta served another. */
export function describeApiVersion(asked: string, answered: string | undefined): string {
  if (!answered || answered === asked) return asked
  return `${answered} (${asked} was asked for and is no longer available: Meta answered as ${answered}; set ${Input.GraphApiVersion} to ${answered} or later)`
}
