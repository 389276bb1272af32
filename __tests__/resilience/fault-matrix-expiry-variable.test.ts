// The fault matrix (see matrix.ts) of expiry-variable: every read, create, update and read-back of the
// variable in two repositories, hit by every fault, once and for good, with the invariant extended by
// (h): a fault at the expiry record never fails the rotation (and, as for every point, never loses a
// token), and each variable holds the new token's expiry or a warning names its repository.
import { faultMatrix } from './matrix.js'
import { EXPIRY_VARIABLE_SCENARIO } from './harness.js'

faultMatrix('expiry-variable', [EXPIRY_VARIABLE_SCENARIO])
