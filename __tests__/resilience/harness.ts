// The fault-injection harness: scenarios (one per strategy, destination kind and GitHub clock), the
// faults, a way to hit exactly one request of a run (once, or for good), and THE INVARIANT every run
// must keep, whatever failed:
//   (a) every destination holds a token its API accepts (for Graph: valid, unrevoked, unexpired);
//   (b) the old token is unrevoked wherever a destination still holds it;
//   (c) no system user token minted during the run is alive yet stored nowhere;
//   (d) the exit state says what happened (success: every destination holds the same new token;
//       failure: a named step and a fix, and `revoked` only when every destination holds the new token);
//   (e) no secret EVER holds a revoked token: checked at every request either emulator receives
//       during the run (the state the previous requests left), and at each revocation, for the token
//       it revokes;
//   (f) no consumer that was dispatched (a deploy-workflows run whose job started) is left holding a
//       revoked token: the token each run's job read when it started is unrevoked after the run.
// Instagram tokens cannot be revoked: for them (a) and (d) hold, (b), (c) and (e) have nothing to check.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { GitHubEmulatorOptions, SecretScope, SecretType } from '../../emulators/github-emulator.js'
import type { Fault, LoopbackServer } from '../../emulators/loopback-server.js'
import { tap } from '../support/timeline.js'
import type { Clock } from '../../src/clock.js'
import { fingerprint, type Journal } from '../../src/lease/journal.js'
import { leaseText, parseLease } from '../../src/lease/lease-record.js'
import type { ActionDeps } from '../../src/main.js'
import { linkedClock } from '../support/linked-clock.js'
import {
  ALL_PERMISSIONS,
  APP_ID,
  APP_SECRET,
  BUSINESS,
  GITHUB_PAT,
  runWithInputs,
  stageGenerate,
  startWorld,
  testClock,
  type RecordedRun,
  type World
} from '../support/world.js'

export type Api = 'graph' | 'github' | 'instagram' | 'heartbeat'

export interface TimedRequest {
  api: Api
  method: string
  path: string
  at: number
}

/** A hung request gives up after this long; the runs without a hang use a generous timeout. */
export const HANG_TIMEOUT_MS = 400
export const GENEROUS_TIMEOUT_MS = 10_000

/**
 * The tuning of the resilience runs: our waits injected (instant), a GitHub second of 1 ms, and a
 * generous request timeout (the fault matrix shortens it for the points that hang a request).
 */
export const RESILIENCE_TUNING: ActionDeps = {
  clock: testClock(),
  graphRetry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000 },
  githubSecondMs: 1,
  readBackDelayMs: 1000,
  requestTimeoutMs: GENEROUS_TIMEOUT_MS
}

const DAY = 86_400

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
  book: TokenBook
  /** Problems seen while the run was going on (invariant (e)). */
  ever: string[]
  /** Each secret's updated_at as seeded. */
  seededAt: Map<Slot, string>
  /** (g): no run in this world may mint a token while the lease's journal names the token it is given. */
  mintsNothing: boolean
  /** Set by runChecked before each run: the journal names its token, and how many Graph requests came before it. */
  resumable?: { graphRequestsBefore: number }
}

