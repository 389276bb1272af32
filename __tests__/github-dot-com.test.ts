// The github.com path, which no rotation against a loopback URL takes: Octokit's throttling plugin
// paces writes and honours the secondary rate limit, under the RequestGate. The client believes it
// talks to https://api.github.com; its transport sends each request to the GitHub emulator instead.
import { afterEach, expect, test } from '@jest/globals'
import { GitHubEmulator } from '../emulators/github-emulator.js'
import type { Destination } from '../src/github/destinations.js'
import { createGitHubClient } from '../src/github/github-client.js'
import { mayHaveLanded, readGitHubError } from '../src/github/github-error.js'
import { SecretStore } from '../src/github/secret-store.js'
import { systemClock } from '../src/clock.js'
import { HttpStack } from '../src/http/http-stack.js'

const TOKEN = 'github_pat_dotcom'
const REPOS = ['octo/a', 'octo/b', 'octo/c', 'octo/d']

let github: GitHubEmulator

afterEach(async () => {
  await github.stop()
})

/** The Actions secrets of a repository, as the rotation plans them. */
function actionsSecretsOf(repo: string): Destination {
  const [owner, name] = repo.split('/') as [string, string]
  return {
    kind: 'repository',
    secretType: 'actions',
    target: repo,
    route: '/repos/{owner}/{repo}/actions/secrets',
    params: { owner, repo: name },
    secretName: 'META_TOKEN',
    pages: true
  }
}

/** One of GitHub's seconds, on both sides: the client's waits and pacing, the emulator's retry-after. */
const SECOND = 3

async function writeAll(
  secondaryRateLimit: {
    writesPerWindow: number
    windowMs: number
    retryAfter?: boolean
  },
  repos: string[] = REPOS
): Promise<{ elapsed: number; warnings: string[] }> {
  github = await GitHubEmulator.start({ secondaryRateLimit: { ...secondaryRateLimit, secondMs: SECOND } })
  for (const repo of repos) github.addRepository(repo)
  github.addToken(TOKEN, { permissions: { secrets: 'write' } })
  const warnings: string[] = []
  const http = new HttpStack({ timeoutMs: 5000, maxBodyBytes: 1024 * 1024 })
  const sentTo = new Set<string>()
  const client = createGitHubClient({
    token: TOKEN,
    baseUrl: 'https://api.github.com',
    log: {
      info: () => undefined,
      debug: () => undefined,
      warning: (message) => warnings.push(message)
    },
    maxConcurrency: 64,
    secondMs: SECOND,
    fetch: ((url: string, init: RequestInit) => {
      sentTo.add(new URL(url).origin)
      return http.fetch(url.replace('https://api.github.com', github.url), init)
    }) as typeof fetch
  })
  const store = new SecretStore(client, { clock: systemClock, githubTime: () => http.serverTime() })
  const destinations = repos.map(actionsSecretsOf)
  const started = Date.now()
  const statuses = await Promise.all(
    destinations.map((d) => store.write(d, 'META_TOKEN', 'EAAG-sealed-value').then((w) => w.status))
  )
  const elapsed = Date.now() - started
  http.dispose()

  expect([...sentTo]).toEqual(['https://api.github.com'])
  expect(statuses).toEqual(repos.map(() => 'created'))
  for (const repo of repos)
    expect(github.secret({ kind: 'repository', repo }, 'META_TOKEN')?.value).toBe('EAAG-sealed-value')
  expect(github.rateLimit.retriedTooEarly).toBe(0)
  expect(github.rateLimit.writesAccepted).toBe(repos.length)
  return { elapsed, warnings }
}

test('on api.github.com, writes are paced a second apart, under the limit', async () => {
  // Two writes a second, as a sliding window: a burst of four would be refused twice.
  const { elapsed, warnings } = await writeAll({ writesPerWindow: 2, windowMs: SECOND })
  // The plugin's pacing (one write a second on github.com) keeps four writes at least three seconds apart end to end.
  expect(elapsed).toBeGreaterThanOrEqual(3 * SECOND - 1)
  // Paced writes stay under two a second, so the limit is never even reached.
  expect(github.rateLimit.writesRejected).toBe(0)
  expect(warnings).toEqual([])
})

const LIMIT_WARNING =
  /^GitHub secondary rate limit on PUT \/repos\/\{owner\}\/\{repo\}\/actions\/secrets\/\{secret_name\}: waiting (\d+) s, then retrying\.$/

test('on api.github.com, a secondary rate limit is waited out as retry-after says, then the write is sent again', async () => {
  // One write every twenty seconds: paced writes a second apart are refused in between (a window this
  // long, so that a loaded machine's own delays cannot space the writes out enough to pass).
  const { warnings } = await writeAll({ writesPerWindow: 1, windowMs: 20 * SECOND })
  expect(github.rateLimit.writesRejected).toBeGreaterThan(0)
  expect(warnings.length).toBe(github.rateLimit.writesRejected)
  for (const warning of warnings) expect(warning).toMatch(LIMIT_WARNING)
})

