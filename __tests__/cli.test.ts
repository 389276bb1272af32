// The command line runs the same rotation as the action, against the emulators, and never prints a token.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { parseCliArguments } from '../src/cli/cli-arguments.js'
import { runCli } from '../src/cli/cli.js'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CREDENTIAL_INPUTS, Input } from '../src/contract.js'
import { environmentVariable } from '../src/input-naming.js'
import { runnerCommands } from './support/runner-commands.js'
import { cliRotateCommand } from './support/cli-command.js'
import { APP_SECRET, FAST, GITHUB_PAT, REPOS, startWorld, type World, holdEverywhere } from './support/world.js'

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

/** What GitHub's Markdown needs and a terminal shows as noise: a backslash escape, an HTML entity, a zero-width space. */
function expectNoEscapes(text: string): void {
  expect(text).not.toMatch(/\\[\\`*_{}[\]()#+!|~<>]|&(amp|lt|gt);|\u200b/)
}

/** Secrets in the environment, the rest as flags: the way the help tells people to run it. */
function rotateCommand(extra: string[] = []): { argv: string[]; env: NodeJS.ProcessEnv } {
  return cliRotateCommand(world, extra)
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
    expect(out).toContain('✅ Rotated:')
    for (const secret of [stored, world.token, APP_SECRET, GITHUB_PAT]) expect(out + err).not.toContain(secret)
  })

  test('--json prints a machine-readable report, still without the token', async () => {
    const { argv, env } = rotateCommand(['--json', '--dry-run'])
    const { code, out } = await cli(argv, env)
    expect(code).toBe(0)
    const report = JSON.parse(out) as { secrets: Array<{ status: string }> }
    expect(report).toMatchObject({ ok: true, rotated: false, revoked: false, tokenType: 'system-user', failure: null })
    expect(report.secrets.map((s) => s.status)).toEqual(['checked', 'checked'])
    expect(out).not.toContain(world.token)
  })

  test('exit code 1 for a failed rotation, with the step and the fix', async () => {
    const { argv, env } = rotateCommand(['--json'])
    const { code, out } = await cli(argv, {
      ...env,
      META_ROTATOR_GITHUB_TOKEN: 'ghp_unknown0000000000000000000000000000'
    })
    expect(code).toBe(1)
    const { failure } = JSON.parse(out) as { failure: { step: string; message: string } }
    expect(failure).toMatchObject({ step: 'prepare' })
    expect(failure.message).toMatch(/401.*Fix:/s)
  })

  test('exit code 1, not 2, for a run that stopped on an unexpected error midway: something may have been done', async () => {
    const { argv, env } = rotateCommand()
    let calls = 0
    const crashing = {
      now: () => {
        // The clock breaks after the token check: the run is under way.
        if (++calls > 2) throw new Error('the clock broke')
        return new Date()
      },
      sleep: () => Promise.resolve()
    }
    let err = ''
    let out = ''
    const code = await runCli(
      argv,
      env,
      { out: (t) => (out += t), err: (t) => (err += t) },
      { ...FAST, clock: crashing }
    )
    expect(code).toBe(1)
    expect(out).toContain('❌ Stopped: an unexpected error ended the run midway')
    expect(out).toMatch(/\[unexpected\] The run stopped on an unexpected error: the clock broke/)
    expect(out).toMatch(/Check the secrets before re-running/)
    expect(out + err).not.toMatch(/nothing was (done|minted)/i)
  })

  test('the text report shows text as it is: no Markdown or HTML escapes', async () => {
    holdEverywhere(world)
    const skipped = await cli(rotateCommand(['--rotate-before', '14d']).argv, rotateCommand().env)
    expect(skipped.code).toBe(0)
    expect(skipped.out).toMatch(/\(in 20 days\), more than rotate-before \(14 days\) away/)
    world.graph.invalidateToken(world.token, 467)
    const failed = await cli(rotateCommand().argv, rotateCommand().env)
    expect(failed.out).toContain(
      '\nFix: A rotation may have revoked it and stored its successor in META_TOKEN, whose value GitHub never shows. Generate a new token (Business settings > Users > System users >'
    )
    for (const { out } of [skipped, failed]) expectNoEscapes(out)
  })

  test("outside text in the text report: as Meta wrote it, on one line, without a terminal's control characters", async () => {
    const hostile = 'Nope <b>*bold*</b> [link](https://evil.example) a|b\n\u001b[2J\u001b]0;title\u0007\u009b31m done'
    world.graph.server.injectFault({
      method: 'GET',
      path: '/v27.0/oauth/access_token',
      times: 100,
      fault: { kind: 'status', status: 400, body: { error: { message: hostile, type: 'OAuthException', code: 100 } } }
    })
    const { code, out, err } = await cli(rotateCommand().argv, rotateCommand().env)
    expect(code).toBe(1)
    expect(out).toContain('Nope <b>*bold*</b> [link](https://evil.example) a|b')
    expectNoEscapes(out)
    // eslint-disable-next-line no-control-regex
    expect(out + err).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
  })

  test('inside a workflow step, nothing it prints is a workflow command: the text report, --json and the error line', async () => {
    const hostile = 'bad ##[set-output name=rotated;]forged ##[add-mask]x'
    world.graph.server.injectFault({
      method: 'GET',
      path: '/v27.0/oauth/access_token',
      times: 100,
      fault: { kind: 'status', status: 400, body: { error: { message: hostile, type: 'OAuthException', code: 100 } } }
    })
    for (const extra of [[], ['--json']]) {
      const { code, out, err } = await cli(rotateCommand(extra).argv, rotateCommand(extra).env)
      expect(code).toBe(1)
      expect(out + err).toContain('bad ## [set-output')
      expect(runnerCommands(out)).toEqual([])
      expect(runnerCommands(err)).toEqual([])
    }
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

describe('--destinations-file', () => {
  const file = (text: string): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'destinations-')), 'destinations.txt')
    writeFileSync(path, text)
    return path
  }
  const withoutRepositories = (argv: string[]): string[] =>
    argv.filter((arg, i) => arg !== '--repositories' && argv[i - 1] !== '--repositories')

  test('reads one destination a line from a file: every destination written, one refresh', async () => {
    const { argv, env } = rotateCommand()
    const path = file('# staging and production\nrepo octo/app\nenvironment octo/app production as META_TOKEN_PROD\n')
    const { code, err } = await cli([...withoutRepositories(argv), '--destinations-file', path], env)

    expect({ code, err }).toMatchObject({ code: 0 })
    const fresh = world.github.secret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN')?.value
    expect(fresh).toMatch(/^EAA/)
    expect(
      world.github.secret({ kind: 'environment', repo: 'octo/app', environment: 'production' }, 'META_TOKEN_PROD')
        ?.value
    ).toBe(fresh)
    expect(world.github.secret({ kind: 'repository', repo: 'octo/api' }, 'META_TOKEN')).toBeUndefined()
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(1)
  })

  test('a malformed line, a missing file, or the file and --destinations both: exit 2 before any request', async () => {
    const { argv, env } = rotateCommand()
    const bad = await cli([...withoutRepositories(argv), '--destinations-file', file('repo octo/app\nrepo octo')], env)
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/--destinations: line 2: 'octo' is not owner\/repo/)
    const missing = await cli(
      [...withoutRepositories(argv), '--destinations-file', '/nonexistent/destinations.txt'],
      env
    )
    expect(missing.code).toBe(2)
    expect(missing.err).toMatch(/'--destinations-file \/nonexistent\/destinations.txt' cannot be read \(ENOENT\)/)
    const both = await cli(
      [...withoutRepositories(argv), '--destinations-file', file('repo octo/app'), '--destinations', 'repo octo/api'],
      env
    )
    expect(both.code).toBe(2)
    expect(both.err).toMatch(/Both '--destinations-file' and '--destinations' were given/)
    expect(world.graph.server.requests).toHaveLength(0)
    expect(world.github.server.requests).toHaveLength(0)
  })
})

describe('flags', () => {
  test('--help documents every input: credentials as environment variables, the rest as flags', async () => {
    const { code, out } = await cli(['--help'])
    expect(code).toBe(0)
    for (const name of Object.values(Input)) {
      if ((CREDENTIAL_INPUTS as readonly string[]).includes(name))
        expect(out).toMatch(new RegExp(`\\n  ${environmentVariable(name)}\\s+\\S`))
      else expect(out).toMatch(new RegExp(`\\n  --${name}\\s+\\S`))
    }
    // Every description starts in the same column, --json included.
    expect(out).toMatch(/\n {2}--json\s+Print a JSON report/)
    const starts = new Set(
      out
        .split('\n')
        .filter((l) => /^ {2}--\S/.test(l))
        .map((l) => /^ {2}--\S+\s+/.exec(l)?.[0].length)
    )
    expect(starts.size).toBe(1)
  })

  test('--version prints the version from package.json', async () => {
    const { code, out } = await cli(['--version'])
    expect(code).toBe(0)
    expect(out.trim()).toBe(
      (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version
    )
  })

  test('flags beat environment variables; booleans may stand alone', () => {
    const parsed = parseCliArguments(['rotate', '--strategy', 'refresh', '--dry-run', '--scopes=ads_read'], {
      META_ROTATOR_STRATEGY: 'generate',
      META_ROTATOR_TOKEN: 'env'
    })
    expect(parsed.inputs).toMatchObject({ token: 'env', 'dry-run': 'true', scopes: 'ads_read', strategy: 'refresh' })
  })

  test.each(['token', 'app-secret', 'admin-token', 'previous-token', 'github-token'])(
    'a credential given as a flag (--%s) is refused, naming the environment variable to use',
    async (name) => {
      const { code, err } = await cli(['rotate', `--${name}`, 'EAAsecretvalue0000'])
      expect(code).toBe(2)
      expect(err).toContain(`Set the environment variable ${environmentVariable(name)} instead.`)
      expect(err).not.toContain('EAAsecretvalue0000')
    }
  )

  test('an unknown flag gets the closest one', async () => {
    expect((await cli(['rotate', '--dryrun'])).err).toMatch(/Unknown flag '--dryrun'\. Did you mean '--dry-run'\?/)
    expect((await cli(['rotate', '--secret-nmae', 'X'])).err).toMatch(/Did you mean '--secret-name'\?/)
  })

  test('an abbreviated flag gets the one flag it begins', async () => {
    expect((await cli(['rotate', '--repo', 'octo/x'])).err).toMatch(
      /Unknown flag '--repo'\. Did you mean '--repositories'\?/
    )
    // Two flags begin with it and neither is a small edit away: no guess.
    expect((await cli(['rotate', '--secret', 'X'])).err).toMatch(/Unknown flag '--secret'\. Run with --help\./)
  })

  test('a credential typed where a flag or a plain value goes is echoed by its first characters only', async () => {
    const stray = await cli(['rotate', '--app-id', '1234567890', APP_SECRET])
    expect(stray.err).toMatch(/Unexpected argument 'a1b2…' after 'rotate'/)
    const asValue = await cli(rotateCommand(['--dry-run', GITHUB_PAT]).argv, rotateCommand().env)
    expect(asValue.code).toBe(2)
    expect(asValue.err).toMatch(/'\*\*\*…' is not a boolean/)
    for (const { out, err } of [stray, asValue]) {
      expect(out + err).not.toContain(APP_SECRET.slice(0, 12))
      expect(out + err).not.toContain(GITHUB_PAT.slice(0, 12))
    }
  })

  test('a single-dash flag gets its double-dash form; -v gets --version', async () => {
    const { code, err } = await cli(['-v'])
    expect(code).toBe(2)
    expect(err).toMatch(/Unknown flag '-v'\. Did you mean '--version'\?/)
    expect((await cli(['rotate', '-dry-run'])).err).toMatch(/Unknown flag '-dry-run'\. Did you mean '--dry-run'\?/)
  })

  test('a value after the command without its flag is called that, not an unknown command', async () => {
    for (const stray of ['rotate', 'octo/app']) {
      const { code, err } = await cli(['rotate', stray, '--secret-name', 'X'])
      expect(code).toBe(2)
      expect(err).toContain(`Unexpected argument '${stray}' after 'rotate' (a value without its flag?).`)
      expect(err).not.toMatch(/Unknown command|Did you mean/)
    }
    expect((await cli(['octo/app', 'rotate'])).err).toMatch(/Unknown command 'octo\/app'/)
    // A long stray word may be a token typed without its variable: only its start is echoed.
    const token = `EAAG${'x'.repeat(60)}`
    const { err } = await cli(['rotate', token])
    expect(err).toContain("Unexpected argument 'EAAG…'")
    expect(err).not.toContain(token)
  })

  test('messages name flags and variables, never workflow syntax', async () => {
    const { code, err } = await cli([
      'rotate',
      '--app-id',
      '1',
      '--secret-name',
      'META_TOKEN',
      '--repositories',
      'octo/app'
    ])
    expect(code).toBe(2)
    expect(err).toMatch(
      /META_ROTATOR_APP_SECRET: required: pass the Meta app secret, in the environment variable META_ROTATOR_APP_SECRET\./
    )
    expect(err).toMatch(
      /META_ROTATOR_GITHUB_TOKEN: required: .*in the environment variable META_ROTATOR_GITHUB_TOKEN\. Fix:/
    )
    expect(err).toMatch(/Correct the flags above/)
    expect(err).not.toMatch(/\$\{\{|workflow|--app-secret|GITHUB_TOKEN cannot/)
  })

  test('an input set in the environment is named by its variable, one set by a flag by its flag', async () => {
    world.instagram.addAccount({ userId: '17841400000000001', username: 'demo.shop' })
    const token = world.instagram.issueToken({ userId: '17841400000000001', issuedAgo: 10 * 86_400 })
    const argv = ['rotate', '--strategy', 'instagram', '--secret-name', 'IG_TOKEN', '--dry-run']
    const env = {
      META_ROTATOR_TOKEN: token,
      META_ROTATOR_GITHUB_TOKEN: GITHUB_PAT,
      META_ROTATOR_REPOSITORIES: 'octo/app',
      META_ROTATOR_INSTAGRAM_API_URL: world.instagram.url,
      META_ROTATOR_GITHUB_API_URL: world.github.url,
      META_ROTATOR_APP_SECRET: APP_SECRET
    }
    const fromEnvironment = await cli(argv, { ...env, META_ROTATOR_APP_ID: '1234567890' })
    expect(fromEnvironment.code).toBe(0)
    expect(fromEnvironment.err).toContain(
      'warning: META_ROTATOR_APP_ID and META_ROTATOR_APP_SECRET are not used with --strategy instagram'
    )
    const flag = await cli([...argv, '--app-id', '1234567890'], { ...env, META_ROTATOR_APP_ID: '1234567890' })
    expect(flag.err).toContain('warning: --app-id and META_ROTATOR_APP_SECRET are not used with --strategy instagram')
    const invalid = await cli(argv, { ...env, META_ROTATOR_REVOKE: 'maybe' })
    expect(invalid.err).toContain("META_ROTATOR_REVOKE: 'maybe' is not one of")
  })
})

/** What the CLI must never print: the action's workflow syntax and its quoted input names. */
function expectCliWords(text: string): void {
  expect(text).not.toMatch(/workflow|runner|secrets\./i)
  for (const name of Object.values(Input)) expect(text).not.toContain(`'${name}'`)
}

describe('failures speak of flags and META_ROTATOR_* variables', () => {
  test('a wrong app secret', async () => {
    const { argv, env } = rotateCommand()
    const { code, out, err } = await cli(argv, { ...env, META_ROTATOR_APP_SECRET: 'f'.repeat(32) })
    expect(code).toBe(1)
    expect(out).toContain('Fix: META_ROTATOR_APP_SECRET is not the secret of --app-id')
    expectCliWords(out + err)
  })

  test('an invalid token', async () => {
    world.graph.invalidateToken(world.token, 467)
    const { argv, env } = rotateCommand()
    const { code, out, err } = await cli(argv, env)
    expect(code).toBe(1)
    expect(out).toContain('The current token (META_ROTATOR_TOKEN) is dead')
    expect(out).toMatch(/Fix: .*store it in META_ROTATOR_TOKEN, and re-run\./)
    expectCliWords(out + err)
  })

  test('an unreachable Graph API', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const { port } = closed.address() as AddressInfo
    await new Promise((resolve) => closed.close(resolve))
    const { argv, env } = rotateCommand(['--graph-api-url', `http://127.0.0.1:${port}`])
    const { code, out, err } = await cli(argv, env)
    expect(code).toBe(1)
    expect(out).toContain("The Graph API could not be reached: check this machine's network and --graph-api-url")
    expectCliWords(out + err)
  })

  test('a GitHub token GitHub does not know (401)', async () => {
    const { argv, env } = rotateCommand()
    const { code, out, err } = await cli(argv, {
      ...env,
      META_ROTATOR_GITHUB_TOKEN: 'ghp_unknown0000000000000000000000000000'
    })
    expect(code).toBe(1)
    expect(out).toContain('GitHub rejected META_ROTATOR_GITHUB_TOKEN (401')
    expect(out).toContain('create a new one and update META_ROTATOR_GITHUB_TOKEN.')
    expectCliWords(out + err)
  })
})

