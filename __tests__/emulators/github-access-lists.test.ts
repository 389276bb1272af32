import sodium from 'libsodium-wrappers'
import type { GitHubEmulator, SecretScope, SecretType } from '../../emulators/github-emulator.js'
import { api, startGitHub } from './github-api.js'
import { containing } from './matchers.js'

let github: GitHubEmulator
let call: ReturnType<typeof api>['call']
let sealed: ReturnType<typeof api>['sealed']

beforeAll(async () => {
  await sodium.ready
  github = await startGitHub()
  github.addRepository('octo/api', { id: 103 })
  github.addRepository('octo/docs', { id: 104 })
  ;({ call, sealed } = api(github))
})
afterAll(() => github.stop())

const SECRET_TYPES: SecretType[] = ['actions', 'dependabot', 'codespaces']

describe('organization secret access lists', () => {
  beforeAll(() => {
    github.addToken('pat_org_all', {
      permissions: {
        organization_secrets: 'write',
        organization_dependabot_secrets: 'write',
        organization_codespaces_secrets: 'write'
      }
    })
  })
  const as = { token: 'pat_org_all' }

  it.each(SECRET_TYPES)('lists (paginated), replaces, adds and removes repositories of a %s secret', async (type) => {
    const base = `/orgs/octo/${type}/secrets/LISTED`
    github.setOrganizationSecret(
      'octo',
      'listed',
      'v',
      { visibility: 'selected', repositories: ['octo/app', 102] },
      type
    )
    expect(github.selectedRepositories('octo', 'LISTED', type)).toEqual(['octo/app', 'octo/web'])

    const all = await call('GET', `${base}/repositories`, as)
    expect(all).toMatchObject({ status: 200, body: { total_count: 2 } })
    expect(all.body.repositories).toEqual([
      containing({
        id: 101,
        name: 'app',
        full_name: 'octo/app',
        owner: { login: 'octo', type: 'Organization' }
      }),
      containing({ id: 102, full_name: 'octo/web', private: true })
    ])
    const second = await call('GET', `${base}/repositories?per_page=1&page=2`, as)
    expect(second.body).toMatchObject({ total_count: 2, repositories: [{ id: 102 }] })

    expect(
      (await call('PUT', `${base}/repositories`, { ...as, body: { selected_repository_ids: [103, 101] } })).status
    ).toBe(204)
    expect(github.selectedRepositories('octo', 'LISTED', type)).toEqual(['octo/api', 'octo/app'])
    expect((await call('PUT', `${base}/repositories/104`, as)).status).toBe(204)
    expect((await call('PUT', `${base}/repositories/104`, as)).status).toBe(204)
    expect((await call('DELETE', `${base}/repositories/103`, as)).status).toBe(204)
    expect(github.secret({ kind: 'organization', org: 'octo' }, 'LISTED', type)?.selectedRepositoryIds).toEqual([
      101, 104
    ])
    expect(github.secret({ kind: 'organization', org: 'octo' }, 'LISTED', type)?.value).toBe('v')
  })

  it('answers 409 to changes while the visibility is not selected, 404 for a missing secret, 422 for another owner', async () => {
    const base = '/orgs/octo/actions/secrets'
    github.setOrganizationSecret('octo', 'PRIVATE_ONE', 'v', { visibility: 'private' })
    expect(github.selectedRepositories('octo', 'PRIVATE_ONE')).toBeUndefined()
    const conflict = await call('PUT', `${base}/PRIVATE_ONE/repositories/101`, as)
    expect(conflict).toMatchObject({ status: 409, body: { status: '409' } })
    expect((await call('DELETE', `${base}/PRIVATE_ONE/repositories/101`, as)).status).toBe(409)
    expect(
      (await call('PUT', `${base}/PRIVATE_ONE/repositories`, { ...as, body: { selected_repository_ids: [] } })).status
    ).toBe(409)
    expect((await call('GET', `${base}/PRIVATE_ONE/repositories`, as)).body).toEqual({
      total_count: 0,
      repositories: []
    })

    expect((await call('GET', `${base}/NO_SUCH/repositories`, as)).status).toBe(404)
    expect((await call('PUT', `${base}/NO_SUCH/repositories/101`, as)).status).toBe(404)

    github.setOrganizationSecret('octo', 'SELECTED_ONE', 'v', { visibility: 'selected', repositories: [101] })
    expect((await call('PUT', `${base}/SELECTED_ONE/repositories/201`, as)).status).toBe(422)
    expect(
      (await call('PUT', `${base}/SELECTED_ONE/repositories`, { ...as, body: { selected_repository_ids: [201] } }))
        .status
    ).toBe(422)
    expect(github.selectedRepositories('octo', 'SELECTED_ONE')).toEqual(['octo/app'])
    expect(() =>
      github.setOrganizationSecret('octo', 'X', 'v', { visibility: 'selected', repositories: ['other/lib'] })
    ).toThrow(/not a repository of octo/)
  })

  it('keeps replacing the list when the secret itself is PUT with visibility selected', async () => {
    const base = '/orgs/octo/actions/secrets'
    github.setOrganizationSecret('octo', 'REPLACED', 'v', { visibility: 'selected', repositories: [101, 102] })
    const body = { ...(await sealed(base, 'new')), visibility: 'selected', selected_repository_ids: [103] }
    expect((await call('PUT', `${base}/REPLACED`, { body })).status).toBe(204)
    expect(github.selectedRepositories('octo', 'REPLACED')).toEqual(['octo/api'])
  })

  it('needs the organization secrets permission: read to list, write to change', async () => {
    github.setOrganizationSecret('octo', 'GUARDED', 'v', { visibility: 'selected', repositories: [101] })
    github.addToken('pat_org_reader', { permissions: { organization_secrets: 'read' } })
    const reader = { token: 'pat_org_reader' }
    expect((await call('GET', '/orgs/octo/actions/secrets/GUARDED/repositories', reader)).status).toBe(200)
    const denied = await call('PUT', '/orgs/octo/actions/secrets/GUARDED/repositories/102', reader)
    expect(denied.status).toBe(403)
    expect(denied.headers.get('x-accepted-github-permissions')).toBe('organization_secrets=write')
    github.addToken('ghp_no_admin', { kind: 'classic', scopes: ['repo'] })
    expect(
      (await call('GET', '/orgs/octo/actions/secrets/GUARDED/repositories', { token: 'ghp_no_admin' })).status
    ).toBe(403)
    expect(github.selectedRepositories('octo', 'GUARDED')).toEqual(['octo/app'])
  })

  it('fits GitHub’s OpenAPI description', () => {
    expect(github.openApiViolations).toEqual([])
  })
})

