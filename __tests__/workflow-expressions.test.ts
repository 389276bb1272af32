// Every ${{ }} expression (and every `if:`) of .github/workflows/*.yml and examples/*.yml, parsed
// and evaluated with GitHub's own expression engine (@actions/expressions), for each combination
// of the workflow's workflow_dispatch / workflow_call inputs, in the contexts GitHub makes
// available at that place of the file. A context name that is not available there, an input,
// secret, step, job, job output, matrix key or `github` property that does not exist, or a value
// of the wrong type for a called workflow's input, fails the test. Then the semantics that
// matter: the examples' switches, and rotate.yml's alert outcome and token fallback order.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from '@jest/globals'
import { data, Evaluator, Lexer, Parser } from '@actions/expressions'
import { parse } from 'yaml'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Dict = Record<string, unknown>
type Data = data.ExpressionData

const root = new URL('../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')
const FILES = [
  ...readdirSync(new URL('.github/workflows/', root))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `.github/workflows/${f}`),
  ...readdirSync(new URL('examples/', root))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `examples/${f}`)
].sort()
const docs = new Map(FILES.map((file) => [file, parse(read(file)) as Dict]))
const ACTION_OUTPUTS = Object.keys((parse(read('action.yml')) as { outputs: Dict }).outputs)
const OWN_ACTION = /^meta-token-rotator\/meta-token-rotator@/
const OWN_WORKFLOW = /^meta-token-rotator\/meta-token-rotator\/\.github\/workflows\/([^@]+)@/

// ---------------------------------------------------------------------------------------------
// Expression data: dictionaries that refuse names the workflow cannot see.

/** A dictionary whose missing keys are an error: `inputs.dryrun` must not quietly be null. */
class Strict extends data.Dictionary {
  constructor(
    readonly what: string,
    entries: Record<string, Data>
  ) {
    super(...Object.entries(entries).map(([key, value]) => ({ key, value })))
  }
  override get(key: string): Data | undefined {
    const value = super.get(key)
    if (value === undefined) throw new Error(`${this.what}.${key} does not exist here`)
    return value
  }
}

/** A dictionary where any key exists: the repository's secrets, a third-party action's outputs. */
class Open extends data.Dictionary {
  constructor(
    entries: Record<string, Data>,
    readonly fallback: (key: string) => Data
  ) {
    super(...Object.entries(entries).map(([key, value]) => ({ key, value })))
  }
  override get(key: string): Data | undefined {
    return super.get(key) ?? this.fallback(key)
  }
}

function toData(value: unknown): Data {
  if (value instanceof data.Dictionary || value instanceof data.Array) return value
  if (value === null || value === undefined) return new data.Null()
  if (typeof value === 'boolean') return new data.BooleanData(value)
  if (typeof value === 'number') return new data.NumberData(value)
  if (typeof value === 'string') return new data.StringData(value)
  if (Array.isArray(value)) return new data.Array(...value.map(toData))
  return new data.Dictionary(...Object.entries(value as Dict).map(([key, item]) => ({ key, value: toData(item) })))
}
const dataEntries = (object: Dict): Record<string, Data> =>
  Object.fromEntries(Object.entries(object).map(([key, value]) => [key, toData(value)]))

function toJson(value: Data): Json {
  switch (value.kind) {
    case data.Kind.Null:
      return null
    case data.Kind.Boolean:
    case data.Kind.Number:
    case data.Kind.String:
      return value.value
    case data.Kind.Array:
      return value.values().map(toJson)
    default:
      return Object.fromEntries(value.pairs().map(({ key, value: v }) => [key, toJson(v)]))
  }
}

// ---------------------------------------------------------------------------------------------
// Where an expression sits decides which contexts it may use (GitHub's "context availability").

const STATUS = ['always', 'success', 'failure', 'cancelled']
type Place = { contexts: string[]; status: boolean }

