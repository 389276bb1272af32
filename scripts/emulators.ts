// `npm run emulators`: the Graph, GitHub and Instagram API emulators on 127.0.0.1, with the demo's
// fixture (a Meta app, a system user token with 20 days left, an Instagram token ten days old, two
// repositories and a PAT allowed to write their secrets), served until Ctrl-C, to try the CLI against.
// The fixture's credentials are random, made for this session; they go to .emulators.env (mode 600),
// never to the terminal, as META_ROTATOR_* variables the CLI reads.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from './bundled-action.js'
import { serveFixture } from './emulators-serve.js'

const root = projectRoot()
const envFile = join(root, '.emulators.env')
const fixture = await serveFixture()
const v = fixture.variables
const lines = {
  META_ROTATOR_APP_ID: v.FIXTURE_APP_ID,
  META_ROTATOR_APP_SECRET: v.FIXTURE_APP_SECRET,
  META_ROTATOR_TOKEN: v.FIXTURE_TOKEN,
  META_ROTATOR_GITHUB_TOKEN: v.FIXTURE_GITHUB_TOKEN,
  META_ROTATOR_GRAPH_API_URL: v.EMULATOR_GRAPH_URL,
  META_ROTATOR_GITHUB_API_URL: v.EMULATOR_GITHUB_URL,
  META_ROTATOR_INSTAGRAM_API_URL: v.EMULATOR_INSTAGRAM_URL,
  // Not read by the CLI: for the Instagram try below.
  DEMO_INSTAGRAM_TOKEN: v.FIXTURE_INSTAGRAM_TOKEN
}
writeFileSync(
  envFile,
  Object.entries(lines)
    .map(([name, value]) => `export ${name}='${value ?? ''}'\n`)
    .join(''),
  { mode: 0o600 }
)

const say = (line = ''): void => console.log(line)
say('The emulators are running on 127.0.0.1 (Ctrl-C stops them):')
say(`  Graph API       ${v.EMULATOR_GRAPH_URL}`)
say(`  GitHub API      ${v.EMULATOR_GITHUB_URL}`)
say(`  Instagram API   ${v.EMULATOR_INSTAGRAM_URL}`)
say()
say(`The fixture's credentials (random, made for this session) are in .emulators.env as META_ROTATOR_* variables.`)
say('In another terminal, from this directory:')
say()
say('  source .emulators.env')
say(`  node dist/cli/index.js rotate --secret-name ${v.FIXTURE_SECRET_NAME} --repositories ${v.FIXTURE_REPOSITORIES}`)
say()
say('More to try:')
say(
  `  node dist/cli/index.js rotate --secret-name ${v.FIXTURE_SECRET_NAME} --repositories ${v.FIXTURE_REPOSITORIES} --dry-run`
)
say(
  `  node dist/cli/index.js rotate --secret-name ${v.FIXTURE_SECRET_NAME} --repositories ${v.FIXTURE_REPOSITORIES} --rotate-before 14d`
)
say(
  `  META_ROTATOR_TOKEN="$DEMO_INSTAGRAM_TOKEN" node dist/cli/index.js rotate --strategy instagram --secret-name IG_TOKEN --repositories ${v.FIXTURE_REPOSITORIES}`
)
say(`  curl -s ${v.EMULATOR_VERIFY_URL}   # what the emulators hold now (no token in it)`)

let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  void fixture.stop().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
