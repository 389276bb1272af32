// Inputs at their bounds, and credentials given where a name goes (issue 26): a value past a bound is
// refused (bad-inputs.test.ts tries those over HTTP), a value at the bound works, and a credential
// used as a name is neither accepted nor echoed whole, in the log, the failure or the summary title.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { credentialWords, looksLikeCredential, mayBeCredential } from '../src/credential-shape.js'
import { echoed } from '../src/outside-text.js'
import { APP_ID, runWithInputs, startWorld, type World } from './support/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.stop()
})

describe('what a credential looks like', () => {
  const names = [
    'META_TOKEN',
    'META_TOKEN_PRODUCTION_2026',
    'WHATSAPP_TOKEN_PROD_2025',
    'production',
    'prod/eu',
    'staging-2026-eu-west-1-cluster',
    'octo/app',
    'ig_token_previous_2026_12'
  ]
  test.each(names)('%s is a name', (name) => {
    expect(looksLikeCredential(name)).toBe(false)
    expect(credentialWords(`repo octo/app as ${name}`)).toEqual([])
  })

  test('every credential this action handles is one, and an echo shows only its start', () => {
    const credentials = [
      world.graph.issueToken({ appId: APP_ID, type: 'USER', userId: '1000' }),
      `IGAA${'Zk9'.repeat(20)}`,
      `ghp_${'a1B2'.repeat(9)}`,
      `github_pat_11ABCDEFG0_${'x1Y2'.repeat(10)}`,
      'f0e1d2c3b4a5968778695a4b3c2d1e0f',
      'q8Zr2LmX0vTnB7yK4pWcD9sHfJ3gE6aU'
    ]
    for (const credential of credentials) {
      expect(looksLikeCredential(credential)).toBe(true)
      expect(mayBeCredential(credential)).toBe(true)
      expect(echoed(credential)).toBe(`${credential.slice(0, 4)}…`)
      expect(credentialWords(`environment octo/app production as\t${credential}\n`)).toEqual([credential])
    }
  })
})

describe('a credential given as a name', () => {
  test("as secret-name: refused before any request, masked, and the summary's title shows only its start", async () => {
    const pasted = world.graph.issueToken({ appId: APP_ID, type: 'USER', userId: '1000' })
    const run = await runWithInputs(world.inputs({ 'secret-name': pasted }))

    expect(run.failed).toMatch(/^\[inputs\] .*'secret-name'.*looks like a token/s)
    expect(run.masks).toContain(pasted)
    expect(run.summary).toContain(`## Meta token rotation: \`${pasted.slice(0, 4)}…\``)
    expect(world.graph.server.requests).toEqual([])
    expect(world.github.server.requests).toEqual([])
    // runWithInputs' leak scan has also looked for the pasted token (and its beginning) everywhere.
  })

  test('a valid name stays whole in the title', async () => {
    const run = await runWithInputs(
      world.inputs({ 'secret-name': 'META_TOKEN_PRODUCTION_2026', 'rotate-before': '365d' })
    )
    expect(run.failed).toBeUndefined()
    expect(run.summary).toContain('## Meta token rotation: `META_TOKEN_PRODUCTION_2026`')
  })
})

describe('durations at their upper bounds', () => {
  test('request-timeout 30m and rotate-before 365d are accepted: the run rotates', async () => {
    const run = await runWithInputs(world.inputs({ 'request-timeout': '30m', 'rotate-before': '365d' }))
    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
  })
})
