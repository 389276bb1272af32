// The two loopback-server knobs the resilience tests need: a fault that replaces the answer of a
// request that was carried out (a write that landed, then a 500), and answers without a Date header.
import { afterEach, expect, test } from '@jest/globals'
import { LoopbackServer } from '../../emulators/loopback-server.js'

let server: LoopbackServer
let writes = 0
afterEach(() => server.stop())

async function started(): Promise<string> {
  writes = 0
  server = new LoopbackServer((request) => {
    if (request.method === 'PUT') writes += 1
    return { status: 201, body: { writes } }
  })
  return server.start()
}

test('afterHandler: the request is carried out, then the fault replaces its answer', async () => {
  const url = await started()
  server.injectFault({ method: 'PUT', path: '/thing', fault: { kind: 'status', status: 500 }, afterHandler: true })
  const faulted = await fetch(`${url}/thing`, { method: 'PUT' })
  expect(faulted.status).toBe(500)
  expect(writes).toBe(1)
  // A fault without afterHandler answers before the handler: nothing is carried out.
  server.injectFault({ method: 'PUT', path: '/thing', fault: { kind: 'reset' } })
  await expect(fetch(`${url}/thing`, { method: 'PUT' })).rejects.toThrow()
  expect(writes).toBe(1)
  const healthy = await fetch(`${url}/thing`, { method: 'PUT' })
  expect(await healthy.json()).toEqual({ writes: 2 })
})

test('sendsDate false: answers, faults included, carry no Date header', async () => {
  const url = await started()
  expect((await fetch(`${url}/thing`)).headers.get('date')).not.toBeNull()
  server.sendsDate = false
  expect((await fetch(`${url}/thing`)).headers.get('date')).toBeNull()
  server.injectFault({ path: '/thing', fault: { kind: 'status', status: 503 } })
  const fault = await fetch(`${url}/thing`)
  expect(fault.status).toBe(503)
  expect(fault.headers.get('date')).toBeNull()
})
