// Code scanning and dependency updates: CodeQL and zizmor run with the least permissions and
// cover what they should; Dependabot groups its updates; no checkout leaves credentials behind.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'

type Step = { uses?: string; with?: Record<string, unknown> }
type Job = { permissions?: unknown; 'timeout-minutes'?: number; steps?: Step[] }
type Workflow = { on: Record<string, unknown>; permissions?: unknown; concurrency?: unknown; jobs: Record<string, Job> }

const root = new URL('../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')
const workflow = (name: string): Workflow => parse(read(`.github/workflows/${name}`)) as Workflow
const examples = readdirSync(new URL('examples/', root)).filter((f) => /\.ya?ml$/.test(f))
const steps = (doc: Workflow): Step[] => Object.values(doc.jobs).flatMap((job) => job.steps ?? [])

describe('codeql.yml', () => {
  const doc = workflow('codeql.yml')
  const job = Object.values(doc.jobs)[0] as Job

  test('runs on push and pull request to main and weekly', () => {
    expect(doc.on.push).toEqual({ branches: ['main'] })
    expect(doc.on.pull_request).toEqual({ branches: ['main'] })
    expect(doc.on.schedule).toHaveLength(1)
  })

  test('nothing at the top; the job has security-events: write and contents: read only', () => {
    expect(doc.permissions).toEqual({})
    expect(job.permissions).toEqual({ 'security-events': 'write', contents: 'read' })
    expect(doc.concurrency).toBeDefined()
    expect(typeof job['timeout-minutes']).toBe('number')
  })

  test('analyzes javascript-typescript with init and analyze of one CodeQL release', () => {
    const init = steps(doc).find((s) => s.uses?.startsWith('github/codeql-action/init@'))
    const analyze = steps(doc).find((s) => s.uses?.startsWith('github/codeql-action/analyze@'))
    expect(init?.with?.languages).toBe('javascript-typescript')
    expect(init?.uses?.split('@')[1]).toBe(analyze?.uses?.split('@')[1])
  })
})

describe('zizmor.yml', () => {
  const doc = workflow('zizmor.yml')
  const job = Object.values(doc.jobs)[0] as Job
  const zizmor = steps(doc).find((s) => s.uses?.startsWith('zizmorcore/zizmor-action@'))

  test('nothing at the top; the job may upload SARIF and read the repository, no more', () => {
    expect(doc.permissions).toEqual({})
    expect(job.permissions).toEqual({ 'security-events': 'write', contents: 'read', actions: 'read' })
    expect(doc.concurrency).toBeDefined()
    expect(typeof job['timeout-minutes']).toBe('number')
  })

  test('audits the repository (workflows and actions) and every example', () => {
    expect(zizmor).toBeDefined()
    // The default advanced-security: true uploads the findings as SARIF.
    expect(zizmor?.with?.['advanced-security']).toBeUndefined()
    const inputs = String(zizmor?.with?.inputs).split(/\s+/).filter(Boolean)
    expect(inputs).toContain('.')
    for (const example of examples) expect(inputs).toContain(`examples/${example}`)
  })
})

test('every checkout of every workflow leaves no credentials behind', () => {
  const files = readdirSync(new URL('.github/workflows/', root)).filter((f) => /\.ya?ml$/.test(f))
  for (const file of files)
    for (const step of steps(workflow(file)))
      if (step.uses?.startsWith('actions/checkout@'))
        expect({ file, persist: step.with?.['persist-credentials'] }).toEqual({ file, persist: false })
})

describe('dependabot.yml', () => {
  type Update = {
    'package-ecosystem': string
    schedule: { interval: string }
    groups?: Record<string, unknown>
    cooldown?: Record<string, unknown>
  }
  const updates = (parse(read('.github/dependabot.yml')) as { updates: Update[] }).updates

  test('npm and GitHub Actions, weekly, grouped, with a cooldown', () => {
    expect(updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
    for (const update of updates) {
      expect(update.schedule.interval).toBe('weekly')
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0)
      expect(update.cooldown?.['default-days']).toBeGreaterThan(0)
    }
    // GitHub Actions takes only default-days; other cooldown keys break the configuration.
    const actions = updates.find((u) => u['package-ecosystem'] === 'github-actions')
    expect(Object.keys(actions?.cooldown ?? {})).toEqual(['default-days'])
  })
})

test('one version of each action across every workflow, example and action.yml, each pinned by SHA with its version', () => {
  const files = [
    ...readdirSync(new URL('.github/workflows/', root)).map((f) => `.github/workflows/${f}`),
    ...examples.map((f) => `examples/${f}`),
    'action.yml',
    'alert/action.yml',
    'finish/action.yml'
  ].filter((f) => /\.ya?ml$/.test(f))
  const pins = new Map<string, Set<string>>()
  for (const file of files) {
    // Every `uses:` of another repository's action; this repository's own (rotate.yml@v1, ./) are released with it.
    for (const [, action, ref, comment] of read(file).matchAll(
      /^\s*(?:-\s+)?uses:\s*([\w.-]+\/[\w./-]+)@(\S+)(?:\s+#\s*(\S+))?/gm
    )) {
      if (!action || action.startsWith('meta-token-rotator/')) continue
      expect([file, action, ref]).toEqual([file, action, expect.stringMatching(/^[0-9a-f]{40}$/)])
      expect([file, action, comment]).toEqual([file, action, expect.stringMatching(/^v\d+(\.\d+)*$/)])
      pins.set(action, (pins.get(action) ?? new Set()).add(`${ref} # ${comment}`))
    }
  }
  expect(pins.size).toBeGreaterThan(3)
  const differing = [...pins].filter(([, versions]) => versions.size > 1).map(([a, v]) => `${a}: ${[...v].join(', ')}`)
  expect(differing).toEqual([])
})