/** What a terminal shows as noise: Markdown's headings, bold, code spans and tables. */
function expectNoMarkdown(text: string): void {
  expect(text).not.toMatch(/^#+ |\*\*|`|^\|.*\|$|\|---/m)
}

const times = (text: string, part: string): number => text.split(part).length - 1
const DAY_MS = 86_400_000

describe('the text report: plain text, each failure said once', () => {
  test('a rotation, a skip, a dry run and a failure: no Markdown syntax, the status first', async () => {
    holdEverywhere(world)
    const { env } = rotateCommand()
    const skipped = await cli(rotateCommand(['--rotate-before', '14d']).argv, env)
    const dryRun = await cli(rotateCommand(['--dry-run']).argv, env)
    const rotated = await cli(rotateCommand().argv, env)
    world.graph.invalidateToken(world.token, 467)
    const failed = await cli(rotateCommand().argv, { ...env, META_ROTATOR_APP_SECRET: 'f'.repeat(32) })
    for (const [run, status] of [
      [skipped, '⏭️ Not due: The current token expires'],
      [dryRun, '🔍 Dry run passed:'],
      [rotated, '✅ Rotated: the new token is stored and confirmed in all 2 destinations'],
      [failed, '❌ Rotation failed:']
    ] as const) {
      expect(run.out.split('\n').slice(0, 2)).toEqual([
        'Meta token rotation: META_TOKEN',
        expect.stringContaining(status)
      ])
      expectNoMarkdown(run.out + run.err)
    }
    expect(rotated.out).toMatch(/\nNew token expires: {6}\d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 60 days\)\n/)
    expect(rotated.out).toMatch(
      /\nDestinations:\n {2}✅ repository secret in octo\/app {2}META_TOKEN: (created|updated)\n/
    )
  })

  test('a partial failure: the destination says its error, the report the step and the fix, once each; no warning or error line repeats them', async () => {
    world.github.server.injectFault({
      path: /\/repos\/octo\/api\/actions\/secrets\/META_TOKEN$/,
      method: 'PUT',
      times: 100,
      fault: { kind: 'status', status: 422, body: { message: 'Bad things' } }
    })
    const { code, out, err } = await cli(rotateCommand().argv, rotateCommand().env)
    expect(code).toBe(1)
    const all = out + err
    expect(times(all, 'GitHub rejected the write to the repository secret in octo/api (422 Bad things)')).toBe(1)
    expect(times(all, 'Correct what GitHub names')).toBe(1)
    expect(times(all, 'Failed at step store: 1 of 2 secret writes failed.')).toBe(1)
    expect(out).toContain(
      '❌ repository secret in octo/api  META_TOKEN: GitHub rejected the write to the repository secret in octo/api (422 Bad things); holds the old token'
    )
    expect(out).toContain('✅ repository secret in octo/app  META_TOKEN: created; holds the new token')
    expect(err).not.toMatch(/^(warning|error):/m)
    expectNoMarkdown(all)
  })

  test('a failure before minting is said once, as stopping before minting, not as "the old token was not revoked"', async () => {
    const { argv, env } = rotateCommand()
    const { code, out, err } = await cli(argv, { ...env, META_ROTATOR_APP_SECRET: 'f'.repeat(32) })
    expect(code).toBe(1)
    expect(out).toContain('❌ Rotation failed: it stopped before minting: nothing was minted, written or revoked.')
    expect(times(out + err, 'Invalid OAuth access token signature')).toBe(1)
    expect(times(out + err, 'Fix:')).toBe(1)
    expect(out + err).not.toMatch(/not revoked|Token: +unknown/)
  })
})