export interface Scenario {
  name: string
  /** GitHub's clock and replicas in this scenario (default: in step with the runner, no lag). */
  github?: GitHubEmulatorOptions
  /** The APIs whose requests are fault points (default all). */
  faultApis?: Api[]
  /** Of those, only the requests whose path matches (default all). */
  faultPaths?: RegExp
  /** Its fault points are the expiry record's: (h) a fault there never fails the run. */
  expiryRecordPoints?: true
  /** A run that completes an earlier one's rotation: (g) no run of it mints a token. */
  mintsNothing?: true
  /** Whose tokens the destinations hold (default Graph's). */
  tokens?: 'graph' | 'instagram'
  /** A narrow case whose behaviour npm test pins with its own tests: its points run in the full matrix only. */
  fullMatrixOnly?: boolean
  /** The runner's clock of its runs, given the world (default: one of its own); deploy runs progress while it waits. */
  clock?: (world: World) => Clock & { waitedMs: number }
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
      const { inputs, old } = stageGenerate(w, { appInstalled: false })
      return {
        inputs: inputs({ 'install-app': 'true' }),
        slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo), seed: old }))
      }
    }
  },
  {
    name: 'generate with generate-endpoint business, system-user-id read from the token (old token revoked)',
    stage: (w) => {
      const { inputs, old } = stageGenerate(w)
      w.graph.accessTokensEndpoint = 'recent-apps-only'
      return {
        inputs: inputs({ 'generate-endpoint': 'business', 'business-id': BUSINESS, 'system-user-id': '' }),
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
    name: 'organization secret, visibility selected, open to a third repository already',
    stage: (w) => {
      w.github.addRepository('octo/web')
      w.github.setOrganizationSecret('octo', 'META_TOKEN', w.token, {
        visibility: 'selected',
        repositories: ['octo/app', 'octo/web']
      })
      return {
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
      }
    }
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
    name: 'mixed destinations: a repository, two environments (one with its own name and grace slot), an organization secret and Dependabot',
    stage: (w) => {
      w.github.addEnvironment('octo/app', 'staging')
      const previous = w.issue('SYSTEM_USER')
      const staging = { kind: 'environment', repo: 'octo/app', environment: 'staging' } as SecretScope
      const environmentSlot = (scope: SecretScope, environment: string, name: string, role: Slot['role']) => ({
        label: `environment '${environment}' secret ${name} of octo/app`,
        scope,
        type: 'actions' as const,
        name,
        role
      })
      return {
        inputs: w.inputs({
          repositories: '',
          'previous-token': previous,
          destinations: [
            'repo octo/app',
            'environment octo/app production',
            'environment octo/app staging as META_TOKEN_STAGING previous=META_TOKEN_STAGING_OLD',
            'organization octo visibility=selected repositories=app,api',
            'dependabot octo/api'
          ].join('\n')
        }),
        slots: [
          { ...repoSlot('octo/app'), seed: w.token },
          {
            ...environmentSlot(
              { kind: 'environment', repo: 'octo/app', environment: 'production' },
              'production',
              'META_TOKEN',
              'current'
            ),
            seed: w.token
          },
          { ...environmentSlot(staging, 'staging', 'META_TOKEN_STAGING', 'current'), seed: w.token },
          { ...environmentSlot(staging, 'staging', 'META_TOKEN_STAGING_OLD', 'previous'), seed: previous },
          {
            label: 'organization secret META_TOKEN of octo',
            scope: { kind: 'organization', org: 'octo' },
            type: 'actions',
            name: 'META_TOKEN',
            role: 'current',
            seed: w.token
          },
          { ...repoSlot('octo/api', 'dependabot'), seed: w.token }
        ]
      }
    }
  },
  {
    name: 'grace mode (previous-secret-name and previous-token)',
    stage: (w) => stageGrace(w)
  },
  {
    // The skip judges the destinations: a GET of each secret's updated_at before anything is minted.
    name: 'refresh with rotate-before, the token not due but the destinations written before it was issued (the run completes)',
    stage: (w) => {
      const partial = w.graph.issueToken({
        appId: APP_ID,
        type: 'SYSTEM_USER',
        scopes: ['ads_read', 'business_management'],
        expiresIn: 59 * DAY,
        issuedAgo: DAY,
        userId: '61550000000001'
      })
      return {
        inputs: w.inputs({ token: partial, 'rotate-before': '14d' }),
        slots: [
          { ...repoSlot('octo/app'), seed: partial },
          { ...repoSlot('octo/api'), seed: w.token }
        ]
      }
    }
  },
  {
    // The previous slots are read before minting: each one holding a token is warned of.
    name: 'grace mode without previous-token (the previous slots hold a token: warned, then overwritten)',
    stage: (w) => {
      const held = w.issue('SYSTEM_USER')
      return {
        inputs: w.inputs({ 'previous-secret-name': 'META_TOKEN_PREVIOUS' }),
        slots: ['octo/app', 'octo/api'].flatMap((repo) => [
          { ...repoSlot(repo), seed: w.token },
          { ...repoSlot(repo, 'actions', 'META_TOKEN_PREVIOUS', 'previous'), seed: held }
        ])
      }
    }
  },
  {
    name: 'grace mode, Meta handing back the same token (the previous slot keeps previous-token)',
    fullMatrixOnly: true,
    stage: (w) => {
      w.graph.exchangeReturnsSameToken = true
      return stageGrace(w)
    }
  }
]

export function stageGrace(w: World): ReturnType<Scenario['stage']> {
  const previous = w.issue('SYSTEM_USER')
  return {
    inputs: w.inputs({ 'previous-secret-name': 'META_TOKEN_PREVIOUS', 'previous-token': previous }),
    slots: ['octo/app', 'octo/api'].flatMap((repo) => [
      { ...repoSlot(repo), seed: w.token },
      { ...repoSlot(repo, 'actions', 'META_TOKEN_PREVIOUS', 'previous'), seed: previous }
    ])
  }
}

/**
 * deploy-workflows: two repositories, each with a deploy workflow whose job reads that repository's
 * secret; the old token is revoked only after both runs succeeded. The runs progress on GitHub's
 * clock, which the run's waits move on.
 */
export const DEPLOY_SCENARIO: Scenario = {
  name: 'deploy-workflows (2 runs), then revoke',
  clock: (w) => linkedClock(w.github),
  stage: (w) => {
    w.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, actions: 'write', contents: 'read' } })
    for (const [repo, file] of [
      ['octo/app', 'deploy.yml'],
      ['octo/api', 'release.yml']
    ] as const) {
      w.github.addWorkflow({ repo, file, reads: { scope: { kind: 'repository', repo }, name: 'META_TOKEN' } })
    }
    return {
      inputs: w.inputs({
        'deploy-workflows': 'octo/app/.github/workflows/deploy.yml\nocto/api/.github/workflows/release.yml@main'
      }),
      slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo), seed: w.token }))
    }
  }
}

