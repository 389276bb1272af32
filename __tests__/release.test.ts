// The release flow (docs/releases.md): the pin script rewrites the real rotate.yml so that the
// action and the alert run at the released commit, and release.yml runs on version tags, pins,
// and moves the version and major tags to the release commit.
import { readFileSync } from 'node:fs'
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
  type Step = { name?: string; id?: string; if?: string; uses?: string; run?: string; with?: Record<string, unknown> }
  const text = read('.github/workflows/release.yml')
  const doc = parse(text) as {
    on: Record<string, { tags?: string[]; branches?: string[] } | null>
    permissions: unknown
    jobs: Record<string, { if?: string; permissions?: unknown; steps: Step[] }>
  }
  const job = doc.jobs.release
  if (!job) throw new Error('release.yml: no job "release"')
  const scripts = job.steps.map((step) => step.run ?? '').join('\n')

  test('runs on pushed version tags only', () => {
    expect(Object.keys(doc.on)).toEqual(['push'])
    expect(doc.on.push).toEqual({ tags: ['v*.*.*'] })
    // The glob also matches v1.2.3-rc.1 or vx.y.z: the first step refuses anything but vX.Y.Z.
    expect(job.steps[0]?.run).toContain('^v(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$')
  })

  test('never runs on a fork; contents: write on the job only', () => {
    expect(job.if).toContain('github.event.repository.fork == false')
    expect(doc.permissions).toEqual({})
    expect(job.permissions).toEqual({ contents: 'write' })
  })

  test('checks the version, runs CI, pins rotate.yml to the tagged commit and commits it', () => {
    expect(scripts).toContain('require("./package.json").version')
    expect(scripts).toContain('bash .ci/run')
    expect(scripts).toMatch(/release:pin -- --repository "\$GITHUB_REPOSITORY" --sha "\$c1" --version "\$TAG"/)
    expect(scripts).toMatch(/release:pin -- --check/)
    expect(scripts).toMatch(/commit --quiet[^\n]*\n[^]*-- \.github\/workflows\/rotate\.yml/)
  })

  test('moves vX.Y.Z and the major tag to the release commit and pushes both', () => {
    expect(scripts).toContain('major=${TAG%%.*}')
    expect(scripts).toMatch(/tag --force --annotate --message "\$TAG" "\$TAG" "\$C2"/)
    expect(scripts).toMatch(/tag --force "\$major" "\$C2"/)
    expect(scripts).toMatch(/push --atomic "\$\{leases\[@\]\}" origin "\$\{refs\[@\]\}"/)
    expect(scripts).toMatch(/gh release create "\$TAG" [^\n]*--generate-notes/)
  })

  test('names no repository: it releases the one it runs in', () => {
    expect(text).not.toMatch(/meta-token-rotator\//)
    expect(scripts).toContain('$GITHUB_REPOSITORY')
  })

  test('checks out without persisted credentials', () => {
    const checkout = job.steps.find((step) => step.uses?.startsWith('actions/checkout@'))
    expect(checkout?.with?.['persist-credentials']).toBe(false)
  })
})
