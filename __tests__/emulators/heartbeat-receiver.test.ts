// The loopback heartbeat receiver over real HTTP, as healthchecks.io's Pinging API answers: success,
// /start, /fail, /log and /{exit-status} of a known check are 200 "OK" and recorded with their body
// (POST only, the first 100 kB); an unknown check or signal is 404; methods other than HEAD, GET and
// POST are 405; faults of the loopback plumbing apply.
import { afterEach, describe, expect, test } from '@jest/globals'
import { HeartbeatReceiver, MAX_PING_BODY_BYTES } from '../../emulators/heartbeat-receiver.js'

let receiver: HeartbeatReceiver
afterEach(() => receiver.stop())

const send = async (url: string, init: RequestInit = {}) => {
  const response = await fetch(url, init)
  return [response.status, await response.text()]
}

describe('heartbeat receiver', () => {
  test('records each signal of a check with its method, path, body and run id', async () => {
    const at = new Date('2026-12-07T01:00:00Z')
    receiver = await HeartbeatReceiver.start({ clock: () => at })
    const url = receiver.url()
    expect(await send(`${url}/start?rid=5c8a1f0e-0000-4000-8000-000000000001`)).toEqual([200, 'OK'])
    expect(await send(url, { method: 'POST', body: 'rotated META_TOKEN' })).toEqual([200, 'OK'])
    expect(await send(`${url}/fail`, { method: 'POST', body: 'failed at store' })).toEqual([200, 'OK'])
    expect(await send(`${url}/log`, { method: 'HEAD' })).toEqual([200, ''])
    expect(await send(`${url}/3`)).toEqual([200, 'OK'])
    expect(receiver.pingsOf().map((p) => [p.kind, p.method, p.body, p.exitStatus])).toEqual([
      ['start', 'GET', '', undefined],
      ['success', 'POST', 'rotated META_TOKEN', undefined],
      ['fail', 'POST', 'failed at store', undefined],
      ['log', 'HEAD', '', undefined],
      ['exit-status', 'GET', '', 3]
    ])
    expect(receiver.pings[0]?.rid).toBe('5c8a1f0e-0000-4000-8000-000000000001')
    expect(receiver.pings[0]?.at).toEqual(at)
  })

  test('an unknown check, an unknown signal, a status over 255: 404 and nothing recorded; PUT: 405', async () => {
    receiver = await HeartbeatReceiver.start()
    expect(await send(`${receiver.server.url}/00000000-0000-4000-8000-000000000000`)).toEqual([404, 'not found'])
    expect((await send(`${receiver.url()}/finish`))[0]).toBe(404)
    expect((await send(`${receiver.url()}/256`))[0]).toBe(404)
    expect((await send(receiver.url(), { method: 'PUT', body: 'x' }))[0]).toBe(405)
    expect(receiver.pings).toEqual([])
  })

  test('keeps the first 100 kB of a body; a second check has its own pings; an injected fault answers instead', async () => {
    receiver = await HeartbeatReceiver.start()
    const second = receiver.addCheck()
    await send(receiver.url(second), { method: 'POST', body: 'x'.repeat(MAX_PING_BODY_BYTES + 10) })
    expect(receiver.pingsOf(second)[0]?.body).toHaveLength(MAX_PING_BODY_BYTES)
    expect(receiver.pingsOf()).toEqual([])
    receiver.server.injectFault({ path: /.*/, fault: { kind: 'status', status: 503 } })
    expect((await send(receiver.url()))[0]).toBe(503)
  })
})
