// Organization secrets: a rotation never takes a repository's access away. GitHub replaces the whole
// access list with what a PUT sends, so the repositories already selected are read and kept; those in
// selected-repositories are added (and listed in the summary and the `secrets` output); and a visibility
// that would shut repositories out is kept as it is. Over real HTTP against the GitHub emulator.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { SecretType } from '../emulators/github-emulator.js'
import { runWithInputs, startWorld, type RecordedRun, type World } from './support/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
  for (const repo of ['octo/web', 'octo/docs']) world.github.addRepository(repo)
})
afterEach(() => world.stop())

const orgInputs = (overrides: Record<string, string>) =>
  world.inputs({ organization: 'octo', repositories: '', ...overrides })

/** The organization secret META_TOKEN as it is now, seeded with the current token. */
function seed(
  access: { visibility: 'all' | 'private' | 'selected'; repositories?: string[] },
  type: SecretType = 'actions'
): void {
  world.github.setOrganizationSecret('octo', 'META_TOKEN', world.token, access, type)
}

const selected = (type: SecretType = 'actions') => world.github.selectedRepositories('octo', 'META_TOKEN', type)
const visibility = (type: SecretType = 'actions') =>
  world.github.secret({ kind: 'organization', org: 'octo' }, 'META_TOKEN', type)?.visibility
const secretsOutput = (run: RecordedRun) => JSON.parse(run.outputs.secrets ?? '[]') as Array<Record<string, unknown>>
const orgWrites = (type: SecretType = 'actions') =>
  world.github.server
    .requestsTo(`/orgs/octo/${type}/secrets/META_TOKEN`, 'PUT')
    .map((r) => JSON.parse(r.body) as Record<string, unknown>)

function expectRotated(run: RecordedRun, type: SecretType = 'actions'): void {
  expect(run.failed).toBeUndefined()
  expect(world.github.secret({ kind: 'organization', org: 'octo' }, 'META_TOKEN', type)?.value).toBe(run.outputs.token)
  expect(world.graph.isUsable(run.outputs.token as string)).toBe(true)
}

describe('visibility selected: the access list only grows', () => {
  test('open to three repositories, rotated with one of them in selected-repositories: open to all three', async () => {
    seed({ visibility: 'selected', repositories: ['octo/app', 'octo/api', 'octo/web'] })
    const run = await runWithInputs(orgInputs({ visibility: 'selected', 'selected-repositories': 'app' }))

    expectRotated(run)
    expect(selected()?.sort()).toEqual(['octo/api', 'octo/app', 'octo/web'])
    expect(secretsOutput(run)).toEqual([
      { kind: 'organization', type: 'actions', target: 'octo', name: 'META_TOKEN', status: 'updated', holds: 'new' }
    ])
    expect(run.summary).not.toMatch(/now also open to/)
  })

  test('a repository not yet selected is added; the summary and the secrets output name it', async () => {
    seed({ visibility: 'selected', repositories: ['octo/api', 'octo/web'] })
    const run = await runWithInputs(orgInputs({ visibility: 'selected', 'selected-repositories': 'app, octo/web' }))

    expectRotated(run)
    expect(selected()?.sort()).toEqual(['octo/api', 'octo/app', 'octo/web'])
    expect(secretsOutput(run)).toMatchObject([{ target: 'octo', status: 'updated', addedRepositories: ['app'] }])
    expect(run.summary).toMatch(/✅ updated; now also open to app/)
    expect(run.log).toContain('META_TOKEN: app can now use the organization secret too.')
  })

  test('Dependabot: the ids travel as strings, and the list only grows', async () => {
    seed({ visibility: 'selected', repositories: ['octo/api', 'octo/web'] }, 'dependabot')
    const run = await runWithInputs(
      orgInputs({ 'secret-type': 'dependabot', visibility: 'selected', 'selected-repositories': 'app' })
    )

    expectRotated(run, 'dependabot')
    expect(selected('dependabot')?.sort()).toEqual(['octo/api', 'octo/app', 'octo/web'])
    const [write] = orgWrites('dependabot')
    expect(write?.selected_repository_ids).toHaveLength(3)
    for (const id of write?.selected_repository_ids as unknown[]) expect(id).toMatch(/^\d+$/)
    expect(secretsOutput(run)).toMatchObject([{ type: 'dependabot', addedRepositories: ['app'] }])
  })

  test('an access list longer than a page (150 repositories) is read whole and kept', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `octo/service-${i}`)
    for (const repo of many) world.github.addRepository(repo)
    seed({ visibility: 'selected', repositories: many })
    const run = await runWithInputs(orgInputs({ visibility: 'selected', 'selected-repositories': 'app' }))

    expectRotated(run)
    expect(selected()).toHaveLength(151)
    expect(new Set(selected())).toEqual(new Set([...many, 'octo/app']))
  })

  test('a secret that does not exist yet is created open to the repositories given', async () => {
    const run = await runWithInputs(orgInputs({ visibility: 'selected', 'selected-repositories': 'app, api' }))
    expectRotated(run)
    expect(selected()?.sort()).toEqual(['octo/api', 'octo/app'])
    expect(secretsOutput(run)).toMatchObject([{ status: 'created', addedRepositories: ['app', 'api'] }])
  })
})

