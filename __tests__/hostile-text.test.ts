// Text from outside (Meta's messages and fbtrace_id, debug_token's scopes and error, an environment name,
// the alert's inputs) stays text, checked on the committed bundle run as the runner runs it: its stdout
// read by the runner's own command rules (support/runner-commands.ts, legacy `##[…]` anywhere in a
// line included), its GITHUB_OUTPUT file, and its job summary rendered by a Markdown renderer.
import { describe, expect, jest, test } from '@jest/globals'
import { marked } from 'marked'
import { projectRoot, runBundledAction, type BundledRun } from '../scripts/bundled-action.js'
import { join } from 'node:path'
import { ADMIN_USER, APP_ID, APP_SECRET, GITHUB_PAT, stageGenerate, startWorld, type World } from './support/world.js'
import { runnerCommands } from './support/runner-commands.js'
import { actionsCoreIO } from '../src/action-io.js'
import { Output } from '../src/contract.js'

/** Every trick at once: new lines that start commands, a legacy command mid-line, a fence, a link, a bare URL. */
const HOSTILE = [
  'Something went wrong',
  '::stop-commands::pwned',
  '::set-output name=rotated::forged',
  '  ::add-mask::nothing',
  'then ##[set-output name=rotated;]forged and ##[stop-commands]pwned2 ##[set-env name=NODE_OPTIONS;]--require=/tmp/x',
  '``` closed the fence? ```` [click me](https://evil.example/phish) https://evil.example/bare www.evil.example'
].join('\n')

/** The outputs action.yml declares (contract.test checks action.yml against this list): GITHUB_OUTPUT must hold these and no other. */
const OUTPUTS: readonly string[] = Object.values(Output)
/** What the action itself may say to the runner. */
const OUR_COMMANDS = new Set(['add-mask', 'error', 'warning', 'debug', 'group', 'endgroup'])

/** A world of its own per test: the bundled runs are child processes, and run side by side. */
async function inWorld(body: (world: World) => Promise<void>): Promise<void> {
  const world = await startWorld()
  try {
    await body(world)
  } finally {
    await world.stop()
  }
}

const graphError = (message: string, code: number, extra: Record<string, unknown> = {}) => ({
  error: { message, type: 'OAuthException', code, fbtrace_id: 'AbC123', ...extra }
})

/**
 * What the runner would do with this run's stdout: only our own commands, every add-mask one of the
 * secrets, each secret masked before any line shows it; no forged output in GITHUB_OUTPUT.
 */
function expectOnlyOurCommands(run: BundledRun, secrets: string[]): void {
  const commands = runnerCommands(run.stdout)
  const foreign = commands.filter((c) => !OUR_COMMANDS.has(c.name))
  expect(foreign).toEqual([])
  for (const mask of commands.filter((c) => c.name === 'add-mask')) expect(secrets).toContain(mask.data)
  for (const c of commands) expect(c.form).toBe('v2')
  const lines = run.stdout.split(/\r?\n/)
  for (const secret of secrets) {
    const masked = commands.find((c) => c.name === 'add-mask' && c.data === secret)
    expect(masked).toBeDefined()
    const firstShown = lines.findIndex((line) => !line.startsWith('::add-mask::') && line.includes(secret))
    if (firstShown >= 0) expect(firstShown + 1).toBeGreaterThan(masked!.line)
  }
  expect(Object.keys(run.outputs).filter((name) => !OUTPUTS.includes(name))).toEqual([])
  expect(run.outputs.rotated ?? 'false').toMatch(/^(true|false)$/)
  expect(run.stderr).toBe('')
}

/** Raw stdout lines (add-mask lines aside) that show a secret: the redactor must have replaced it already. */
function unredacted(run: BundledRun, secrets: string[]): string[] {
  const lines = run.stdout.split(/\r?\n/).filter((line) => !line.startsWith('::add-mask::'))
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')])
  return [
    ...lines,
    run.summary,
    ...Object.entries(run.outputs)
      .filter(([n]) => n !== 'token')
      .map(([, v]) => v)
  ].filter((text) => forms.some((form) => text.includes(form)))
}

/** The summary renders no link that Meta's text put there, and every code fence outlasts the backticks inside. */
function expectInertSummary(summary: string): void {
  const html = marked.parse(summary, { async: false, gfm: true })
  expect(html).not.toMatch(/<a [^>]*href="[^"]*evil\.example/i)
  expect(html).not.toMatch(/<(script|img|iframe)/i)
  const fences = [...summary.matchAll(/^(`{3,})text$/gm)]
  for (const fence of fences) {
    const start = (fence.index ?? 0) + fence[0].length
    const end = summary.indexOf(`\n${fence[1]}\n`, start)
    expect(end).toBeGreaterThan(start)
    const inside = summary.slice(start, end)
    const longest = Math.max(0, ...[...inside.matchAll(/`+/g)].map((m) => m[0].length))
    expect(fence[1]!.length).toBeGreaterThan(longest)
  }
}

