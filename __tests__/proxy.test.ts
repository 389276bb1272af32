// Self-hosted runners behind a corporate proxy: the runner's HTTP_PROXY / HTTPS_PROXY / NO_PROXY are
// honoured by the toolkit's HTTP client (@actions/http-client), on every Node the action runs on.
// The emulators are reached by names under .localhost, which only the proxy resolves (the toolkit
// never sends 127.0.0.1 or localhost through a proxy), so a request that skipped the proxy fails.
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { HttpStack } from '../src/http/http-stack.js'
import { ForwardProxy } from './support/forward-proxy.js'
import { REPOS, runWithInputs, startWorld, type World } from './support/world.js'

let proxy: ForwardProxy
const saved = { ...process.env }
beforeEach(async () => {
  proxy = await ForwardProxy.start()
})
afterEach(async () => {
  // The toolkit reads the proxy variables from the process environment, as on a runner.
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
  await proxy.stop()
})

/** The emulator's URL under a .localhost name only the proxy knows. */
const viaName = (url: string, name: string): string => url.replace('127.0.0.1', `${name}.localhost`)

test('a whole rotation goes through HTTP_PROXY from the runner environment', async () => {
  const world: World = await startWorld()
  try {
    process.env.HTTP_PROXY = proxy.url
    const run = await runWithInputs(
      world.inputs({
        'graph-api-url': viaName(world.graph.url, 'graph'),
        'github-api-url': viaName(world.github.url, 'github')
      })
    )
    expect(run.failed).toBeUndefined()
    for (const repo of REPOS)
      expect(world.github.secret({ kind: 'repository', repo }, 'META_TOKEN')?.value).toBe(run.outputs.token)
    // The toolkit tunnels plain http through CONNECT too, one tunnel per kept-alive connection. The
    // names resolve nowhere else, so every request that reached an emulator came through the proxy.
    const hosts = [new URL(viaName(world.graph.url, 'graph')).host, new URL(viaName(world.github.url, 'github')).host]
    expect(new Set(proxy.seen)).toEqual(new Set(hosts.map((host) => `CONNECT ${host}`)))
  } finally {
    await world.stop()
  }
})

test('NO_PROXY sends a host around the proxy', async () => {
  process.env.HTTP_PROXY = proxy.url
  process.env.NO_PROXY = 'direct.localhost'
  const http = new HttpStack({ timeoutMs: 5000, maxBodyBytes: 1024 })
  try {
    // Around the proxy, this machine cannot resolve the name: the request fails, and the proxy saw nothing.
    await expect(http.send('GET', 'http://direct.localhost:9/x')).rejects.toMatchObject({ kind: 'network' })
    expect(proxy.seen).toEqual([])
  } finally {
    http.dispose()
  }
})

test('https goes through a CONNECT tunnel, and the server certificate is still verified end to end', async () => {
  const tls = {
    key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
    cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url))
  }
  const server = https.createServer(tls, (_request, response) => response.end('{"through":"tunnel"}'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const target = `https://secure.localhost:${(server.address() as AddressInfo).port}`
  process.env.HTTPS_PROXY = proxy.url
  const http = new HttpStack({ timeoutMs: 5000, maxBodyBytes: 1024 })
  try {
    // A self-signed certificate is refused although the tunnel is up: the proxy does not weaken TLS.
    await expect(http.send('GET', `${target}/x`)).rejects.toMatchObject({ kind: 'network' })
    expect(proxy.seen).toEqual([`CONNECT ${new URL(target).host}`])
  } finally {
    http.dispose()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

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
