// The fault matrix (see matrix.ts) of lease-wait: every request of the lease (its read, the holder's
// run, the delete, both creates, the release with the journal), hit by every fault, once and for good,
// in grace mode; and a re-run that completes a partial rotation from the journal, every request of it.
// The invariant holds as for every point; a fault there fails the run at lease before
// anything is minted, or leaves it as without the fault, and a re-run completes.
import { faultMatrix } from './matrix.js'
import { LEASE_SCENARIO, RESUME_SCENARIO } from './harness.js'

faultMatrix('lease', [LEASE_SCENARIO, RESUME_SCENARIO])
