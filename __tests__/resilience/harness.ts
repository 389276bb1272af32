// The fault-injection harness: scenarios (one per strategy and destination kind), the faults, a way to
// hit exactly one request of a run, and THE INVARIANT every run must keep, whatever failed:
//   (a) every destination holds a token the Graph emulator accepts;
//   (b) the old token is unrevoked wherever a destination still holds it;
//   (c) no system user token minted during the run is alive yet stored nowhere;
//   (d) the exit state says what happened (success: every destination holds the same new token;
//       failure: a named step and a fix, and `revoked` only when every destination holds the new token).
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { SecretScope, SecretType } from '../../emulators/github-emulator.js'
import type { Fault } from '../../emulators/loopback-server.js'
import { tap, type Api, type TimedRequest } from '../support/timeline.js'
export { record, type TimedRequest } from '../support/timeline.js'
import type { ActionDeps } from '../../src/main.js'
import {
  ALL_PERMISSIONS,
  APP_ID,
  GITHUB_PAT,
  runWithInputs,
  startWorld,
  testClock,
  type RecordedRun,
  type World
} from '../support/world.js'

const DAY = 86_400

/** The tuning of every fault point: our waits injected (instant), a GitHub second of 1 ms, 150 ms per request. */
export const RESILIENCE_TUNING: ActionDeps = {
  clock: testClock(),
  graphRetry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
  githubSecondMs: 1,
  readBackDelayMs: 1000,
  requestTimeoutMs: 150
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** A secret the run must leave holding a working token. */
export interface Slot {
  label: string
  scope: SecretScope
  type: SecretType
  name: string
  /** current: secret-name; previous: previous-secret-name (grace mode); page: a page-secrets entry. */
  role: 'current' | 'previous' | 'page'
  pageId?: string
  /** The token it holds before the run (the old token of its role). */
  seed: string
}

export interface Staged {
  world: World
  inputs: Record<string, string>
  slots: Slot[]
  /** The tokens in play before the run, which the run may replace but must not break. */
  oldTokens: string[]
}

export interface Scenario {
  name: string
  /** Adds what the scenario needs to a fresh world; returns the inputs and the secrets to seed. */
  stage(world: World): { inputs: Record<string, string>; slots: Array<Omit<Slot, 'seed'> & { seed: string }> }
}

const repoSlot = (repo: string, type: SecretType = 'actions', name = 'META_TOKEN', role: Slot['role'] = 'current') => ({
  label: `${type} secret ${name} of ${repo}`,
  scope: { kind: 'repository', repo } as SecretScope,
  type,
  name,
  role
})

const BUSINESS = '710000000000001'
const SYSTEM_USER = '61550000000077'
const ADMIN_USER = '10000000000099'
const PAGE_USER = '10000000000042'
const PAGES = [
  { id: '200000000000001', name: 'Shop', secret: 'SHOP_PAGE_TOKEN' },
  { id: '200000000000002', name: 'Blog', secret: 'BLOG_PAGE_TOKEN' }
]

export const SCENARIOS: Scenario[] = [
  {
    name: 'refresh (system user, 2 repositories)',
    stage: (w) => ({
      inputs: w.inputs(),
      slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo), seed: w.token }))
    })
  },
  {
    name: 'refresh of a user token with page-secrets (2 pages, paginated)',
    stage: (w) => {
      const user = w.graph.issueToken({
        appId: APP_ID,
        type: 'USER',
        userId: PAGE_USER,
        scopes: ['pages_show_list', 'pages_manage_posts'],
        expiresIn: 20 * DAY,
        issuedAgo: 40 * DAY
      })
      for (const page of PAGES) w.graph.addPage({ id: page.id, name: page.name, managerUserIds: [PAGE_USER] })
      w.graph.accountsPageSize = 1
      const pageSlots = PAGES.map((page) => ({
        ...repoSlot('octo/app', 'actions', page.secret, 'page'),
        pageId: page.id,
        seed: w.graph.issueToken({
          appId: APP_ID,
          type: 'PAGE',
          userId: PAGE_USER,
          pageId: page.id,
          expiresIn: 0,
          issuedAgo: 40 * DAY
        })
      }))
      return {
        inputs: w.inputs({
          token: user,
          repositories: 'octo/app',
          'page-secrets': PAGES.map((p) => `${p.id}=${p.secret}`).join('\n')
        }),
        slots: [{ ...repoSlot('octo/app'), seed: user }, ...pageSlots]
      }
    }
  },
  {
    name: 'generate with install-app (old token revoked)',
    stage: (w) => {
      w.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
      w.graph.addSystemUser({ id: SYSTEM_USER, businessId: BUSINESS })
      const admin = w.graph.issueToken({
        appId: APP_ID,
        type: 'USER',
        userId: ADMIN_USER,
        scopes: ['business_management']
      })
      const old = w.graph.issueToken({
        appId: APP_ID,
        type: 'SYSTEM_USER',
        userId: SYSTEM_USER,
        scopes: ['ads_read', 'business_management'],
        expiresIn: 20 * DAY,
        issuedAgo: 40 * DAY
      })
      return {
        inputs: w.inputs({
          strategy: 'generate',
          token: old,
          'system-user-id': SYSTEM_USER,
          'admin-token': admin,
          scopes: 'ads_read,business_management',
          'install-app': 'true'
        }),
        slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo), seed: old }))
      }
    }
  },
  {
    name: "environment 'prod/eu' secrets",
    stage: (w) => ({
      inputs: w.inputs({ environment: 'prod/eu' }),
      slots: ['octo/app', 'octo/api'].map((repo) => ({
        label: `environment 'prod/eu' secret META_TOKEN of ${repo}`,
        scope: { kind: 'environment', repo, environment: 'prod/eu' },
        type: 'actions',
        name: 'META_TOKEN',
        role: 'current' as const,
        seed: w.token
      }))
    })
  },
  {
    name: 'organization secret, visibility selected',
    stage: (w) => ({
      inputs: w.inputs({
        organization: 'octo',
        repositories: '',
        visibility: 'selected',
        'selected-repositories': 'app, api'
      }),
      slots: [
        {
          label: 'organization secret META_TOKEN of octo',
          scope: { kind: 'organization', org: 'octo' },
          type: 'actions',
          name: 'META_TOKEN',
          role: 'current',
          seed: w.token
        }
      ]
    })
  },
  {
    name: 'dependabot repository secrets',
    stage: (w) => ({
      inputs: w.inputs({ 'secret-type': 'dependabot' }),
      slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo, 'dependabot'), seed: w.token }))
    })
  },
  {
    name: 'codespaces repository and organization secrets',
    stage: (w) => ({
      inputs: w.inputs({ 'secret-type': 'codespaces', organization: 'octo' }),
      slots: [
        ...['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo, 'codespaces'), seed: w.token })),
        {
          label: 'codespaces organization secret META_TOKEN of octo',
          scope: { kind: 'organization', org: 'octo' },
          type: 'codespaces',
          name: 'META_TOKEN',
          role: 'current' as const,
          seed: w.token
        }
      ]
    })
  },
  {
    name: 'grace mode (previous-secret-name and previous-token)',
    stage: (w) => {
      const previous = w.issue('SYSTEM_USER')
      return {
        inputs: w.inputs({ 'previous-secret-name': 'META_TOKEN_PREVIOUS', 'previous-token': previous }),
        slots: ['octo/app', 'octo/api'].flatMap((repo) => [
          { ...repoSlot(repo), seed: w.token },
          { ...repoSlot(repo, 'actions', 'META_TOKEN_PREVIOUS', 'previous'), seed: previous }
        ])
      }
    }
  }
]