describe('a visibility that would shut repositories out is kept', () => {
  test("an 'all' secret rotated with the default visibility (private) stays 'all', and the summary says why", async () => {
    seed({ visibility: 'all' })
    const run = await runWithInputs(orgInputs({}))

    expectRotated(run)
    expect(visibility()).toBe('all')
    expect(orgWrites()[0]?.visibility).toBe('all')
    expect(run.summary).toMatch(/visibility stays 'all'.*never takes access away/)
    expect(run.log.some((line) => /^warning: META_TOKEN in octo: .*visibility stays 'all'/.test(line))).toBe(true)
  })

  test("an 'all' secret rotated with visibility selected stays 'all'", async () => {
    seed({ visibility: 'all' })
    const run = await runWithInputs(orgInputs({ visibility: 'selected', 'selected-repositories': 'app' }))
    expectRotated(run)
    expect(visibility()).toBe('all')
  })

  test("a 'private' secret rotated with visibility selected stays 'private'", async () => {
    seed({ visibility: 'private' })
    const run = await runWithInputs(orgInputs({ visibility: 'selected', 'selected-repositories': 'app' }))
    expectRotated(run)
    expect(visibility()).toBe('private')
    expect(run.summary).toMatch(/visibility stays 'private'/)
  })

  test("a 'selected' secret with a public repository, rotated with visibility private, stays selected, its list kept", async () => {
    seed({ visibility: 'selected', repositories: ['octo/api', 'octo/web'] })
    const ids = world.github.secret({ kind: 'organization', org: 'octo' }, 'META_TOKEN')?.selectedRepositoryIds
    // GitHub says octo/web is public: 'private' would shut it out.
    world.github.server.injectFault({
      method: 'GET',
      path: '/orgs/octo/actions/secrets/META_TOKEN/repositories',
      fault: {
        kind: 'status',
        status: 200,
        body: {
          total_count: 2,
          repositories: [
            { id: ids?.[0], private: true },
            { id: ids?.[1], private: false }
          ]
        }
      }
    })
    const run = await runWithInputs(orgInputs({ visibility: 'private' }))

    expectRotated(run)
    expect(visibility()).toBe('selected')
    expect(selected()?.sort()).toEqual(['octo/api', 'octo/web'])
    expect(run.summary).toMatch(/visibility stays 'selected'/)
  })

  test.each([
    ['selected (private repositories only)', 'private', { visibility: 'selected', repositories: ['octo/api'] }],
    ['private', 'all', { visibility: 'private' }],
    ['selected', 'all', { visibility: 'selected', repositories: ['octo/api'] }]
  ] as const)('a %s secret may be opened wider: visibility %s', async (_from, to, access) => {
    seed({ ...access, repositories: 'repositories' in access ? [...access.repositories] : undefined })
    const run = await runWithInputs(orgInputs({ visibility: to }))
    expectRotated(run)
    expect(visibility()).toBe(to)
    expect(run.summary).not.toMatch(/visibility stays/)
  })
})
