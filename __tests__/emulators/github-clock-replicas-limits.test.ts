import sodium from 'libsodium-wrappers'
import type { GitHubEmulator } from '../../emulators/github-emulator.js'
import { api, startGitHub } from './github-api.js'
import { containing } from './matchers.js'

const REPO = '/repos/octo/app/actions/secrets'
const ORG = '/orgs/octo/actions/secrets'
const MINUTE = 60_000
const SECOND_PRECISION = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

let running: GitHubEmulator[] = []

beforeAll(() => sodium.ready)
afterEach(async () => {
  await Promise.all(running.map((g) => g.stop()))
  running = []
})

async function started(options?: Parameters<typeof startGitHub>[0]) {
  const github = await startGitHub({ validateAgainstOpenApi: false, ...options })
  running.push(github)
  return { github, ...api(github) }
}

const near = (actual: number, expected: number, slackMs = 3000) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(slackMs)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe("GitHub's clock", () => {
  it('writes timestamps and Date headers from its own clock, at second precision', async () => {
    const offset = -7 * MINUTE
    const { github, call, sealed } = await started({ clockOffsetMs: offset })
    github.addToken('pat_issues', { permissions: { issues: 'write' } })

    const put = await call('PUT', `${REPO}/CLOCKED`, { body: await sealed(REPO, 'v') })
    expect(put.status).toBe(201)
    const date = put.headers.get('date') ?? ''
    expect(date).toBe(new Date(Date.parse(date)).toUTCString())
    near(Date.parse(date), Date.now() + offset)

    const read = await call('GET', `${REPO}/CLOCKED`)
    expect(read.body.updated_at).toMatch(SECOND_PRECISION)
    expect(read.body.created_at).toBe(read.body.updated_at)
    near(Date.parse(String(read.body.updated_at)), Date.now() + offset)

    const issue = await call('POST', '/repos/octo/app/issues', { token: 'pat_issues', body: { title: 'clock' } })
    expect(issue.body.created_at).toMatch(SECOND_PRECISION)
    near(Date.parse(String(issue.body.created_at)), Date.now() + offset)

    github.clockOffsetMs = 2 * 3600_000
    const unauthenticated = await call('GET', `${REPO}/CLOCKED`, { token: null })
    expect(unauthenticated.status).toBe(401)
    near(Date.parse(unauthenticated.headers.get('date') ?? ''), Date.now() + 2 * 3600_000)
    near(github.now().getTime(), Date.now() + 2 * 3600_000)

    github.server.injectFault({ path: `${REPO}/CLOCKED`, fault: { kind: 'status', status: 502 } })
    const fault = await call('GET', `${REPO}/CLOCKED`)
    expect(fault.status).toBe(502)
    near(Date.parse(fault.headers.get('date') ?? ''), Date.now() + 2 * 3600_000)
  })
})

describe('stale replicas', () => {
  it('answers what was there before each write, for the next N reads, then the current state', async () => {
    const { github, call, sealed } = await started({ staleReadsAfterWrite: 2 })
    expect(github.staleReadsAfterWrite).toBe(2)

    expect((await call('PUT', `${REPO}/LAGGY`, { body: await sealed(REPO, 'one') })).status).toBe(201)
    expect((await call('GET', `${REPO}/LAGGY`)).status).toBe(404)
    expect((await call('GET', `${REPO}/LAGGY`)).status).toBe(404)
    const first = await call('GET', `${REPO}/LAGGY`)
    expect(first.status).toBe(200)

    github.clockOffsetMs = 10_000 // so the second write has a later updated_at
    expect((await call('PUT', `${REPO}/LAGGY`, { body: await sealed(REPO, 'two') })).status).toBe(204)
    expect(github.secret({ kind: 'repository', repo: 'octo/app' }, 'LAGGY')?.value).toBe('two')
    expect((await call('GET', `${REPO}/LAGGY`)).body.updated_at).toBe(first.body.updated_at)
    expect((await call('GET', `${REPO}/LAGGY`)).body.updated_at).toBe(first.body.updated_at)
    expect((await call('GET', `${REPO}/LAGGY`)).body.updated_at).not.toBe(first.body.updated_at)

    expect((await call('DELETE', `${REPO}/LAGGY`)).status).toBe(204)
    expect((await call('GET', `${REPO}/LAGGY`)).status).toBe(200)
    expect((await call('GET', `${REPO}/LAGGY`)).status).toBe(200)
    expect((await call('GET', `${REPO}/LAGGY`)).status).toBe(404)
  })

  it('lags on the repository list of an organization secret too; a refused write changes nothing', async () => {
    const { github, call } = await started()
    github.setOrganizationSecret('octo', 'SHARED', 'v', { visibility: 'selected', repositories: ['octo/app'] })
    github.staleReadsAfterWrite = 1
    const ids = async () =>
      ((await call('GET', `${ORG}/SHARED/repositories`)).body.repositories as Array<{ id: number }>).map((r) => r.id)

    expect((await call('PUT', `${ORG}/SHARED/repositories/102`)).status).toBe(204)
    expect(await ids()).toEqual([101])
    expect(await ids()).toEqual([101, 102])

    expect((await call('PUT', `${ORG}/SHARED/repositories/201`)).status).toBe(422) // not in octo
    expect(await ids()).toEqual([101, 102])
    expect((await call('DELETE', `${REPO}/NEVER_WRITTEN`)).status).toBe(404)
    expect((await call('GET', `${REPO}/NEVER_WRITTEN`)).status).toBe(404)
  })
})

