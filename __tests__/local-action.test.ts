// src/local-action.ts, the entry GitHub's @github/local-action imports and calls: `run()` in this
// process, with the inputs as INPUT_* variables and the runner's GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// files, as local-action sets them from its .env file, against both emulators.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inputVariable, parseGitHubOutput, runnerLog } from '../scripts/bundled-action.js'
import { run } from '../src/local-action.js'
import { APP_ID, APP_SECRET, GITHUB_PAT, REPOS, startWorld, type World } from './support/world.js'

let world: World
let workDir: string
const savedEnv = { ...process.env }

beforeEach(async () => {
  world = await startWorld()
  workDir = mkdtempSync(join(tmpdir(), 'meta-token-rotator-local-action-'))
})
afterEach(async () => {
  process.env = { ...savedEnv }
  process.exitCode = undefined
  rmSync(workDir, { recursive: true, force: true })
  await world.stop()
})

/** run() with these inputs; what it printed, the outputs it set and its summary. */
async function runEntry(inputs: Record<string, string>) {
  const outputFile = join(workDir, 'github_output')
  const summaryFile = join(workDir, 'step_summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  for (const name of Object.keys(process.env)) if (name.startsWith('INPUT_')) delete process.env[name]
  Object.assign(process.env, { GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile })
  Object.assign(process.env, { GITHUB_REPOSITORY: 'octo/app', RUNNER_TEMP: workDir })
  for (const [name, value] of Object.entries(inputs)) process.env[inputVariable(name)] = value
  const printed: string[] = []
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk))
    return true
  })
  try {
    await run()
  } finally {
    write.mockRestore()
  }
  const stdout = printed.join('')
  const lines = stdout.split(/\r?\n/)
  return {
    stdout,
    lines,
    masks: lines.filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length)),
    outputs: parseGitHubOutput(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    exitCode: process.exitCode
  }
}

describe('run(), the entry @github/local-action calls', () => {
  test('rotates: the outputs are set, the new token is in both repositories and masked, the old one revoked, no secret in what it printed', async () => {
    const result = await runEntry(world.inputs())

    expect(result.exitCode).toBeUndefined()
    const fresh = result.outputs.token as string
    expect(fresh).toMatch(/^EAA/)
    expect(fresh).not.toBe(world.token)
    expect(result.outputs).toMatchObject({ rotated: 'true', revoked: 'true', 'token-type': 'system-user' })
    for (const repo of REPOS) {
      expect(world.github.secret({ kind: 'repository', repo }, 'META_TOKEN')?.value).toBe(fresh)
    }
    expect(world.graph.token(world.token)?.revoked).toBe(true)

    const secrets = [world.token, fresh, APP_SECRET, GITHUB_PAT, `${APP_ID}|${APP_SECRET}`]
    for (const secret of secrets) expect(result.masks).toContain(secret)
    // Masked before any line shows it: the first mention of the new token is its ::add-mask:: line.
    expect(result.lines.findIndex((l) => l.includes(fresh))).toBe(result.lines.indexOf(`::add-mask::${fresh}`))
    const shown = runnerLog(result.stdout, []).join('\n')
    for (const secret of secrets) {
      expect(shown).not.toContain(secret)
      expect(result.summary).not.toContain(secret)
    }
  })

  test('a wrong app-secret ends the step failed (exit code 1) with the check step named, writes nothing', async () => {
    const result = await runEntry(world.inputs({ 'app-secret': 'f'.repeat(32) }))

    expect(result.exitCode).toBe(1)
    expect(result.lines.filter((l) => l.startsWith('::error::'))).toEqual([
      expect.stringMatching(/^::error::\[check\] /)
    ])
    expect(result.outputs).toMatchObject({ rotated: 'false', token: '' })
    for (const repo of REPOS) expect(world.github.secret({ kind: 'repository', repo }, 'META_TOKEN')).toBeUndefined()
    expect(world.graph.isUsable(world.token)).toBe(true)
  })
})