/**
 * heartbeat-url with heartbeat-start: the /start and the success ping are fault points. Whatever
 * hits them, the rotation must end as without them: (g) a heartbeat fault never fails the run.
 */
export const HEARTBEAT_SCENARIO: Scenario = {
  name: 'refresh with heartbeat-url and heartbeat-start',
  faultApis: ['heartbeat'],
  stage: (w) => ({
    inputs: w.inputs({ 'heartbeat-url': w.heartbeat.url(), 'heartbeat-start': 'true' }),
    slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo), seed: w.token }))
  })
}

const refreshTwoRepositories = SCENARIOS[0] as Scenario

const SYSTEM_USER_PAGES = [
  { id: '200000000000011', name: 'Shop ::stop-commands::x', secret: 'SHOP_PAGE_TOKEN' },
  { id: '200000000000012', name: 'Blog', secret: 'BLOG_PAGE_TOKEN' }
]
const WABA = '300000000000011'

/**
 * The requests Meta's December 2026 behaviour added: a system user token's pages (checked with
 * GET /{page-id}, each token read there, its expiry from debug_token), and the assets of a new
 * token whose granular scopes list no targets (GET /{asset-id} with the new token). Only those
 * Graph requests, and debug_token, are fault points.
 */
export const SYSTEM_USER_REACH_SCENARIOS: Scenario[] = [
  {
    name: 'refresh of a system user token with page-secrets (2 assigned pages)',
    faultApis: ['graph'],
    faultPaths: /\/v27\.0\/(\d+|debug_token)$/,
    stage: (w) => {
      const { old } = stageGenerate(w)
      const systemUser = w.graph.token(old)?.userId as string
      for (const page of SYSTEM_USER_PAGES) {
        w.graph.addPage({ id: page.id, name: page.name })
        w.graph.assignAsset(systemUser, { id: page.id, kind: 'page' })
      }
      const pageSlots = SYSTEM_USER_PAGES.map((page) => ({
        ...repoSlot('octo/app', 'actions', page.secret, 'page'),
        pageId: page.id,
        seed: w.graph.issueToken({ appId: APP_ID, type: 'PAGE', userId: systemUser, pageId: page.id, expiresIn: 0 })
      }))
      return {
        inputs: w.inputs({
          token: old,
          repositories: 'octo/app',
          'page-secrets': SYSTEM_USER_PAGES.map((p) => `${p.id}=${p.secret}`).join('\n')
        }),
        slots: [{ ...repoSlot('octo/app'), seed: old }, ...pageSlots]
      }
    }
  },
  {
    name: 'generate, the new grants listing no targets (each asset asked about)',
    faultApis: ['graph'],
    faultPaths: /\/v27\.0\/\d+$/,
    stage: (w) => {
      w.graph.systemUserGrantTargets = 'unlisted'
      const { inputs, old } = stageGenerate(w)
      const record = w.graph.token(old)
      const systemUser = record?.userId as string
      for (const page of SYSTEM_USER_PAGES) w.graph.assignAsset(systemUser, { id: page.id, kind: 'page' })
      w.graph.assignAsset(systemUser, { id: WABA, kind: 'whatsapp_business_account' })
      record!.scopes.push('pages_manage_posts', 'whatsapp_business_messaging')
      record!.granularScopes = [
        { scope: 'ads_read' },
        { scope: 'business_management' },
        { scope: 'pages_manage_posts', targetIds: SYSTEM_USER_PAGES.map((p) => p.id) },
        { scope: 'whatsapp_business_messaging', targetIds: [WABA] }
      ]
      return {
        inputs: inputs({ scopes: 'ads_read,business_management,pages_manage_posts,whatsapp_business_messaging' }),
        slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo), seed: old }))
      }
    }
  }
]

export const EXPIRY_VARIABLE = 'META_TOKEN_EXPIRES_AT'

/**
 * expiry-variable in two repositories, one variable to create (GET 404, POST) and one to update
 * (GET, PATCH), each read back: only those requests are fault points. Whatever hits them, (h) the
 * rotation ends as without them, and each variable holds the new token's expiry or the run warned
 * naming its repository.
 */
