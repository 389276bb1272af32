// The RequestGate's retry rules, on a scripted exchange: what is sent again, when, and how often.
// (Its rate-limit side runs against the GitHub emulator in destinations.test.ts and the benchmark.)
import { describe, expect, test } from '@jest/globals'
import { RequestGate } from '../src/github/request-gate.js'
import { HttpHeaders, type HttpFetch, type HttpResponse } from '../src/http/transport.js'

type Step = number | Error

function answer(status: number, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    statusText: '',
    url: 'https://ghe.example/api/v3/x',
    ok: status < 300,
    headers: new HttpHeaders(headers),
    text: async () => '{}',
    json: async () => ({}),
    arrayBuffer: async () => new ArrayBuffer(0)
  }
}

const reset = (): Error => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })

/** An exchange that plays `steps` in order (a status to answer, or an error to throw) and records sends. */
function scripted(steps: Step[]): { fetch: HttpFetch; sends: number[] } {
  const sends: number[] = []
  const started = Date.now()
  const fetch: HttpFetch = async () => {
    sends.push(Date.now() - started)
    const step = steps.shift() ?? 200
    if (step instanceof Error) throw step
    return answer(step)
  }
  return { fetch, sends }
}

function gate(retries?: number): { gate: RequestGate; retries: string[] } {
  const log: string[] = []
  return {
    gate: new RequestGate({
      secondMs: 10,
      retries,
      onRetry: (failure, method, _url, n, of, waitMs) => log.push(`${method} ${failure} ${n}/${of} ${waitMs}`)
    }),
    retries: log
  }
}

describe('RequestGate rate limits', () => {
  test('writes refused together are sent again one at a time, each after the wait', async () => {
    let inFlight = 0
    const sends: number[] = []
    const othersInFlight: number[] = []
    const started = Date.now()
    let refusals = 3
    const fetch: HttpFetch = async () => {
      othersInFlight.push(inFlight++)
      sends.push(Date.now() - started)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
      return refusals-- > 0 ? answer(403, { 'retry-after': '2' }) : answer(204)
    }
    const limits: number[] = []
    const wrapped = new RequestGate({ secondMs: 10, resendLimited: 5, onLimit: (waitMs) => limits.push(waitMs) }).wrap(
      fetch
    )
    const answers = await Promise.all(
      [1, 2, 3].map((i) => wrapped(`https://ghe.example/api/v3/s${i}`, { method: 'PUT' }))
    )
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204])
    expect(limits).toEqual([20, 20, 20])
    // The first three went together (nothing was known yet); the three re-sends went alone, after the wait.
    expect(othersInFlight).toEqual([0, 1, 2, 0, 0, 0])
    expect(sends.slice(3).every((t) => t >= 20)).toBe(true)
    // New writes queue too from now on.
    await Promise.all([4, 5].map((i) => wrapped(`https://ghe.example/api/v3/s${i}`, { method: 'PUT' })))
    expect(othersInFlight.slice(6)).toEqual([0, 0])
  })
})

describe('RequestGate retries', () => {
  test('sends again after a 5xx or a reset, waiting 1, 4 and 9 units, and gives up after three', async () => {
    const { fetch, sends } = scripted([502, reset(), 503, 500])
    const { gate: g, retries } = gate()
    const response = await g.wrap(fetch)('https://ghe.example/api/v3/x', { method: 'PUT' })
    expect(response.status).toBe(500)
    expect(sends).toHaveLength(4)
    expect(retries).toEqual(['PUT HTTP 502 1/3 10', 'PUT connection failed, ECONNRESET 2/3 40', 'PUT HTTP 503 3/3 90'])
    expect(sends[3]).toBeGreaterThanOrEqual(140)
  })

  test('the last failure is thrown when it is an error', async () => {
    const { fetch, sends } = scripted([reset(), reset(), reset(), reset()])
    await expect(gate().gate.wrap(fetch)('https://ghe.example/api/v3/x')).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(sends).toHaveLength(4)
  })

  test('a success after failures is handed back', async () => {
    const { fetch, sends } = scripted([503, 201])
    expect((await gate().gate.wrap(fetch)('https://ghe.example/api/v3/x', { method: 'PUT' })).status).toBe(201)
    expect(sends).toHaveLength(2)
  })

  test('a 429 without retry-after is retried like a 5xx', async () => {
    const { fetch, sends } = scripted([429, 200])
    expect((await gate().gate.wrap(fetch)('https://ghe.example/api/v3/x')).status).toBe(200)
    expect(sends).toHaveLength(2)
  })

  test('4xx answers are final', async () => {
    for (const status of [400, 401, 404, 422]) {
      const { fetch, sends } = scripted([status])
      expect((await gate().gate.wrap(fetch)('https://ghe.example/api/v3/x')).status).toBe(status)
      expect(sends).toHaveLength(1)
    }
  })

  test('a POST whose fate is unknown is not sent again, one answered 5xx is', async () => {
    const lost = scripted([reset()])
    await expect(
      gate().gate.wrap(lost.fetch)('https://ghe.example/api/v3/issues', { method: 'POST' })
    ).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(lost.sends).toHaveLength(1)
    const refused = scripted([502, 201])
    expect(
      (await gate().gate.wrap(refused.fetch)('https://ghe.example/api/v3/issues', { method: 'POST' })).status
    ).toBe(201)
    expect(refused.sends).toHaveLength(2)
  })

  test('retries: 0 sends once', async () => {
    const { fetch, sends } = scripted([503])
    expect((await gate(0).gate.wrap(fetch)('https://ghe.example/api/v3/x')).status).toBe(503)
    expect(sends).toHaveLength(1)
  })
})
