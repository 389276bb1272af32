// The GitHub destinations over real HTTP: repository, environment, organization (every visibility),
// Dependabot and Codespaces secrets; many repositories with some failing; GitHub's secondary rate
// limit; Enterprise Server; input errors; and a missing permission. Every GitHub request made here
// must fit GitHub's OpenAPI description.
import { afterEach, describe, expect, test } from '@jest/globals'
import { GitHubEmulator, type SecretScope, type SecretType } from '../emulators/github-emulator.js'
import {
  ALL_PERMISSIONS,
  GITHUB_PAT,
  FAST,
  REPOS,
  runWithInputs,
  startWorld,
  type RecordedRun,
  type World
} from './support/world.js'

let world: World | undefined
const extraEmulators: GitHubEmulator[] = []

async function begin(options: Parameters<typeof startWorld>[0] = {}): Promise<World> {
  world = await startWorld(options)
  // The harness's PAT lacks the organization Dependabot/Codespaces permissions: a PAT with all of them.
  world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS } })
  return world
}

afterEach(async () => {
  const violations = [...(world?.github.openApiViolations ?? []), ...extraEmulators.flatMap((e) => e.openApiViolations)]
  await world?.stop()
  await Promise.all(extraEmulators.splice(0).map((e) => e.stop()))
  world = undefined
  expect(violations).toEqual([])
})

interface Written {
  kind: string
  type: string
  target: string
  environment?: string
  name: string
  status: string
  error?: string
}

const secretsOf = (run: RecordedRun): Written[] => JSON.parse(run.outputs.secrets as string) as Written[]
const held = (w: World, scope: SecretScope, type: SecretType = 'actions') => w.github.secret(scope, 'META_TOKEN', type)