export const EXPIRY_VARIABLE_SCENARIO: Scenario = {
  name: 'refresh with expiry-variable (one to create, one to update)',
  faultApis: ['github'],
  faultPaths: /\/variables(\/|$)/,
  expiryRecordPoints: true,
  stage: (w) => {
    w.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, actions_variables: 'write' } })
    w.github.setVariable({ kind: 'repository', repo: 'octo/api' }, EXPIRY_VARIABLE, 'written by hand')
    return {
      inputs: w.inputs({ 'expiry-variable': EXPIRY_VARIABLE }),
      slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo), seed: w.token }))
    }
  }
}

export const LEASE_VARIABLE = 'META_TOKEN_ROTATION_LEASE'

/**
 * lease-wait in grace mode: the lease variable holds a stale lease of a run that is over and the
 * journal of an earlier rotation, so a run reads it (GET), reads the run (GET …/runs/{id}), deletes it
 * and creates it again (POST 409, then 201), and releases it at the end (PATCH). Those requests are the
 * fault points; whatever hits them, the run fails at lease before minting or ends as without them.
 */
export const LEASE_SCENARIO: Scenario = {
  name: 'grace mode with lease-wait (a stale lease to take over, then released)',
  faultApis: ['github'],
  faultPaths: /\/variables(\/|$)|\/actions\/runs\//,
  stage: (w) => {
    w.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, actions_variables: 'write', actions: 'read' } })
    const over = w.github.addRun('octo/app', 'completed')
    const now = Date.now()
    w.github.setVariable(
      { kind: 'repository', repo: 'octo/app' },
      LEASE_VARIABLE,
      JSON.stringify({
        lease: {
          runId: String(over.id),
          attempt: '1',
          repository: 'octo/app',
          nonce: '0123456789abcdef',
          takenAt: new Date(now - 3600_000).toISOString(),
          expiresAt: new Date(now + 5 * 3600_000).toISOString()
        },
        journal: {
          minted: '0'.repeat(32),
          holders: {},
          complete: true,
          by: 'an earlier run',
          at: new Date(now - 86_400_000).toISOString()
        }
      })
    )
    const graced = stageGrace(w)
    return { ...graced, inputs: { ...graced.inputs, 'lease-wait': '1m' } }
  }
}

/**
 * A re-run after a partial failure, staged as the first run left it: octo/app holds the token that run
 * minted, octo/api the one it replaced, and the lease's journal says so. The re-run, given the minted
 * token (it reads the secret as it is now), mints nothing and writes every destination with it: every
 * request of it is a fault point, and a re-run after any fault completes the same way.
 */
export const RESUME_SCENARIO: Scenario = {
  name: 'a re-run completing a partial rotation from the lease journal (nothing minted)',
  mintsNothing: true,
  stage: (w) => {
    w.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS, actions_variables: 'write', actions: 'read' } })
    const minted = w.graph.issueToken({
      appId: APP_ID,
      type: 'SYSTEM_USER',
      scopes: ['ads_read', 'business_management'],
      expiresIn: 60 * DAY,
      issuedAgo: 0,
      userId: '61550000000001'
    })
    const over = w.github.addRun('octo/app', 'completed')
    const fp = (token: string) => fingerprint(token, APP_SECRET)
    w.github.setVariable(
      { kind: 'repository', repo: 'octo/app' },
      LEASE_VARIABLE,
      leaseText({
        lease: null,
        journal: {
          replaced: fp(w.token),
          replacedExpiresAt: new Date(Date.now() + 20 * DAY * 1000).toISOString(),
          minted: fp(minted),
          holders: { 'META_TOKEN in octo/app': 'minted', 'META_TOKEN in octo/api': 'replaced' },
          complete: false,
          by: `run ${over.id} of octo/app`,
          at: new Date().toISOString()
        }
      })
    )
    return {
      inputs: w.inputs({ token: minted, 'lease-wait': '1m' }),
      slots: [
        { ...repoSlot('octo/app'), seed: minted },
        { ...repoSlot('octo/api'), seed: w.token }
      ]
    }
  }
}

const MINUTE_MS = 60_000

/**
 * GitHub's clock and replicas: the refresh of two repositories again, with GitHub 6 minutes behind or
 * ahead of the runner, and with a first read-back that still shows the secret as it was. Only GitHub's
 * requests are fault points here: the Graph conversation is the refresh scenario's, and nothing on the
 * Graph side reads GitHub's clock.
 */
export const CLOCK_SCENARIOS: Scenario[] = [
  { name: "GitHub's clock 6 minutes behind the runner's", github: { clockOffsetMs: -6 * MINUTE_MS } },
  { name: "GitHub's clock 6 minutes ahead of the runner's", github: { clockOffsetMs: 6 * MINUTE_MS } },
  { name: 'a stale first read-back of every write', github: { staleReadsAfterWrite: 1 } }
].map((variant) => ({ ...refreshTwoRepositories, ...variant, faultApis: ['github'] }))

