// The HTTP stack on the toolkit's client, against a loopback server: what it adds on top of
// @actions/http-client (a timeout over the whole exchange, a cap on bodies, same-origin redirects,
// errors without URLs, GitHub's clock from Date) and the fetch it hands to Octokit.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { HttpFailure, HttpStack } from '../src/http/http-stack.js'

type Route = (request: IncomingMessage, response: ServerResponse, body: string) => void

let server: http.Server
let url: string
let route: Route
const sockets = new Set<Socket>()
const seen: Array<{ method: string; path: string; auth?: string; body: string }> = []
let stack: HttpStack

async function listen(): Promise<{ server: http.Server; url: string }> {
  const s = http.createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => (body += chunk.toString()))
    request.on('end', () => {
      seen.push({ method: request.method ?? '', path: request.url ?? '', auth: request.headers.authorization, body })
      route(request, response, body)
    })
  })
  s.on('connection', (socket) => sockets.add(socket))
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` }
}

beforeEach(async () => {
  seen.length = 0
  sockets.clear()
  ;({ server, url } = await listen())
  stack = new HttpStack({ timeoutMs: 300, maxBodyBytes: 64 * 1024 })
})
afterEach(async () => {
  stack.dispose()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('send', () => {
  test('sends method, headers and body; reads status, lower-case headers and the whole body', async () => {
    route = (request, response, body) =>
      response
        .writeHead(201, { 'X-Answer': 'yes', 'content-type': 'application/json' })
        .end(JSON.stringify({ got: body, ct: request.headers['content-type'] }))
    const answer = await stack.send('POST', `${url}/p`, { 'content-type': 'text/plain' }, 'hello')
    expect(answer).toMatchObject({ status: 201, headers: { 'x-answer': 'yes' }, url: `${url}/p` })
    expect(JSON.parse(answer.body)).toEqual({ got: 'hello', ct: 'text/plain' })
  })

  test('an error status is an answer, not an exception', async () => {
    route = (_request, response) => response.writeHead(502).end('bad gateway')
    expect(await stack.send('GET', `${url}/x`)).toMatchObject({ status: 502, body: 'bad gateway' })
  })

  test('keeps connections alive: sequential requests share one socket', async () => {
    route = (_request, response) => response.end('ok')
    for (const path of ['/a', '/b', '/c']) await stack.send('GET', `${url}${path}`)
    expect(sockets.size).toBe(1)
  })

  test('ends an exchange that gets no answer within the timeout, and says so without the URL', async () => {
    route = () => undefined
    const error = await stack.send('GET', `${url}/slow?client_secret=s3cr3t`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HttpFailure)
    expect(error).toMatchObject({ kind: 'timeout', name: 'TimeoutError' })
    expect(String((error as Error).message)).not.toMatch(/s3cr3t|slow/)
  })

  test('the timeout covers the body too: headers on time, then silence', async () => {
    route = (_request, response) => {
      response.writeHead(200, { 'content-length': '100' })
      response.write('{"partial":')
    }
    await expect(stack.send('GET', `${url}/trickle`)).rejects.toMatchObject({ kind: 'timeout' })
  })

  test('an answer cut short is an error, never a shorter body', async () => {
    route = (request, response) => {
      response.writeHead(200, { 'content-length': '100' })
      response.write('{"access_token":"EAAB', () => setTimeout(() => request.socket.destroy(), 20))
    }
    await expect(stack.send('GET', `${url}/cut`)).rejects.toMatchObject({ kind: 'cut' })
  })

  test('an endless answer is stopped at the cap instead of filling the memory', async () => {
    route = (_request, response) => {
      response.writeHead(200)
      const chunk = 'x'.repeat(16 * 1024)
      const pump = (): void => {
        while (response.write(chunk));
        response.once('drain', pump)
      }
      pump()
    }
    await expect(stack.send('GET', `${url}/endless`)).rejects.toMatchObject({ kind: 'too-large' })
  })

  test('a closed port rejects with the socket error code, and no URL in the message', async () => {
    const closed = await listen()
    await new Promise((resolve) => closed.server.close(resolve))
    const error = (await stack
      .send('GET', `${closed.url}/x?access_token=EAAsecret`)
      .catch((e: unknown) => e)) as HttpFailure
    expect(error).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' })
    expect(error.message).not.toContain('EAAsecret')
  })

  test('follows same-origin redirects as fetch does: 307 keeps method, body and credentials, 303 becomes a GET', async () => {
    route = (request, response, body) => {
      if (request.url === '/start') response.writeHead(307, { location: '/kept' }).end()
      else if (request.url === '/kept') response.writeHead(303, { location: `${url}/final` }).end()
      else response.end(JSON.stringify({ method: request.method, body }))
    }
    const answer = await stack.send('PUT', `${url}/start`, { authorization: 'token t' }, '{"v":1}')
    expect(JSON.parse(answer.body)).toEqual({ method: 'GET', body: '' })
    expect(seen.map((r) => `${r.method} ${r.path} ${r.auth ?? '-'} ${r.body || '-'}`)).toEqual([
      'PUT /start token t {"v":1}',
      'PUT /kept token t {"v":1}',
      'GET /final token t -'
    ])
    expect(answer.url).toBe(`${url}/final`)
  })

  test('never follows a redirect to another origin: the token and the body stay home', async () => {
    const other = await listen()
    route = (request, response) => {
      if (request.url === '/start') response.writeHead(307, { location: `${other.url}/elsewhere` }).end()
      else response.end('reached')
    }
    try {
      const answer = await stack.send('POST', `${url}/start`, { authorization: 'token t' }, 'access_token=EAAadmin')
      expect(answer.status).toBe(307)
      expect(seen.map((r) => r.path)).toEqual(['/start'])
    } finally {
      other.server.closeAllConnections()
      await new Promise((resolve) => other.server.close(resolve))
    }
  })

  test('stops following after five redirects and hands back the last one', async () => {
    route = (request, response) => response.writeHead(302, { location: `/r${seen.length}` }).end()
    const answer = await stack.send('GET', `${url}/r0`)
    expect(answer.status).toBe(302)
    expect(seen).toHaveLength(6)
  })

  test("knows the server's clock from the Date of its answers, never ahead of it", async () => {
    const serverAhead = 6 * 60_000
    route = (_request, response) =>
      response.writeHead(200, { date: new Date(Date.now() + serverAhead).toUTCString() }).end('{}')
    expect(stack.serverTime()).toBeUndefined()
    await stack.send('GET', `${url}/a`)
    const known = stack.serverTime() as number
    expect(known).toBeLessThanOrEqual(Date.now() + serverAhead)
    expect(known).toBeGreaterThan(Date.now() + serverAhead - 1500)
  })
})

describe('fetch, for Octokit', () => {
  test('answers with status, url, iterable headers and the body', async () => {
    route = (_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json', 'x-one': '1' }).end('{"ok":true}')
    const answer = await stack.fetch(`${url}/f`, { method: 'GET', headers: { accept: 'application/json' } })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('X-One')).toBe('1')
    expect(Object.fromEntries(answer.headers as unknown as Iterable<[string, string]>)).toMatchObject({ 'x-one': '1' })
    expect(await answer.json()).toEqual({ ok: true })
  })
})

describe('TLS', () => {
  test('verifies the certificate: a self-signed server is refused', async () => {
    const tls = {
      key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
      cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url))
    }
    const secure = https.createServer(tls, (_request, response) => response.end('{}'))
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve))
    try {
      await expect(
        stack.send('GET', `https://127.0.0.1:${(secure.address() as AddressInfo).port}/x`)
      ).rejects.toMatchObject({
        kind: 'network',
        code: 'DEPTH_ZERO_SELF_SIGNED_CERT'
      })
    } finally {
      secure.closeAllConnections()
      await new Promise((resolve) => secure.close(resolve))
    }
  })
})