describe('a dry run proves write access by deleting a secret that does not exist', () => {
  const destinations: Array<{
    label: string
    path: string
    scope: SecretScope
    type: SecretType
    reader: string
    writer: string
  }> = [
    {
      label: 'repository',
      path: '/repos/octo/app/actions/secrets',
      scope: { kind: 'repository', repo: 'octo/app' },
      type: 'actions',
      reader: 'secrets',
      writer: 'secrets'
    },
    {
      label: 'environment',
      path: '/repos/octo/app/environments/prod%2Feu/secrets',
      scope: { kind: 'environment', repo: 'octo/app', environment: 'prod/eu' },
      type: 'actions',
      reader: 'environments',
      writer: 'environments'
    },
    {
      label: 'organization',
      path: '/orgs/octo/actions/secrets',
      scope: { kind: 'organization', org: 'octo' },
      type: 'actions',
      reader: 'organization_secrets',
      writer: 'organization_secrets'
    },
    {
      label: 'repository dependabot',
      path: '/repos/octo/app/dependabot/secrets',
      scope: { kind: 'repository', repo: 'octo/app' },
      type: 'dependabot',
      reader: 'dependabot_secrets',
      writer: 'dependabot_secrets'
    },
    {
      label: 'organization dependabot',
      path: '/orgs/octo/dependabot/secrets',
      scope: { kind: 'organization', org: 'octo' },
      type: 'dependabot',
      reader: 'organization_dependabot_secrets',
      writer: 'organization_dependabot_secrets'
    },
    {
      label: 'repository codespaces',
      path: '/repos/octo/app/codespaces/secrets',
      scope: { kind: 'repository', repo: 'octo/app' },
      type: 'codespaces',
      reader: 'codespaces_secrets',
      writer: 'codespaces_secrets'
    },
    {
      label: 'organization codespaces',
      path: '/orgs/octo/codespaces/secrets',
      scope: { kind: 'organization', org: 'octo' },
      type: 'codespaces',
      reader: 'organization_codespaces_secrets',
      writer: 'organization_codespaces_secrets'
    }
  ]

  it.each(destinations)('$label: 404 with write permission, 403 with read only, and nothing changes', async (d) => {
    github.setSecret(d.scope, 'KEPT', 'kept-value', d.type)
    const readerToken = `pat_read_${d.label.replace(/ /g, '_')}`
    const writerToken = `pat_write_${d.label.replace(/ /g, '_')}`
    github.addToken(readerToken, { permissions: { [d.reader]: 'read' } })
    github.addToken(writerToken, { permissions: { [d.writer]: 'write' } })
    const listed = async () => (await call('GET', d.path, { token: writerToken })).body.total_count

    const before = await listed()
    const read = await call('DELETE', `${d.path}/PROBE_DOES_NOT_EXIST`, { token: readerToken })
    expect(read.status).toBe(403)
    expect(read.headers.get('x-accepted-github-permissions')).toBe(`${d.reader}=write`)
    const write = await call('DELETE', `${d.path}/PROBE_DOES_NOT_EXIST`, { token: writerToken })
    expect(write).toMatchObject({ status: 404, body: { message: 'Not Found' } })

    expect(await listed()).toBe(before)
    expect(github.secret(d.scope, 'KEPT', d.type)?.value).toBe('kept-value')
    expect(github.secret(d.scope, 'PROBE_DOES_NOT_EXIST', d.type)).toBeUndefined()
  })
})
