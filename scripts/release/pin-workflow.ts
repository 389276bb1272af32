// Pins the reusable workflow's own actions to one commit, for the release commit that
// .github/workflows/release.yml makes (see docs/releases.md).
//
// On main, .github/workflows/rotate.yml calls this repository's action and alert at the moving tag
// (`owner/name@v1`, `owner/name/alert@v1`). A caller who pins `rotate.yml@<sha>` would still run
// whatever v1 points at later. So each release rewrites every `uses:` of this repository in
// rotate.yml to `owner/name@<sha> # vX.Y.Z` (and `owner/name/alert@<sha> # vX.Y.Z`), <sha> being
// the tagged commit, and commits that as the release commit.
//
//   node build/scripts/release/pin-workflow.js --repository OWNER/NAME --sha SHA --version vX.Y.Z
//        [--file .github/workflows/rotate.yml] [--out PATH]      rewrite (in place unless --out)
//   node build/scripts/release/pin-workflow.js --check --repository OWNER/NAME
//        [--sha SHA] [--version vX.Y.Z] [--file PATH]             verify the file is pinned
// (`npm run release:pin -- …` compiles it first.) Exit code 0 on success, 1 on any refusal.
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

export const DEFAULT_FILE = '.github/workflows/rotate.yml'

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/
const SHA = /^[0-9a-f]{40}$/
const VERSION = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/

export interface PinOptions {
  /** owner/name of this repository, as in `github.repository`. */
  repository: string
  /** Full 40-hex commit SHA the own actions are pinned to (the tagged commit). */
  sha: string
  /** The release, vMAJOR.MINOR.PATCH; written as the `# vX.Y.Z` comment. */
  version: string
}

export interface PinResult {
  text: string
  /** The rewritten lines, as `line N: <new text>`. */
  pinned: string[]
}

export class PinError extends Error {
  override name = 'PinError'
}

export function assertRepository(repository: string): void {
  if (!REPOSITORY.test(repository)) throw new PinError(`repository must be owner/name, got '${repository}'`)
}

export function assertSha(sha: string): void {
  if (!SHA.test(sha)) throw new PinError(`sha must be a full 40-character lowercase hex commit SHA, got '${sha}'`)
}

export function assertVersion(version: string): void {
  if (!VERSION.test(version)) throw new PinError(`version must be vMAJOR.MINOR.PATCH (e.g. v1.2.3), got '${version}'`)
}

/** The major tag that follows a version: v1 for v1.2.3. */
export function majorTag(version: string): string {
  assertVersion(version)
  return version.slice(0, version.indexOf('.'))
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// A `uses:` line of this repository: `uses: owner/name@ref` or `uses: owner/name/sub/dir@ref`,
// as a step (`- uses:`) or a key, optionally quoted, with an optional trailing comment.
// Groups: 1 indentation and key, 2 quote, 3 owner/name[/path], 4 ref, 5 trailing comment.
function ownUsesLine(repository: string): RegExp {
  return new RegExp(
    `^(\\s*(?:-\\s+)?uses:\\s*)(['"]?)(${escapeRegExp(repository)}(?:/[^@\\s'"#]+)?)@([^\\s'"#]*)\\2(\\s+#.*)?\\s*$`,
    'i'
  )
}

/**
 * Rewrites every `uses:` of `repository` (its action, and actions in its subdirectories such as
 * alert/) to `<path>@<sha> # <version>`. Every other line is returned unchanged, byte for byte.
 * Throws a PinError on an invalid repository, SHA or version, or when nothing was pinned.
 */
export function pinWorkflow(text: string, options: PinOptions): PinResult {
  assertRepository(options.repository)
  assertSha(options.sha)
  assertVersion(options.version)
  const pattern = ownUsesLine(options.repository)
  const pinned: string[] = []
  const lines = text.split('\n').map((line, index) => {
    const match = pattern.exec(line)
    if (!match) return line
    const [, key, quote, path] = match as unknown as [string, string, string, string]
    const rewritten = `${key}${quote}${path}@${options.sha}${quote} # ${options.version}`
    pinned.push(`line ${index + 1}: ${rewritten.trim()}`)
    return rewritten
  })
  if (pinned.length === 0)
    throw new PinError(`found no 'uses: ${options.repository}@…' or 'uses: ${options.repository}/…@…' to pin`)
  return { text: lines.join('\n'), pinned }
}

export interface CheckOptions {
  repository: string
  /** When given, every own `uses:` must be at this SHA. */
  sha?: string
  /** When given, every own `uses:` must carry this `# vX.Y.Z` comment. */
  version?: string
}

/**
 * The problems that keep `text` from being a pinned release workflow: an own `uses:` that is not
 * `@<40-hex sha> # vX.Y.Z` (or not at the given SHA and version), or no own `uses:` at all.
 * An empty list means the file is pinned.
 */
export function checkPinned(text: string, options: CheckOptions): string[] {
  assertRepository(options.repository)
  if (options.sha !== undefined) assertSha(options.sha)
  if (options.version !== undefined) assertVersion(options.version)
  const pattern = ownUsesLine(options.repository)
  const problems: string[] = []
  let found = 0
  text.split('\n').forEach((line, index) => {
    const match = pattern.exec(line)
    if (!match) return
    found++
    const [, , , , ref, comment] = match as unknown as [string, string, string, string, string, string | undefined]
    const version = /^\s+#\s*(\S+)\s*$/.exec(comment ?? '')?.[1]
    const where = `line ${index + 1} (${line.trim()})`
    if (!SHA.test(ref)) problems.push(`${where}: not pinned to a full commit SHA`)
    else if (options.sha !== undefined && ref !== options.sha)
      problems.push(`${where}: pinned to ${ref}, not ${options.sha}`)
    if (version === undefined || !VERSION.test(version)) problems.push(`${where}: no '# vX.Y.Z' comment`)
    else if (options.version !== undefined && version !== options.version)
      problems.push(`${where}: comment says ${version}, not ${options.version}`)
  })
  if (found === 0) problems.push(`found no 'uses: ${options.repository}@…' or 'uses: ${options.repository}/…@…'`)
  return problems
}

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      repository: { type: 'string' },
      sha: { type: 'string' },
      version: { type: 'string' },
      file: { type: 'string', default: DEFAULT_FILE },
      out: { type: 'string' },
      check: { type: 'boolean', default: false }
    }
  })
  const { repository, sha, version, file, out, check } = values
  if (repository === undefined) throw new PinError('--repository OWNER/NAME is required')
  const text = readFileSync(file, 'utf8')
  if (check) {
    const problems = checkPinned(text, { repository, sha, version })
    for (const problem of problems) console.error(`${file}: ${problem}`)
    if (problems.length === 0) console.log(`${file}: every uses: of ${repository} is pinned.`)
    return problems.length === 0 ? 0 : 1
  }
  if (sha === undefined || version === undefined) throw new PinError('--sha and --version are required (or --check)')
  const result = pinWorkflow(text, { repository, sha, version })
  writeFileSync(out ?? file, result.text)
  console.log(`${out ?? file}: pinned ${result.pinned.length} uses: to ${sha} (${version})`)
  for (const line of result.pinned) console.log(`  ${line}`)
  return 0
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (error) {
    console.error(`pin-workflow: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