function placeOf(path: string[]): Place {
  const [top, job, key, index, stepKey] = path
  const place = (contexts: string[], status = false): Place => ({ contexts, status })
  if (top === 'on') {
    if (path[2] === 'outputs') return place(['github', 'jobs', 'vars', 'inputs'])
    return place(['github', 'inputs', 'vars'])
  }
  if (top === 'run-name' || top === 'concurrency') return place(['github', 'inputs', 'vars'])
  if (top === 'env') return place(['github', 'secrets', 'inputs', 'vars'])
  if (top !== 'jobs' || job === undefined) throw new Error(`no context table for ${path.join('.')}`)
  const jobContexts = ['github', 'needs', 'strategy', 'matrix', 'vars', 'inputs']
  const stepContexts = [...jobContexts, 'job', 'runner', 'env', 'secrets', 'steps']
  if (key === 'if') return place(['github', 'needs', 'vars', 'inputs'], true)
  if (key === 'secrets') return place([...jobContexts, 'secrets'])
  if (key === 'env') return place([...jobContexts, 'secrets'])
  if (key === 'outputs') return place(stepContexts)
  if (key === 'steps' && index !== undefined) {
    if (stepKey === 'if')
      return place(
        stepContexts.filter((c) => c !== 'secrets'),
        true
      )
    return place(stepContexts)
  }
  return place(jobContexts) // name, runs-on, environment, concurrency, with, strategy, timeout-minutes…
}

// ---------------------------------------------------------------------------------------------
// Finding the expressions.

/** The `${{ }}` segments of a string; quotes inside an expression may hold `}}`. */
function templateParts(text: string): Array<{ literal: string } | { expression: string }> {
  const parts: Array<{ literal: string } | { expression: string }> = []
  let at = 0
  for (;;) {
    const start = text.indexOf('${{', at)
    if (start < 0) break
    if (start > at) parts.push({ literal: text.slice(at, start) })
    let i = start + 3
    let quoted = false
    for (; i < text.length; i++) {
      if (text[i] === "'")
        quoted = !quoted // '' inside a string toggles twice
      else if (!quoted && text.startsWith('}}', i)) break
    }
    if (i >= text.length) throw new Error(`unterminated \${{ in: ${text}`)
    parts.push({ expression: text.slice(start + 3, i).trim() })
    at = i + 2
  }
  if (at < text.length) parts.push({ literal: text.slice(at) })
  return parts
}

interface Site {
  path: string[]
  text: string
  /** `if:` takes a bare expression. */
  implicit: boolean
}

function sitesOf(doc: Dict): Site[] {
  const sites: Site[] = []
  const walk = (value: unknown, path: string[]): void => {
    if (typeof value === 'string') {
      const isIf = path.at(-1) === 'if' && path[0] === 'jobs'
      if (isIf && !value.includes('${{')) sites.push({ path, text: value, implicit: true })
      else if (value.includes('${{')) sites.push({ path, text: value, implicit: false })
    } else if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, String(i)]))
    else if (value !== null && typeof value === 'object')
      for (const [key, item] of Object.entries(value as Dict)) walk(item, [...path, key])
  }
  walk(doc, [])
  return sites
}

// ---------------------------------------------------------------------------------------------
// Evaluating.

type Scenario = {
  inputs?: Dict
  secrets?: Dict
  /** needs.<job>.result, for every job this one needs. */
  result?: string
  /** needs.<job>.outputs values (default: `<job.output>`). */
  needsOutputs?: Dict
  steps?: Record<string, Dict>
  matrix?: Dict
}

const parsed = new Map<string, ReturnType<Parser['parse']>>()
function parseExpression(expression: string, place: Place): ReturnType<Parser['parse']> {
  const key = `${place.contexts.join(',')}|${place.status}|${expression}`
  let tree = parsed.get(key)
  if (!tree) {
    const functions = place.status ? STATUS.map((name) => ({ name, minArgs: 0, maxArgs: 0 })) : []
    tree = new Parser(new Lexer(expression).lex().tokens, place.contexts, functions).parse()
    parsed.set(key, tree)
  }
  return tree
}

