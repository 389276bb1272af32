import { Octokit } from '@octokit/core'
import { paginateRest } from '@octokit/plugin-paginate-rest'
import sodium from 'libsodium-wrappers'
import type { GitHubEmulator } from '../../emulators/github-emulator.js'
import { api, startGitHub, TOKEN, type Reply } from './github-api.js'
import { anyNumber, anyString, including, matching } from './matchers.js'

let github: GitHubEmulator
let call: ReturnType<typeof api>['call']
let sealed: ReturnType<typeof api>['sealed']

beforeAll(async () => {
  await sodium.ready
  github = await startGitHub()
  ;({ call, sealed } = api(github))
})
afterAll(() => github.stop())

const REPO = '/repos/octo/app/actions/secrets'
const ENV = '/repos/octo/app/environments/prod%2Feu/secrets'
const ORG = '/orgs/octo/actions/secrets'

describe('repository secrets', () => {
  it('serves a public key, stores the sealed value and reads it back', async () => {
    const key = await call('GET', `${REPO}/public-key`)
    expect(key.body.key_id).toMatch(/^\d+$/)
    expect(sodium.from_base64(String(key.body.key), sodium.base64_variants.ORIGINAL)).toHaveLength(32)
    expect(key.headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/)
    expect(key.headers.get('x-github-request-id')).toBeTruthy()

    const put = await call('PUT', `${REPO}/fb_token`, { body: await sealed(REPO, 'EAAB-first') })
    expect(put).toMatchObject({ status: 201, body: {} })

    const read = await call('GET', `${REPO}/Fb_Token`)
    expect(read.status).toBe(200)
    expect(read.body).toEqual({ name: 'FB_TOKEN', created_at: anyString, updated_at: anyString })
    expect(github.secret({ kind: 'repository', repo: 'octo/app' }, 'fb_token')?.value).toBe('EAAB-first')
  })

  it('answers 201 when creating and 204 without a body when updating', async () => {
    expect((await call('PUT', `${REPO}/UPDATED`, { body: await sealed(REPO, 'one') })).status).toBe(201)
    const second = await call('PUT', `${REPO}/updated`, { body: await sealed(REPO, 'two') })
    expect(second.status).toBe(204)
    expect(second.body).toEqual({})
    expect(github.secret({ kind: 'repository', repo: 'OCTO/APP' }, 'UPDATED')?.value).toBe('two')
  })

  it('404s a secret that does not exist, lists and deletes', async () => {
    expect((await call('GET', `${REPO}/NOPE`)).status).toBe(404)
    github.setSecret({ kind: 'repository', repo: 'octo/web' }, 'seeded', 'old-value')
    const list = await call('GET', '/repos/octo/web/actions/secrets')
    expect(list.body).toMatchObject({ total_count: 1, secrets: [{ name: 'SEEDED' }] })
    expect((await call('DELETE', '/repos/octo/web/actions/secrets/seeded')).status).toBe(204)
    expect(github.secret({ kind: 'repository', repo: 'octo/web' }, 'SEEDED')).toBeUndefined()
  })

  it('answers 400 to a body that is not JSON', async () => {
    const response = await fetch(`${github.url}${REPO}/BROKEN`, {
      method: 'PUT',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"key_id":'
    })
    expect(response.status).toBe(400)
  })

  it('rejects invalid names with 422 and GitHub’s rule', async () => {
    const body = await sealed(REPO, 'x')
    for (const name of ['1TOKEN', 'MY-TOKEN', 'GITHUB_TOKEN', 'github_x']) {
      const reply = await call('PUT', `${REPO}/${name}`, { body })
      expect(reply.status).toBe(422)
      expect(reply.body).toMatchObject({ status: '422', message: matching(/Secret names/) })
    }
    expect((await call('PUT', `${REPO}/_OK_1`, { body })).status).toBe(201)
  })

  it('rejects a key_id that is no longer current after the key rotates', async () => {
    const body = await sealed(REPO, 'stale')
    github.rotatePublicKey({ kind: 'repository', repo: 'octo/app' })
    const reply = await call('PUT', `${REPO}/STALE`, { body })
    expect(reply.status).toBe(422)
    expect(reply.body.message).toMatch(/key_id/)
    expect(github.secret({ kind: 'repository', repo: 'octo/app' }, 'STALE')).toBeUndefined()
  })

  it('rejects a value that does not open with the key and one over 48 KB', async () => {
    const { key_id } = await sealed(REPO, 'x')
    const garbage = await call('PUT', `${REPO}/GARBAGE`, { body: { key_id, encrypted_value: 'c2VjcmV0' } })
    expect(garbage.status).toBe(422)
    const big = await call('PUT', `${REPO}/BIG`, { body: await sealed(REPO, 'x'.repeat(48 * 1024 + 1)) })
    expect(big.status).toBe(422)
  })
})

