// A dry run proves the setup, write access included, and changes nothing: a token that can read but
// not write a destination fails it, naming the permission and the destination, before a real run
// would have minted a token and then failed on every write.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import type { PermissionName, SecretScope, SecretType } from '../emulators/github-emulator.js'
import { ALL_PERMISSIONS, REPOS, runWithInputs, startWorld, type World } from './support/world.js'

const DAY = 86_400
const READ_ONLY_PAT = 'github_pat_11READ0ONLY0secrets0read0token'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.stop()
})

interface Kind {
  name: string
  inputs: Record<string, string>
  scope: SecretScope
  type: SecretType
  /** The permission the destination needs, and how the fix names it. */
  permission: PermissionName
  named: RegExp
}

const KINDS: Kind[] = [
  {
    name: 'repository secrets',
    inputs: { repositories: 'octo/app' },
    scope: { kind: 'repository', repo: 'octo/app' },
    type: 'actions',
    permission: 'secrets',
    named: /'Secrets: Read and write'.*octo\/app/
  },
  {
    name: 'environment secrets',
    inputs: { repositories: 'octo/app', environment: 'production' },
    scope: { kind: 'environment', repo: 'octo/app', environment: 'production' },
    type: 'actions',
    permission: 'environments',
    named: /'Environments: Read and write'.*octo\/app/
  },
  {
    name: 'an organization secret',
    inputs: { repositories: '', organization: 'octo' },
    scope: { kind: 'organization', org: 'octo' },
    type: 'actions',
    permission: 'organization_secrets',
    named: /organization permission 'Secrets: Read and write'.*octo/
  },
  {
    name: 'Dependabot secrets',
    inputs: { repositories: 'octo/app', 'secret-type': 'dependabot' },
    scope: { kind: 'repository', repo: 'octo/app' },
    type: 'dependabot',
    permission: 'dependabot_secrets',
    named: /'Dependabot secrets: Read and write'.*octo\/app/
  },
  {
    name: 'Codespaces secrets',
    inputs: { repositories: 'octo/app', 'secret-type': 'codespaces' },
    scope: { kind: 'repository', repo: 'octo/app' },
    type: 'codespaces',
    permission: 'codespaces_secrets',
    named: /'Codespaces secrets: Read and write'.*octo\/app/
  }
]

/** Every destination kind seeded with the old token 40 days ago: what a dry run must leave untouched. */
function seed(kind: Kind): { value: string | undefined; updatedAt: string | undefined } {
  world.github.setSecret(kind.scope, 'META_TOKEN', world.token, kind.type)
  world.github.backdateSecret(kind.scope, 'META_TOKEN', 40 * DAY, kind.type)
  const held = world.github.secret(kind.scope, 'META_TOKEN', kind.type)
  return { value: held?.value, updatedAt: held?.updatedAt }
}

describe('dry run', () => {
  test.each(KINDS)('$name: a token that can only read fails the dry run, naming the write permission', async (kind) => {
    world.github.addToken(READ_ONLY_PAT, { permissions: { ...ALL_PERMISSIONS, [kind.permission]: 'read' } })
    const before = seed(kind)
    const run = await runWithInputs(world.inputs({ ...kind.inputs, 'github-token': READ_ONLY_PAT, 'dry-run': 'true' }))

    expect(run.failed).toMatch(/^\[prepare\] 1 of 1 destination check failed\. Dry run: /)
    expect(run.failed).toMatch(/can read but not write/)
    expect(run.failed).toMatch(new RegExp(`Fix: Give 'github-token' the .*${kind.named.source}`))
    // A dry run speaks of checks: it promises no write.
    expect(run.failed).not.toMatch(/gets every destination written/)
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '', 'failed-step': 'prepare' })
    expect(run.summary).toContain('❌ **Dry run failed:**')
    // Nothing changed: the secret holds what it held, written when it was.
    const after = world.github.secret(kind.scope, 'META_TOKEN', kind.type)
    expect({ value: after?.value, updatedAt: after?.updatedAt }).toEqual(before)
    expect(world.graph.server.requestsTo(/oauth|access_tokens/)).toHaveLength(0)
  })

  test.each(KINDS)('$name: a token that can write passes, and every secret is left as it was', async (kind) => {
    const before = seed(kind)
    const secretsBefore = world.github.server.requests.length
    const run = await runWithInputs(world.inputs({ ...kind.inputs, 'dry-run': 'true' }))

    expect(run.failed).toBeUndefined()
    expect(run.outputs).toMatchObject({ rotated: 'false', revoked: 'false', token: '' })
    expect(JSON.parse(run.outputs.secrets as string)).toEqual([
      expect.objectContaining({ status: 'checked', proven: ['public key readable', 'write access'] })
    ])
    expect(run.summary).toContain('🔍 **Dry run passed:**')
    const after = world.github.secret(kind.scope, 'META_TOKEN', kind.type)
    expect({ value: after?.value, updatedAt: after?.updatedAt }).toEqual(before)
    // The write check was a DELETE of a name that does not exist: answered 404, nothing removed.
    const deletes = world.github.server.requests.slice(secretsBefore).filter((r) => r.method === 'DELETE')
    expect(deletes).toHaveLength(1)
    expect(deletes[0]?.path).toMatch(/\/secrets\/META_ROTATOR_PROBE_[0-9A-F]{24}$/)
    expect(world.graph.isUsable(world.token)).toBe(true)
  })

  test('a real run with the read-only token would have minted, then failed every write: the dry run says so first', async () => {
    world.github.addToken(READ_ONLY_PAT, { permissions: { ...ALL_PERMISSIONS, secrets: 'read' } })
    const dry = await runWithInputs(world.inputs({ 'github-token': READ_ONLY_PAT, 'dry-run': 'true' }))
    expect(dry.failed).toMatch(/^\[prepare\] 2 of 2 destination checks failed/)
    for (const repo of REPOS) expect(dry.failed).toContain(repo)
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(0)
  })
})
