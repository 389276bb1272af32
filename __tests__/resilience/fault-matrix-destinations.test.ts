// The fault matrix (see matrix.ts) of the destination kinds: environment, organization (an access list
// that only grows), Dependabot and Codespaces secrets. Only GitHub's requests are fault points here:
// their Graph conversation is exactly the refresh scenario's (same inputs but the destinations, same
// requests, same answers), faulted there; a Graph fault ends the run before any write, or after every
// write (revoke), or is retried away, so it never meets a destination in another state than its baseline's.
import { faultMatrix } from './matrix.js'
import { SCENARIOS } from './harness.js'

faultMatrix(
  'destinations',
  SCENARIOS.filter((s) => !/^(refresh|generate|grace)/.test(s.name)).map((s) => ({ ...s, faultApis: ['github'] }))
)
