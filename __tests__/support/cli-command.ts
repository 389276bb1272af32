// `meta-token-rotator rotate` against a world's emulators: secrets in the environment, the rest as
// flags, the way the help tells people to run it.
import { APP_SECRET, GITHUB_PAT, REPOS, type World } from './world.js'

export function cliRotateCommand(world: World, extra: string[] = []): { argv: string[]; env: NodeJS.ProcessEnv } {
  return {
    argv: [
      'rotate',
      '--app-id',
      world.inputs()['app-id'] as string,
      '--secret-name=META_TOKEN',
      '--repositories',
      REPOS.join(','),
      '--graph-api-url',
      world.graph.url,
      '--github-api-url',
      world.github.url,
      ...extra
    ],
    env: { META_ROTATOR_APP_SECRET: APP_SECRET, META_ROTATOR_TOKEN: world.token, META_ROTATOR_GITHUB_TOKEN: GITHUB_PAT }
  }
}
