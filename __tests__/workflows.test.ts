// The reusable workflow, the examples and the self-test: every input of the action reaches the
// action through rotate.yml under its own name, no expression is ever expanded inside a shell
// script, third-party actions are pinned by commit, and the rotate job is locked down.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'

type Job = {
  uses?: string
  with?: Record<string, unknown>
  secrets?: Record<string, unknown> | 'inherit'
  permissions?: unknown
  'timeout-minutes'?: number
  concurrency?: { group?: string; 'cancel-in-progress'?: boolean }
  steps?: Array<{ id?: string; uses?: string; run?: string; with?: Record<string, unknown> }>
}
type Workflow = {
  on: Record<string, unknown>
  permissions?: unknown
  jobs: Record<string, Job>
}

const root = new URL('../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')
const action = parse(read('action.yml')) as { inputs: Record<string, { default?: string; required?: boolean }> }

const WORKFLOW_FILES = [
  ...readdirSync(new URL('.github/workflows/', root))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `.github/workflows/${f}`),
  ...readdirSync(new URL('examples/', root))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `examples/${f}`)
]
const workflows = new Map(
  WORKFLOW_FILES.map((file) => [file, { text: read(file), doc: parse(read(file)) as Workflow }])
)
const rotateYml = workflows.get('.github/workflows/rotate.yml') as { text: string; doc: Workflow }
const call = rotateYml.doc.on.workflow_call as {
  inputs: Record<string, { type: string; default?: unknown; required?: boolean }>
  secrets: Record<string, { required?: boolean }>
  outputs: Record<string, { value: string }>
}

// Credentials are workflow_call secrets; everything else an input.
const SECRET_INPUTS = ['app-secret', 'token', 'admin-token', 'previous-token', 'github-token', 'heartbeat-url']
const BOOLEAN_INPUTS = ['expiring', 'install-app', 'dry-run', 'require-same-assets', 'keep-alive', 'heartbeat-start']
// Defaults the reusable workflow sets apart from action.yml's, each with the reason.
const OWN_DEFAULTS: Record<string, string> = {
  'keep-alive': 'a scheduled rotation workflow is exactly what the 60-day rule disables (issue 20)'
}
// Inputs of action.yml that rotate.yml deliberately does not offer, each with the reason. None:
// every input, including graph-api-url and github-api-url (proxies, GHES), is passed through.
const NOT_OFFERED: Record<string, string> = {}

const rotateStep = (): NonNullable<Job['steps']>[number] => {
  const step = rotateYml.doc.jobs.rotate?.steps?.find((s) =>
    s.uses?.startsWith('meta-token-rotator/meta-token-rotator@')
  )
  if (!step) throw new Error('rotate.yml: no step uses meta-token-rotator/meta-token-rotator@…')
  return step
}

