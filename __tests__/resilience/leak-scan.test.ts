// The leak scan of support/world.ts checks itself: it finds a secret in each of its forms (and its
// beginning, as a text cut inside it leaves) in
// each place a run writes to, names the kind of secret and never its value, and is wired into
// runWithInputs. And the action's own redaction holds when Graph and GitHub echo secrets back in
// their error texts. (The deliberate hits here stay in this file: jest gives each test file its own
// module registry, so they never reach the counters of the other suites.)
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  APP_ID,
  APP_SECRET,
  BUSINESS,
  findLeaks,
  GITHUB_PAT,
  leakScan,
  runWithInputs,
  stageGenerate,
  startWorld,
  type RecordedRun,
  type World
} from '../support/world.js'
import { linkedClock } from '../support/linked-clock.js'
import { ALL_PERMISSIONS } from '../support/world.js'
import { RESILIENCE_TUNING, SYSTEM_USER_REACH_SCENARIOS } from './harness.js'

const SECRET = 'EAAB0thisIsTheSecretUnderTest0000000000000001'
const blank = (): RecordedRun => ({ result: undefined, outputs: {}, masks: [], log: [], summary: '' })
const APP_TOKEN = `${APP_ID}|${SECRET}`
/** Each form, with the secret it is a form of: the app token is the one secret URL-encoding changes. */
const forms: Array<[string, string, { kind: string; value: string }]> = [
  ['raw', SECRET, { kind: 'the secret under test', value: SECRET }],
  ['URL-encoded', encodeURIComponent(APP_TOKEN), { kind: 'the app token under test', value: APP_TOKEN }],
  ['base64-encoded', Buffer.from(SECRET).toString('base64'), { kind: 'the secret under test', value: SECRET }],
  ['beginning', `${SECRET.slice(0, 12)}…`, { kind: 'the secret under test', value: SECRET }]
]

describe('findLeaks', () => {
  const places: Array<[string, (run: RecordedRun, text: string) => void, RegExp]> = [
    ['the log', (run, text) => run.log.push('info', `leaked: ${text}`), /in log line 2/],
    ['the summary', (run, text) => (run.summary = `## x\n${text}\n`), /in the summary/],
    ['the failure message', (run, text) => (run.failed = `[mint] ${text}`), /in the failure message/],
    ['an output', (run, text) => (run.outputs.error = text), /in output 'error'/]
  ]
  for (const [form, text, secret] of forms) {
    test.each(places)(`a ${form} secret in %s is found, named by kind, never by value`, (_place, put, where) => {
      const run = blank()
      put(run, text)
      const hits = findLeaks(run, [secret])
      expect(hits).toHaveLength(1)
      expect(hits[0]).toMatch(new RegExp(`^${secret.kind} \\(${form}\\) `))
      expect(hits[0]).toMatch(where)
      expect(hits[0]).not.toContain(SECRET)
      expect(hits[0]).not.toContain(text)
    })
  }

  test('the masked token output is not a leak', () => {
    const run = blank()
    run.outputs.token = SECRET
    expect(findLeaks(run, [{ kind: 'x', value: SECRET }])).toEqual([])
  })
})

