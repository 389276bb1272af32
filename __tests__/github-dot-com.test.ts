// The github.com path, which no rotation against a loopback URL takes: Octokit's throttling plugin
// paces writes and honours the secondary rate limit, under the RequestGate. The client believes it
// talks to https://api.github.com; its transport sends each request to the GitHub emulator instead.
import { afterEach, beforeEach, expect, test } from '@jest/globals'
import { GitHubEmulator } from '../emulators/github-emulator.js'
import type { Destination } from '../src/github/destinations.js'
import { createGitHubClient } from '../src/github/github-client.js'
import { SecretStore } from '../src/github/secret-store.js'
import { createTransport } from '../src/http/transport.js'

const TOKEN = 'github_pat_dotcom'
const REPOS = ['octo/a', 'octo/b', 'octo/c', 'octo/d']

let github: GitHubEmulator

afterEach(async () => {
  await github.stop()
})

async function writeAll(secondaryRateLimit: {
  writesPerWindow: number
  windowMs: number
}): Promise<{ elapsed: number; warnings: string[] }> {
  github = await GitHubEmulator.start({ secondaryRateLimit })
  for (const repo of REPOS) github.addRepository(repo)
  github.addToken(TOKEN, { permissions: { secrets: 'write' } })
  const warnings: string[] = []
  const direct = createTransport({ timeoutMs: 5000 })
  const sentTo = new Set<string>()
  const client = createGitHubClient({
    token: TOKEN,
    baseUrl: 'https://api.github.com',
    timeoutMs: 5000,
    log: {
      mask: () => undefined,
      info: () => undefined,
      debug: () => undefined,
      warning: (message) => warnings.push(message)
    },
    transport: (url, init) => {
      sentTo.add(new URL(url).origin)
      return direct(url.replace('https://api.github.com', github.url), init)
    }
  })
  const store = new SecretStore(client)
  const destinations: Destination[] = REPOS.map((repo) => {
    const [owner, name] = repo.split('/') as [string, string]
    return {
      kind: 'repository',
      secretType: 'actions',
      target: repo,
      route: '/repos/{owner}/{repo}/actions/secrets',
      params: { owner, repo: name }
    }
  })
  const started = Date.now()
  const statuses = await Promise.all(destinations.map((d) => store.write(d, 'META_TOKEN', 'EAAG-sealed-value')))
  const elapsed = Date.now() - started

  expect([...sentTo]).toEqual(['https://api.github.com'])
  expect(statuses).toEqual(REPOS.map(() => 'created'))
  for (const repo of REPOS)
    expect(github.secret({ kind: 'repository', repo }, 'META_TOKEN')?.value).toBe('EAAG-sealed-value')
  expect(github.rateLimit.retriedTooEarly).toBe(0)
  expect(github.rateLimit.writesAccepted).toBe(REPOS.length)
  return { elapsed, warnings }
}

test('on api.github.com, writes are paced a second apart, under the limit', async () => {
  // Two writes a second, as a sliding window: a burst of four would be refused twice.
  const { elapsed, warnings } = await writeAll({ writesPerWindow: 2, windowMs: 1000 })
  // The plugin's pacing (one write a second on github.com) keeps four writes at least three seconds apart end to end.
  expect(elapsed).toBeGreaterThanOrEqual(2900)
  // Paced writes stay under two a second, so the limit is never even reached.
  expect(github.rateLimit.writesRejected).toBe(0)
  expect(warnings).toEqual([])
}, 20_000)

test('on api.github.com, a secondary rate limit is waited out as retry-after says, then the write is sent again', async () => {
  // One write every two seconds: paced writes a second apart are refused in between.
  const { warnings } = await writeAll({ writesPerWindow: 1, windowMs: 2000 })
  expect(github.rateLimit.writesRejected).toBeGreaterThan(0)
  expect(warnings.length).toBe(github.rateLimit.writesRejected)
  for (const warning of warnings) {
    expect(warning).toMatch(
      /^GitHub secondary rate limit on PUT \/repos\/\{owner\}\/\{repo\}\/actions\/secrets\/\{secret_name\}: waiting [12] s as asked, then retrying\.$/
    )
  }
}, 30_000)
