// The transport under Octokit and the Graph client, against a bare loopback server: what it sends,
// how it reads answers, and how it ends exchanges that go wrong.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { createTransport, HttpHeaders } from '../src/http/transport.js'

interface Seen {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  socket: number
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: string) => void

class Server {
  readonly seen: Seen[] = []
  private sockets = 0
  private handler: Handler = (_request, response) => response.end('{}')
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<Server> {
    const server = new Server(http.createServer())
    server.server.on('connection', (socket) => Object.assign(socket, { serial: ++server.sockets }))
    server.server.on('request', (request, response) => {
      let body = ''
      request.on('data', (chunk: Buffer) => (body += chunk.toString()))
      request.on('end', () => {
        const socket = (request.socket as unknown as { serial: number }).serial
        server.seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
          socket
        })
        server.handler(request, response, body)
      })
    })
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve))
    return server
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  answer(handler: Handler): void {
    this.handler = handler
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((resolve) => this.server.close(resolve))
  }
}

let server: Server
beforeEach(async () => {
  server = await Server.start()
})
afterEach(async () => {
  await server.stop()
})

describe('createTransport', () => {
  test('sends method, headers and body; reads status, headers and the whole body', async () => {
    server.answer((_request, response) => {
      response.writeHead(201, 'Created', { 'Content-Type': 'application/json', 'X-Many': ['a', 'b'] })
      response.end(JSON.stringify({ ok: '✓' }))
    })
    const fetch = createTransport({ timeoutMs: 5000 })
    const response = await fetch(`${server.url}/repos/o/r?x=1`, {
      method: 'put',
      headers: { authorization: 'token t', 'content-type': 'application/json' },
      body: '{"encrypted_value":"…"}'
    })
    expect(server.seen[0]).toMatchObject({ method: 'PUT', url: '/repos/o/r?x=1', body: '{"encrypted_value":"…"}' })
    expect(server.seen[0]?.headers).toMatchObject({
      authorization: 'token t',
      'content-length': String(Buffer.byteLength('{"encrypted_value":"…"}'))
    })
    expect(response).toMatchObject({ status: 201, statusText: 'Created', ok: true, url: `${server.url}/repos/o/r?x=1` })
    expect(response.headers.get('CONTENT-TYPE')).toBe('application/json')
    expect(response.headers.get('x-many')).toBe('a, b')
    expect([...response.headers].map(([name]) => name)).toEqual(expect.arrayContaining(['content-type', 'x-many']))
    expect(await response.json()).toEqual({ ok: '✓' })
    expect(await response.text()).toBe('{"ok":"✓"}')
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('{"ok":"✓"}')
  })

  test('an error status is an answer, not an exception', async () => {
    server.answer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' })
      response.end('{"message":"Not Found"}')
    })
    const response = await createTransport({ timeoutMs: 5000 })(`${server.url}/x`)
    expect(response).toMatchObject({ status: 404, ok: false })
    expect(await response.json()).toEqual({ message: 'Not Found' })
  })

  test('keeps connections alive: sequential requests share one socket', async () => {
    const fetch = createTransport({ timeoutMs: 5000 })
    for (let i = 0; i < 5; i++) await (await fetch(`${server.url}/${i}`)).text()
    expect(new Set(server.seen.map((s) => s.socket)).size).toBe(1)
  })

  test('ends an exchange whose answer does not come within the timeout, with a TimeoutError', async () => {
    server.answer(() => undefined)
    const started = Date.now()
    const failure = createTransport({ timeoutMs: 150 })(`${server.url}/slow`)
    await expect(failure).rejects.toMatchObject({ name: 'TimeoutError', message: 'no answer within 150 ms' })
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
  })

  test('the timeout covers the body too: headers on time, then silence', async () => {
    server.answer((_request, response) => {
      response.writeHead(200, { 'content-length': '100' })
      response.write('{"partial":')
    })
    await expect(createTransport({ timeoutMs: 150 })(`${server.url}/stall`)).rejects.toMatchObject({
      name: 'TimeoutError'
    })
  })

  test('an answer cut short is an error, never a shorter body', async () => {
    server.answer((request, response) => {
      response.writeHead(200, { 'content-length': '100' })
      response.write('{"id":')
      setTimeout(() => request.socket.destroy(), 10)
    })
    await expect(createTransport({ timeoutMs: 5000 })(`${server.url}/cut`)).rejects.toMatchObject({
      code: 'ECONNRESET'
    })
  })

  test('a reset connection or a closed port rejects with the socket error code', async () => {
    server.answer((request) => request.socket.destroy())
    await expect(createTransport({ timeoutMs: 5000 })(`${server.url}/reset`)).rejects.toMatchObject({
      code: 'ECONNRESET'
    })
    const closed = await Server.start()
    const url = closed.url
    await closed.stop()
    await expect(createTransport({ timeoutMs: 5000 })(url)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  test("an abort signal ends the exchange with the signal's reason", async () => {
    server.answer(() => undefined)
    const controller = new AbortController()
    const failure = createTransport({ timeoutMs: 5000 })(`${server.url}/wait`, { signal: controller.signal })
    setTimeout(() => controller.abort(new Error('stopped by the caller')), 20)
    await expect(failure).rejects.toThrow('stopped by the caller')
  })

  test('follows same-origin redirects as fetch does: 307 keeps method and body, 303 becomes a GET', async () => {
    server.answer((request, response) => {
      if (request.url === '/old') response.writeHead(307, { location: '/new' }).end()
      else if (request.url === '/see-other') response.writeHead(303, { location: `${server.url}/other` }).end()
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{"at":"' + request.url + '"}')
    })
    const fetch = createTransport({ timeoutMs: 5000 })
    const moved = await fetch(`${server.url}/old`, {
      method: 'PUT',
      headers: { authorization: 'token t' },
      body: 'sealed'
    })
    expect(moved).toMatchObject({ status: 200, url: `${server.url}/new` })
    expect(server.seen.map((s) => [s.method, s.url, s.body, s.headers.authorization])).toEqual([
      ['PUT', '/old', 'sealed', 'token t'],
      ['PUT', '/new', 'sealed', 'token t']
    ])
    const other = await fetch(`${server.url}/see-other`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'
    })
    expect(await other.json()).toEqual({ at: '/other' })
    expect(server.seen.slice(2).map((s) => [s.method, s.body, s.headers['content-type']])).toEqual([
      ['POST', 'x', 'text/plain'],
      ['GET', '', undefined]
    ])
  })

  test('never follows a redirect to another origin, so the Authorization header stays home', async () => {
    const elsewhere = await Server.start()
    try {
      server.answer((_request, response) => response.writeHead(301, { location: `${elsewhere.url}/steal` }).end())
      const response = await createTransport({ timeoutMs: 5000 })(`${server.url}/repo`, {
        headers: { authorization: 'token t' }
      })
      expect(response.status).toBe(301)
      expect(elsewhere.seen).toHaveLength(0)
    } finally {
      await elsewhere.stop()
    }
  })

  test('stops following after five redirects and hands back the last one', async () => {
    server.answer((_request, response) => response.writeHead(302, { location: '/again' }).end())
    const response = await createTransport({ timeoutMs: 5000 })(`${server.url}/loop`)
    expect(response.status).toBe(302)
    expect(server.seen).toHaveLength(6)
  })

  test('refuses a protocol other than http and https', async () => {
    await expect(createTransport({ timeoutMs: 5000 })('file:///etc/passwd')).rejects.toThrow(
      'unsupported protocol file:'
    )
  })
})

