// revoke: after-deploy and the finish action, end to end over real HTTP: the rotation stores and
// confirms, revokes nothing; a deploy job runs on the new token; finish revokes the old one. finish
// refuses, before revoking anything, every unsafe case: the same token twice, a new token that is not
// valid, of another app or another owner, the two swapped, the old one being the admin token.
import { afterEach, describe, expect, test } from '@jest/globals'
import { runFinishAction, type FinishIO } from '../src/finish/finish-action.js'
import { linkedClock } from './support/linked-clock.js'
import {
  ALL_PERMISSIONS,
  APP_ID,
  APP_SECRET,
  FAST,
  GITHUB_PAT,
  leakedSecrets,
  runWithInputs,
  startWorld,
  testClock,
  type World
} from './support/world.js'

let world: World
afterEach(() => world?.stop())

interface Finished {
  outputs: Record<string, string>
  log: string[]
  masks: string[]
  failed?: string
}

async function finish(inputs: Record<string, string>): Promise<Finished> {
  const run: Finished = { outputs: {}, log: [], masks: [] }
  const io: FinishIO = {
    getInput: (name) => inputs[name] ?? '',
    mask: (secret) => run.masks.push(secret),
    setOutput: (name, value) => {
      run.outputs[name] = value
    },
    setFailed: (message) => {
      run.failed = message
    },
    info: (message) => run.log.push(message),
    warning: (message) => run.log.push(`warning: ${message}`),
    debug: (message) => run.log.push(`debug: ${message}`)
  }
  await runFinishAction(io, {}, { clock: testClock(), graphRetry: FAST.graphRetry })
  const secrets = [...world.graph.allTokens().map((t) => t.value), APP_SECRET]
  expect(
    leakedSecrets(
      { result: undefined, summary: '', log: [...run.log, run.failed ?? ''], masks: [], outputs: run.outputs },
      secrets
    )
  ).toEqual([])
  return run
}

const base = (old: string, fresh: string, extra: Record<string, string> = {}) => ({
  'app-id': APP_ID,
  'app-secret': APP_SECRET,
  'old-token': old,
  'new-token': fresh,
  'graph-api-url': world.graph.url,
  ...extra
})

describe('revoke: after-deploy, then finish', () => {
  test('the two-phase shape: rotate (nothing revoked) → deploy job on the new token → finish revokes the old one', async () => {
    world = await startWorld()
    world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, actions: 'write', contents: 'read' } })
    world.github.setSecret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN', world.token)
    world.github.addWorkflow({
      repo: 'octo/app',
      file: 'deploy.yml',
      reads: { scope: { kind: 'repository', repo: 'octo/app' }, name: 'META_TOKEN' }
    })
    const rotation = await runWithInputs(
      world.inputs({
        revoke: 'after-deploy',
        repositories: 'octo/app',
        'deploy-workflows': 'octo/app/.github/workflows/deploy.yml'
      }),
      {},
      { ...FAST, clock: linkedClock(world.github) }
    )
    expect(rotation.failed).toBeUndefined()
    expect(rotation.outputs.revoked).toBe('false')
    const fresh = rotation.outputs.token ?? ''
    expect(world.graph.isUsable(world.token)).toBe(true)
    expect(world.github.runs()[0]?.saw).toBe(fresh)

    const finished = await finish(base(world.token, fresh))
    expect(finished.failed).toBeUndefined()
    expect(finished.outputs.revoked).toBe('true')
    expect(world.graph.token(world.token)?.revoked).toBe(true)
    expect(world.graph.isUsable(fresh)).toBe(true)
    expect(finished.masks).toEqual(expect.arrayContaining([world.token, fresh, APP_SECRET]))
  })

  test.each<[string, (w: World) => { old: string; fresh: string; extra?: Record<string, string> }, RegExp]>([
    ['the same token twice', (w) => ({ old: w.token, fresh: w.token }), /are the same token/],
    [
      'a new token that is not valid (revoked)',
      (w) => {
        const fresh = w.issue('SYSTEM_USER', { expiresIn: 60 * 86_400 })
        const record = w.graph.token(fresh)
        if (record) record.revoked = true
        return { old: w.token, fresh }
      },
      /The new token \('new-token'\) is not valid/
    ],
    [
      'a new token of another app',
      (w) => {
        w.graph.addApp({ id: '999000111', secret: 'another-app-secret-0123456789ab' })
        return { old: w.token, fresh: w.issue('SYSTEM_USER', { appId: '999000111', expiresIn: 60 * 86_400 }) }
      },
      /belongs to app 999000111/
    ],
    [
      'a new token of another owner',
      (w) => ({
        old: w.token,
        fresh: w.graph.issueToken({
          appId: APP_ID,
          type: 'SYSTEM_USER',
          userId: '61550000000999',
          expiresIn: 60 * 86_400
        })
      }),
      /is of system user 61550000000999 and the old one of system user 61550000000001/
    ],
    [
      'the two swapped',
      (w) => ({ old: w.issue('SYSTEM_USER', { expiresIn: 60 * 86_400 }), fresh: w.token }),
      /look swapped/
    ],
    [
      'two permanent tokens whose order Meta does not say (debug_token without issued_at)',
      (w) => {
        w.graph.debugTokenOmitsIssuedAt = true
        return { old: w.issue('SYSTEM_USER', { expiresIn: 0 }), fresh: w.issue('SYSTEM_USER', { expiresIn: 0 }) }
      },
      /which one is the newer cannot be told/
    ],
    [
      'the old token being the admin token',
      (w) => ({ old: w.token, fresh: w.issue('SYSTEM_USER'), extra: { 'admin-token': w.token } }),
      /is the admin token/
    ]
  ])('refuses %s, revoking nothing', async (_, make, said) => {
    world = await startWorld()
    const { old, fresh, extra } = make(world)
    const before = world.graph.allTokens().filter((t) => t.revoked).length
    const finished = await finish(base(old, fresh, extra))
    expect(finished.failed).toMatch(said)
    expect(finished.failed).toMatch(/nothing was revoked/i)
    expect(finished.outputs.revoked).toBe('false')
    expect(finished.outputs.error).toBe(finished.failed)
    expect(world.graph.allTokens().filter((t) => t.revoked)).toHaveLength(before)
  })

  test('bad inputs are all reported before any request', async () => {
    world = await startWorld()
    const finished = await finish({ 'app-id': 'abc', 'old-token': 'has space', 'graph-api-url': 'http://example.com' })
    expect(finished.failed).toMatch(/^Input error, nothing was revoked: /)
    for (const name of [
      "'app-id'",
      "'app-secret' is required",
      "'old-token' contains spaces",
      "'new-token' is required",
      "'graph-api-url' must be an https URL"
    ])
      expect(finished.failed).toContain(name)
    expect(world.graph.server.requests).toHaveLength(0)
  })

  test('an old user token: nothing to revoke, said, and the run succeeds', async () => {
    world = await startWorld()
    const old = world.graph.issueToken({
      appId: APP_ID,
      type: 'USER',
      userId: '10000000000042',
      expiresIn: 10 * 86_400
    })
    const fresh = world.graph.issueToken({
      appId: APP_ID,
      type: 'USER',
      userId: '10000000000042',
      expiresIn: 60 * 86_400
    })
    const finished = await finish(base(old, fresh))
    expect(finished.failed).toBeUndefined()
    expect(finished.outputs.revoked).toBe('false')
    expect(finished.log.join('\n')).toContain('which Meta cannot revoke')
  })
})
