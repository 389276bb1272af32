// The destinations, in the order given, once they are known to fit in GitHub's write limit: a fan-out
// too large for one job fails here, before anything is minted.
import type { Destination } from '../github/destinations.js'
import { isGitHubDotCom } from '../github/github-client.js'
import { checkWriteBudget } from '../github/write-budget.js'
import type { InputNaming } from '../input-naming.js'
import type { Settings } from '../settings.js'
import type { TokenSource } from '../strategies/token-source.js'
import { writeCount } from './secret-writes.js'

export function plan(
  settings: Pick<Settings, 'destinations' | 'dryRun' | 'githubApiUrl' | 'deploy'>,
  { source, naming }: { source: TokenSource; naming: InputNaming }
): Destination[] {
  const { destinations } = settings
  checkWriteBudget({
    destinations,
    writesIn: (destination) => writeCount(destination, source.extraSecretCount()),
    dryRun: settings.dryRun,
    githubDotCom: isGitHubDotCom(settings.githubApiUrl),
    naming,
    deploys: settings.deploy.workflows.length
  })
  return destinations
}