describe('runWithInputs scans every run', () => {
  let world: World
  beforeEach(async () => {
    world = await startWorld()
  })
  afterEach(async () => {
    await world.stop()
  })

  test('a value the emulators know as a secret, printed by the run, fails the run with its kind', async () => {
    // 'octo/app' is printed in the summary and outputs (as a target): registered as a GitHub token,
    // it is a secret the run printed. The counters are restored: this hit is the scan's own test.
    const counters = { ...leakScan }
    world.github.addToken('octo/app', { permissions: { secrets: 'write' } })
    try {
      await expect(runWithInputs(world.inputs(), {}, RESILIENCE_TUNING)).rejects.toThrow(
        /^Leak scan: a secret was printed\. a GitHub token \(raw\) in /
      )
      expect(leakScan.hits).toBeGreaterThan(counters.hits)
    } finally {
      Object.assign(leakScan, counters)
    }
  })

  test('Graph echoing the token, the app secret and the app token in an error (raw, URL-encoded, base64): redacted by the action', async () => {
    const echoed = [
      world.token,
      encodeURIComponent(`${APP_ID}|${APP_SECRET}`),
      Buffer.from(APP_SECRET).toString('base64'),
      Buffer.from(GITHUB_PAT).toString('base64')
    ].join(' ')
    world.graph.server.injectFault({
      path: /oauth\/access_token$/,
      fault: {
        kind: 'status',
        status: 400,
        body: {
          error: {
            message: `(#100) Invalid parameter: ${echoed}`,
            type: 'OAuthException',
            code: 100,
            fbtrace_id: 'EcHo'
          }
        }
      }
    })
    const scansBefore = leakScan.scans
    const run = await runWithInputs(world.inputs(), {}, RESILIENCE_TUNING)
    expect(run.failed).toMatch(/^\[mint\] .*Invalid parameter: \*\*\*/)
    expect(leakScan.scans).toBe(scansBefore + 1)
  })

  test('generate-endpoint business: Meta echoing the admin token, the old token and the app secret in its refusal (code 3, the 90-day wording): redacted', async () => {
    const { inputs, admin, old } = stageGenerate(world)
    const echoed = [admin, encodeURIComponent(old), Buffer.from(APP_SECRET).toString('base64')].join(' ')
    world.graph.server.injectFault({
      path: /system_user_access_tokens$/,
      fault: {
        kind: 'status',
        status: 400,
        body: {
          error: {
            message: `(#3) only apps that have queried it within the last 90 days: ${echoed}`,
            type: 'OAuthException',
            code: 3,
            fbtrace_id: 'EcHo'
          }
        }
      }
    })
    const scansBefore = leakScan.scans
    const run = await runWithInputs(
      inputs({ 'generate-endpoint': 'business', 'business-id': BUSINESS }),
      {},
      RESILIENCE_TUNING
    )
    expect(run.failed).toMatch(/^\[mint\] .*last 90 days: \*\*\*/)
    expect(world.graph.isUsable(old)).toBe(true)
    expect(leakScan.scans).toBe(scansBefore + 1)
  })

  test('GitHub echoing the PAT in an error: redacted by the action', async () => {
    world.github.server.injectFault({
      method: 'PUT',
      path: /\/repos\/octo\/api\/actions\/secrets\/META_TOKEN$/,
      fault: {
        kind: 'status',
        status: 422,
        body: {
          message: `Invalid token ${GITHUB_PAT} / ${encodeURIComponent(GITHUB_PAT)}`,
          documentation_url: 'https://docs.github.com/rest'
        }
      }
    })
    const run = await runWithInputs(world.inputs(), {}, RESILIENCE_TUNING)
    expect(run.failed).toMatch(/^\[store\] /)
    expect(run.failed).toContain('Invalid token ***')
  })
  test('a credential pasted into a destinations line: masked before any request, named by its line, shown nowhere', async () => {
    const pasted = [
      `repo octo/app as ${GITHUB_PAT}`,
      `environment octo/app ${world.token}`,
      `organization octo repositories=app,${APP_SECRET}`,
      `${world.token} octo/app`
    ]
    for (const line of pasted) {
      const run = await runWithInputs(
        world.inputs({ repositories: '', destinations: `repo octo/api\n${line}` }),
        {},
        RESILIENCE_TUNING
      )
      expect(run.failed).toMatch(/^\[inputs\] .*'destinations': line 2: a word looks like a token or a secret/s)
      expect(run.masks).toEqual(expect.arrayContaining([expect.stringMatching(/^(github_pat_|EAA|[0-9a-f]{32})/)]))
      expect(
        findLeaks(
          run,
          [GITHUB_PAT, world.token, APP_SECRET].map((value) => ({ kind: 'pasted', value }))
        )
      ).toEqual([])
    }
    expect(world.github.server.requests).toHaveLength(0)
  })

  test('GitHub echoing the PAT in the answer to an environment of a mixed destinations run: redacted', async () => {
    world.github.server.injectFault({
      method: 'PUT',
      path: /\/repos\/octo\/app\/environments\/production\/secrets\/META_TOKEN_PROD$/,
      fault: { kind: 'status', status: 422, body: { message: `Invalid ${GITHUB_PAT} ::stop-commands::x` } }
    })
    const run = await runWithInputs(
      world.inputs({
        repositories: '',
        destinations: 'repo octo/app\nenvironment octo/app production as META_TOKEN_PROD\ndependabot octo/api'
      }),
      {},
      RESILIENCE_TUNING
    )
    expect(run.failed).toMatch(/^\[store\] /)
    expect(run.failed).toContain('Invalid ***')
    expect(run.outputs.secrets).not.toContain(GITHUB_PAT)
  })

  // Texts from outside are cut to length: a secret echoed across the cut must not leave its beginning.
  const PADDING = 'x'.repeat(560)
  const cutGraphErrors: Array<[string, () => Record<string, unknown>]> = [
    [
      'the message, with the token across the cut',
      () => ({ message: `${PADDING} Malformed access token ${world.token}` })
    ],
    ['fbtrace_id, holding the token', () => ({ message: 'Invalid OAuth access token', fbtrace_id: world.token })],
    [
      'error_user_title, with the app secret across the cut',
      () => ({ error_user_title: `${'t'.repeat(180)} ${APP_SECRET}` })
    ],
    [
      'error_user_msg, with the app token across the cut',
      () => ({ error_user_msg: `${PADDING} ${APP_ID}|${APP_SECRET}` })
    ]
  ]
  test.each(cutGraphErrors)('Graph echoing a secret in %s: no part of it is printed', async (_, fields) => {
    world.graph.server.injectFault({
      path: /oauth\/access_token$/,
      fault: {
        kind: 'status',
        status: 400,
        body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, ...fields() } }
      }
    })
    const run = await runWithInputs(world.inputs(), {}, RESILIENCE_TUNING)
    expect(run.failed).toMatch(/^\[mint\] /)
  })

  test('GitHub echoing the PAT across the cut of its message: no part of it is printed', async () => {
    world.github.server.injectFault({
      method: 'PUT',
      path: /\/repos\/octo\/api\/actions\/secrets\/META_TOKEN$/,
      fault: { kind: 'status', status: 422, body: { message: `${'x'.repeat(270)} token=${GITHUB_PAT}` } }
    })
    const run = await runWithInputs(world.inputs(), {}, RESILIENCE_TUNING)
    expect(run.failed).toMatch(/^\[store\] /)
    expect(run.failed).toContain('***…')
  })

  test.each(SYSTEM_USER_REACH_SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: Graph echoing the token and the app secret, with ::stop-commands::, at GET /{id}: redacted, inert, nothing left alive',
    async (_, scenario) => {
      const { inputs } = scenario.stage(world)
      world.graph.server.injectFault({
        method: 'GET',
        path: /^\/v27\.0\/\d+$/,
        times: 100,
        fault: {
          kind: 'status',
          status: 400,
          body: {
            error: {
              message: `(#200) ${inputs.token} ${APP_SECRET}\n::stop-commands::pwned`,
              type: 'OAuthException',
              code: 200,
              fbtrace_id: `${APP_ID}|${APP_SECRET}`
            }
          }
        }
      })
      const run = await runWithInputs(inputs, {}, RESILIENCE_TUNING)
      expect(run.failed).toMatch(/^\[(check|verify)\] /)
      expect(run.failed).toContain('***')
      for (const text of [...run.log, run.failed ?? '', run.summary]) {
        for (const line of text.split('\n')) expect(line).not.toMatch(/^\s*::stop-commands/)
      }
      const alive = world.graph
        .allTokens()
        .filter((t) => t.type === 'SYSTEM_USER' && t.value !== inputs.token && t.value !== world.token && !t.revoked)
      expect(alive).toEqual([])
    }
  )

  describe('deploy-workflows', () => {
    const deploying = () => {
      world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, actions: 'write', contents: 'read' } })
      world.github.addWorkflow({ repo: 'octo/app', file: 'deploy.yml' })
      return world.inputs({ 'deploy-workflows': 'octo/app/.github/workflows/deploy.yml' })
    }

    test('GitHub echoing the PAT and the new token in its answer to the dispatch: redacted, nothing revoked', async () => {
      const inputs = deploying()
      // The dispatch check (before minting) goes through; once the new token is written, the dispatch
      // is refused with an answer that echoes the PAT and the new token.
      let armed = false
      world.github.onSecretWritten((scope, name, type) => {
        if (armed) return
        armed = true
        const fresh = world.github.secret(scope, name, type)?.value ?? ''
        world.github.server.injectFault({
          method: 'POST',
          path: /\/dispatches$/,
          fault: {
            kind: 'status',
            status: 422,
            body: { message: `Bad credentials ${GITHUB_PAT} for ${fresh} / ${encodeURIComponent(fresh)}` }
          }
        })
      })
      const run = await runWithInputs(inputs, {}, { ...RESILIENCE_TUNING, clock: linkedClock(world.github) })
      expect(run.failed).toMatch(/^\[deploy\] /)
      expect(run.failed).toContain('Bad credentials ***')
      expect(world.graph.isUsable(world.token)).toBe(true)
    })

    test('a run answer carrying ::stop-commands:: and a line break: one inert line, nothing revoked', async () => {
      const inputs = deploying()
      world.github.server.injectFault({
        method: 'GET',
        path: /\/actions\/runs\/\d+$/,
        fault: { kind: 'status', status: 404, body: { message: '::stop-commands::pwned\n::error::forged' } }
      })
      const run = await runWithInputs(inputs, {}, { ...RESILIENCE_TUNING, clock: linkedClock(world.github) })
      expect(run.failed).toMatch(/^\[deploy\] /)
      for (const text of [...run.log, run.failed ?? '', run.summary]) {
        for (const line of text.split('\n')) expect(line).not.toMatch(/^\s*::/)
      }
      expect(world.graph.isUsable(world.token)).toBe(true)
    })
  })
})