/** A fresh world, set up for the scenario, every destination seeded with the old token as if written 40 days ago. */
export async function stage(scenario: Scenario): Promise<Staged> {
  const world = await startWorld()
  world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS } })
  const { inputs, slots } = scenario.stage(world)
  for (const slot of slots) {
    world.github.setSecret(slot.scope, slot.name, slot.seed, slot.type)
    world.github.backdateSecret(slot.scope, slot.name, 40 * DAY, slot.type)
  }
  const oldTokens = [
    ...new Set([inputs.token, inputs['previous-token'], ...slots.map((s) => s.seed)].filter((t): t is string => !!t))
  ]
  return { world, inputs, slots, oldTokens }
}

// ---------------------------------------------------------------------------------------------
// Requests: recorded in order across both emulators, and one of them hit with a fault

/** One request of the baseline: the n-th request with this method and exact path. */
export interface RequestPoint {
  index: number
  api: Api
  method: string
  path: string
  occurrence: number
}

export function requestPoints(timeline: TimedRequest[]): RequestPoint[] {
  const seen = new Map<string, number>()
  return timeline.map((r, index) => {
    const key = `${r.api} ${r.method} ${r.path}`
    const occurrence = (seen.get(key) ?? 0) + 1
    seen.set(key, occurrence)
    return { index, api: r.api, method: r.method, path: r.path, occurrence }
  })
}

