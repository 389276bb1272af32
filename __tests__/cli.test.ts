// The command line runs the same rotation as the action, against the emulators, and never prints a token.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { parseCliArguments } from '../src/cli/cli-arguments.js'
import { runCli } from '../src/cli/cli.js'
import { Input } from '../src/contract.js'
import { APP_SECRET, FAST, GITHUB_PAT, REPOS, startWorld, type World } from './support/world.js'

let world: World
beforeEach(async () => {
  world = await startWorld()
})
afterEach(async () => {
  await world.stop()
})

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, env, { out: (t) => (out += t), err: (t) => (err += t) }, FAST)
  return { code, out, err }
}

/** Secrets in the environment, the rest as flags: the way the help tells people to run it. */
function rotateCommand(extra: string[] = []): { argv: string[]; env: NodeJS.ProcessEnv } {
  const inputs = world.inputs()
  return {
    argv: [
      'rotate',
      '--app-id',
      inputs['app-id'] as string,
      '--secret-name=META_TOKEN',
      '--repositories',
      REPOS.join(','),
      '--graph-api-url',
      world.graph.url,
      '--github-api-url',
      world.github.url,
      ...extra
    ],
    env: { META_ROTATOR_APP_SECRET: APP_SECRET, META_ROTATOR_TOKEN: world.token, META_ROTATOR_GITHUB_TOKEN: GITHUB_PAT }
  }
}

describe('meta-token-rotator rotate', () => {
  test('performs a full rotation and prints a report without any token', async () => {
    const { argv, env } = rotateCommand()
    const { code, out, err } = await cli(argv, env)

    expect(code).toBe(0)
    const stored = world.github.secret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN')?.value as string
    expect(world.graph.isUsable(stored)).toBe(true)
    expect(world.github.secret({ kind: 'repository', repo: 'octo/api' }, 'META_TOKEN')?.value).toBe(stored)
    expect(world.graph.token(world.token)?.revoked).toBe(true)
    expect(out).toContain('✅ Rotated')
    for (const secret of [stored, world.token, APP_SECRET, GITHUB_PAT]) expect(out + err).not.toContain(secret)
  })

  test('--json prints a machine-readable report, still without the token', async () => {
    const { argv, env } = rotateCommand(['--json', '--dry-run'])
    const { code, out } = await cli(argv, env)
    expect(code).toBe(0)
    const report = JSON.parse(out)
    expect(report).toMatchObject({ ok: true, rotated: false, revoked: false, tokenType: 'system-user', failure: null })
    expect(report.secrets.map((s: { status: string }) => s.status)).toEqual(['checked', 'checked'])
    expect(out).not.toContain(world.token)
  })

  test('exit code 1 for a failed rotation, with the step and the fix', async () => {
    const { argv, env } = rotateCommand(['--json'])
    const { code, out } = await cli(argv, {
      ...env,
      META_ROTATOR_GITHUB_TOKEN: 'ghp_unknown0000000000000000000000000000'
    })
    expect(code).toBe(1)
    expect(JSON.parse(out).failure).toMatchObject({ step: 'prepare' })
    expect(JSON.parse(out).failure.message).toMatch(/401.*Fix:/s)
  })

  test('exit code 2 for invalid inputs or bad usage, before any request', async () => {
    const { argv, env } = rotateCommand(['--secret-name', 'GITHUB_TOKEN'])
    expect((await cli(argv, env)).code).toBe(2)
    expect((await cli(['rotate', '--no-such-flag', 'x'])).err).toMatch(/Unknown flag '--no-such-flag'/)
    expect((await cli(['rotate', '--app-id'])).code).toBe(2)
    expect((await cli(['refresh'])).code).toBe(2)
    expect(world.graph.server.requests).toHaveLength(0)
    expect(world.github.server.requests).toHaveLength(0)
  })
})

describe('flags', () => {
  test('--help documents every input as a flag, and exits 0', async () => {
    const { code, out } = await cli(['--help'])
    expect(code).toBe(0)
    for (const name of Object.values(Input)) expect(out).toMatch(new RegExp(`--${name}\\s+\\S`))
    expect(out).toContain('--json')
  })

  test('flags beat environment variables; booleans may stand alone', () => {
    const parsed = parseCliArguments(['rotate', '--token', 'flag', '--dry-run', '--scopes=ads_read'], {
      META_ROTATOR_TOKEN: 'env',
      META_ROTATOR_STRATEGY: 'generate'
    })
    expect(parsed.inputs).toMatchObject({ token: 'flag', 'dry-run': 'true', scopes: 'ads_read', strategy: 'generate' })
  })
})
