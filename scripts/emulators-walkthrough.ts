// What `npm run emulators` gives a newcomer: the fixture as META_ROTATOR_* variables in a file to
// `source`, kept current as the rotations go, and the commands to try, in the order that tells the story.
import { renameSync, writeFileSync } from 'node:fs'
import { FIXTURE } from './emulators-serve.js'

/** The fixture's variables (serveFixture) as the CLI reads them, with `token` as the current token. */
export function cliEnvironment(variables: Record<string, string>, token: string): Record<string, string> {
  return {
    META_ROTATOR_APP_ID: variables.FIXTURE_APP_ID ?? '',
    META_ROTATOR_APP_SECRET: variables.FIXTURE_APP_SECRET ?? '',
    META_ROTATOR_TOKEN: token,
    META_ROTATOR_GITHUB_TOKEN: variables.FIXTURE_GITHUB_TOKEN ?? '',
    META_ROTATOR_GRAPH_API_URL: variables.EMULATOR_GRAPH_URL ?? '',
    META_ROTATOR_GITHUB_API_URL: variables.EMULATOR_GITHUB_URL ?? '',
    META_ROTATOR_INSTAGRAM_API_URL: variables.EMULATOR_INSTAGRAM_URL ?? '',
    // Not read by the CLI: for the Instagram try (Instagram cannot revoke, so it stays usable).
    DEMO_INSTAGRAM_TOKEN: variables.FIXTURE_INSTAGRAM_TOKEN ?? ''
  }
}

/** `export NAME='value'` lines, mode 600, written whole then renamed: a `source` never reads half a file. */
export function writeCliEnvironment(file: string, environment: Record<string, string>): void {
  const home = FIXTURE.repositories[0]
  const lines = [
    `# META_ROTATOR_TOKEN follows ${FIXTURE.secretName} of ${home}: after a rotation, source this file again.\n`,
    ...Object.entries(environment).map(([name, value]) => `export ${name}='${value}'\n`)
  ]
  writeFileSync(`${file}.partial`, lines.join(''), { mode: 0o600 })
  renameSync(`${file}.partial`, file)
}

/** The banner: where the emulators listen, then a dry run, a skip and a rotation, then more. */
export function walkthroughBanner(variables: Record<string, string>, envFile: string): string[] {
  const rotate = `node dist/cli/index.js rotate --secret-name ${FIXTURE.secretName} --repositories ${variables.FIXTURE_REPOSITORIES}`
  const home = FIXTURE.repositories[0]
  return [
    'The emulators are running on 127.0.0.1 (Ctrl-C stops them):',
    `  Graph API       ${variables.EMULATOR_GRAPH_URL}`,
    `  GitHub API      ${variables.EMULATOR_GITHUB_URL}`,
    `  Instagram API   ${variables.EMULATOR_INSTAGRAM_URL}`,
    `  Fixture check   ${variables.EMULATOR_VERIFY_URL}   (what the emulators hold now, no token in it)`,
    '',
    `The fixture's credentials (random, made for this session) are in ${envFile} as META_ROTATOR_* variables.`,
    'In another terminal, from this directory:',
    '',
    `  source ${envFile}`,
    `  ${rotate} --dry-run           # checks everything, changes nothing`,
    `  ${rotate} --rotate-before 14d # skipped: the token has 20 days left`,
    `  ${rotate}                     # rotates, and revokes the old token`,
    '',
    `${envFile} follows ${FIXTURE.secretName} of ${home}, as a workflow there would read it: after a rotation,`,
    `\`source ${envFile}\` again to pick up the new token.`,
    '',
    'More to try:',
    `  env -u META_ROTATOR_APP_ID -u META_ROTATOR_APP_SECRET META_ROTATOR_TOKEN="$DEMO_INSTAGRAM_TOKEN" \\`,
    `    node dist/cli/index.js rotate --strategy instagram --secret-name IG_TOKEN --repositories ${variables.FIXTURE_REPOSITORIES}`,
    `  curl -s ${variables.EMULATOR_VERIFY_URL}`
  ]
}
