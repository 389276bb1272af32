// The expiry of a personal access token as GitHub tells it: `github-authentication-token-expiration`
// on every answer to a PAT that has one (whatever the endpoint and status), none for a PAT without an
// expiry, an installation token or the workflow token; written as 'utc' or with a numeric zone (the
// format is switchable, since only the UTC form is documented by what people quote), or not at all;
// and once the moment has passed, the token is 'Bad credentials'.
import { afterEach, describe, expect, test } from '@jest/globals'
import type { GitHubEmulator } from '../../emulators/github-emulator.js'
import { api, startGitHub } from './github-api.js'

let github: GitHubEmulator
afterEach(() => github.stop())

const HEADER = 'github-authentication-token-expiration'
const EXPIRES = new Date('2030-01-05T10:20:30Z')

async function world(format?: 'utc' | 'offset' | 'none') {
  github = await startGitHub(format ? { tokenExpirationHeader: format } : {})
  github.addToken('github_pat_expiring', { permissions: { secrets: 'write' }, expiresAt: EXPIRES })
  github.addToken('ghp_expiring', { kind: 'classic', scopes: ['repo'], expiresAt: EXPIRES })
  github.addToken('github_pat_forever', { permissions: { secrets: 'write' } })
  github.addToken('ghs_installation', {
    kind: 'app-installation',
    permissions: { secrets: 'write' },
    expiresAt: EXPIRES
  })
  return api(github)
}

describe('github-authentication-token-expiration', () => {
  test('every answer to an expiring PAT carries it, a 404 and a 403 too; none for a PAT without expiry or an installation token', async () => {
    const { call } = await world()
    const header = async (path: string, token: string) => (await call('GET', path, { token })).headers.get(HEADER)
    expect(await header('/repos/octo/app/actions/secrets/public-key', 'github_pat_expiring')).toBe(
      '2030-01-05 10:20:30 UTC'
    )
    expect(await header('/repos/octo/nope/actions/secrets/public-key', 'github_pat_expiring')).toBe(
      '2030-01-05 10:20:30 UTC'
    )
    expect(await header('/orgs/octo/actions/secrets/public-key', 'github_pat_expiring')).toBe('2030-01-05 10:20:30 UTC')
    expect(await header('/repos/octo/app/actions/secrets/public-key', 'ghp_expiring')).toBe('2030-01-05 10:20:30 UTC')
    expect(await header('/repos/octo/app/actions/secrets/public-key', 'github_pat_forever')).toBeNull()
    expect(await header('/repos/octo/app/actions/secrets/public-key', 'ghs_installation')).toBeNull()
  })

  test.each([
    ['offset', '2030-01-05 02:20:30 -0800'],
    ['none', null]
  ] as const)('written as %s', async (format, expected) => {
    const { call } = await world(format)
    const reply = await call('GET', '/repos/octo/app/actions/secrets/public-key', { token: 'github_pat_expiring' })
    expect(reply.headers.get(HEADER)).toBe(expected)
    if (expected) expect(Date.parse(expected.replace(' ', 'T').replace(' ', ''))).toBe(EXPIRES.getTime())
  })

  test('past its expiry on GitHub’s clock, the PAT is Bad credentials', async () => {
    const { call } = await world()
    github.clockOffsetMs = EXPIRES.getTime() - Date.now() + 1000
    const reply = await call('GET', '/repos/octo/app/actions/secrets/public-key', { token: 'github_pat_expiring' })
    expect([reply.status, reply.body.message]).toEqual([401, 'Bad credentials'])
  })
})
