// Self-hosted runners behind a corporate proxy: the runner's HTTPS_PROXY / HTTP_PROXY / NO_PROXY are
// passed to the transport's agents, which Node honours from 24.5 on (the action's runtime is node24).
// On an older Node these tests are reported as skipped, by name: there the variables are ignored.
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import https from 'node:https'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createTransport } from '../src/http/transport.js'
import { agentsHonourProxyEnv, ForwardProxy } from './support/forward-proxy.js'
import { REPOS, runWithInputs, startWorld, type World } from './support/world.js'

const supported = await agentsHonourProxyEnv()
const proxyTest = supported ? test : test.skip

let proxy: ForwardProxy
beforeEach(async () => {
  proxy = await ForwardProxy.start()
})
afterEach(async () => {
  await proxy.stop()
})

proxyTest('a whole rotation goes through HTTP_PROXY from the runner environment (Node 24.5+)', async () => {
  const world: World = await startWorld()
  try {
    const run = await runWithInputs(world.inputs(), { HTTP_PROXY: proxy.url })
    expect(run.failed).toBeUndefined()
    for (const repo of REPOS)
      expect(world.github.secret({ kind: 'repository', repo }, 'META_TOKEN')?.value).toBe(run.outputs.token)
    const relayed = world.graph.server.requests.length + world.github.server.requests.length
    expect(proxy.seen).toHaveLength(relayed)
    expect(proxy.seen.some((line) => line.startsWith(`GET ${world.graph.url}/`))).toBe(true)
    expect(proxy.seen.some((line) => line.startsWith(`PUT ${world.github.url}/repos/`))).toBe(true)
  } finally {
    await world.stop()
  }
})

proxyTest('NO_PROXY sends a host around the proxy (Node 24.5+)', async () => {
  const world: World = await startWorld()
  try {
    const run = await runWithInputs(world.inputs(), { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' })
    expect(run.failed).toBeUndefined()
    expect(proxy.seen).toEqual([])
  } finally {
    await world.stop()
  }
})

proxyTest(
  'https goes through a CONNECT tunnel, and the certificate is still checked end to end (Node 24.5+)',
  async () => {
    const tls = {
      key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
      cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url))
    }
    const server = https.createServer(tls, (_request, response) => response.end('{"through":"tunnel"}'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const target = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const trusted = createTransport({ timeoutMs: 5000, ca: tls.cert, proxyEnv: { HTTPS_PROXY: proxy.url } })
      expect(await (await trusted(`${target}/x`)).json()).toEqual({ through: 'tunnel' })
      expect(proxy.seen).toEqual([`CONNECT ${new URL(target).host}`])
      const untrusted = createTransport({ timeoutMs: 5000, proxyEnv: { HTTPS_PROXY: proxy.url } })
      await expect(untrusted(`${target}/x`)).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  }
)

test('without proxy variables nothing goes through a proxy', async () => {
  const world: World = await startWorld()
  try {
    const run = await runWithInputs(world.inputs(), {})
    expect(run.failed).toBeUndefined()
    expect(proxy.seen).toEqual([])
  } finally {
    await world.stop()
  }
})