type Workflow = {
  file: string
  doc: Dict
  /** Declared workflow_dispatch / workflow_call inputs: name → spec. */
  inputs: Record<string, { type?: string; default?: unknown; required?: boolean; options?: unknown[] }>
  /** workflow_call secrets, or undefined when the repository's secrets are all in reach. */
  secrets: string[] | undefined
  jobs: Record<string, Dict>
}

function workflowOf(file: string): Workflow {
  const doc = docs.get(file) as Dict
  const on = (doc.on ?? {}) as Dict
  const call = on.workflow_call as Dict | null | undefined
  const dispatch = on.workflow_dispatch as Dict | null | undefined
  const inputs = { ...((dispatch?.inputs as Dict) ?? {}), ...((call?.inputs as Dict) ?? {}) } as Workflow['inputs']
  const secrets = call ? Object.keys((call.secrets as Dict) ?? {}) : undefined
  return { file, doc, inputs, secrets, jobs: doc.jobs as Record<string, Dict> }
}

const githubContexts = new Map<string, Data>()
const githubContext = (workflow: Workflow): Data => {
  let context = githubContexts.get(workflow.file)
  if (!context) githubContexts.set(workflow.file, (context = newGithubContext(workflow)))
  return context
}
const newGithubContext = (workflow: Workflow): Data =>
  new Strict('github', {
    ...dataEntries({
      action: '__run',
      action_path: '',
      action_ref: '',
      action_repository: '',
      actor: 'octocat',
      actor_id: '1',
      api_url: 'https://api.github.com',
      base_ref: '',
      event_name: 'push',
      event_path: '/home/runner/work/_temp/_github_workflow/event.json',
      graphql_url: 'https://api.github.com/graphql',
      head_ref: '',
      job: 'job',
      ref: 'refs/tags/v1.2.3',
      ref_name: 'v1.2.3',
      ref_protected: false,
      ref_type: 'tag',
      repository: 'octo/app',
      repository_id: '123',
      repository_owner: 'octo',
      repository_owner_id: '456',
      repositoryUrl: 'git://github.com/octo/app.git',
      retention_days: '90',
      run_attempt: '1',
      run_id: '789',
      run_number: '12',
      server_url: 'https://github.com',
      sha: '0123456789abcdef0123456789abcdef01234567',
      token: 'github-token-of-the-run',
      triggering_actor: 'octocat',
      workflow: typeof workflow.doc.name === 'string' ? workflow.doc.name : workflow.file,
      workflow_ref: `octo/app/${workflow.file}@refs/heads/main`,
      workflow_sha: '0123456789abcdef0123456789abcdef01234567',
      workspace: '/home/runner/work/app/app'
    }),
    event: toData({ repository: { fork: false, full_name: 'octo/app' }, ref: 'refs/tags/v1.2.3' })
  })

/** The job outputs a job declares, as the strict `outputs` of needs.<job> / jobs.<job>. */
function jobOutputs(workflow: Workflow, jobId: string, what: string, given: Dict = {}): Data {
  const job = workflow.jobs[jobId]
  // A job that calls one of our reusable workflows has that workflow's workflow_call outputs.
  const called = typeof job?.uses === 'string' ? OWN_WORKFLOW.exec(job.uses)?.[1] : undefined
  const calledOutputs = called
    ? (((docs.get(`.github/workflows/${called}`)?.on as Dict | undefined)?.workflow_call as Dict | undefined)
        ?.outputs as Dict | undefined)
    : undefined
  const declared = Object.keys(calledOutputs ?? (job?.outputs as Dict) ?? {})
  return new Strict(
    what,
    Object.fromEntries(declared.map((name) => [name, toData(given[name] ?? `<${jobId}.${name}>`)]))
  )
}

