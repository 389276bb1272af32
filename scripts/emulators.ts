// `npm run emulators`: the Graph, GitHub and Instagram API emulators on 127.0.0.1, with the demo's
// fixture (a Meta app, a system user token with 20 days left, an Instagram token ten days old, two
// repositories and a PAT allowed to write their secrets), served until Ctrl-C, to try the CLI against.
// The fixture's credentials are random, made for this session; they go to .emulators.env (mode 600),
// never to the terminal, as META_ROTATOR_* variables the CLI reads. A rotation revokes the token in
// that file, so each new token stored in the first repository's secret is written there in its place.
import { join } from 'node:path'
import { projectRoot } from './bundled-action.js'
import { serveFixture } from './emulators-serve.js'
import { cliEnvironment, walkthroughBanner, writeCliEnvironment } from './emulators-walkthrough.js'

const envFile = join(projectRoot(), '.emulators.env')
const fixture = await serveFixture()
const v = fixture.variables
writeCliEnvironment(envFile, cliEnvironment(v, v.FIXTURE_TOKEN ?? ''))
fixture.onTokenStored((token) => {
  try {
    writeCliEnvironment(envFile, cliEnvironment(v, token))
    console.log('A new token was stored: .emulators.env has it now (source it again).')
  } catch (error) {
    console.error(`Could not rewrite .emulators.env: ${error instanceof Error ? error.message : String(error)}`)
  }
})
for (const line of walkthroughBanner(v, '.emulators.env')) console.log(line)

let stopping = false
const stop = (): void => {
  if (stopping) return
  stopping = true
  void fixture.stop().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
