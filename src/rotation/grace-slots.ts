// Grace mode without previous-token: a previous slot that already holds a token is overwritten with
// the replaced one, and the token it held (perhaps still valid) is then held by no secret. Found
// before minting, said before writing, so the user can pass it as previous-token next time.
import type { RotationLog } from '../action-io.js'
import { mapWithConcurrency } from '../concurrency.js'
import { Input } from '../contract.js'
import { describeDestination, type Destination } from '../github/destinations.js'
import type { SecretStore } from '../github/secret-store.js'
import type { InputNaming } from '../input-naming.js'
import type { Settings } from '../settings.js'
import type { Notes } from './notes.js'

/** A previous slot that holds a token (or may: reading it failed) while no previous-token says which. */
export interface OccupiedSlot {
  destination: Destination
  name: string
  unsure: boolean
}

export async function occupiedGraceSlots(
  destinations: Destination[],
  settings: Settings,
  store: SecretStore
): Promise<OccupiedSlot[]> {
  if (settings.previousToken || settings.previousSlotHoldsToken) return []
  const slotted = destinations.filter((d) => d.previousSecretName)
  const found = await mapWithConcurrency(slotted, settings.maxConcurrency, async (destination) => {
    const name = (destination.previousSecretName as string).toUpperCase()
    const written = await store.lastWritten(destination, name).then(
      (at) => (at === undefined ? undefined : false),
      () => true
    )
    return written === undefined ? undefined : { destination, name, unsure: written }
  })
  return found.filter((slot): slot is OccupiedSlot => slot !== undefined)
}

/** Says, in the log and the summary, which slots lose the token they hold. */
export function warnOverwrite(
  occupied: OccupiedSlot[],
  services: { log: RotationLog; notes: Notes; naming: InputNaming },
  dryRun: boolean
): void {
  const { log, notes, naming } = services
  for (const { destination, name, unsure } of occupied) {
    const where = `${name} (${describeDestination(destination)})`
    const holds = unsure ? 'may already hold a token (reading it failed)' : 'already holds a token'
    const put = dryRun ? 'a real run would put' : 'this run puts'
    const note =
      `${where} ${holds} and ${naming.name(Input.PreviousToken)} is empty: ${put} the replaced token there, so the token held there now is kept by no secret and, if still valid, stays alive unseen until it expires. ` +
      `Pass the value of ${name} as ${naming.name(Input.PreviousToken)} so it is revoked once replaced, or revoke it by hand (Business settings > System users).`
    log.warning(note)
    notes.add(note)
  }
}
