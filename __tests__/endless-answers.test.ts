// An API that answers without end (a broken proxy, a hostile host) must not grow the process: bodies
// are capped (1 MB for Graph, 8 MB for GitHub: their answers here are small JSON) and a slow drip is cut
// by the request timeout, which covers the body. The run fails at the step it was in, with a fix.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { requestTimeouts } from '../src/http/http-stack.js'
import { FAST, runWithInputs, startWorld, type World } from './support/world.js'

const MB = 1024 * 1024

let world: World
let server: Server
let url: string
/** Bytes the endless server managed to hand to its sockets. */
let sent = 0

/** Streams `x` as fast as the client reads (or `dripMs` apart), never ending. */
async function endless(dripMs?: number): Promise<void> {
  sent = 0
  server = http.createServer((_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.write('{"data":"')
    const chunk = 'x'.repeat(64 * 1024)
    let stopped = false
    response.on('close', () => (stopped = true))
    const pump = (): void => {
      if (stopped) return
      if (dripMs !== undefined) {
        response.write('x')
        sent += 1
        setTimeout(pump, dripMs)
        return
      }
      let room = true
      while (!stopped && room) {
        room = response.write(chunk)
        sent += chunk.length
      }
      if (!stopped) response.once('drain', pump)
    }
    pump()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await world.stop()
})

test('an endless Graph answer is cut at 1 MB: [check] fails, nothing written, the process does not grow', async () => {
  await endless()
  const run = await runWithInputs(world.inputs({ 'graph-api-url': url }), {}, { ...FAST, requestTimeoutMs: 20_000 })

  expect(run.failed).toMatch(/^\[check\] .*larger than 1024 KB/)
  expect(run.failed).toContain('Fix:')
  // What the server could push before the client hung up: the cap plus the sockets' buffers.
  expect(sent).toBeLessThan(8 * MB)
  expect(world.github.server.requests.filter((r) => r.method !== 'GET')).toEqual([])
})

test('an endless GitHub answer is cut at 8 MB: the destinations fail before anything is minted', async () => {
  await endless()
  const run = await runWithInputs(world.inputs({ 'github-api-url': url }), {}, { ...FAST, requestTimeoutMs: 20_000 })

  expect(run.failed).toMatch(/^\[prepare\] /)
  expect(run.failed).toMatch(/larger than 8192 KB/)
  expect(sent).toBeLessThan(32 * MB)
  expect(world.graph.server.requestsTo(/oauth\/access_token/)).toEqual([])
  expect(world.graph.isUsable(world.token)).toBe(true)
})

test('a Graph answer that drips forever is cut by the request timeout, body included', async () => {
  await endless(20)
  const timedOut: unknown[] = []
  const listen = (message: unknown) => timedOut.push(message)
  subscribe(requestTimeouts.name, listen)
  const started = performance.now()
  const run = await runWithInputs(world.inputs({ 'graph-api-url': url }), {}, { ...FAST, requestTimeoutMs: 150 })
  unsubscribe(requestTimeouts.name, listen)

  expect(run.failed).toMatch(/^\[check\] .*no answer within 0\.15 s/)
  // Three tries of 150 ms each; never the drip's endless time.
  expect(performance.now() - started).toBeLessThan(5000)
  // Each timeout is published for whoever listens, without the query string (it carries secrets).
  expect(timedOut).toEqual([1, 2, 3].map(() => ({ method: 'GET', origin: url, path: '/v27.0/debug_token' })))
})