describe('environment secrets', () => {
  it('decodes the environment name once: prod%2Feu is prod/eu', async () => {
    const reply = await call('PUT', `${ENV}/FB_TOKEN`, { body: await sealed(ENV, 'env-value') })
    expect(reply.status).toBe(201)
    expect(github.secret({ kind: 'environment', repo: 'octo/app', environment: 'prod/eu' }, 'FB_TOKEN')?.value).toBe(
      'env-value'
    )
    expect((await call('GET', '/repos/octo/app/environments/prod%252Feu/secrets/public-key')).status).toBe(404)
    expect((await call('GET', '/repos/octo/app/environments/staging/secrets/public-key')).status).toBe(404)
  })

  it('refuses a value sealed with the repository key', async () => {
    const reply = await call('PUT', `${ENV}/WRONG_KEY`, { body: await sealed(REPO, 'repo-sealed') })
    expect(reply.status).toBe(422)
    expect(
      github.secret({ kind: 'environment', repo: 'octo/app', environment: 'prod/eu' }, 'WRONG_KEY')
    ).toBeUndefined()
  })
})

describe('credentials and permissions', () => {
  it('401s a missing or unknown token', async () => {
    expect((await call('GET', `${REPO}/public-key`, { token: null })).status).toBe(401)
    const unknown = await call('GET', `${REPO}/public-key`, { token: 'nope' })
    expect(unknown).toMatchObject({ status: 401, body: { message: 'Bad credentials', status: '401' } })
  })

  it('403s the workflow GITHUB_TOKEN on every secrets route', async () => {
    github.addToken('ghs_workflow', { kind: 'github-actions', repositories: ['octo/app'] })
    const reply = await call('GET', `${REPO}/public-key`, { token: 'ghs_workflow' })
    expect(reply).toMatchObject({ status: 403, body: { message: 'Resource not accessible by integration' } })
    expect(reply.headers.get('x-accepted-github-permissions')).toBe('secrets=read')
  })

  it('403s a fine-grained token without the permission and names the one needed', async () => {
    github.addToken('pat_reader', { permissions: { secrets: 'read' } })
    expect((await call('GET', `${REPO}/public-key`, { token: 'pat_reader' })).status).toBe(200)
    const body = await sealed(REPO, 'x')
    const write = await call('PUT', `${REPO}/READER`, { token: 'pat_reader', body })
    expect(write).toMatchObject({ status: 403, body: { message: 'Resource not accessible by personal access token' } })
    expect(write.headers.get('x-accepted-github-permissions')).toBe('secrets=write')
    const env = await call('PUT', `${ENV}/READER`, { token: 'pat_reader', body })
    expect(env.headers.get('x-accepted-github-permissions')).toBe('environments=write')
  })

  it('403s a classic PAT without the scope', async () => {
    github.addToken('ghp_repo_only', { kind: 'classic', scopes: ['repo'] })
    expect((await call('GET', `${REPO}/public-key`, { token: 'ghp_repo_only' })).status).toBe(200)
    const org = await call('GET', `${ORG}/public-key`, { token: 'ghp_repo_only' })
    expect(org.status).toBe(403)
    expect(org.headers.get('x-accepted-oauth-scopes')).toBe('admin:org')
  })

  it('404s unknown repositories and those outside the token’s selection', async () => {
    expect((await call('GET', '/repos/octo/missing/actions/secrets/public-key')).status).toBe(404)
    github.addToken('pat_web_only', { repositories: ['octo/web'], permissions: { secrets: 'write' } })
    const hidden = await call('GET', `${REPO}/public-key`, { token: 'pat_web_only' })
    expect(hidden).toMatchObject({ status: 404, body: { message: 'Not Found' } })
  })

  it('answers /user and /repos/{owner}/{repo}', async () => {
    expect((await call('GET', '/user')).body).toMatchObject({ login: 'octocat', id: anyNumber })
    expect((await call('GET', '/repos/octo/app')).body).toMatchObject({
      id: 101,
      full_name: 'octo/app',
      owner: { login: 'octo' }
    })
  })
})