export const describePoint = (p: RequestPoint): string =>
  `request #${p.index + 1} ${p.api === 'graph' ? 'Graph' : 'GitHub'} ${p.method} ${p.path}${p.occurrence > 1 ? ` (occurrence ${p.occurrence})` : ''}`

/**
 * The fault hits exactly the request at `point`: the requests with the same method and path before it
 * go through (counted as they arrive), and the fault rule (exact method and path, once) is added the
 * moment the `occurrence`-th one is recorded, so the server applies it to that very request. Requests
 * to one path are sequential in the action (a destination's PUT then its GET; debug_token for the
 * current token, then the new one), so the n-th one of the faulted run is the n-th one of the baseline.
 */
export function armFault(world: World, point: RequestPoint, fault: Fault): { fired: () => boolean } {
  const server = point.api === 'graph' ? world.graph.server : world.github.server
  let seen = 0
  let fired = false
  tap(server, (r) => {
    if (r.method !== point.method || r.path !== point.path) return
    seen += 1
    if (seen === point.occurrence) {
      server.injectFault({ method: point.method, path: point.path, fault, times: 1 })
      fired = true
    }
  })
  return { fired: () => fired }
}

// ---------------------------------------------------------------------------------------------
// Faults, each in the style of the API it comes from

export interface FaultKind {
  name: string
  /** Expected to be survived by a retry (5xx, 429, reset, timeout). */
  transient: boolean
  fault(api: Api): Fault
}

const fbtrace = 'FaUlTiNjEcTeDtRaCe'
const graphBody = (code: number, message: string, extra: Record<string, unknown> = {}) => ({
  error: { message, type: 'OAuthException', code, ...extra, fbtrace_id: fbtrace }
})
const githubBody = (message: string, status: number) => ({
  message,
  documentation_url: 'https://docs.github.com/rest',
  status: String(status)
})

export const FAULTS: FaultKind[] = [
  {
    name: 'HTTP 500',
    transient: true,
    fault: (api) => ({
      kind: 'status',
      status: 500,
      body:
        api === 'graph'
          ? graphBody(2, 'An unexpected error has occurred. Please retry your request later.', { is_transient: true })
          : githubBody('Server Error', 500)
    })
  },
  {
    name: 'HTTP 502',
    transient: true,
    fault: (api) => ({
      kind: 'status',
      status: 502,
      body: api === 'graph' ? graphBody(1, 'An unknown error has occurred.') : githubBody('Bad Gateway', 502)
    })
  },
  {
    name: 'HTTP 503',
    transient: true,
    fault: (api) => ({
      kind: 'status',
      status: 503,
      body:
        api === 'graph'
          ? graphBody(2, 'Service temporarily unavailable', { is_transient: true })
          : githubBody('Service Unavailable', 503)
    })
  },
  {
    name: 'HTTP 429 retry-after: 1',
    transient: true,
    fault: (api) => ({
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      body:
        api === 'graph'
          ? graphBody(4, '(#4) Application request limit reached', { is_transient: true })
          : {
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
              documentation_url:
                'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
            }
    })
  },
  { name: 'connection reset', transient: true, fault: () => ({ kind: 'reset' }) },
  { name: 'no answer until the timeout (hang)', transient: true, fault: () => ({ kind: 'hang' }) },
  { name: 'truncated body', transient: false, fault: () => ({ kind: 'truncated' }) },
  {
    name: 'HTTP 401',
    transient: false,
    fault: (api) => ({
      kind: 'status',
      status: 401,
      body:
        api === 'graph'
          ? graphBody(190, 'Invalid OAuth access token - Cannot parse access token')
          : githubBody('Bad credentials', 401)
    })
  },
  {
    name: 'HTTP 403',
    transient: false,
    fault: (api) => ({
      kind: 'status',
      status: 403,
      body:
        api === 'graph'
          ? graphBody(200, '(#200) Permissions error')
          : githubBody('Resource not accessible by personal access token', 403)
    })
  }
]

// ---------------------------------------------------------------------------------------------
// The invariant

const STEP = /^\[(check|prepare|mint|verify|store|confirm|revoke)\] /

/** Names a token by its role, never by its value. */
function tokenName(staged: Staged, value: string, before: Set<string>, run?: RecordedRun): string {
  const record = staged.world.graph.token(value)
  const state = !record
    ? 'unknown to Graph'
    : record.revoked
      ? 'revoked'
      : staged.world.graph.isUsable(value)
        ? 'usable'
        : 'expired'
  let role = 'a token'
  if (value === staged.inputs.token) role = "the old token ('token')"
  else if (value === staged.inputs['previous-token']) role = "the old previous token ('previous-token')"
  else if (staged.oldTokens.includes(value)) role = 'an old seeded token'
  else if (run?.outputs.token && value === run.outputs.token) role = 'the new token'
  else if (!before.has(value)) role = `a ${record?.type ?? ''} token minted during the run`
  return `${role} (${state})`
}

