// heartbeat-url over real HTTP, against a loopback receiver that answers as healthchecks.io does: a
// rotation and a skip ping `{url}` once with one line of outcome, a failure pings `{url}/fail`, an
// input error too; heartbeat-start pings `/start` first with the same run id; a dry run pings nothing.
// The URL is masked (whole, and its key) before any request and never printed; a receiver that is
// down, hangs or answers 5xx or 404 is a warning with bounded attempts, and the rotation still succeeds.
import { afterEach, describe, expect, test } from '@jest/globals'
import type { HeartbeatReceiver } from '../emulators/heartbeat-receiver.js'
import {
  FAST,
  runWithInputs,
  startHeartbeat,
  startWorld,
  testClock,
  type World,
  holdEverywhere
} from './support/world.js'

let world: World
let receiver: HeartbeatReceiver
afterEach(async () => {
  await receiver?.stop()
  await world?.stop()
})

/** At each ping: how many requests GitHub and Graph had received by then. */
let seenAtPing: Array<{ github: number; graph: number }> = []

async function stage() {
  world = await startWorld()
  seenAtPing = []
  receiver = await startHeartbeat({
    clock: () => {
      seenAtPing.push({ github: world.github.server.requests.length, graph: world.graph.server.requests.length })
      return new Date()
    }
  })
  const key = receiver.url().split('/').pop() ?? ''
  return { url: receiver.url(), key }
}

const ENV = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'octo/app', GITHUB_RUN_ID: '4242' }
const kinds = () => receiver.pings.map((p) => p.kind)

describe('heartbeat-url', () => {
  test('a successful rotation pings the URL once, after the writes, with the outcome; the URL and its key are masked before any request', async () => {
    const { url, key } = await stage()
    const run = await runWithInputs(world.inputs({ 'heartbeat-url': url }), ENV)
    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    expect(kinds()).toEqual(['success'])
    const [ping] = receiver.pings
    expect(ping?.method).toBe('POST')
    expect(ping?.body).toMatch(
      /^meta-token-rotator: META_TOKEN \(system-user token\) rotated into 2 destinations\. It expires /
    )
    expect(ping?.body).toContain('Run: https://github.com/octo/app/actions/runs/4242')
    expect(ping?.body).not.toContain(world.token)
    expect(run.masks).toEqual(expect.arrayContaining([url, key]))
    expect([...run.log, run.summary].join('\n')).not.toContain(key)
    expect(run.summary).toContain('Heartbeat: a success ping was delivered')
    // After the last write and its read-back: the ping says what is stored.
    expect(seenAtPing[0]?.github).toBe(world.github.server.requests.length)
  })

  test('a run that skips (not due) pings success too: the token is healthy', async () => {
    const { url } = await stage()
    holdEverywhere(world)
    const run = await runWithInputs(world.inputs({ 'heartbeat-url': url, 'rotate-before': '7d' }))
    expect(run.outputs.rotated).toBe('false')
    expect(kinds()).toEqual(['success'])
    expect(receiver.pings[0]?.body).toMatch(/META_TOKEN \(system-user token\) not due, nothing changed\. It expires /)
  })

  test('a failed rotation pings /fail once with the step, and no success', async () => {
    const { url } = await stage()
    world.github.server.injectFault({
      method: 'PUT',
      path: /\/secrets\/META_TOKEN$/,
      fault: { kind: 'status', status: 422 },
      times: 10
    })
    const run = await runWithInputs(world.inputs({ 'heartbeat-url': url }))
    expect(run.failed).toBeDefined()
    expect(kinds()).toEqual(['fail'])
    expect(receiver.pings[0]?.path).toMatch(/\/fail$/)
    expect(receiver.pings[0]?.body).toMatch(/^meta-token-rotator: META_TOKEN failed at store: /)
  })

  test('an input error pings /fail too (when heartbeat-url itself is valid); an invalid heartbeat-url is an input error that never shows the URL', async () => {
    const { url, key } = await stage()
    const run = await runWithInputs(world.inputs({ 'heartbeat-url': url, 'rotate-before': 'soon' }))
    expect(run.outputs['failed-step']).toBe('inputs')
    expect(kinds()).toEqual(['fail'])
    expect(receiver.pings[0]?.body).toContain('failed at inputs')

    const bad = await runWithInputs(world.inputs({ 'heartbeat-url': `ftp://example.com/${key}` }))
    expect(bad.failed).toContain("'heartbeat-url': must use https")
    expect(bad.failed).not.toContain(key)
    expect(kinds()).toEqual(['fail'])
  })

  test('heartbeat-start pings /start before the first request, then success, paired by the same rid', async () => {
    const { url } = await stage()
    const run = await runWithInputs(world.inputs({ 'heartbeat-url': url, 'heartbeat-start': 'true' }))
    expect(run.failed).toBeUndefined()
    expect(kinds()).toEqual(['start', 'success'])
    expect(receiver.pings[0]?.rid).toBeDefined()
    expect(receiver.pings[1]?.rid).toBe(receiver.pings[0]?.rid)
    expect(seenAtPing[0]).toEqual({ github: 0, graph: 0 })
  })

  test('a dry run pings nothing', async () => {
    const { url } = await stage()
    const run = await runWithInputs(
      world.inputs({ 'heartbeat-url': url, 'heartbeat-start': 'true', 'dry-run': 'true' })
    )
    expect(run.failed).toBeUndefined()
    expect(receiver.pings).toEqual([])
  })

  test.each([
    ['down (connection refused)', 'down'],
    ['answering 503', 'status'],
    ['hanging', 'hang']
  ] as const)(
    'a receiver %s: a warning after 3 bounded attempts, and the rotation succeeds with the token stored',
    async (_, how) => {
      const { url } = await stage()
      if (how === 'down') await receiver.stop()
      else
        receiver.server.injectFault({
          path: /.*/,
          fault: how === 'hang' ? { kind: 'hang' } : { kind: 'status', status: 503 },
          times: 10
        })
      const clock = testClock()
      const run = await runWithInputs(
        world.inputs({ 'heartbeat-url': url }),
        {},
        { ...FAST, clock, requestTimeoutMs: 300 }
      )
      expect(run.failed).toBeUndefined()
      expect(run.outputs.rotated).toBe('true')
      const warning = run.log.find((line) => line.startsWith('warning: heartbeat:')) ?? ''
      expect(warning).toContain("the success ping to 'heartbeat-url' (127.0.0.1:")
      expect(warning).toContain('A heartbeat never fails the run.')
      if (how !== 'down') expect(receiver.server.requests).toHaveLength(3)
      // The pauses between attempts are the injected clock's: 1 s, then 2 s.
      expect(clock.waitedMs).toBeGreaterThanOrEqual(3000)
      expect(run.summary).toContain('Heartbeat: the success ping could not be delivered')
      const stored = world.github.secret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN')?.value
      expect(world.graph.token(stored ?? '')?.revoked).toBeFalsy()
    }
  )

  test('a check the service does not know (404) is not retried', async () => {
    const { url } = await stage()
    const run = await runWithInputs(world.inputs({ 'heartbeat-url': `${url}0` }))
    expect(run.failed).toBeUndefined()
    expect(receiver.server.requests).toHaveLength(1)
    expect(run.log.find((line) => line.startsWith('warning: heartbeat:'))).toContain('the service answered HTTP 404')
  })
})