describe('organization secrets', () => {
  it('stores a selected secret with integer repository ids', async () => {
    const body = { ...(await sealed(ORG, 'org-value')), visibility: 'selected', selected_repository_ids: [101, 102] }
    expect((await call('PUT', `${ORG}/ORG_TOKEN`, { body })).status).toBe(201)
    expect(github.secret({ kind: 'organization', org: 'octo' }, 'org_token')).toMatchObject({
      value: 'org-value',
      visibility: 'selected',
      selectedRepositoryIds: [101, 102]
    })
    const read = await call('GET', `${ORG}/ORG_TOKEN`)
    expect(read.body).toMatchObject({
      visibility: 'selected',
      selected_repositories_url: matching(/\/repositories$/)
    })
  })

  it('rejects string ids for actions, and ids of repositories outside the organization', async () => {
    const sealedValue = await sealed(ORG, 'v')
    const strings = await call('PUT', `${ORG}/IDS`, {
      body: { ...sealedValue, visibility: 'selected', selected_repository_ids: ['101'] }
    })
    expect(strings.status).toBe(422)
    const outside = await call('PUT', `${ORG}/IDS`, {
      body: { ...sealedValue, visibility: 'selected', selected_repository_ids: [201] }
    })
    expect(outside.status).toBe(422)
    const none = await call('PUT', `${ORG}/IDS`, { body: { ...sealedValue, visibility: 'selected' } })
    expect(none.status).toBe(201)
  })

  it('accepts numeric strings for Dependabot', async () => {
    const path = '/orgs/octo/dependabot/secrets'
    const body = { ...(await sealed(path, 'dep')), visibility: 'selected', selected_repository_ids: ['101'] }
    expect((await call('PUT', `${path}/DEP`, { body })).status).toBe(201)
    expect(github.secret({ kind: 'organization', org: 'octo' }, 'DEP', 'dependabot')?.selectedRepositoryIds).toEqual([
      101
    ])
    expect(github.secret({ kind: 'organization', org: 'octo' }, 'DEP', 'actions')).toBeUndefined()
  })
})

describe('codespaces user secrets', () => {
  it('stores a secret of the token’s user with its own key', async () => {
    github.addToken('pat_codespaces', { permissions: { codespaces_user_secrets: 'write' } })
    const path = '/user/codespaces/secrets'
    const body = { ...(await sealed(path, 'cs', 'pat_codespaces')), selected_repository_ids: ['101'] }
    expect((await call('PUT', `${path}/CS_TOKEN`, { token: 'pat_codespaces', body })).status).toBe(201)
    expect(github.secret({ kind: 'user' }, 'cs_token', 'codespaces')).toMatchObject({
      value: 'cs',
      selectedRepositoryIds: [101]
    })
    const denied = await call('GET', `${path}/public-key`)
    expect(denied.headers.get('x-accepted-github-permissions')).toBe('codespaces_user_secrets=read')
  })
})