/** What broke, in words (never a token value); empty when the invariant held. */
export function invariantProblems(staged: Staged, run: RecordedRun, before: Set<string>): string[] {
  const { world, slots } = staged
  const problems: string[] = []
  const held = new Map<Slot, string | undefined>(
    slots.map((slot) => [slot, world.github.secret(slot.scope, slot.name, slot.type)?.value])
  )

  // (a) every destination holds a token Graph accepts
  for (const [slot, value] of held) {
    if (value === undefined) problems.push(`(a) the ${slot.label} holds nothing`)
    else if (!world.graph.isUsable(value))
      problems.push(`(a) the ${slot.label} holds ${tokenName(staged, value, before, run)}`)
  }
  // (b) an old token still held somewhere is unrevoked
  for (const old of staged.oldTokens) {
    const holders = slots.filter((slot) => held.get(slot) === old)
    if (holders.length > 0 && world.graph.token(old)?.revoked) {
      problems.push(
        `(b) ${tokenName(staged, old, before, run)} was revoked while the ${holders.map((s) => s.label).join(', ')} still hold it`
      )
    }
  }
  // (c) no system user token minted by the run is alive and stored nowhere
  const stored = new Set(held.values())
  for (const token of world.graph.allTokens()) {
    if (
      token.type === 'SYSTEM_USER' &&
      !before.has(token.value) &&
      world.graph.isUsable(token.value) &&
      !stored.has(token.value)
    ) {
      problems.push('(c) a system user token minted during the run is alive and stored nowhere')
    }
  }
  // (d) the exit state matches what happened
  const fresh = run.outputs.token ?? ''
  const currentSlots = slots.filter((s) => s.role === 'current')
  if (run.failed === undefined) {
    if (run.outputs.rotated !== 'true') problems.push(`(d) the run succeeded but rotated=${run.outputs.rotated}`)
    if (!fresh || before.has(fresh)) problems.push('(d) the run succeeded without a new token in the token output')
    for (const slot of currentSlots)
      if (held.get(slot) !== fresh)
        problems.push(`(d) the run succeeded but the ${slot.label} does not hold the new token`)
    for (const slot of slots.filter((s) => s.role === 'previous')) {
      if (held.get(slot) !== staged.inputs.token)
        problems.push(`(d) the run succeeded but the ${slot.label} does not hold the replaced token`)
    }
    for (const slot of slots.filter((s) => s.role === 'page')) {
      const value = held.get(slot)
      const record = value === undefined ? undefined : world.graph.token(value)
      if (!record || record.type !== 'PAGE' || record.pageId !== slot.pageId || before.has(value as string)) {
        problems.push(`(d) the run succeeded but the ${slot.label} does not hold a new token of page ${slot.pageId}`)
      }
    }
  } else {
    if (!STEP.test(run.failed))
      problems.push(`(d) the failure names no step of the rotation: "${run.failed.slice(0, 160)}"`)
    if (!/ Fix: \S/.test(run.failed)) problems.push('(d) the failure has no Fix:')
    if (run.outputs.revoked === 'true' && !currentSlots.every((slot) => fresh && held.get(slot) === fresh)) {
      problems.push('(d) revoked=true although not every destination holds the new token')
    }
  }
  return problems
}

/** Every token value Graph knows right now. */
export const graphTokens = (world: World): Set<string> => new Set(world.graph.allTokens().map((t) => t.value))

/** One run of a staged scenario, its invariant checked. */
export async function runChecked(
  staged: Staged,
  tuning: ActionDeps = RESILIENCE_TUNING
): Promise<{ run: RecordedRun; problems: string[] }> {
  const before = graphTokens(staged.world)
  const run = await runWithInputs(staged.inputs, {}, tuning)
  return { run, problems: invariantProblems(staged, run, before) }
}

// ---------------------------------------------------------------------------------------------
// The figures file (points run a few at a time with src/concurrency.ts's mapWithConcurrency)

/** build/resilience/<name>.json, read by scripts/resilience-report.ts. */
export function writeFigures(name: string, figures: unknown): void {
  const file = join(process.cwd(), 'build', 'resilience', `${name}.json`)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify(figures, null, 2) + '\n')
}