const secretsOf = (world: World, run: BundledRun, ...more: string[]) => [
  world.token,
  APP_SECRET,
  `${APP_ID}|${APP_SECRET}`,
  GITHUB_PAT,
  ...more,
  ...(run.outputs.token ? [run.outputs.token] : [])
]

describe('hostile text through the bundled action', () => {
  test.concurrent(
    'a Graph error on a retried call, scopes and an environment name carrying commands: all logged as text, the rotation completes, every secret masked first',
    () =>
      inWorld(async (world) => {
        world.graph.server.injectFault({
          method: 'GET',
          path: '/v27.0/oauth/access_token',
          fault: {
            kind: 'status',
            status: 500,
            body: graphError(HOSTILE, 2, {
              is_transient: true,
              fbtrace_id: `Tr4ce${APP_SECRET}\n::set-output name=rotated::forged`
            })
          }
        })
        world.graph
          .token(world.token)!
          .scopes.push('evil\n::set-output name=rotated::forged', 'x ##[set-output name=rotated;]forged `y`')
        const environment =
          'prod ##[set-output name=rotated;]forged ::stop-commands::x ##[stop-commands]y [docs](https://evil.example/e) https://evil.example/f'
        for (const repo of ['octo/app', 'octo/api']) world.github.addEnvironment(repo, environment)
        const run = await runBundledAction({ inputs: world.inputs({ environment }) })

        expect(run.exitCode).toBe(0)
        expect(run.outputs.rotated).toBe('true')
        expect(world.github.secret({ kind: 'environment', repo: 'octo/app', environment }, 'META_TOKEN')?.value).toBe(
          run.outputs.token
        )
        // The retry was logged, with Meta's text in it; the scopes and the environment too: as text.
        expect(run.stdout).toMatch(/oauth\/access_token failed \(Something went wrong/)
        expect(run.stdout).toContain('evil.example')
        expect(run.stdout).toContain('stop-commands')
        expect(run.outputs.scopes).toContain('forged')
        expectOnlyOurCommands(run, secretsOf(world, run))
        expect(unredacted(run, secretsOf(world, run))).toEqual([])
        expectInertSummary(run.summary)
      })
  )

  test.concurrent(
    'a Graph error that ends the run: one ::error:: line, fenced in the summary, fbtrace_id redacted',
    () =>
      inWorld(async (world) => {
        world.graph.server.injectFault({
          method: 'GET',
          path: '/v27.0/oauth/access_token',
          times: 100,
          fault: {
            kind: 'status',
            status: 400,
            body: graphError(`${HOSTILE} ${APP_SECRET}`, 190, {
              error_subcode: 460,
              fbtrace_id: `F${APP_SECRET}\n::x`
            })
          }
        })
        const run = await runBundledAction({ inputs: world.inputs() })

        expect(run.exitCode).not.toBe(0)
        const errors = runnerCommands(run.stdout).filter((c) => c.name === 'error')
        expect(errors).toHaveLength(1)
        expect(errors[0]!.data).toMatch(/^\[mint\] /)
        expect(errors[0]!.data).toContain('Something went wrong')
        expectOnlyOurCommands(run, secretsOf(world, run))
        expect(unredacted(run, secretsOf(world, run))).toEqual([])
        expect(run.outputs['failed-step']).toBe('mint')
        expect(run.summary).toContain('Something went wrong')
        expectInertSummary(run.summary)
      })
  )

  test.concurrent("debug_token's error message for the current token: redacted, one line, inert", () =>
    inWorld(async (world) => {
      world.graph.server.injectFault({
        method: 'GET',
        path: '/v27.0/debug_token',
        fault: {
          kind: 'status',
          status: 200,
          body: {
            data: {
              app_id: APP_ID,
              type: 'SYSTEM_USER',
              is_valid: false,
              error: { code: 190, subcode: 460, message: `${HOSTILE} ${APP_SECRET} ${world.token}` },
              scopes: []
            }
          }
        }
      })
      const run = await runBundledAction({ inputs: world.inputs() })

      expect(run.exitCode).not.toBe(0)
      expect(run.outputs['failed-step']).toBe('check')
      expect(run.outputs.error).toContain('Something went wrong')
      expect(run.outputs.error).not.toMatch(/\n/)
      expectOnlyOurCommands(run, secretsOf(world, run))
      expect(unredacted(run, secretsOf(world, run))).toEqual([])
      expectInertSummary(run.summary)
    })
  )

  test.concurrent(
    'generate with an admin token of another app whose name carries commands: [check] names the app, as one inert line',
    () =>
      inWorld(async (world) => {
        const { inputs, old } = stageGenerate(world)
        const name = `Evil\n::stop-commands::pwned %0A::error::forged ##[set-output name=rotated;]x [docs](https://evil.example/a)`
        world.graph.addApp({ id: '9988776655', secret: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', name })
        const admin = world.graph.issueToken({ appId: '9988776655', type: 'USER', userId: ADMIN_USER })
        const run = await runBundledAction({ inputs: inputs({ 'admin-token': admin }) })

        expect(run.exitCode).not.toBe(0)
        expect(run.outputs['failed-step']).toBe('check')
        const errors = runnerCommands(run.stdout).filter((c) => c.name === 'error')
        expect(errors).toHaveLength(1)
        expect(errors[0]!.data).toContain(
          "[check] 'admin-token' belongs to Meta app 9988776655 (Evil ::stop-commands::pwned"
        )
        expect(errors[0]!.data).not.toMatch(/\n/)
        // %0A stays the three characters it was: the runner never turns it into a line break of ours.
        expect(run.stdout).toContain('%250A::error::forged')
        expect(run.outputs.error).not.toMatch(/\n/)
        expect(world.graph.server.requests.filter((r) => r.method === 'POST')).toEqual([])
        const secrets = [old, admin, APP_SECRET, `${APP_ID}|${APP_SECRET}`, GITHUB_PAT]
        expectOnlyOurCommands(run, secrets)
        expect(unredacted(run, [...secrets, world.token])).toEqual([])
        expectInertSummary(run.summary)
      })
  )

  test.concurrent('an environment input with a line break is refused, and the refusal is inert', () =>
    inWorld(async (world) => {
      const run = await runBundledAction({
        inputs: world.inputs({ environment: 'prod\n::set-output name=rotated::forged\n##[stop-commands]z' })
      })
      expect(run.exitCode).not.toBe(0)
      expect(run.outputs['failed-step']).toBe('inputs')
      // Refused before the app token is built: the credentials given are masked.
      expectOnlyOurCommands(run, [APP_SECRET, GITHUB_PAT, world.token])
      expectInertSummary(run.summary)
    })
  )
})

describe('hostile text through the bundled alert action', () => {
  test.concurrent('a secret-name carrying commands is refused, inertly', () =>
    inWorld(async (world) => {
      const workflowToken = 'ghs_workflow0token0with0issues0write'
      world.github.addToken(workflowToken, {
        kind: 'github-actions',
        repositories: ['octo/app'],
        permissions: { issues: 'write', metadata: 'read' }
      })
      const run = await runBundledAction({
        script: join(projectRoot(), 'dist', 'alert', 'index.js'),
        inputs: {
          'github-token': workflowToken,
          outcome: 'failure',
          'secret-name':
            'META_TOKEN\n::stop-commands::pwned\n::set-output name=action::forged ##[set-output name=action;]forged ##[stop-commands]pwned',
          error: HOSTILE
        },
        env: { GITHUB_API_URL: world.github.url }
      })
      expect(run.exitCode).not.toBe(0)
      const commands = runnerCommands(run.stdout)
      expect(commands.filter((c) => !OUR_COMMANDS.has(c.name))).toEqual([])
      expect(commands.filter((c) => c.name === 'error')).toHaveLength(1)
      expect(Object.keys(run.outputs)).toEqual([])
      expect(world.github.issues('octo/app')).toEqual([])
    })
  )
})

describe("the runner's IO (actionsCoreIO): the last guard before the log", () => {
  test('no line it prints starts a command, however the text tries; masked secrets print as ***', async () => {
    const printed: string[] = []
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk))
      return true
    })
    try {
      const io = actionsCoreIO({})
      io.mask('s3cr3t-value-0001')
      const tricks = [
        'a\n::set-output name=rotated::forged',
        'b\r::stop-commands::x',
        'c\r\n   \t::add-mask::y',
        '\u0085::set-env name=A::b',
        '\u00a0\u2003::error::forged annotation',
        'd ##[set-output name=rotated;]forged',
        'e s3cr3t-value-0001 and its base64 ' + Buffer.from('s3cr3t-value-0001').toString('base64')
      ]
      for (const text of tricks) {
        io.info(text)
        io.warning(text)
        io.debug(text)
        await io.group(text, () => Promise.resolve())
      }
    } finally {
      write.mockRestore()
    }
    const stdout = printed.join('')
    const commands = runnerCommands(stdout)
    expect(commands.filter((c) => !OUR_COMMANDS.has(c.name))).toEqual([])
    // Our own commands are the only ones: one add-mask, and a warning, a debug, a group per trick.
    expect(commands.filter((c) => c.name === 'add-mask')).toHaveLength(1)
    expect(commands.filter((c) => c.name === 'warning')).toHaveLength(7)
    expect(stdout.split(/\r?\n/).filter((line) => !line.startsWith('::add-mask::') && line.includes('s3cr3t'))).toEqual(
      []
    )
    expect(stdout).toContain('e *** and its base64 ***')
  })
})
