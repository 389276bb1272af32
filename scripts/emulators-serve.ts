// `node build/scripts/emulators-serve.js FILE`: the demo's world, served until stopped, for a
// workflow that runs the action with `uses: ./` (.github/workflows/self-test.yml).
//
// It starts the Graph API and GitHub API emulators on 127.0.0.1 with the same fixture as
// `npm run demo` (a Meta app, a system user token with 20 days left, two repositories and a PAT
// allowed to write their secrets), and the Instagram API emulator (graph.instagram.com's stand-in,
// for `instagram-api-url`), writes the URLs and the fixture's credentials to FILE as
// NAME=value lines (the format of $GITHUB_ENV; the credentials are random, made for this run),
// and prints nothing secret. A third loopback server answers GET /__fixture/verify with what the
// emulators hold now, as JSON without any token in it: whether each repository's secret holds a
// usable token other than the old one, and whether the old token is revoked.
// SIGTERM or SIGINT stops all four servers.
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { renameSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { GitHubEmulator } from '../emulators/github-emulator.js'
import { GraphEmulator } from '../emulators/graph-emulator.js'
import { InstagramEmulator } from '../emulators/instagram-emulator.js'

const DAY = 86_400
export const FIXTURE = {
  appId: '1234567890',
  systemUserId: '61550000000001',
  secretName: 'META_TOKEN',
  repositories: ['octo/app', 'octo/api'],
  scopes: ['ads_read', 'business_management']
} as const

/** Names of the lines written to FILE whose values are credentials (to mask). */
export const SECRET_VARIABLES = [
  'FIXTURE_APP_SECRET',
  'FIXTURE_TOKEN',
  'FIXTURE_GITHUB_TOKEN',
  'FIXTURE_INSTAGRAM_TOKEN'
] as const

export interface FixtureVerification {
  /** Every check below passed. */
  ok: boolean
  secretName: string
  repositories: Array<{ repository: string; written: boolean; holdsNewToken: boolean; allEqual: boolean }>
  oldTokenRevoked: boolean
  newTokenUsable: boolean
  /** ISO 8601 expiry of the token now in the secrets, or null. */
  newTokenExpiresAt: string | null
}

export interface ServedFixture {
  variables: Record<string, string>
  verify(): FixtureVerification
  /**
   * Calls `listener` with the token in the first repository's secret each time a write changes it:
   * the token a workflow of that repository would pass as `token` on its next run.
   */
  onTokenStored(listener: (token: string) => void): void
  stop(): Promise<void>
}

export async function serveFixture(): Promise<ServedFixture> {
  const graph = await GraphEmulator.start()
  const github = await GitHubEmulator.start()
  const instagram = await InstagramEmulator.start()

  const appSecret = randomBytes(16).toString('hex')
  const pat = `github_pat_11SELFTEST0${randomBytes(12).toString('hex')}`
  graph.addApp({ id: FIXTURE.appId, secret: appSecret, name: 'Self-test App' })
  const oldToken = graph.issueToken({
    appId: FIXTURE.appId,
    type: 'SYSTEM_USER',
    scopes: [...FIXTURE.scopes],
    expiresIn: 20 * DAY,
    issuedAgo: 40 * DAY,
    userId: FIXTURE.systemUserId
  })
  // An Instagram professional account whose long-lived token is ten days old (strategy: instagram).
  instagram.addAccount({ userId: '17841400000000001', username: 'demo.shop' })
  const instagramToken = instagram.issueToken({ userId: '17841400000000001', issuedAgo: 10 * DAY })
  for (const repo of FIXTURE.repositories) {
    github.addRepository(repo)
    // The secret holds the old token, written when it was issued (a skip reads when it was written).
    github.setSecret({ kind: 'repository', repo }, FIXTURE.secretName, oldToken)
    github.backdateSecret({ kind: 'repository', repo }, FIXTURE.secretName, 40 * DAY)
  }
  github.addToken(pat, { permissions: { metadata: 'read', secrets: 'write' } })

  const verify = (): FixtureVerification => {
    const values = FIXTURE.repositories.map(
      (repo) => github.secret({ kind: 'repository', repo }, FIXTURE.secretName)?.value
    )
    const fresh = values[0]
    const newTokenUsable = fresh !== undefined && fresh !== oldToken && graph.isUsable(fresh)
    const repositories = FIXTURE.repositories.map((repository, i) => ({
      repository,
      written: values[i] !== undefined,
      holdsNewToken: values[i] !== undefined && values[i] !== oldToken && graph.isUsable(values[i]),
      allEqual: values[i] === fresh
    }))
    const oldTokenRevoked = graph.token(oldToken)?.revoked === true
    const expiresAt = fresh === undefined ? undefined : graph.token(fresh)?.expiresAt
    return {
      ok: oldTokenRevoked && newTokenUsable && repositories.every((r) => r.holdsNewToken && r.allEqual),
      secretName: FIXTURE.secretName,
      repositories,
      oldTokenRevoked,
      newTokenUsable,
      newTokenExpiresAt: expiresAt ? new Date(expiresAt * 1000).toISOString() : null
    }
  }

  const verifier = createServer((req, res) => {
    const ok = req.method === 'GET' && req.url === '/__fixture/verify'
    res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' })
    res.end(JSON.stringify(ok ? verify() : { message: 'Not Found: GET /__fixture/verify' }))
  })
  await new Promise<void>((resolve, reject) => {
    verifier.once('error', reject)
    verifier.listen(0, '127.0.0.1', () => resolve())
  })
  const verifyUrl = `http://127.0.0.1:${(verifier.address() as AddressInfo).port}/__fixture/verify`

  return {
    variables: {
      EMULATOR_GRAPH_URL: graph.url,
      EMULATOR_GITHUB_URL: github.url,
      EMULATOR_INSTAGRAM_URL: instagram.url,
      EMULATOR_VERIFY_URL: verifyUrl,
      FIXTURE_APP_ID: FIXTURE.appId,
      FIXTURE_SECRET_NAME: FIXTURE.secretName,
      FIXTURE_REPOSITORIES: FIXTURE.repositories.join(','),
      FIXTURE_APP_SECRET: appSecret,
      FIXTURE_TOKEN: oldToken,
      FIXTURE_GITHUB_TOKEN: pat,
      FIXTURE_INSTAGRAM_TOKEN: instagramToken
    },
    verify,
    onTokenStored: (listener) => {
      const home = { kind: 'repository', repo: FIXTURE.repositories[0] } as const
      let last = oldToken
      github.onSecretWritten(() => {
        const stored = github.secret(home, FIXTURE.secretName)?.value
        if (stored === undefined || stored === last) return
        last = stored
        listener(stored)
      })
    },
    stop: async () => {
      await Promise.all([graph.stop(), github.stop(), instagram.stop(), closeServer(verifier)])
    }
  }
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

async function main(file: string | undefined): Promise<void> {
  if (!file) {
    console.error(
      'Usage: node build/scripts/emulators-serve.js FILE   (FILE receives NAME=value lines, e.g. for $GITHUB_ENV)'
    )
    process.exitCode = 2
    return
  }
  const fixture = await serveFixture()
  // Written whole, then renamed: a reader polling for FILE never sees half of it.
  writeFileSync(
    `${file}.partial`,
    Object.entries(fixture.variables)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
    { mode: 0o600 }
  )
  renameSync(`${file}.partial`, file)
  console.log(`Graph API emulator      ${fixture.variables.EMULATOR_GRAPH_URL}`)
  console.log(`GitHub API emulator     ${fixture.variables.EMULATOR_GITHUB_URL}`)
  console.log(`Instagram API emulator  ${fixture.variables.EMULATOR_INSTAGRAM_URL}`)
  console.log(`Verification            ${fixture.variables.EMULATOR_VERIFY_URL}`)
  console.log(`Fixture written to ${file} (credentials: ${SECRET_VARIABLES.join(', ')}). Serving until SIGTERM.`)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: stopping the emulators.`)
    void fixture.stop().then(() => process.exit(0))
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(`emulators-serve: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  })
}