const INSTAGRAM_ACCOUNT = { userId: '17841400000000001', username: 'acme.shop' }

/** strategy instagram: graph.instagram.com's /me and refresh, two repositories. */
export const INSTAGRAM_SCENARIO: Scenario = {
  name: 'instagram (2 repositories)',
  tokens: 'instagram',
  stage: (w) => {
    w.instagram.addAccount(INSTAGRAM_ACCOUNT)
    const token = w.instagram.issueToken({ userId: INSTAGRAM_ACCOUNT.userId, issuedAgo: 10 * DAY })
    const { 'app-id': _id, 'app-secret': _secret, ...rest } = w.inputs()
    return {
      inputs: { ...rest, strategy: 'instagram', token, 'instagram-api-url': w.instagram.url },
      slots: ['octo/app', 'octo/api'].map((repo) => ({ ...repoSlot(repo), seed: token }))
    }
  }
}

/**
 * A fresh world, set up for the scenario, every destination seeded with the old token as if written 40
 * days ago. `validate`: GitHub checks every request against its OpenAPI description (the baselines do;
 * a fault point sends the same operations, its retries and read-backs included).
 */
export async function stage(scenario: Scenario, { validate = true }: { validate?: boolean } = {}): Promise<Staged> {
  const world = await startWorld({ github: { validateAgainstOpenApi: validate, ...scenario.github } })
  world.github.addToken(GITHUB_PAT, { permissions: { ...ALL_PERMISSIONS } })
  const { inputs, slots } = scenario.stage(world)
  for (const slot of slots) {
    world.github.setSecret(slot.scope, slot.name, slot.seed, slot.type)
    world.github.backdateSecret(slot.scope, slot.name, 40 * DAY, slot.type)
  }
  const oldTokens = [
    ...new Set([inputs.token, inputs['previous-token'], ...slots.map((s) => s.seed)].filter((t): t is string => !!t))
  ]
  const seededAt = new Map(
    slots.map((slot) => [slot, world.github.secret(slot.scope, slot.name, slot.type)?.updatedAt ?? ''])
  )
  const staged: Staged = {
    world,
    inputs,
    slots,
    oldTokens,
    book: tokenBook(world, scenario.tokens ?? 'graph'),
    ever: [],
    seededAt,
    mintsNothing: scenario.mintsNothing === true
  }
  watchForRevokedTokens(staged)
  return staged
}

// ---------------------------------------------------------------------------------------------
// Requests: recorded in order across the emulators, and one of them hit with a fault

export function serverOf(world: World, api: Api): LoopbackServer {
  const servers = { graph: world.graph, github: world.github, instagram: world.instagram, heartbeat: world.heartbeat }
  return servers[api].server
}

export const APIS: Api[] = ['graph', 'github', 'instagram', 'heartbeat']

/** Every request of the emulators, in arrival order. */
export function record(world: World): TimedRequest[] {
  const timeline: TimedRequest[] = []
  for (const api of APIS) {
    tap(serverOf(world, api), (r) => timeline.push({ api, method: r.method, path: r.path, at: Date.now() }))
  }
  return timeline
}

/** One request of the baseline: the n-th request with this method and exact path. */
export interface RequestPoint {
  index: number
  api: Api
  method: string
  path: string
  occurrence: number
}

export function requestPoints(timeline: TimedRequest[], apis: Api[] = APIS): RequestPoint[] {
  const seen = new Map<string, number>()
  const points = timeline.map((r, index) => {
    const key = `${r.api} ${r.method} ${r.path}`
    const occurrence = (seen.get(key) ?? 0) + 1
    seen.set(key, occurrence)
    return { index, api: r.api, method: r.method, path: r.path, occurrence }
  })
  return points.filter((p) => apis.includes(p.api))
}

const API_NAMES: Record<Api, string> = {
  graph: 'Graph',
  github: 'GitHub',
  instagram: 'Instagram',
  heartbeat: 'Heartbeat'
}

export const describePoint = (p: RequestPoint): string =>
  `request #${p.index + 1} ${API_NAMES[p.api]} ${p.method} ${p.path}${p.occurrence > 1 ? ` (occurrence ${p.occurrence})` : ''}`

export interface ArmedFault {
  fired(): boolean
  /** Requests with the faulted method and path that came after the faulted one (retries, read-backs). */
  repeats(): number
  /** Clears the fault (a fault for good stays until then) and stops counting: the re-run runs clean. */
  disarm(): void
}

/**
 * The fault hits exactly the request at `point`: the requests with the same method and path before it
 * go through (counted as they arrive), and the fault rule (exact method and path) is added the moment
 * the `occurrence`-th one is recorded, so the server applies it to that very request. Once: that
 * request alone. For good: that request and every later one with the same method and path (its
 * retries, and the read-backs of the same secret), until disarmed. Requests to one path are
 * sequential in the action, so the n-th one of the faulted run is the n-th one of the baseline.
 */
