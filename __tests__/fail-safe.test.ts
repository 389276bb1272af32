// Guards that depend on what a server may leave out, and grace mode without previous-token, over
// real HTTP: a previous slot that already holds a token is said to be overwritten (log and summary),
// and a token whose issue date Meta does not give is never revoked by revoke: auto as if it were old.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { REPOS, runWithInputs, startWorld, type World } from './support/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.stop()
})

const secretIn = (repo: string, name: string) => world.github.secret({ kind: 'repository', repo }, name)?.value
const grace = { 'previous-secret-name': 'META_TOKEN_PREVIOUS' }

describe('grace mode with previous-token empty', () => {
  test('a previous slot that holds a token: the run says it is overwritten and kept by no secret', async () => {
    const held = world.issue('SYSTEM_USER')
    for (const repo of REPOS) world.github.setSecret({ kind: 'repository', repo }, 'META_TOKEN_PREVIOUS', held)
    const run = await runWithInputs(world.inputs(grace))

    expect(run.failed).toBeUndefined()
    for (const repo of REPOS) expect(secretIn(repo, 'META_TOKEN_PREVIOUS')).toBe(world.token)
    const warnings = run.log.filter((line) => line.startsWith('warning: META_TOKEN_PREVIOUS'))
    expect(warnings).toHaveLength(REPOS.length)
    expect(warnings[0]).toContain("already holds a token and 'previous-token' is empty: this run puts the replaced")
    expect(warnings[0]).toContain('kept by no secret')
    expect(run.summary).toContain(
      String.raw`META\_TOKEN\_PREVIOUS \(repository secret in octo/app\) already holds a token`
    )
    expect(run.summary).toContain("as 'previous-token'")
  })

  test('the dry run says so too, as what a real run would do', async () => {
    world.github.setSecret({ kind: 'repository', repo: 'octo/api' }, 'META_TOKEN_PREVIOUS', world.issue('SYSTEM_USER'))
    const run = await runWithInputs(world.inputs({ ...grace, 'dry-run': 'true' }))

    expect(run.failed).toBeUndefined()
    const warnings = run.log.filter((line) => line.startsWith('warning: META_TOKEN_PREVIOUS'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('(repository secret in octo/api) already holds a token')
    expect(warnings[0]).toContain('a real run would put the replaced token there')
  })

  test('an empty slot (the first rotation), or previous-token given: nothing to warn about', async () => {
    const first = await runWithInputs(world.inputs(grace))
    expect(first.failed).toBeUndefined()
    expect(first.log.join('\n')).not.toContain('kept by no secret')

    const second = await runWithInputs(
      world.inputs({ ...grace, token: first.outputs.token as string, 'previous-token': world.token })
    )
    expect(second.failed).toBeUndefined()
    expect(second.log.join('\n')).not.toContain('kept by no secret')
  })
})

describe('debug_token without issued_at', () => {
  test('revoke: auto cannot tell the replaced token from a fresh one: it stays alive and the run says why', async () => {
    world.graph.debugTokenOmitsIssuedAt = true
    const run = await runWithInputs(world.inputs())

    expect(run.failed).toBeUndefined()
    expect(run.outputs.rotated).toBe('true')
    expect(run.outputs.revoked).toBe('false')
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(run.log).toContain('warning: Not revoking the replaced token: debug_token did not say when it was issued.')
    expect(run.summary).toContain('had no issued\\_at')
  })

  test('revoke: true still revokes it', async () => {
    world.graph.debugTokenOmitsIssuedAt = true
    const run = await runWithInputs(world.inputs({ revoke: 'true' }))

    expect(run.failed).toBeUndefined()
    expect(run.outputs.revoked).toBe('true')
    expect(world.graph.token(world.token)?.revoked).toBe(true)
  })
})