describe('rotate.yml (reusable workflow)', () => {
  test('is a workflow_call workflow', () => {
    expect(rotateYml.doc.on).toHaveProperty('workflow_call')
  })

  test('offers every input of action.yml under the same name, credentials as secrets', () => {
    for (const name of Object.keys(action.inputs)) {
      if (name in NOT_OFFERED) continue
      if (SECRET_INPUTS.includes(name)) {
        expect({ name, offeredAsSecret: name in call.secrets }).toEqual({ name, offeredAsSecret: true })
        expect({ name, alsoInput: name in call.inputs }).toEqual({ name, alsoInput: false })
      } else {
        expect({ name, offeredAsInput: name in call.inputs }).toEqual({ name, offeredAsInput: true })
      }
    }
    // Not required: strategy instagram needs no app secret (the action says so when another strategy lacks it).
    expect(call.secrets['app-secret']?.required).toBe(false)
  })

  test('types and defaults follow action.yml', () => {
    for (const [name, spec] of Object.entries(action.inputs)) {
      const input = call.inputs[name]
      if (!input) continue
      const boolean = BOOLEAN_INPUTS.includes(name)
      expect({ name, type: input.type }).toEqual({ name, type: boolean ? 'boolean' : 'string' })
      if (spec.required) {
        expect({ name, required: input.required }).toEqual({ name, required: true })
      } else if (name in OWN_DEFAULTS) {
        expect({ name, default: input.default }).not.toEqual({ name, default: spec.default === 'true' })
      } else {
        const expected = boolean ? spec.default === 'true' : (spec.default ?? '')
        expect({ name, default: input.default ?? '' }).toEqual({ name, default: expected })
      }
    }
  })

  test('the rotate step wires every input from inputs.* or secrets.*', () => {
    const wired = rotateStep().with ?? {}
    for (const name of Object.keys(action.inputs)) {
      if (name in NOT_OFFERED) continue
      const value = JSON.stringify(wired[name] ?? '')
      const source = SECRET_INPUTS.includes(name) ? `secrets.${name}` : `inputs.${name}`
      expect({ name, wired: value.includes(source) }).toEqual({ name, wired: true })
    }
    for (const name of Object.keys(wired)) expect(action.inputs).toHaveProperty([name])
    // The GitHub App token, when minted, wins over the PAT.
    expect(String(wired['github-token'])).toMatch(/^\$\{\{ steps\.app-token\.outputs\.token \|\| secrets\.github-token/)
  })

  test('exposes the outputs of the rotate job, never the token', () => {
    for (const name of ['rotated', 'expires-at', 'revoked', 'failed-step', 'error', 'deployments']) {
      expect(call.outputs[name]?.value).toBe(`\${{ jobs.rotate.outputs.${name} }}`)
    }
    expect(call.outputs).not.toHaveProperty('token')
  })

  test('grants nothing at the top; the rotate job needs nothing, the alert job issues: write', () => {
    expect(rotateYml.doc.permissions).toEqual({})
    expect(rotateYml.doc.jobs.rotate?.permissions).toEqual({})
    expect(rotateYml.doc.jobs.alert?.permissions).toEqual({ issues: 'write' })
  })

  test('never runs two rotations of the same secret at once', () => {
    const concurrency = rotateYml.doc.jobs.rotate?.concurrency
    expect(concurrency?.['cancel-in-progress']).toBe(false)
    for (const part of ['github.repository', 'inputs.secret-name', 'inputs.environment', 'inputs.organization']) {
      expect(concurrency?.group).toContain(part)
    }
  })

  test('the alert job runs after the rotation unless it was skipped, with the action outputs', () => {
    const alert = rotateYml.doc.jobs.alert as Job & { needs?: string; if?: string }
    expect(alert.needs).toBe('rotate')
    expect(alert.if).toBe("always() && inputs.alert-on-failure && needs.rotate.result != 'skipped'")
    const step = alert.steps?.find((s) => s.uses?.startsWith('meta-token-rotator/meta-token-rotator/alert@'))
    expect(step?.with?.['github-token']).toBe('${{ github.token }}')
    for (const name of ['outcome', 'secret-name', 'failed-step', 'error', 'label'])
      expect(step?.with).toHaveProperty([name])
    expect(String(step?.with?.['failed-step'])).toContain('needs.rotate.outputs.failed-step')
    expect(String(step?.with?.error)).toContain('needs.rotate.outputs.error')
  })
})

describe('every workflow and example', () => {
  test.each(WORKFLOW_FILES)('%s: no ${{ }} expression inside a run: script', (file) => {
    const { doc } = workflows.get(file) as { doc: Workflow }
    for (const [id, job] of Object.entries(doc.jobs)) {
      for (const step of job.steps ?? []) {
        if (step.run !== undefined) expect({ job: id, run: step.run.includes('${{') }).toEqual({ job: id, run: false })
      }
    }
  })

  test.each(WORKFLOW_FILES)('%s: third-party actions are pinned to a commit SHA with a # v comment', (file) => {
    const { text } = workflows.get(file) as { text: string }
    for (const line of text.split('\n')) {
      const uses = /^\s*(?:-\s+)?uses:\s*([^\s#]+)(.*)$/.exec(line)
      if (!uses) continue
      const [, target, rest] = uses as unknown as [string, string, string]
      if (target.startsWith('./') || target.startsWith('meta-token-rotator/meta-token-rotator')) continue
      expect({ line: line.trim(), pinned: /@[0-9a-f]{40}$/.test(target) && /^\s+# v\d/.test(rest) }).toEqual({
        line: line.trim(),
        pinned: true
      })
    }
  })

  test.each(WORKFLOW_FILES)('%s: every job has timeout-minutes (jobs that call a workflow inherit its own)', (file) => {
    const { doc } = workflows.get(file) as { doc: Workflow }
    for (const [id, job] of Object.entries(doc.jobs)) {
      if (job.uses) continue
      expect({ job: id, timeout: typeof job['timeout-minutes'] }).toEqual({ job: id, timeout: 'number' })
    }
  })

  test.each(WORKFLOW_FILES)('%s: sets top-level permissions', (file) => {
    expect((workflows.get(file) as { doc: Workflow }).doc.permissions).toBeDefined()
  })
})

describe('examples', () => {
  const examples = WORKFLOW_FILES.filter((file) => file.startsWith('examples/'))

  test('are the seven documented ones, each linked from the README', () => {
    expect(examples.sort()).toEqual([
      'examples/deploy-then-revoke.yml',
      'examples/environments.yml',
      'examples/instagram.yml',
      'examples/manual-rotation.yml',
      'examples/matrix.yml',
      'examples/protected-environment.yml',
      'examples/scheduled.yml'
    ])
    const readme = read('README.md')
    for (const file of examples) expect(readme).toContain(`(${file})`)
  })

  test.each(examples)('%s: starts with a comment saying what it is for and which secrets to create', (file) => {
    const text = (workflows.get(file) as { text: string }).text
    expect(text.startsWith('# ')).toBe(true)
    expect(text.slice(0, text.indexOf('\nname:'))).toMatch(/secret/i)
  })

  test.each(examples)(
    '%s: calls rotate.yml with inputs and secrets it declares, the required ones included',
    (file) => {
      const { doc } = workflows.get(file) as { doc: Workflow }
      const callers = Object.values(doc.jobs).filter((job) => job.uses?.includes('/.github/workflows/rotate.yml@'))
      expect(callers.length).toBeGreaterThan(0)
      for (const job of callers) {
        expect(job.uses).toBe('meta-token-rotator/meta-token-rotator/.github/workflows/rotate.yml@v1')
        for (const name of Object.keys(job.with ?? {})) expect(call.inputs).toHaveProperty([name])
        for (const [name, spec] of Object.entries(call.inputs))
          if (spec.required) expect(job.with).toHaveProperty([name])
        expect(job.secrets).not.toBe('inherit')
        const secrets = job.secrets as Record<string, unknown>
        for (const name of Object.keys(secrets)) expect(call.secrets).toHaveProperty([name])
        for (const [name, spec] of Object.entries(call.secrets))
          if (spec.required) expect(secrets).toHaveProperty([name])
        // The alert job of rotate.yml needs it, and a called workflow gets no more than its caller.
        expect(job.permissions).toEqual({ issues: 'write' })
      }
    }
  )

  test('protected-environment.yml runs the rotate job in a deployment environment', () => {
    const { doc } = workflows.get('examples/protected-environment.yml') as { doc: Workflow }
    expect(doc.jobs.rotate?.with?.['job-environment']).toBe('secrets-rotation')
  })
})
