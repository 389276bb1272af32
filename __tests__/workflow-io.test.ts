// workflow-io.ts writes what @actions/core writes, byte for byte. @actions/core stays a dev
// dependency for this test only: the same calls go through both, and the runner's view (stdout,
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, the exit code) must be the same.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import * as core from '@actions/core'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ActionIO } from '../src/main.js'
import { workflowIO } from '../src/workflow-io.js'

const coreIO: ActionIO = {
  getInput: (name) => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  mask: (secret) => core.setSecret(secret),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  error: (message) => core.error(message),
  writeSummary: async (markdown) => {
    await core.summary.addRaw(markdown).write()
  },
  setFailed: (message) => core.setFailed(message)
}

// Every character the escaping rules treat specially, plus a token-like secret and unicode.
const AWKWARD = 'a % b\r\nc\nd: e, f :: g %25 ✓ EAAG0secret'
const INPUT_NAMES = ['app-id', 'rotate-before', 'github token', 'Token']

interface RunnerView {
  stdout: string
  output: string
  summary: string
  exitCode: typeof process.exitCode
  inputs: string[]
}

let dir: string
const savedEnv = { ...process.env }
const savedExitCode = process.exitCode

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtr-workflow-io-'))
})
afterEach(() => {
  process.env = { ...savedEnv }
  process.exitCode = savedExitCode
  rmSync(dir, { recursive: true, force: true })
})

async function runnerView(io: ActionIO, label: string, withFiles: boolean): Promise<RunnerView> {
  const output = join(dir, `${label}-output`)
  const summary = join(dir, `${label}-summary`)
  writeFileSync(output, '')
  writeFileSync(summary, '')
  process.env.GITHUB_OUTPUT = withFiles ? output : ''
  process.env.GITHUB_STEP_SUMMARY = withFiles ? summary : ''
  process.env['INPUT_APP-ID'] = '  1234  '
  process.env['INPUT_ROTATE-BEFORE'] = '\n7d\t'
  process.env.INPUT_GITHUB_TOKEN = ' ghp_x '
  process.exitCode = undefined
  let stdout = ''
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk)
    return true
  })
  try {
    const inputs = INPUT_NAMES.map((name) => io.getInput(name))
    io.mask(AWKWARD)
    io.info(AWKWARD)
    io.debug(AWKWARD)
    io.warning(AWKWARD)
    io.error(AWKWARD)
    io.setOutput('new-token-expires-at', AWKWARD)
    io.setOutput('empty', '')
    if (withFiles) await io.writeSummary(`## Meta token rotation\n\n${AWKWARD}\n`)
    io.setFailed(AWKWARD)
    const exitCode = process.exitCode
    return {
      stdout,
      // The heredoc delimiter is random on each call; everything else must match.
      output: readFileSync(output, 'utf8').replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_<uuid>'),
      summary: readFileSync(summary, 'utf8'),
      exitCode,
      inputs
    }
  } finally {
    write.mockRestore()
  }
}

describe('workflowIO speaks to the runner exactly as @actions/core does', () => {
  test('with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, as every current runner sets them', async () => {
    const expected = await runnerView(coreIO, 'core', true)
    const actual = await runnerView(workflowIO, 'ours', true)
    expect(actual).toEqual(expected)
    // The comparison is not vacuous: each channel carries the calls.
    expect(expected.stdout).toContain('::add-mask::a %25 b%0D%0Ac%0Ad: e, f :: g %2525')
    expect(expected.output).toContain('new-token-expires-at<<ghadelimiter_<uuid>')
    expect(expected.summary).toContain('## Meta token rotation')
    expect(expected.exitCode).toBe(1)
    expect(expected.inputs).toEqual(['1234', '7d', 'ghp_x', ''])
  })

  test('without the files, on runners that only read the deprecated set-output command', async () => {
    const expected = await runnerView(coreIO, 'core', false)
    const actual = await runnerView(workflowIO, 'ours', false)
    expect(actual).toEqual(expected)
    expect(expected.stdout).toContain('::set-output name=new-token-expires-at::')
  })
})