describe('OpenAPI checks', () => {
  it('422s and records a body that does not fit the operation’s schema', async () => {
    const before = github.openApiViolations.length
    const reply = await call('PUT', `${REPO}/MALFORMED`, { body: { encrypted_value: 123 } })
    expect(reply.status).toBe(422)
    expect(reply.body.message).toMatch(/^Invalid request\.\n\n/)
    expect(reply.body.message).toMatch(/"key_id" wasn't supplied/)
    expect(github.openApiViolations.slice(before)).toEqual([
      {
        method: 'PUT',
        path: `${REPO}/MALFORMED`,
        errors: including([matching(/is not a string/)])
      }
    ])
  })

  it('records a route GitHub does not have', async () => {
    const reply = await call('GET', '/repos/octo/app/action/secrets/public-key')
    expect(reply.status).toBe(404)
    expect(github.openApiViolations.at(-1)).toMatchObject({
      method: 'GET',
      path: '/repos/octo/app/action/secrets/public-key'
    })
  })
})

describe('secondary rate limit', () => {
  it('403s with retry-after, counts an early retry, and accepts after waiting', async () => {
    const limited = await startGitHub({
      // One of GitHub's seconds lasts 200 ms here: retry-after 1 means 200 ms.
      secondaryRateLimit: { writesPerWindow: 2, windowMs: 200, secondMs: 200 },
      validateAgainstOpenApi: false
    })
    try {
      const client = api(limited)
      const body = await client.sealed(REPO, 'v')
      expect((await client.call('PUT', `${REPO}/A`, { body })).status).toBe(201)
      expect((await client.call('PUT', `${REPO}/B`, { body })).status).toBe(201)
      const refused = await client.call('PUT', `${REPO}/C`, { body })
      expect(refused.status).toBe(403)
      expect(refused.body.message).toMatch(/secondary rate limit/)
      expect(refused.headers.get('retry-after')).toBe('1')

      expect((await client.call('PUT', `${REPO}/C`, { body })).status).toBe(403)
      expect(limited.rateLimit).toEqual({ writesAccepted: 2, writesRejected: 2, retriedTooEarly: 1 })

      await new Promise((resolve) => setTimeout(resolve, 200))
      expect((await client.call('PUT', `${REPO}/C`, { body })).status).toBe(201)
      expect(limited.rateLimit.writesAccepted).toBe(3)
    } finally {
      await limited.stop()
    }
  })
})

describe('GitHub Enterprise Server', () => {
  it('serves the API under /api/v3 and works with Octokit', async () => {
    const ghes = await startGitHub({ apiPrefix: '/api/v3' })
    try {
      expect(ghes.url).toMatch(/\/api\/v3$/)
      expect(
        (await fetch(`${ghes.server.url}/repos/octo/app`, { headers: { authorization: `token ${TOKEN}` } })).status
      ).toBe(404)

      const octokit = new Octokit({ auth: TOKEN, baseUrl: ghes.url })
      const { data: key } = await octokit.request(
        'GET /repos/{owner}/{repo}/environments/{environment_name}/secrets/public-key',
        {
          owner: 'octo',
          repo: 'app',
          environment_name: 'prod/eu'
        }
      )
      const encrypted_value = sodium.to_base64(
        sodium.crypto_box_seal('via-octokit', sodium.from_base64(key.key, sodium.base64_variants.ORIGINAL)),
        sodium.base64_variants.ORIGINAL
      )
      const put = await octokit.request(
        'PUT /repos/{owner}/{repo}/environments/{environment_name}/secrets/{secret_name}',
        {
          owner: 'octo',
          repo: 'app',
          environment_name: 'prod/eu',
          secret_name: 'FB_TOKEN',
          encrypted_value,
          key_id: key.key_id
        }
      )
      expect(put.status).toBe(201)
      expect(ghes.secret({ kind: 'environment', repo: 'octo/app', environment: 'prod/eu' }, 'fb_token')?.value).toBe(
        'via-octokit'
      )
      expect(ghes.openApiViolations).toEqual([])
    } finally {
      await ghes.stop()
    }
  })
})

describe('issues (the failure alert)', () => {
  const ISSUES = '/repos/octo/web/issues'
  const withLink = (reply: Reply) => reply.headers.get('link') ?? ''

  beforeAll(() => {
    github.addToken('pat_issues', { permissions: { issues: 'write' } })
    github.addToken('pat_issues_reader', { permissions: { issues: 'read' } })
    github.addToken('ghs_issues', {
      kind: 'github-actions',
      repositories: ['octo/web'],
      permissions: { issues: 'write' }
    })
    github.addToken('ghs_no_issues', { kind: 'github-actions', repositories: ['octo/web'] })
    github.addToken('ghp_repo', { kind: 'classic', scopes: ['repo'] })
  })

  it('creates an issue (labels created on first use), comments on it, closes it as completed', async () => {
    const created = await call('POST', ISSUES, {
      token: 'pat_issues',
      body: { title: 'Rotation failing', body: 'first', labels: ['Alert', { name: 'meta-token-rotation' }] }
    })
    expect(created.status).toBe(201)
    const number = created.body.number as number
    expect(created.body).toMatchObject({
      title: 'Rotation failing',
      body: 'first',
      state: 'open',
      state_reason: null,
      comments: 0,
      html_url: `${github.server.url}/octo/web/issues/${number}`,
      labels: [{ name: 'Alert' }, { name: 'meta-token-rotation' }]
    })

    const comment = await call('POST', `${ISSUES}/${number}/comments`, { token: 'pat_issues', body: { body: 'again' } })
    expect(comment).toMatchObject({
      status: 201,
      body: { body: 'again', issue_url: `${github.url}${ISSUES}/${number}` }
    })

    const closed = await call('PATCH', `${ISSUES}/${number}`, {
      token: 'pat_issues',
      body: { state: 'closed', state_reason: 'completed', title: 'Renamed' }
    })
    expect(closed).toMatchObject({
      status: 200,
      body: { state: 'closed', state_reason: 'completed', title: 'Renamed', comments: 1, closed_at: anyString }
    })
    expect(github.issues('OCTO/WEB').find((i) => i.number === number)).toEqual({
      number,
      title: 'Renamed',
      body: 'first',
      state: 'closed',
      stateReason: 'completed',
      labels: ['Alert', 'meta-token-rotation'],
      comments: ['again'],
      author: 'octocat'
    })

    const reopened = await call('PATCH', `${ISSUES}/${number}`, { token: 'pat_issues', body: { state: 'open' } })
    expect(reopened.body).toMatchObject({ state: 'open', state_reason: 'reopened', closed_at: null })
    await call('PATCH', `${ISSUES}/${number}`, { token: 'pat_issues', body: { state: 'closed' } })
  })

  it('lists by state and by every label given (not case-sensitive), newest first', async () => {
    const a = github.addIssue('octo/web', { title: 'a', labels: ['meta-token-rotation', 'x'] })
    const b = github.addIssue('octo/web', { title: 'b', labels: ['META-TOKEN-ROTATION'] })
    const c = github.addIssue('octo/web', { title: 'c', labels: ['meta-token-rotation'], state: 'closed' })
    github.addIssue('octo/web', { title: 'd' })

    const numbers = async (query: string) => {
      const reply = await call('GET', `${ISSUES}?${query}`, { token: 'pat_issues_reader' })
      expect(reply.status).toBe(200)
      return (reply.body as unknown as Array<{ number: number }>).map((i) => i.number)
    }
    expect(await numbers('labels=meta-token-rotation')).toEqual([b, a])
    expect(await numbers('labels=Meta-Token-Rotation,%20x')).toEqual([a])
    expect(await numbers('state=closed&labels=meta-token-rotation')).toContain(c)
    expect(await numbers('state=all&labels=meta-token-rotation&direction=asc')).toEqual(including([a, b, c]))
    expect((await call('GET', `${ISSUES}?state=bogus`, { token: 'pat_issues' })).status).toBe(422)
  })

  it('paginates with a Link header as GitHub does', async () => {
    for (let i = 0; i < 35; i += 1) github.addIssue('octo/app', { title: `many ${i}`, labels: ['many'] })
    const first = await call('GET', '/repos/octo/app/issues?labels=many', { token: 'pat_issues' })
    expect(first.body).toHaveLength(30)
    expect(withLink(first)).toBe(
      `<${github.url}/repos/octo/app/issues?labels=many&page=2>; rel="next", <${github.url}/repos/octo/app/issues?labels=many&page=2>; rel="last"`
    )
    const second = await call('GET', '/repos/octo/app/issues?labels=many&page=2', { token: 'pat_issues' })
    expect(second.body).toHaveLength(5)
    expect(withLink(second)).toMatch(/rel="prev".*rel="first"/)
    expect(withLink(second)).not.toMatch(/rel="next"/)

    const octokit = new (Octokit.plugin(paginateRest))({ auth: 'pat_issues', baseUrl: github.url })
    const all = await octokit.paginate('GET /repos/{owner}/{repo}/issues', {
      owner: 'octo',
      repo: 'app',
      labels: 'many',
      per_page: 10
    })
    expect(all).toHaveLength(35)
    expect(new Set(all.map((i) => i.number)).size).toBe(35)
  })

  it('lets the workflow token write issues when its permissions include issues: write', async () => {
    const created = await call('POST', ISSUES, { token: 'ghs_issues', body: { title: 'From the workflow' } })
    expect(created.status).toBe(201)
    expect(created.body.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' })

    const denied = await call('POST', ISSUES, { token: 'ghs_no_issues', body: { title: 'nope' } })
    expect(denied).toMatchObject({ status: 403, body: { message: 'Resource not accessible by integration' } })
    expect(denied.headers.get('x-accepted-github-permissions')).toBe('issues=write')
    // Still no secrets for it.
    expect((await call('GET', '/repos/octo/web/actions/secrets/public-key', { token: 'ghs_issues' })).status).toBe(403)
  })

  it('401s, 404s, and 403s a token without the issues permission, naming the one needed', async () => {
    expect((await call('GET', ISSUES, { token: null })).status).toBe(401)
    expect((await call('GET', '/repos/octo/missing/issues', { token: 'pat_issues' })).status).toBe(404)
    expect((await call('GET', ISSUES, { token: 'ghs_issues' })).status).toBe(200)
    expect((await call('GET', '/repos/octo/app/issues', { token: 'ghs_issues' })).status).toBe(404) // outside its repository

    const reader = await call('POST', ISSUES, { token: 'pat_issues_reader', body: { title: 'x' } })
    expect(reader).toMatchObject({ status: 403, body: { message: 'Resource not accessible by personal access token' } })
    expect(reader.headers.get('x-accepted-github-permissions')).toBe('issues=write')
    const secretsOnly = await call('GET', ISSUES) // the suite's token: secrets, no issues
    expect(secretsOnly.status).toBe(403)
    expect(secretsOnly.headers.get('x-accepted-github-permissions')).toBe('issues=read')
    expect((await call('POST', ISSUES, { token: 'ghp_repo', body: { title: 'classic' } })).status).toBe(201)
  })

  it('422s a missing title (OpenAPI and the endpoint), 404s an unknown issue, 410s when issues are off', async () => {
    const before = github.openApiViolations.length
    const untitled = await call('POST', ISSUES, { token: 'pat_issues', body: { body: 'no title' } })
    expect(untitled.status).toBe(422)
    expect(untitled.body.message).toMatch(/"title" wasn't supplied/)
    github.openApiViolations.splice(before) // recorded on purpose: the alert's own requests must fit

    expect((await call('POST', ISSUES, { token: 'pat_issues', body: { title: '   ' } })).status).toBe(422)
    expect((await call('PATCH', `${ISSUES}/9999`, { token: 'pat_issues', body: { state: 'closed' } })).status).toBe(404)
    expect((await call('POST', `${ISSUES}/9999/comments`, { token: 'pat_issues', body: { body: 'x' } })).status).toBe(
      404
    )
    expect(
      (await call('POST', ISSUES, { token: 'pat_issues', body: { title: 'big', body: 'x'.repeat(65_537) } })).status
    ).toBe(422)

    github.setIssuesEnabled('octo/web', false)
    try {
      expect((await call('GET', ISSUES, { token: 'pat_issues' })).status).toBe(410)
    } finally {
      github.setIssuesEnabled('octo/web', true)
    }
    expect(github.openApiViolations.slice(before)).toEqual([])
  })
})
