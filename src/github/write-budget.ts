// github.com caps content-creating requests (about 80 a minute and 500 an hour). A fan-out that needs
// more writes than an hour allows cannot finish in one job: known before anything is minted.
import { Input } from '../contract.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError } from '../rotation-error.js'
import type { Destination } from './destinations.js'

export const WRITES_PER_HOUR = 500
export const WRITES_PER_MINUTE = 80

export interface WritePlan {
  destinations: Destination[]
  /** Secrets written in each destination. */
  writesPerDestination: number
  dryRun: boolean
  /** On github.com the hourly limit applies; elsewhere the host sets its own. */
  githubDotCom: boolean
  naming: InputNaming
  /** Deploy workflows: a dispatch check each, and a dispatch each in a real run. */
  deploys?: number
}

export function checkWriteBudget({
  destinations,
  writesPerDestination,
  dryRun,
  githubDotCom,
  naming,
  deploys = 0
}: WritePlan): void {
  // A dry run proves write access with one request per destination.
  const writes = destinations.length * (dryRun ? 1 : writesPerDestination) + deploys * (dryRun ? 1 : 2)
  if (!githubDotCom || writes <= WRITES_PER_HOUR) return
  const owners = [...new Set(destinations.filter((d) => d.kind !== 'organization').map((d) => d.target.split('/')[0]))]
  throw new RotationError(
    'prepare',
    `This run needs ${writes} writes (${destinations.length} destinations × ${dryRun ? 1 : writesPerDestination}), but github.com allows about ${WRITES_PER_MINUTE} content-creating requests a minute and ${WRITES_PER_HOUR} an hour, so it cannot finish in one job; nothing was minted, written or revoked.`,
    `Use one organization secret with ${naming.setting(Input.Visibility, 'selected')} (${naming.name(Input.Organization)}${owners.length === 1 ? ` ${owners[0]}` : ''}, ${naming.name(Input.SelectedRepositories)}): one write for all of them. Or split ${naming.name(Input.Repositories)} across runs at least an hour apart, at most ${Math.floor(WRITES_PER_HOUR / Math.max(1, dryRun ? 1 : writesPerDestination))} repositories each.`
  )
}