export function armFault(world: World, point: RequestPoint, kind: FaultKind, forGood: boolean): ArmedFault {
  const server = serverOf(world, point.api)
  let seen = 0
  let fired = false
  let repeats = 0
  let armed = true
  tap(server, (r) => {
    if (!armed || r.method !== point.method || r.path !== point.path) return
    seen += 1
    if (seen === point.occurrence) {
      server.injectFault({
        method: point.method,
        path: point.path,
        fault: kind.fault(point.api),
        times: forGood ? Number.POSITIVE_INFINITY : 1,
        afterHandler: kind.afterHandler
      })
      fired = true
    } else if (fired) {
      repeats += 1
    }
  })
  return {
    fired: () => fired,
    repeats: () => repeats,
    disarm: () => {
      armed = false
      server.clearFaults()
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Faults, each in the style of the API it comes from

export interface FaultKind {
  name: string
  /** Expected to be survived by a retry when it hits once (5xx, 429, reset, timeout). */
  transient: boolean
  fault(api: Api): Fault
  /** The request is carried out first (a write lands), then the fault answers. */
  afterHandler?: boolean
  /** The points this fault applies to (default every point). */
  appliesTo?(point: RequestPoint): boolean
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
const metaStyle = (api: Api) => api !== 'github'

export const FAULTS: FaultKind[] = [
  {
    name: 'HTTP 500',
    transient: true,
    fault: (api) => ({
      kind: 'status',
      status: 500,
      body: metaStyle(api)
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
      body: metaStyle(api) ? graphBody(1, 'An unknown error has occurred.') : githubBody('Bad Gateway', 502)
    })
  },
  {
    name: 'HTTP 503',
    transient: true,
    fault: (api) => ({
      kind: 'status',
      status: 503,
      body: metaStyle(api)
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
      body: metaStyle(api)
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
  { name: 'cut body', transient: false, fault: () => ({ kind: 'truncated' }) },
  {
    name: 'HTTP 401',
    transient: false,
    fault: (api) => ({
      kind: 'status',
      status: 401,
      body: metaStyle(api)
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
      body: metaStyle(api)
        ? graphBody(200, '(#200) Permissions error')
        : githubBody('Resource not accessible by personal access token', 403)
    })
  }
]

const isWrite = (point: RequestPoint) => point.api === 'github' && point.method === 'PUT'

/**
 * Unknown outcomes of GitHub writes: the write lands, then the answer is lost. (A Graph mint or
 * refresh that happened before its answer was lost cannot be seen at all: no API lists the tokens
 * minted, so those are not points: see the known limitations in the README.)
 */
export const LANDED_FAULTS: FaultKind[] = [
  {
    name: 'HTTP 500 after the write landed',
    transient: true,
    afterHandler: true,
    appliesTo: isWrite,
    fault: () => ({ kind: 'status', status: 500, body: githubBody('Server Error', 500) })
  },
  {
    name: 'no answer after the write landed',
    transient: true,
    afterHandler: true,
    appliesTo: isWrite,
    fault: () => ({ kind: 'hang' })
  }
]

export const isHang = (kind: FaultKind): boolean => kind.fault('github').kind === 'hang'

// ---------------------------------------------------------------------------------------------
// Tokens: Graph's or Instagram's, as the invariant sees them

export interface TokenBook {
  kind: 'graph' | 'instagram'
  usable(value: string): boolean
  revoked(value: string): boolean
  /** How the token stands, in words (never its value). */
  state(value: string): string
  type(value: string): string | undefined
}

function tokenBook(world: World, kind: 'graph' | 'instagram'): TokenBook {
  if (kind === 'instagram') {
    const { instagram } = world
    return {
      kind,
      usable: (v) => instagram.isUsable(v),
      revoked: () => false,
      state: (v) => (!instagram.token(v) ? 'unknown to Instagram' : instagram.isUsable(v) ? 'usable' : 'not usable'),
      type: (v) => (instagram.token(v) ? 'INSTAGRAM' : undefined)
    }
  }
  const { graph } = world
  return {
    kind,
    usable: (v) => graph.isUsable(v),
    revoked: (v) => graph.token(v)?.revoked === true,
    state: (v) => {
      const record = graph.token(v)
      return !record ? 'unknown to Graph' : record.revoked ? 'revoked' : graph.isUsable(v) ? 'usable' : 'expired'
    },
    type: (v) => graph.token(v)?.type
  }
}

// ---------------------------------------------------------------------------------------------
// The invariant

const STEP = /^\[(lease|check|prepare|mint|verify|store|confirm|deploy|revoke)\] /

/** Names a token by its role, never by its value. */
function tokenName(staged: Staged, value: string, before: Set<string>, run?: RecordedRun): string {
  let role = 'a token'
  if (value === staged.inputs.token) role = "the old token ('token')"
  else if (value === staged.inputs['previous-token']) role = "the old previous token ('previous-token')"
  else if (staged.oldTokens.includes(value)) role = 'an old seeded token'
  else if (run?.outputs.token && value === run.outputs.token) role = 'the new token'
  else if (!before.has(value)) role = `a ${staged.book.type(value) ?? ''} token minted during the run`
  return `${role} (${staged.book.state(value)})`
}

const heldNow = (staged: Staged, slot: Slot): string | undefined =>
  staged.world.github.secret(slot.scope, slot.name, slot.type)?.value

/**
 * (e), as it happens: at every request any emulator receives, no secret holds a revoked token (the
 * state the requests before it left); and a revocation never hits a token a secret holds right then.
 */
function watchForRevokedTokens(staged: Staged): void {
  if (staged.book.kind !== 'graph') return
  const note = (problem: string) => {
    if (!staged.ever.includes(problem)) staged.ever.push(problem)
  }
  const check = (request: { method: string; path: string; query: Record<string, string>; body: string }) => {
    for (const slot of staged.slots) {
      const value = heldNow(staged, slot)
      if (value !== undefined && staged.book.revoked(value))
        note(`(e) the ${slot.label} held a revoked token (seen when ${request.method} ${request.path} arrived)`)
    }
    if (request.path.endsWith('/oauth/revoke')) {
      const target = request.query.revoke_token ?? new URLSearchParams(request.body).get('revoke_token') ?? ''
      const holders = staged.slots.filter((slot) => heldNow(staged, slot) === target)
      if (holders.length > 0)
        note(`(e) a revocation hit the token that the ${holders.map((s) => s.label).join(', ')} held at that moment`)
    }
  }
  for (const api of APIS) tap(serverOf(staged.world, api), check)
}

/** What broke, in words (never a token value); empty when the invariant held. */
export function invariantProblems(staged: Staged, run: RecordedRun, before: Set<string>): string[] {
  const { world, slots, book } = staged
  const problems: string[] = [...staged.ever]
  const held = new Map<Slot, string | undefined>(slots.map((slot) => [slot, heldNow(staged, slot)]))

  // (a) every destination holds a token its API accepts
  for (const [slot, value] of held) {
    if (value === undefined) problems.push(`(a) the ${slot.label} holds nothing`)
    else if (!book.usable(value)) problems.push(`(a) the ${slot.label} holds ${tokenName(staged, value, before, run)}`)
  }
  // (b) an old token still held somewhere is unrevoked
  for (const old of staged.oldTokens) {
    const holders = slots.filter((slot) => held.get(slot) === old)
    if (holders.length > 0 && book.revoked(old)) {
      problems.push(
        `(b) ${tokenName(staged, old, before, run)} was revoked while the ${holders.map((s) => s.label).join(', ')} still hold it`
      )
    }
  }
  // (c) no system user token minted by the run is alive and stored nowhere
  if (book.kind === 'graph') {
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
  }
  // (g) a run that completes an earlier rotation mints nothing
  if (
    staged.resumable &&
    world.graph.server.requests
      .slice(staged.resumable.graphRequestsBefore)
      .some((r) => /\/(oauth\/access_token|access_tokens)$/.test(r.path))
  ) {
    problems.push('(g) a run that completes an earlier rotation minted a token')
  }
  // (f) no dispatched consumer holds a revoked token
  if (book.kind === 'graph') {
    for (const dispatched of world.github.runs()) {
      if (dispatched.saw !== undefined && book.revoked(dispatched.saw)) {
        problems.push(
          `(f) the deploy run ${dispatched.id} of ${dispatched.repo} (${dispatched.status}) started on ${tokenName(staged, dispatched.saw, before, run)}`
        )
      }
    }
  }
  // (d) the exit state matches what happened
  const fresh = run.outputs.token ?? ''
  const currentSlots = slots.filter((s) => s.role === 'current')
  const skipped = run.failed === undefined && run.outputs.rotated === 'false' && !!staged.inputs['rotate-before']
  if (skipped) {
    // rotate-before: a re-run finding every destination written after its token was issued skips, and
    // that is right only when they all hold one working token.
    const values = new Set(currentSlots.map((slot) => held.get(slot)))
    if (values.size !== 1) problems.push('(d) the run skipped although the destinations hold different tokens')
  } else if (run.failed === undefined) {
    if (run.outputs.rotated !== 'true') problems.push(`(d) the run succeeded but rotated=${run.outputs.rotated}`)
    // Meta may hand back the token it was given: that is the new token, and grace mode's previous
    // slot, with no replaced token to take, keeps what it held.
    const handedBack = fresh !== '' && fresh === staged.inputs.token
    if (!fresh || (before.has(fresh) && !handedBack))
      problems.push('(d) the run succeeded without a new token in the token output')
    for (const slot of currentSlots)
      if (held.get(slot) !== fresh)
        problems.push(`(d) the run succeeded but the ${slot.label} does not hold the new token`)
    for (const slot of slots.filter((s) => s.role === 'previous')) {
      if (held.get(slot) !== (handedBack ? slot.seed : staged.inputs.token))
        problems.push(
          `(d) the run succeeded but the ${slot.label} does not hold ${handedBack ? 'what it held' : 'the replaced token'}`
        )
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

/** Every token value the scenario's API knows right now. */
export const knownTokens = (staged: Staged): Set<string> =>
  new Set(
    (staged.book.kind === 'graph' ? staged.world.graph.allTokens() : staged.world.instagram.allTokens()).map(
      (t) => t.value
    )
  )

/**
 * Everything a run can change that a later run reads, with every token named by its role instead of
 * its value (the old ones by their place, the others in the order they were minted): the secrets
 * (which token, seeded or written, their access), the tokens (type, revoked, usable, days left) and
 * the apps installed. Two failed runs of a scenario that leave the same shape leave worlds that are
 * the same but for the token strings: running the same inputs again does the same thing in both.
 * `known`: the tokens there were before the first run.
 */
export function shape(staged: Staged, known: Set<string>): string {
  const { world, slots, oldTokens } = staged
  const now = world.graph.now()
  const graphTokens = world.graph.allTokens()
  const instagramTokens = world.instagram.allTokens()
  const names = new Map<string, string>()
  oldTokens.forEach((value, i) => names.set(value, `old${i}`))
  let other = 0
  let minted = 0
  for (const { value } of [...graphTokens, ...instagramTokens]) {
    if (!names.has(value)) names.set(value, known.has(value) ? `known${other++}` : `minted${minted++}`)
  }
  const name = (value: string | undefined) => (value === undefined ? 'none' : (names.get(value) ?? 'foreign'))
  const days = (expiresAt: number) => (expiresAt === 0 ? 'never' : Math.round((expiresAt - now) / 86_400))
  const seeded = staged.seededAt
  const secrets = slots.map((slot) => {
    const s = world.github.secret(slot.scope, slot.name, slot.type)
    return (
      s && [
        name(s.value),
        s.updatedAt === seeded.get(slot) ? 'seeded' : 'written',
        s.visibility,
        s.selectedRepositoryIds
      ]
    )
  })
  const graph = graphTokens.map((t) => [
    name(t.value),
    t.type,
    t.revoked,
    world.graph.isUsable(t.value),
    days(t.expiresAt)
  ])
  const instagram = instagramTokens.map((t) => [
    name(t.value),
    world.instagram.isUsable(t.value),
    name(t.replacedBy),
    days(t.expiresAt)
  ])
  const installed = [staged.inputs['system-user-id']].map(
    (id) => id !== undefined && world.graph.isAppInstalled(id, APP_ID)
  )
  // The lease's journal decides what a re-run does: two worlds alike but for it are not the same.
  const journal = leaseJournal(world)
  const mintedToken = graphTokens.find((t) => fingerprint(t.value, APP_SECRET) === journal?.minted)?.value
  const journalShape = journal ? [journal.complete, journal.holders, name(mintedToken)] : 'none'
  return JSON.stringify({ secrets, graph, instagram, installed, journal: journalShape })
}

/** The lease's journal says an unfinished rotation minted the token the run is given (a resume is due). */
function journalNamesToken(staged: Staged): boolean {
  const journal = leaseJournal(staged.world)
  const token = staged.inputs.token
  return !!journal && !!token && journal.complete === false && journal.minted === fingerprint(token, APP_SECRET)
}

function leaseJournal(world: World): Journal | undefined {
  const value = world.github.variable({ kind: 'repository', repo: 'octo/app' }, LEASE_VARIABLE)?.value
  return value === undefined ? undefined : parseLease(value)?.journal
}

/** One run of a staged scenario, its invariant checked. */
export async function runChecked(
  staged: Staged,
  tuning: ActionDeps = RESILIENCE_TUNING
): Promise<{ run: RecordedRun; problems: string[] }> {
  const before = knownTokens(staged)
  staged.ever.length = 0
  staged.resumable =
    staged.mintsNothing && journalNamesToken(staged)
      ? { graphRequestsBefore: staged.world.graph.server.requests.length }
      : undefined
  const run = await runWithInputs(staged.inputs, {}, tuning)
  return { run, problems: invariantProblems(staged, run, before) }
}

// ---------------------------------------------------------------------------------------------
// The figures files

/** build/resilience/<name>.json, read by scripts/resilience-report.ts. */
export function writeFigures(name: string, figures: unknown): void {
  const file = join(process.cwd(), 'build', 'resilience', `${name}.json`)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify(figures, null, 2) + '\n')
}