describe('X-GitHub-Api-Version', () => {
  it('records requests without it, answers the version selected, and refuses unknown versions', async () => {
    const { github, call } = await started()
    await call('GET', `${REPO}/public-key`)
    const pinned = await call('GET', `${REPO}/public-key`, { headers: { 'X-GitHub-Api-Version': '2022-11-28' } })
    expect(pinned.headers.get('x-github-api-version-selected')).toBe('2022-11-28')
    const newer = await call('GET', `${REPO}/public-key`, { headers: { 'x-github-api-version': '2026-03-10' } })
    expect(newer.status).toBe(200)
    expect(newer.headers.get('x-github-api-version-selected')).toBe('2026-03-10')

    expect(github.requestsWithoutApiVersion).toEqual([containing({ method: 'GET', path: `${REPO}/public-key` })])

    const old = await call('GET', `${REPO}/public-key`, { token: null, headers: { 'X-GitHub-Api-Version': 'v3' } })
    expect(old.status).toBe(400)
    expect(old.body).toMatchObject({
      status: '400',
      message:
        'The version you specified in the "X-GitHub-Api-Version" request header, "v3", is not a supported version. ' +
        'The following versions are currently supported: "2026-03-10" (most recent), "2022-11-28".'
    })
  })
})

describe('secondary rate limits', () => {
  it('can refuse without retry-after: then a retry within the minute is too early', async () => {
    const { github, call, sealed } = await started({
      secondaryRateLimit: { writesPerWindow: 1, windowMs: 40, retryAfter: false, minuteMs: 400 }
    })
    const body = await sealed(REPO, 'v')
    expect((await call('PUT', `${REPO}/A`, { body })).status).toBe(201)
    const refused = await call('PUT', `${REPO}/B`, { body })
    expect(refused.status).toBe(403)
    expect(refused.body.message).toMatch(/secondary rate limit/)
    expect(refused.headers.get('retry-after')).toBeNull()
    expect(refused.headers.get('x-ratelimit-remaining')).not.toBe('0')

    await sleep(100) // the window has cleared, but the minute has not passed
    expect((await call('PUT', `${REPO}/B`, { body })).status).toBe(403)
    expect(github.rateLimit).toEqual({ writesAccepted: 1, writesRejected: 2, retriedTooEarly: 1 })

    await sleep(350)
    expect((await call('PUT', `${REPO}/B`, { body })).status).toBe(201)
    expect(github.rateLimit.retriedTooEarly).toBe(1)
  })

  it('caps content-creating requests per hour, and can be changed while running', async () => {
    const { github, call, sealed } = await started()
    const body = await sealed(REPO, 'v')
    // One of GitHub's seconds lasts 50 ms here: the "hour" is 500 ms, announced as 10 s.
    github.setSecondaryRateLimit({ writesPerWindow: 100, windowMs: 100, writesPerHour: 2, hourMs: 500, secondMs: 50 })
    expect((await call('PUT', `${REPO}/H1`, { body })).status).toBe(201)
    expect((await call('PUT', `${REPO}/H2`, { body })).status).toBe(201)
    const capped = await call('PUT', `${REPO}/H3`, { body })
    expect(capped.status).toBe(403)
    // Whole seconds until the oldest write leaves the hour: 10, or fewer if this machine was slow.
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(capped.headers.get('retry-after'))).toBeLessThanOrEqual(10)

    await sleep(520)
    expect((await call('PUT', `${REPO}/H3`, { body })).status).toBe(201)
    expect(github.rateLimit).toEqual({ writesAccepted: 3, writesRejected: 1, retriedTooEarly: 0 })

    github.setSecondaryRateLimit(undefined)
    for (const name of ['H4', 'H5', 'H6']) expect((await call('PUT', `${REPO}/${name}`, { body })).status).toBe(201)
  })
})