describe('--json tells a skip, a dry run, a rotation and a failure apart', () => {
  interface JsonReport {
    ok: boolean
    rotated: boolean
    skipped: boolean
    dryRun: boolean
    expiresAt: string | null
    daysLeft: number | null
    nextDue: string | null
    dataAccessExpiresAt: string | null
    failure: { step: string } | null
  }
  const json = async (extra: string[], env: NodeJS.ProcessEnv = rotateCommand().env) => {
    const { code, out } = await cli(rotateCommand(['--json', ...extra]).argv, env)
    return { code, report: JSON.parse(out) as JsonReport }
  }
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

  test('a skip: the current expiry, the days left and when it falls due', async () => {
    holdEverywhere(world)
    const { code, report } = await json(['--rotate-before', '14d'])
    expect(code).toBe(0)
    expect(report).toMatchObject({
      ok: true,
      rotated: false,
      skipped: true,
      dryRun: false,
      daysLeft: 19,
      failure: null
    })
    const expiry = (world.graph.token(world.token)?.expiresAt ?? 0) * 1000
    expect(report.expiresAt).toBe(iso(expiry))
    expect(report.nextDue).toBe(iso(expiry - 14 * DAY_MS))
    expect(report.dataAccessExpiresAt).toBeNull()
  })

  test('a dry run: neither a skip nor a rotation; nextDue null when every run rotates (rotate-before empty)', async () => {
    const { code, report } = await json(['--dry-run'])
    expect(code).toBe(0)
    expect(report).toMatchObject({
      ok: true,
      rotated: false,
      skipped: false,
      dryRun: true,
      daysLeft: 19,
      nextDue: null
    })
  })

  test('a rotation: the new token’s expiry, 59 whole days left, due again when rotate-before is reached', async () => {
    const { code, report } = await json(['--rotate-before', '30d'])
    expect(code).toBe(0)
    expect(report).toMatchObject({ ok: true, rotated: true, skipped: false, dryRun: false, daysLeft: 59 })
    expect(report.nextDue).toBe(iso(Date.parse(report.expiresAt as string) - 30 * DAY_MS))
  })

  test('a failure: not ok, with its step; a run refused at its inputs is neither a skip nor a dry run', async () => {
    const failed = await json([], {
      ...rotateCommand().env,
      META_ROTATOR_GITHUB_TOKEN: 'ghp_unknown0000000000000000000000000000'
    })
    expect(failed.code).toBe(1)
    expect(failed.report).toMatchObject({ ok: false, rotated: false, skipped: false, dryRun: false })
    expect(failed.report.failure).toMatchObject({ step: 'prepare' })
    const refused = await json(['--dry-run', '--secret-name', 'GITHUB_X'])
    expect(refused.code).toBe(2)
    expect(refused.report).toMatchObject({ ok: false, skipped: false, dryRun: false, daysLeft: null, nextDue: null })
  })
})