function stepsContext(workflow: Workflow, path: string[], scenario: Scenario): Data {
  const [, jobId, key, index] = path
  const steps = ((workflow.jobs[jobId ?? '']?.steps as Dict[]) ?? []).slice(
    0,
    key === 'steps' ? Number(index) : undefined // a step sees the steps before it; outputs see all
  )
  const entries: Record<string, Data> = {}
  for (const step of steps) {
    const id = step.id
    if (typeof id !== 'string') continue
    const given = scenario.steps?.[id]
    const outputs =
      typeof step.uses === 'string' && OWN_ACTION.test(step.uses)
        ? new Strict(
            `steps.${id}.outputs`,
            Object.fromEntries(ACTION_OUTPUTS.map((name) => [name, toData(given?.[name] ?? `<${name}>`)]))
          )
        : new Open(dataEntries(given ?? {}), (name) => new data.StringData(given ? '' : `<${id}.${name}>`))
    entries[id] = new Strict(`steps.${id}`, {
      outputs,
      outcome: new data.StringData('success'),
      conclusion: new data.StringData('success')
    })
  }
  return new Strict('steps', entries)
}

// One context per scenario and scope (a job, or a step of it): thousands of evaluations share them.
const contexts = new WeakMap<Scenario, Map<string, data.Dictionary>>()
function contextFor(workflow: Workflow, site: Site, scenario: Scenario): data.Dictionary {
  const [top, jobId, key, index] = site.path
  const scope = `${workflow.file}|${top === 'jobs' ? jobId : ''}|${top === 'jobs' && key === 'steps' ? index : key === 'outputs' ? '*' : ''}`
  let byScope = contexts.get(scenario)
  if (!byScope) contexts.set(scenario, (byScope = new Map<string, data.Dictionary>()))
  let context = byScope.get(scope)
  if (!context) byScope.set(scope, (context = newContext(workflow, site, scenario)))
  return context
}

function newContext(workflow: Workflow, site: Site, scenario: Scenario): data.Dictionary {
  const [, jobId] = site.path
  const job = (jobId !== undefined && site.path[0] === 'jobs' ? workflow.jobs[jobId] : undefined) ?? {}
  const needs = ([] as string[]).concat((job.needs as string | string[] | undefined) ?? [])
  const result = scenario.result ?? 'success'
  const inputs = new Strict(
    'inputs',
    Object.fromEntries(Object.keys(workflow.inputs).map((name) => [name, toData(scenario.inputs?.[name])]))
  )
  const secrets =
    workflow.secrets === undefined
      ? new Open(dataEntries(scenario.secrets ?? {}), (name) => new data.StringData(`<secret ${name}>`))
      : new Strict(
          'secrets',
          Object.fromEntries(
            [...workflow.secrets, 'GITHUB_TOKEN'].map((name) => [name, toData(scenario.secrets?.[name] ?? '')])
          )
        )
  const contexts: Record<string, Data> = {
    github: githubContext(workflow),
    inputs,
    secrets,
    vars: new data.Dictionary(),
    env: toData({ ...(workflow.doc.env as Dict | undefined), ...(job.env as Dict | undefined) }),
    needs: new Strict(
      'needs',
      Object.fromEntries(
        needs.map((id) => [
          id,
          new Strict(`needs.${id}`, {
            result: new data.StringData(result),
            outputs: jobOutputs(workflow, id, `needs.${id}.outputs`, scenario.needsOutputs)
          })
        ])
      )
    ),
    jobs: new Strict(
      'jobs',
      Object.fromEntries(
        Object.keys(workflow.jobs).map((id) => [
          id,
          new Strict(`jobs.${id}`, {
            result: new data.StringData(result),
            outputs: jobOutputs(workflow, id, `jobs.${id}.outputs`)
          })
        ])
      )
    ),
    steps: stepsContext(workflow, site.path, scenario),
    matrix: new Strict('matrix', dataEntries(scenario.matrix ?? {})),
    strategy: toData({ 'fail-fast': true, 'job-index': 0, 'job-total': 1, 'max-parallel': 1 }),
    job: toData({ status: 'success', container: {}, services: {} }),
    runner: toData({ name: 'runner', os: 'Linux', arch: 'X64', temp: '/tmp', tool_cache: '/opt/hostedtoolcache' })
  }
  return new data.Dictionary(...Object.entries(contexts).map(([key, value]) => ({ key, value })))
}