test('a secondary rate limit without retry-after is waited out a minute at least, longer each time', async () => {
  // One write per 300 s: the second write is refused, and so are its retries at 61 s and 181 s; the
  // next, at 421 s, passes (the window's edge halfway between, so a loaded machine's delays cannot
  // move a retry across it).
  const { warnings } = await writeAll(
    { writesPerWindow: 1, windowMs: 300 * SECOND, retryAfter: false },
    REPOS.slice(0, 2)
  )
  const waits = warnings.map((w) => Number(LIMIT_WARNING.exec(w)?.[1]))
  expect(waits).toEqual([60, 120, 240])
  expect(github.rateLimit.writesRejected).toBe(3)
}, 15_000)

test.each([
  ['api.github.com (paced from the start)', 'https://api.github.com'],
  ['any other host (paced once limited)', undefined]
])(
  'on %s, a write whose first attempt got no answer and whose retries hit the limit to the end may have landed',
  async (_, baseUrl) => {
    github = await GitHubEmulator.start()
    github.addRepository('octo/a')
    github.addToken(TOKEN, { permissions: { secrets: 'write' } })
    const path = '/repos/octo/a/actions/secrets/META_TOKEN'
    github.server.injectFault({ method: 'PUT', path, fault: { kind: 'reset' }, afterHandler: true })
    github.server.injectFault({
      method: 'PUT',
      path,
      times: 1000,
      fault: {
        kind: 'status',
        status: 403,
        body: { message: 'You have exceeded a secondary rate limit.' },
        headers: { 'retry-after': '1' }
      }
    })
    const http = new HttpStack({ timeoutMs: 5000, maxBodyBytes: 1024 * 1024 })
    const client = createGitHubClient({
      token: TOKEN,
      baseUrl: baseUrl ?? github.url,
      log: { info: () => undefined, debug: () => undefined, warning: () => undefined },
      maxConcurrency: 64,
      secondMs: 1,
      fetch: ((url: string, init: RequestInit) =>
        http.fetch(url.replace('https://api.github.com', github.url), init)) as typeof fetch
    })
    const { key_id } = (
      await client.request('GET /repos/{owner}/{repo}/actions/secrets/public-key', {
        owner: 'octo',
        repo: 'a'
      })
    ).data
    const refused = await client
      .request('PUT /repos/{owner}/{repo}/actions/secrets/{secret_name}', {
        owner: 'octo',
        repo: 'a',
        secret_name: 'META_TOKEN',
        encrypted_value: 'c2VhbGVk',
        key_id
      })
      .then(
        () => undefined,
        (error: unknown) => error
      )
    http.dispose()

    expect(readGitHubError(refused).status).toBe(403)
    expect(mayHaveLanded(refused)).toBe(true)
  }
)

test('away from github.com, once limited, the writes resume one at a time after the wait: none is refused twice', async () => {
  // Long enough that a loaded machine still sends the first writes well within one window.
  const second = 100
  github = await GitHubEmulator.start({
    secondaryRateLimit: { writesPerWindow: 8, windowMs: 6 * second, secondMs: second }
  })
  const repos = Array.from({ length: 24 }, (_, i) => `octo/r${i}`)
  for (const repo of repos) github.addRepository(repo)
  github.addToken(TOKEN, { permissions: { secrets: 'write' } })
  const http = new HttpStack({ timeoutMs: 5000, maxBodyBytes: 1024 * 1024 })
  const client = createGitHubClient({
    token: TOKEN,
    baseUrl: github.url,
    log: { info: () => undefined, debug: () => undefined, warning: () => undefined },
    maxConcurrency: 64,
    secondMs: second,
    fetch: http.fetch
  })
  const store = new SecretStore(client, { clock: systemClock, githubTime: () => http.serverTime() })
  const destinations = repos.map(actionsSecretsOf)
  // The keys first, so that the writes leave together, as a fan-out's do.
  await Promise.all(destinations.map((d) => store.publicKey(d)))
  await Promise.all(destinations.map((d) => store.write(d, 'META_TOKEN', 'EAAG-sealed-value')))
  http.dispose()

  expect(github.rateLimit.writesAccepted).toBe(24)
  // The writes in flight when the limit came are refused once; sent again one at a time, none twice.
  const puts = new Map<string, number>()
  for (const r of github.server.requestsTo(/\/actions\/secrets\/META_TOKEN$/, 'PUT'))
    puts.set(r.path, (puts.get(r.path) ?? 0) + 1)
  expect(Math.max(...puts.values())).toBeLessThanOrEqual(2)
  expect(github.rateLimit.writesRejected).toBeGreaterThan(0)
  expect(github.rateLimit.retriedTooEarly).toBe(0)
}, 20_000)
