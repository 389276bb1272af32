// The GitHub emulator's Actions variables over real HTTP, in the three scopes a variable lives in
// (repository, environment, organization): create (409 when it exists), update, read, list, delete;
// GitHub's refusals (names, sizes, request schema, permissions, the workflow token); lagging reads;
// and every answer's shape against GitHub's OpenAPI response schemas.
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import type { GitHubEmulator, VariableScope } from '../../emulators/github-emulator.js'
import { api, startGitHub, TOKEN } from './github-api.js'
import { responseShapes, type ResponseShape } from './openapi-responses.js'

let expectShape: ResponseShape
beforeAll(async () => {
  expectShape = await responseShapes()
})

let github: GitHubEmulator
afterEach(async () => {
  await github.stop()
  expect(github.openApiViolations).toEqual([])
})

const VARIABLES = 'github_pat_variables'

async function world(options?: Parameters<typeof startGitHub>[0]) {
  github = await startGitHub(options)
  github.addToken(VARIABLES, {
    permissions: { actions_variables: 'write', environments: 'write', organization_actions_variables: 'write' }
  })
  return api(github)
}

const SCOPES: Array<[string, VariableScope, string, string]> = [
  [
    'repository',
    { kind: 'repository', repo: 'octo/app' },
    '/repos/octo/app/actions/variables',
    '/repos/{owner}/{repo}/actions/variables'
  ],
  [
    'environment',
    { kind: 'environment', repo: 'octo/app', environment: 'prod/eu' },
    '/repos/octo/app/environments/prod%2Feu/variables',
    '/repos/{owner}/{repo}/environments/{environment_name}/variables'
  ],
  [
    'organization',
    { kind: 'organization', org: 'octo' },
    '/orgs/octo/actions/variables',
    '/orgs/{org}/actions/variables'
  ]
]

