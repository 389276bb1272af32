// Graph API v27.0 by default; a version Meta no longer serves is refused, or answered as the next usable
// one (switchable: which Meta does for a given version is not verified here), and the summary and the
// CLI report name the version that answered.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { runCli } from '../src/cli/cli.js'
import { DEFAULT_GRAPH_API_VERSION } from '../src/contract.js'
import { DEFAULT_GRAPH_VERSIONS } from '../emulators/graph-emulator.js'
import { cliRotateCommand } from './support/cli-command.js'
import { APP_SECRET, FAST, runWithInputs, startWorld, type World } from './support/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.stop()
})

const debugToken = (version: string) =>
  fetch(
    `${world.graph.url}/${version}/debug_token?input_token=x&access_token=${world.inputs()['app-id']}|${APP_SECRET}`
  )

describe('the Graph emulator', () => {
  test('accepts v24.0 to v27.0 and says which version answered', async () => {
    expect(DEFAULT_GRAPH_VERSIONS).toEqual(['v24.0', 'v25.0', 'v26.0', 'v27.0'])
    for (const version of DEFAULT_GRAPH_VERSIONS) {
      const answer = await debugToken(version)
      expect(answer.status).toBe(200)
      expect(answer.headers.get('facebook-api-version')).toBe(version)
    }
  })

  test('refuses an expired version by default, and serves it as the oldest usable one when switched', async () => {
    const refused = await debugToken('v23.0')
    expect(refused.status).toBe(400)
    expect(((await refused.json()) as { error: { code: number } }).error.code).toBe(2635)

    world.graph.expiredVersions = 'upgrades'
    const served = await debugToken('v23.0')
    expect(served.status).toBe(200)
    expect(served.headers.get('facebook-api-version')).toBe('v24.0')
    // A version that does not exist yet is no expired one.
    expect((await debugToken('v28.0')).status).toBe(400)
  })
})

describe('graph-api-version', () => {
  test('defaults to v27.0, used in every call and named in the summary', async () => {
    expect(DEFAULT_GRAPH_API_VERSION).toBe('v27.0')
    const run = await runWithInputs(world.inputs())
    expect(run.failed).toBeUndefined()
    const paths = world.graph.server.requests.map((r) => r.path)
    expect(paths.length).toBeGreaterThan(0)
    for (const path of paths) expect(path).toMatch(/^\/v27\.0\//)
    expect(run.summary).toContain('- **Graph API:** v27.0\n')
  })

  test('an expired version Meta refuses fails the check, naming the version', async () => {
    const run = await runWithInputs(world.inputs({ 'graph-api-version': 'v23.0' }))
    expect(run.failed).toMatch(/Unsupported Graph API version 'v23\.0'/)
    expect(world.graph.token(world.token)?.revoked).toBe(false)
  })

  test('an expired version Meta serves as a newer one rotates, and the summary says which version answered', async () => {
    world.graph.expiredVersions = 'upgrades'
    const run = await runWithInputs(world.inputs({ 'graph-api-version': 'v23.0' }))
    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    expect(run.summary).toContain(
      '- **Graph API:** v24.0 (v23.0 was asked for and is no longer available: Meta answered as v24.0; set graph-api-version to v24.0 or later)'
    )
  })

  test('the CLI report names the version', async () => {
    let out = ''
    const { argv, env } = cliRotateCommand(world)
    const code = await runCli(argv, env, { out: (t) => (out += t), err: () => undefined }, FAST)
    expect(code).toBe(0)
    expect(out).toMatch(/Graph API:\s+v27\.0\n/)
  })
})