describe('messages that name the real cause', () => {
  test('a wrong --app-id is said to be the app id, not the app secret, before anything is minted', async () => {
    const { code, out } = await cli(rotateCommand(['--app-id', '999999999']).argv, rotateCommand().env)
    expect(code).toBe(1)
    expect(out).toContain(
      'Fix: Meta knows no app with the id in --app-id: copy the App ID from App settings > Basic (and META_ROTATOR_APP_SECRET from the same page), then re-run.'
    )
    expect(out).not.toContain('is not the secret of')
    expect(world.graph.server.requestsTo(/oauth\/access_token$/)).toHaveLength(0)
    expect(world.github.server.requests).toHaveLength(0)
  })

  test('if Meta answered a wrong app id as a wrong secret (unverified), the fix names both', async () => {
    world.graph.unknownAppToken = 'bad-signature'
    const { code, out } = await cli(rotateCommand(['--app-id', '999999999']).argv, rotateCommand().env)
    expect(code).toBe(1)
    expect(out).toContain(
      'Fix: META_ROTATOR_APP_SECRET is not the secret of --app-id: copy it again from App settings > Basic, and check that --app-id is the App ID on that page.'
    )
  })

  test('rotating again from the token a rotation revoked: it is dead, its successor is in the secret, nothing was done', async () => {
    const { argv, env } = rotateCommand()
    expect((await cli(argv, env)).code).toBe(0)
    const stored = world.github.secret({ kind: 'repository', repo: 'octo/app' }, 'META_TOKEN')?.value as string
    const requests = world.graph.server.requests.length

    const again = await cli(argv, env)
    expect(again.code).toBe(1)
    expect(again.out).toContain(
      '❌ Rotation failed: it stopped before minting: nothing was minted, written or revoked.'
    )
    expect(again.out).toContain(
      'Failed at step check: The current token (META_ROTATOR_TOKEN) is dead: Meta no longer accepts it (Error validating access token: The session was invalidated explicitly using an API call.), and a revoked or invalidated token cannot be refreshed.'
    )
    expect(again.out).toContain(
      'Fix: A rotation may have revoked it and stored its successor in META_TOKEN, whose value GitHub never shows.'
    )
    expect(again.out).not.toMatch(/not revoked/)
    // Only the check: the secrets keep the first rotation's token, which works.
    expect(world.graph.server.requests.slice(requests).map((r) => r.path)).toEqual([
      expect.stringMatching(/debug_token$/)
    ])
    for (const repo of REPOS)
      expect(world.github.secret({ kind: 'repository', repo }, 'META_TOKEN')?.value).toBe(stored)
    expect(world.graph.isUsable(stored)).toBe(true)
  })

  test('--help says how the CLI is really run: from a clone, or through npx from the repository', async () => {
    const { out } = await cli(['--help'])
    expect(out.split('\n').slice(0, 2)).toEqual([
      'Usage: node dist/cli/index.js rotate [flags] [--json]',
      '       (from a clone of the repository; without one: npx github:meta-token-rotator/meta-token-rotator rotate …)'
    ])
    expect((await cli([])).err).toContain("Missing the command: 'node dist/cli/index.js rotate …'.")
  })
})