function statusFunctions(
  scenario: Scenario
): Map<string, { name: string; minArgs: number; maxArgs: number; call: () => Data }> {
  const result = scenario.result ?? 'success'
  const fn = (name: string, value: boolean) =>
    [name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) }] as const
  return new Map([
    fn('always', true),
    fn('success', result === 'success'),
    fn('failure', result === 'failure'),
    fn('cancelled', result === 'cancelled')
  ])
}

/** The value GitHub gives the field: one whole expression keeps its type, text is joined. */
function evaluateSite(workflow: Workflow, site: Site, scenario: Scenario): Json {
  const place = placeOf(site.path)
  const context = contextFor(workflow, site, scenario)
  const evaluate = (expression: string): Data =>
    new Evaluator(
      parseExpression(expression, place),
      context,
      place.status ? statusFunctions(scenario) : undefined
    ).evaluate()
  if (site.implicit) return toJson(evaluate(site.text))
  const parts = templateParts(site.text)
  const [only] = parts
  if (parts.length === 1 && only && 'expression' in only) return toJson(evaluate(only.expression))
  return parts.map((part) => ('literal' in part ? part.literal : evaluate(part.expression).coerceString())).join('')
}

// ---------------------------------------------------------------------------------------------
// Input combinations: booleans both ways, each choice option, strings empty and non-empty.

const MAX_FULL_PRODUCT = 64

function valuesOf(spec: Workflow['inputs'][string]): unknown[] {
  switch (spec.type) {
    case 'boolean':
      return [false, true]
    case 'choice':
      return [...(spec.options ?? [])]
    case 'number':
      return [0, 1]
    default: {
      const given = typeof spec.default === 'string' && spec.default !== '' ? spec.default : 'x'
      return spec.required ? [given] : ['', given]
    }
  }
}

const defaultOf = (spec: Workflow['inputs'][string]): unknown =>
  spec.default ?? (spec.type === 'boolean' ? false : spec.type === 'number' ? 0 : spec.required ? 'x' : '')

/** Every combination of the switches (booleans, choices) when there are few, else each alone;
 *  then each string input at the other of empty / non-empty, one at a time, the rest at defaults. */
function combinations(workflow: Workflow): Dict[] {
  const specs = Object.entries(workflow.inputs)
  const defaults = Object.fromEntries(specs.map(([name, spec]) => [name, defaultOf(spec)]))
  const switches = specs.filter(([, spec]) => spec.type === 'boolean' || spec.type === 'choice')
  const others = specs.filter(([, spec]) => spec.type !== 'boolean' && spec.type !== 'choice')
  const product = switches.reduce((n, [, spec]) => n * valuesOf(spec).length, 1)
  const result: Dict[] = []
  if (product <= MAX_FULL_PRODUCT) {
    let combos: Dict[] = [defaults]
    for (const [name, spec] of switches)
      combos = combos.flatMap((combo) => valuesOf(spec).map((value) => ({ ...combo, [name]: value })))
    result.push(...combos)
  } else {
    result.push(defaults)
    for (const [name, spec] of switches) for (const value of valuesOf(spec)) result.push({ ...defaults, [name]: value })
  }
  for (const [name, spec] of others)
    for (const value of valuesOf(spec)) if (value !== defaults[name]) result.push({ ...defaults, [name]: value })
  return result
}

function matrices(workflow: Workflow, jobId: string | undefined): Dict[] {
  const matrix = (workflow.jobs[jobId ?? '']?.strategy as Dict | undefined)?.matrix as Dict | undefined
  if (!matrix) return [{}]
  const { include, exclude: _exclude, ...axes } = matrix
  let combos: Dict[] = [{}]
  for (const [name, values] of Object.entries(axes))
    combos = combos.flatMap((combo) => (values as unknown[]).map((value) => ({ ...combo, [name]: value })))
  if (Array.isArray(include)) return Object.keys(axes).length ? combos : (include as Dict[])
  return combos
}

// ---------------------------------------------------------------------------------------------