describe('createTransport over TLS', () => {
  // A self-signed certificate for 127.0.0.1, made for this test only (see fixtures/README.md).
  const tls = {
    key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
    cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url))
  }
  let secure: https.Server
  let url: string
  const sockets = new Set<unknown>()

  beforeEach(async () => {
    secure = https.createServer(tls, (request, response) => {
      sockets.add(request.socket)
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ path: request.url, auth: request.headers.authorization }))
    })
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve))
    url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`
    sockets.clear()
  })
  afterEach(async () => {
    secure.closeAllConnections()
    await new Promise((resolve) => secure.close(resolve))
  })

  test('verifies the certificate: a self-signed server is refused', async () => {
    await expect(createTransport({ timeoutMs: 5000 })(`${url}/x`)).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT'
    })
  })

  test('speaks https through a keep-alive agent of its own', async () => {
    const fetch = createTransport({ timeoutMs: 5000, ca: tls.cert })
    for (const path of ['/a', '/b', '/c']) {
      const response = await fetch(`${url}${path}`, { headers: { authorization: 'token t' } })
      expect(await response.json()).toEqual({ path, auth: 'token t' })
    }
    expect(sockets.size).toBe(1)
  })
})

describe('HttpHeaders', () => {
  test('reads names case-insensitively and joins repeated values', () => {
    const headers = new HttpHeaders({ 'retry-after': '3', 'set-cookie': ['a=1', 'b=2'], absent: undefined })
    expect(headers.get('Retry-After')).toBe('3')
    expect(headers.get('set-cookie')).toBe('a=1, b=2')
    expect(headers.get('absent')).toBeNull()
    expect(Object.fromEntries(headers)).toEqual({ 'retry-after': '3', 'set-cookie': 'a=1, b=2' })
  })
})