/** The id GitHub gives a repository, read the way the action reads it. */
async function repositoryId(w: World, fullName: string): Promise<number> {
  const response = await fetch(`${w.github.url}/repos/${fullName}`, {
    headers: {
      authorization: `Bearer ${GITHUB_PAT}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28'
    }
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { id: number }).id
}

function expectSucceeded(run: RecordedRun): string {
  expect(run.failed).toBeUndefined()
  expect(run.outputs.rotated).toBe('true')
  const token = run.outputs.token as string
  expect(token).toMatch(/^EAA/)
  return token
}

describe('each destination holds the new token', () => {
  test('repository Actions secrets', async () => {
    const w = await begin()
    const run = await runWithInputs(w.inputs())
    const token = expectSucceeded(run)
    for (const repo of REPOS) expect(held(w, { kind: 'repository', repo })?.value).toBe(token)
    expect(secretsOf(run)).toEqual(
      REPOS.map((target) => ({
        kind: 'repository',
        type: 'actions',
        target,
        name: 'META_TOKEN',
        status: 'created',
        holds: 'new'
      }))
    )
  })

  test("environment secrets in 'prod/eu': the name encoded once, sealed with the environment's own key", async () => {
    const w = await begin()
    const run = await runWithInputs(w.inputs({ environment: 'prod/eu' }))
    const token = expectSucceeded(run)
    for (const repo of REPOS) {
      expect(held(w, { kind: 'environment', repo, environment: 'prod/eu' })?.value).toBe(token)
      expect(held(w, { kind: 'repository', repo })).toBeUndefined()
    }
    const paths = w.github.server.requests.map((r) => r.path)
    const secretPaths = paths.filter((p) => p.includes('/secrets'))
    expect(secretPaths.length).toBeGreaterThan(0)
    for (const path of secretPaths) {
      expect(path).toContain('/environments/prod%2Feu/secrets')
      expect(path.split('environments/prod%2Feu/secrets')).toHaveLength(2)
      expect(path).not.toContain('%25')
    }
    for (const repo of REPOS) {
      expect(
        w.github.server.requestsTo(`/repos/${repo}/environments/prod%2Feu/secrets/public-key`, 'GET')
      ).toHaveLength(1)
      expect(w.github.server.requestsTo(`/repos/${repo}/actions/secrets/public-key`)).toHaveLength(0)
      expect(
        w.github.server.requestsTo(`/repos/${repo}/environments/prod%2Feu/secrets/META_TOKEN`, 'PUT')
      ).toHaveLength(1)
    }
    expect(secretsOf(run)).toEqual(
      REPOS.map((target) => ({
        kind: 'environment',
        type: 'actions',
        target,
        environment: 'prod/eu',
        name: 'META_TOKEN',
        status: 'created',
        holds: 'new'
      }))
    )
  })

  test.each(['private', 'all'] as const)('an organization secret with visibility %s', async (visibility) => {
    const w = await begin()
    const run = await runWithInputs(w.inputs({ organization: 'octo', repositories: '', visibility }))
    const token = expectSucceeded(run)
    const secret = held(w, { kind: 'organization', org: 'octo' })
    expect(secret?.value).toBe(token)
    expect(secret?.visibility).toBe(visibility)
    const put = w.github.server.requestsTo('/orgs/octo/actions/secrets/META_TOKEN', 'PUT')
    expect(put).toHaveLength(1)
    expect((JSON.parse(put[0]!.body) as { selected_repository_ids?: unknown }).selected_repository_ids).toBeUndefined()
  })

  test('an organization secret with visibility selected holds the ids of the selected repositories', async () => {
    const w = await begin()
    const run = await runWithInputs(
      w.inputs({
        organization: 'octo',
        repositories: '',
        visibility: 'selected',
        'selected-repositories': 'app, octo/api'
      })
    )
    const token = expectSucceeded(run)
    const secret = held(w, { kind: 'organization', org: 'octo' })
    expect(secret?.value).toBe(token)
    expect(secret?.visibility).toBe('selected')
    const ids = [await repositoryId(w, 'octo/app'), await repositoryId(w, 'octo/api')]
    expect(secret?.selectedRepositoryIds).toEqual(ids)
    expect(secretsOf(run)).toEqual([
      {
        kind: 'organization',
        type: 'actions',
        target: 'octo',
        name: 'META_TOKEN',
        status: 'created',
        addedRepositories: ['app', 'api'],
        holds: 'new'
      }
    ])
  })

  test('a default visibility is private', async () => {
    const w = await begin()
    const run = await runWithInputs(w.inputs({ organization: 'octo', repositories: '' }))
    expectSucceeded(run)
    expect(held(w, { kind: 'organization', org: 'octo' })?.visibility).toBe('private')
  })

  test.each(['dependabot', 'codespaces'] as const)('%s repository and organization secrets', async (type) => {
    const w = await begin()
    const run = await runWithInputs(w.inputs({ 'secret-type': type, organization: 'octo' }))
    const token = expectSucceeded(run)
    for (const repo of REPOS) {
      expect(held(w, { kind: 'repository', repo }, type)?.value).toBe(token)
      expect(held(w, { kind: 'repository', repo }, 'actions')).toBeUndefined()
      expect(w.github.server.requestsTo(`/repos/${repo}/${type}/secrets/public-key`, 'GET')).toHaveLength(1)
    }
    expect(held(w, { kind: 'organization', org: 'octo' }, type)?.value).toBe(token)
    expect(held(w, { kind: 'organization', org: 'octo' }, 'actions')).toBeUndefined()
    expect(w.github.server.requestsTo(`/orgs/octo/${type}/secrets/public-key`, 'GET')).toHaveLength(1)
    expect(w.github.server.requestsTo(/\/actions\/secrets/)).toHaveLength(0)
    expect(secretsOf(run).map((s) => [s.kind, s.type, s.target, s.status])).toEqual([
      ['repository', type, 'octo/app', 'created'],
      ['repository', type, 'octo/api', 'created'],
      ['organization', type, 'octo', 'created']
    ])
  })

  test('a Dependabot organization secret with visibility selected', async () => {
    const w = await begin()
    const run = await runWithInputs(
      w.inputs({
        'secret-type': 'dependabot',
        organization: 'octo',
        repositories: '',
        visibility: 'selected',
        'selected-repositories': 'api'
      })
    )
    const token = expectSucceeded(run)
    const secret = held(w, { kind: 'organization', org: 'octo' }, 'dependabot')
    expect(secret?.value).toBe(token)
    expect(secret?.selectedRepositoryIds).toEqual([await repositoryId(w, 'octo/api')])
  })

  test('organization and repositories together write both', async () => {
    const w = await begin()
    const run = await runWithInputs(w.inputs({ organization: 'octo' }))
    const token = expectSucceeded(run)
    for (const repo of REPOS) expect(held(w, { kind: 'repository', repo })?.value).toBe(token)
    expect(held(w, { kind: 'organization', org: 'octo' })?.value).toBe(token)
    expect(secretsOf(run).map((s) => `${s.kind}:${s.target}:${s.status}`)).toEqual([
      'repository:octo/app:created',
      'repository:octo/api:created',
      'organization:octo:created'
    ])
  })

  test('organization alone writes only the organization secret', async () => {
    const w = await begin()
    const run = await runWithInputs(w.inputs({ organization: 'octo', repositories: '' }), {
      GITHUB_REPOSITORY: 'octo/app'
    })
    const token = expectSucceeded(run)
    expect(held(w, { kind: 'organization', org: 'octo' })?.value).toBe(token)
    for (const repo of REPOS) expect(held(w, { kind: 'repository', repo })).toBeUndefined()
    expect(w.github.server.requestsTo(/^\/repos\//)).toHaveLength(0)
    expect(secretsOf(run)).toEqual([
      { kind: 'organization', type: 'actions', target: 'octo', name: 'META_TOKEN', status: 'created', holds: 'new' }
    ])
  })
})

describe('many repositories', () => {
  const names = Array.from({ length: 50 }, (_, i) => `octo/r${String(i + 1).padStart(2, '0')}`)
  const failing = names.slice(47)

  async function manyRepositories(): Promise<World> {
    const w = await begin()
    for (const name of names) w.github.addRepository(name)
    return w
  }

  function expectPartialFailure(w: World, run: RecordedRun, why: RegExp): void {
    const token = run.outputs.token as string
    expect(run.failed).toBeDefined()
    expect(run.outputs.rotated).toBe('true')
    expect(run.outputs.revoked).toBe('false')
    expect(token).toMatch(/^EAA/)

    const stored = names.filter((repo) => held(w, { kind: 'repository', repo })?.value === token)
    expect(stored).toEqual(names.slice(0, 47))
    for (const repo of failing) expect(held(w, { kind: 'repository', repo })).toBeUndefined()

    // Nothing revoked: the old token still works.
    expect(w.graph.server.requestsTo(/oauth\/revoke$/)).toHaveLength(0)
    expect(w.graph.isUsable(w.token)).toBe(true)
    expect(w.graph.isUsable(token)).toBe(true)

    const secrets = secretsOf(run)
    expect(secrets).toHaveLength(50)
    expect(
      secrets
        .filter((s) => s.status === 'created')
        .map((s) => s.target)
        .sort()
    ).toEqual(names.slice(0, 47))
    expect(
      secrets
        .filter((s) => s.status === 'failed')
        .map((s) => s.target)
        .sort()
    ).toEqual(failing)
    for (const s of secrets.filter((x) => x.status === 'failed')) expect(s.error).toMatch(why)

    for (const repo of failing) expect(run.failed).toContain(repo)
    expect(run.failed).toContain('Fix:')
    expect(run.failed).toMatch(/3 of 50/)
    expect(run.summary).toContain('organization secret')
    for (const repo of failing) expect(run.summary).toContain(repo)
  }

  test('50 repositories, 3 of which the PAT cannot see: 47 stored, nothing revoked, the run fails naming the 3', async () => {
    const w = await manyRepositories()
    const limited = 'github_pat_11AAAAAAA0rotator0limited47'
    w.github.addToken(limited, { permissions: { ...ALL_PERMISSIONS }, repositories: names.slice(0, 47) })
    const run = await runWithInputs(
      w.inputs({ repositories: names.join('\n'), 'github-token': limited, 'max-concurrency': '8' })
    )
    expectPartialFailure(w, run, /404/)
    expect(run.failed).toMatch(/Repository access/)
  })

  test('50 repositories, 3 writes refused with 422: 47 stored, nothing revoked, the run fails naming the 3', async () => {
    const w = await manyRepositories()
    for (const repo of failing) {
      w.github.server.injectFault({
        method: 'PUT',
        path: `/repos/${repo}/actions/secrets/META_TOKEN`,
        fault: {
          kind: 'status',
          status: 422,
          body: { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest', status: '422' }
        }
      })
    }
    const run = await runWithInputs(w.inputs({ repositories: names.join(','), 'max-concurrency': '8' }))
    expectPartialFailure(w, run, /422/)
  })
})

describe("GitHub's secondary rate limit", () => {
  // One of GitHub's seconds lasts 2 ms on both sides (the tests' githubSecondMs and the emulator's
  // secondMs): a retry sent before `retry-after` has passed is counted by the emulator in retriedTooEarly.
  test.each([
    ['the default max-concurrency', {}],
    ['max-concurrency: 1', { 'max-concurrency': '1' }]
  ])(
    '12 repositories under a secondary rate limit (%s): every write lands, retry-after honoured',
    async (_name, extra: Record<string, string>) => {
      const w = await begin({
        github: { secondaryRateLimit: { writesPerWindow: 4, windowMs: 200, secondMs: FAST.githubSecondMs } }
      })
      const repos = Array.from({ length: 12 }, (_, i) => `octo/limited${i + 1}`)
      for (const repo of repos) w.github.addRepository(repo)
      const run = await runWithInputs(w.inputs({ repositories: repos.join('\n'), ...extra }))
      const token = expectSucceeded(run)
      for (const repo of repos) expect(held(w, { kind: 'repository', repo })?.value).toBe(token)
      expect(w.github.rateLimit.writesRejected).toBeGreaterThan(0)
      expect(w.github.rateLimit.retriedTooEarly).toBe(0)
      expect(w.github.rateLimit.writesAccepted).toBe(12)
      expect(run.outputs.revoked).toBe('true')
      expect(secretsOf(run).every((s) => s.status === 'created')).toBe(true)
    }
  )
})

describe('GitHub Enterprise Server', () => {
  test("an API base with /api/v3 from 'github-api-url'", async () => {
    const w = await begin({ github: { apiPrefix: '/api/v3' } })
    expect(w.github.url).toMatch(/\/api\/v3$/)
    const run = await runWithInputs(w.inputs({ 'github-api-url': w.github.url }))
    const token = expectSucceeded(run)
    for (const repo of REPOS) expect(held(w, { kind: 'repository', repo })?.value).toBe(token)
    expect(w.github.server.requests.length).toBeGreaterThan(0)
    for (const request of w.github.server.requests) expect(request.path).toMatch(/^\/api\/v3\//)
  })

  test("GITHUB_API_URL is used when 'github-api-url' is empty", async () => {
    const w = await begin({ github: { apiPrefix: '/api/v3' } })
    const run = await runWithInputs(w.inputs({ 'github-api-url': '' }), { GITHUB_API_URL: w.github.url })
    const token = expectSucceeded(run)
    for (const repo of REPOS) expect(held(w, { kind: 'repository', repo })?.value).toBe(token)
    expect(w.github.server.requests.length).toBeGreaterThan(0)
  })

  test("'github-api-url' wins over GITHUB_API_URL", async () => {
    const w = await begin({ github: { apiPrefix: '/api/v3' } })
    const decoy = await GitHubEmulator.start({ apiPrefix: '/api/v3' })
    extraEmulators.push(decoy)
    const run = await runWithInputs(w.inputs({ 'github-api-url': w.github.url }), { GITHUB_API_URL: decoy.url })
    const token = expectSucceeded(run)
    for (const repo of REPOS) expect(held(w, { kind: 'repository', repo })?.value).toBe(token)
    expect(decoy.server.requests).toHaveLength(0)
  })
})

describe('input errors for destinations, before any request', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'environment with secret-type: dependabot',
      { environment: 'prod/eu', 'secret-type': 'dependabot' },
      /'environment': environments hold only Actions secrets/
    ],
    [
      'environment with organization and no repositories',
      { environment: 'prod/eu', organization: 'octo', repositories: '' },
      /'environment': environment secrets belong to repositories/
    ],
    [
      'visibility: selected without selected-repositories',
      { organization: 'octo', repositories: '', visibility: 'selected' },
      /'selected-repositories': required with visibility: selected/
    ],
    [
      'selected-repositories naming another owner',
      { organization: 'octo', repositories: '', visibility: 'selected', 'selected-repositories': 'app, other/api' },
      /'selected-repositories': 'other\/api' is not in organization 'octo'/
    ],
    [
      'previous-secret-name equal to secret-name in another case',
      { 'previous-secret-name': 'meta_token' },
      /'previous-secret-name': must differ from 'secret-name'/
    ]
  ]

  test.each(cases)('%s', async (_name, overrides, message) => {
    const w = await begin()
    const run = await runWithInputs(w.inputs(overrides))
    expect(run.failed).toMatch(/^\[inputs\] Invalid input/)
    expect(run.failed).toMatch(message)
    expect(run.outputs).toEqual({ rotated: 'false', revoked: 'false', 'failed-step': 'inputs', error: run.failed })
    expect(w.github.server.requests).toHaveLength(0)
    expect(w.graph.server.requests).toHaveLength(0)
    expect(run.summary).toMatch(/nothing was minted, written or revoked/i)
  })
})

describe('permissions', () => {
  test("403 on an environment secret names the 'Environments' permission, before anything is minted", async () => {
    const w = await begin()
    const noEnvironments = 'github_pat_11AAAAAAA0rotator0noenvironments'
    const { environments: _omitted, ...permissions } = ALL_PERMISSIONS
    w.github.addToken(noEnvironments, { permissions })
    const run = await runWithInputs(w.inputs({ environment: 'prod/eu', 'github-token': noEnvironments }))
    expect(run.failed).toBeDefined()
    expect(run.failed).toContain('403')
    expect(run.failed).toMatch(/Environments: Read and write/)
    expect(run.failed).toContain("environment 'prod/eu'")
    for (const repo of REPOS) expect(run.failed).toContain(repo)
    expect(run.outputs.rotated).toBe('false')
    expect(w.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(0)
    expect(w.github.server.requests.filter((r) => r.method !== 'GET')).toHaveLength(0)
    expect(w.graph.isUsable(w.token)).toBe(true)
    expect(secretsOf(run).map((s) => s.status)).toEqual(['failed', 'failed'])
  })
})