describe.each(FILES)('%s', (file) => {
  const workflow = workflowOf(file)
  const sites = sitesOf(workflow.doc)

  test('every expression parses where it stands', () => {
    for (const site of sites) {
      const place = placeOf(site.path)
      const expressions = site.implicit
        ? [site.text]
        : templateParts(site.text).flatMap((p) => ('expression' in p ? [p.expression] : []))
      for (const expression of expressions) {
        let error = ''
        try {
          parseExpression(expression, place)
        } catch (e) {
          error = e instanceof Error ? e.message : String(e)
        }
        expect({ at: site.path.join('.'), expression, error }).toEqual({
          at: site.path.join('.'),
          expression,
          error: ''
        })
      }
    }
  })

  test('every expression evaluates for every combination of inputs (and each needs result)', () => {
    let evaluated = 0
    for (const inputs of combinations(workflow))
      for (const result of ['success', 'failure', 'cancelled', 'skipped']) {
        const scenarios = new Map<string, Scenario>() // one per matrix entry
        for (const site of sites) {
          const jobId = site.path[0] === 'jobs' ? site.path[1] : undefined
          // The needs result only matters to jobs that need another one.
          if (result !== 'success' && workflow.jobs[jobId ?? '']?.needs === undefined) continue
          for (const matrix of matrices(workflow, jobId)) {
            const key = JSON.stringify(matrix)
            let scenario = scenarios.get(key)
            if (!scenario) scenarios.set(key, (scenario = { inputs, result, matrix }))
            let error = ''
            try {
              evaluateSite(workflow, site, scenario)
              evaluated++
            } catch (e) {
              error = e instanceof Error ? e.message : String(e)
            }
            if (error) expect({ at: site.path.join('.'), text: site.text, inputs, result, error }).toBeUndefined()
          }
        }
      }
    expect(evaluated).toBeGreaterThan(0)
  })

  test('a call of this repository’s reusable workflow passes each input with its declared type', () => {
    for (const [jobId, job] of Object.entries(workflow.jobs)) {
      const called = typeof job.uses === 'string' ? OWN_WORKFLOW.exec(job.uses)?.[1] : undefined
      if (!called) continue
      const target = workflowOf(`.github/workflows/${called}`)
      for (const inputs of combinations(workflow))
        for (const matrix of matrices(workflow, jobId))
          for (const [name, raw] of Object.entries((job.with as Dict) ?? {})) {
            const type = target.inputs[name]?.type
            const value =
              typeof raw === 'string' && raw.includes('${{')
                ? evaluateSite(
                    workflow,
                    { path: ['jobs', jobId, 'with', name], text: raw, implicit: false },
                    { inputs, matrix }
                  )
                : raw
            const expected = type === 'boolean' ? 'boolean' : type === 'number' ? 'number' : 'string'
            expect({ input: name, inputs, type: typeof value }).toEqual({ input: name, inputs, type: expected })
          }
    }
  })
})

// ---------------------------------------------------------------------------------------------
// The semantics that matter.

const site = (file: string, ...path: string[]): [Workflow, Site] => {
  const workflow = workflowOf(file)
  let value: unknown = workflow.doc
  for (const key of path) value = (value as Dict)[key]
  if (typeof value !== 'string') throw new Error(`${file}: nothing at ${path.join('.')}`)
  return [workflow, { path, text: value, implicit: path.at(-1) === 'if' && !value.includes('${{') }]
}
const evaluateAt = (file: string, path: string[], scenario: Scenario): Json =>
  evaluateSite(...site(file, ...path), scenario)

