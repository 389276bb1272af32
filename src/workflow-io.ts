// The ActionIO of a real run: workflow commands on stdout, outputs and the job summary in the files
// the runner names (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY). Shared by the bundled actions' entry points.
//
// These are @actions/core's formats, byte for byte: __tests__/workflow-io.test.ts runs the same calls
// through @actions/core and through this and compares what the runner would read. The package itself
// is not bundled because it loads its OIDC client (undici, @actions/http-client, @actions/exec) on
// import: 1 MB of bundle and 50 ms of every start (docs/benchmarks.md).
import { randomUUID } from 'node:crypto'
import { appendFileSync, existsSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { EOL } from 'node:os'
import type { ActionIO } from './main.js'

const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')

/** `::name::message`, one line on stdout: how a step talks to the runner. */
function command(name: string, message: string): void {
  process.stdout.write(`::${name}::${escapeData(message)}${EOL}`)
}

function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT
  if (!file) {
    // Runners too old for GITHUB_OUTPUT read the deprecated command instead.
    process.stdout.write(EOL)
    command(`set-output name=${escapeProperty(name)}`, value)
    return
  }
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`)
  const delimiter = `ghadelimiter_${randomUUID()}`
  if (name.includes(delimiter))
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`)
  if (value.includes(delimiter))
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`)
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' })
}

export const workflowIO: ActionIO = {
  getInput: (name) => (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim(),
  setOutput,
  mask: (secret) => command('add-mask', secret),
  info: (message) => {
    process.stdout.write(message + EOL)
  },
  warning: (message) => command('warning', message),
  debug: (message) => command('debug', message),
  error: (message) => command('error', message),
  writeSummary: async (markdown) => {
    if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, markdown)
  },
  setFailed: (message) => {
    process.exitCode = 1
    command('error', message)
  }
}