describe('Actions variables', () => {
  test.each(SCOPES)(
    '%s: POST creates (201), POST again answers 409, PATCH updates (204), GET reads it back, DELETE removes it',
    async (kind, scope, path, template) => {
      const { call } = await world()
      const visibility = kind === 'organization' ? { visibility: 'private' } : {}
      const created = await call('POST', path, {
        token: VARIABLES,
        body: { name: 'meta_expires', value: 'a', ...visibility }
      })
      expect(created.status).toBe(201)
      expectShape(created.body, template, 'post', '201')
      const again = await call('POST', path, {
        token: VARIABLES,
        body: { name: 'META_EXPIRES', value: 'b', ...visibility }
      })
      expect([again.status, again.body.message]).toEqual([409, 'Already exists - Variable already exists'])
      expect(github.variable(scope, 'meta_expires')?.value).toBe('a')

      const updated = await call('PATCH', `${path}/META_EXPIRES`, { token: VARIABLES, body: { value: 'b' } })
      expect(updated.status).toBe(204)
      const read = await call('GET', `${path}/meta_expires`, { token: VARIABLES })
      expect([read.status, read.body.name, read.body.value]).toEqual([200, 'META_EXPIRES', 'b'])
      expectShape(read.body, `${template}/{name}`, 'get', '200')
      const list = await call('GET', path, { token: VARIABLES })
      expect(list.body.total_count).toBe(1)
      expectShape(list.body, template, 'get', '200')

      expect((await call('DELETE', `${path}/META_EXPIRES`, { token: VARIABLES })).status).toBe(204)
      expect((await call('GET', `${path}/META_EXPIRES`, { token: VARIABLES })).status).toBe(404)
      expect((await call('PATCH', `${path}/META_EXPIRES`, { token: VARIABLES, body: { value: 'c' } })).status).toBe(404)
      expect(github.variable(scope, 'META_EXPIRES')).toBeUndefined()
    }
  )

  test('an organization variable keeps its visibility across a PATCH that sends only the value; selected lists its repositories URL', async () => {
    const { call } = await world()
    const body = { name: 'META_EXPIRES', value: 'a', visibility: 'selected', selected_repository_ids: [101] }
    expect((await call('POST', '/orgs/octo/actions/variables', { token: VARIABLES, body })).status).toBe(201)
    await call('PATCH', '/orgs/octo/actions/variables/META_EXPIRES', { token: VARIABLES, body: { value: 'b' } })
    const read = await call('GET', '/orgs/octo/actions/variables/META_EXPIRES', { token: VARIABLES })
    expect([read.body.visibility, read.body.value]).toEqual(['selected', 'b'])
    expect(read.body.selected_repositories_url).toBe(
      `${github.url}/orgs/octo/actions/variables/META_EXPIRES/repositories`
    )
    expectShape(read.body, '/orgs/{org}/actions/variables/{name}', 'get', '200')
    expect(github.variable({ kind: 'organization', org: 'octo' }, 'META_EXPIRES')?.selectedRepositoryIds).toEqual([101])
    const foreign = { name: 'OTHER', value: 'x', visibility: 'selected', selected_repository_ids: [201] }
    expect((await call('POST', '/orgs/octo/actions/variables', { token: VARIABLES, body: foreign })).status).toBe(422)
  })

  test('GitHub’s refusals: a bad name, GITHUB_, a value over 48 KB, a body without value (the request schema), an unknown environment', async () => {
    const { call } = await world()
    const path = '/repos/octo/app/actions/variables'
    const said = async (body: unknown, at = path) => {
      const reply = await call('POST', at, { token: VARIABLES, body })
      return [reply.status, reply.body.message]
    }
    expect((await said({ name: '1ST', value: 'x' }))[0]).toBe(422)
    expect(await said({ name: 'GITHUB_X', value: 'x' })).toEqual([422, 'Variable names must not start with GITHUB_.'])
    expect(await said({ name: 'BIG', value: 'x'.repeat(48 * 1024 + 1) })).toEqual([
      422,
      'Variable values are limited to 48 KB.'
    ])
    expect(await said({ name: 'NOVALUE' })).toEqual([422, 'Invalid request.\n\n"value" wasn\'t supplied.'])
    github.openApiViolations.length = 0
    expect((await said({ name: 'X', value: 'x' }, '/repos/octo/app/environments/staging/variables'))[0]).toBe(404)
    expect(github.variables({ kind: 'repository', repo: 'octo/app' })).toEqual({})
  })

  test('permissions: Variables for a repository, Environments for an environment, the organization’s Variables; secrets permissions are not enough; the workflow token never; a classic PAT needs repo or admin:org', async () => {
    const { call } = await world()
    github.addToken('ghs_workflow', { kind: 'github-actions', permissions: { actions: 'write' } })
    github.addToken('ghp_repo', { kind: 'classic', scopes: ['repo'] })
    const create = (path: string, token: string, extra = {}) =>
      call('POST', path, { token, body: { name: 'X', value: 'x', ...extra } })
    const secretsOnly = await create('/repos/octo/app/actions/variables', TOKEN)
    expect([secretsOnly.status, secretsOnly.headers.get('x-accepted-github-permissions')]).toEqual([
      403,
      'actions_variables=write'
    ])
    const org = await create('/orgs/octo/actions/variables', TOKEN, { visibility: 'all' })
    expect(org.headers.get('x-accepted-github-permissions')).toBe('organization_actions_variables=write')
    expect((await create('/repos/octo/app/actions/variables', 'ghs_workflow')).body.message).toBe(
      'Resource not accessible by integration'
    )
    expect((await create('/repos/octo/app/actions/variables', 'ghp_repo')).status).toBe(201)
    const classicOrg = await create('/orgs/octo/actions/variables', 'ghp_repo', { visibility: 'all' })
    expect([classicOrg.status, classicOrg.headers.get('x-accepted-oauth-scopes')]).toEqual([403, 'admin:org'])
  })

  test('with lagging replicas, a read right after a write may still show the value from before it', async () => {
    const { call } = await world({ staleReadsAfterWrite: 1 })
    const scope: VariableScope = { kind: 'repository', repo: 'octo/app' }
    github.setVariable(scope, 'META_EXPIRES', 'old')
    await call('PATCH', '/repos/octo/app/actions/variables/META_EXPIRES', { token: VARIABLES, body: { value: 'new' } })
    const read = () => call('GET', '/repos/octo/app/actions/variables/META_EXPIRES', { token: VARIABLES })
    expect((await read()).body.value).toBe('old')
    expect((await read()).body.value).toBe('new')
  })
})