describe('examples/manual-rotation.yml', () => {
  const file = 'examples/manual-rotation.yml'
  const withOf = (name: string, inputs: Dict): Json => evaluateAt(file, ['jobs', 'rotate', 'with', name], { inputs })

  test('force: true rotates on every run (rotate-before empty); force: false waits for 14d', () => {
    for (const dryRun of [true, false]) {
      expect(withOf('rotate-before', { force: true, 'dry-run': dryRun })).toBe('')
      expect(withOf('rotate-before', { force: false, 'dry-run': dryRun })).toBe('14d')
    }
  })

  test('a dry run raises no alert; a real run does; dry-run is passed through as a boolean', () => {
    expect(withOf('alert-on-failure', { 'dry-run': true, force: false })).toBe(false)
    expect(withOf('alert-on-failure', { 'dry-run': false, force: false })).toBe(true)
    expect(withOf('dry-run', { 'dry-run': true, force: true })).toBe(true)
    expect(withOf('dry-run', { 'dry-run': false, force: true })).toBe(false)
  })
})

describe('.github/workflows/rotate.yml', () => {
  const file = '.github/workflows/rotate.yml'
  const alertStep = (doc: Dict): string => {
    const steps = ((doc.jobs as Dict).alert as Dict).steps as Dict[]
    return String(steps.findIndex((step) => String(step.uses).includes('/alert@')))
  }
  const workflow = workflowOf(file)
  const alertWith = (name: string, scenario: Scenario): Json =>
    evaluateAt(file, ['jobs', 'alert', 'steps', alertStep(workflow.doc), 'with', name], scenario)
  const defaults = combinations(workflow)[0] ?? {}

  test("the alert's outcome is 'success' only when the rotate job succeeded", () => {
    for (const result of ['success', 'failure', 'cancelled'])
      expect({ result, outcome: alertWith('outcome', { inputs: defaults, result }) }).toEqual({
        result,
        outcome: result === 'success' ? 'success' : 'failure'
      })
  })

  test('the alert job runs unless the rotation was skipped or alerts are off', () => {
    for (const alert of [true, false])
      for (const result of ['success', 'failure', 'cancelled', 'skipped'])
        expect({
          alert,
          result,
          runs: evaluateAt(file, ['jobs', 'alert', 'if'], {
            inputs: { ...defaults, 'alert-on-failure': alert },
            result
          })
        }).toEqual({ alert, result, runs: alert && result !== 'skipped' })
  })

  test('a failure the action did not explain still gets an error text; a success none', () => {
    const error = (result: string, given: string): Json =>
      alertWith('error', { inputs: defaults, result, needsOutputs: { error: given } })
    expect(error('failure', 'Meta said no')).toBe('Meta said no')
    expect(error('cancelled', '')).toMatch(/^The rotate job ended with result cancelled before the rotation reported/)
    expect(error('failure', '')).toMatch(/^The rotate job ended with result failure before the rotation reported/)
    expect(error('success', '')).toBe('')
  })

  test('github-token: the app token, else the github-token secret, else META_ROTATOR_GITHUB_TOKEN', () => {
    const rotateStep = String(
      ((workflow.jobs.rotate?.steps as Dict[]) ?? []).findIndex((step) => OWN_ACTION.test(String(step.uses)))
    )
    const token = (appToken: string | undefined, secrets: Dict): Json =>
      evaluateAt(file, ['jobs', 'rotate', 'steps', rotateStep, 'with', 'github-token'], {
        inputs: defaults,
        secrets,
        steps: { 'app-token': appToken === undefined ? {} : { token: appToken } }
      })
    const all = { 'github-token': 'pat', META_ROTATOR_GITHUB_TOKEN: 'environment-pat' }
    expect(token('app', all)).toBe('app')
    expect(token(undefined, all)).toBe('pat')
    expect(token(undefined, { META_ROTATOR_GITHUB_TOKEN: 'environment-pat' })).toBe('environment-pat')
    expect(token(undefined, {})).toBe('')
  })

  test('the app token step runs only with a client ID', () => {
    const step = String(((workflow.jobs.rotate?.steps as Dict[]) ?? []).findIndex((s) => s.id === 'app-token'))
    const runs = (clientId: string): Json =>
      evaluateAt(file, ['jobs', 'rotate', 'steps', step, 'if'], {
        inputs: { ...defaults, 'github-app-client-id': clientId }
      })
    expect(runs('')).toBe(false)
    expect(runs('Iv1.abc')).toBe(true)
  })
})
