import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FIXTURE, serveFixture, type ServedFixture } from '../../scripts/emulators-serve.js'
import { cliEnvironment, walkthroughBanner, writeCliEnvironment } from '../../scripts/emulators-walkthrough.js'
import { runCli } from '../../src/cli/cli.js'
import { FAST } from '../support/world.js'

let fixture: ServedFixture
let dir: string
beforeEach(async () => {
  fixture = await serveFixture()
  dir = mkdtempSync(join(tmpdir(), 'mtr-emulators-'))
})
afterEach(async () => {
  await fixture.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** What `source FILE` would export. */
function sourced(file: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [, name, value] of readFileSync(file, 'utf8').matchAll(/^export (\w+)='([^']*)'$/gm)) env[name!] = value
  return env
}

async function cli(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, env, { out: (t) => (out += t), err: (t) => (err += t) }, FAST)
  return { code, out, err }
}

test('serves the Instagram API emulator next to the Graph and GitHub ones', async () => {
  const { EMULATOR_GRAPH_URL, EMULATOR_GITHUB_URL, EMULATOR_INSTAGRAM_URL } = fixture.variables
  const urls = [EMULATOR_GRAPH_URL, EMULATOR_GITHUB_URL, EMULATOR_INSTAGRAM_URL]
  expect(new Set(urls).size).toBe(3)
  for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  const me = await fetch(`${EMULATOR_INSTAGRAM_URL}/me?fields=user_id,username`)
  expect(me.status).toBe(400)
  expect(((await me.json()) as { error: { code: number } }).error.code).toBe(2500)
})

test('the walkthrough goes on after a rotation: the env file follows the token the secret holds', async () => {
  const file = join(dir, '.emulators.env')
  const v = fixture.variables
  writeCliEnvironment(file, cliEnvironment(v, v.FIXTURE_TOKEN!))
  fixture.onTokenStored((token) => writeCliEnvironment(file, cliEnvironment(v, token)))
  expect(statSync(file).mode & 0o777).toBe(0o600)
  const rotate = ['rotate', '--secret-name', FIXTURE.secretName, '--repositories', v.FIXTURE_REPOSITORIES!]

  expect((await cli([...rotate, '--dry-run'], sourced(file))).code).toBe(0)
  expect((await cli([...rotate, '--rotate-before', '14d'], sourced(file))).out).toContain('Not due')
  const rotated = await cli(rotate, sourced(file))
  expect(rotated.code).toBe(0)
  expect(fixture.verify().oldTokenRevoked).toBe(true)

  const after = sourced(file)
  expect(after.META_ROTATOR_TOKEN).not.toBe(v.FIXTURE_TOKEN)
  expect(fixture.verify().ok).toBe(true)
  for (const step of [[...rotate, '--dry-run'], [...rotate, '--rotate-before', '14d'], rotate]) {
    const { code, err } = await cli(step, sourced(file))
    expect({ step, code, err }).toMatchObject({ code: 0 })
  }
})

test('the banner: every port labelled, dry run → skip → rotation, and an Instagram try without warnings', async () => {
  const v = fixture.variables
  const banner = walkthroughBanner(v, '.emulators.env').join('\n')
  for (const url of [v.EMULATOR_GRAPH_URL, v.EMULATOR_GITHUB_URL, v.EMULATOR_INSTAGRAM_URL, v.EMULATOR_VERIFY_URL])
    expect(banner).toMatch(new RegExp(`\\n {2}[A-Z][\\w ]+ {2,}${url}`))
  const dryRun = banner.indexOf('--dry-run')
  const skip = banner.indexOf('--rotate-before 14d')
  const rotation = banner.search(/--repositories \S+ +# rotates/)
  expect([dryRun, skip, rotation].every((i) => i > 0)).toBe(true)
  expect(dryRun < skip && skip < rotation).toBe(true)
  expect(banner).toContain('after a rotation,\n`source .emulators.env` again to pick up the new token')

  // The Instagram line, as a shell runs it: without the app's variables, with the Instagram token.
  expect(banner).toContain(
    'env -u META_ROTATOR_APP_ID -u META_ROTATOR_APP_SECRET META_ROTATOR_TOKEN="$DEMO_INSTAGRAM_TOKEN"'
  )
  const file = join(dir, '.emulators.env')
  writeCliEnvironment(file, cliEnvironment(v, v.FIXTURE_TOKEN!))
  const { META_ROTATOR_APP_ID, META_ROTATOR_APP_SECRET, ...env } = sourced(file)
  expect(META_ROTATOR_APP_ID && META_ROTATOR_APP_SECRET).toBeTruthy()
  const instagram = await cli(
    ['rotate', '--strategy', 'instagram', '--secret-name', 'IG_TOKEN', '--repositories', v.FIXTURE_REPOSITORIES!],
    { ...env, META_ROTATOR_TOKEN: env.DEMO_INSTAGRAM_TOKEN }
  )
  expect(instagram.code).toBe(0)
  expect(instagram.err).not.toContain('warning')
})
