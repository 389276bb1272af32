// The same rotation from a shell or another CI system: an ActionIO backed by the terminal, which
// redacts every masked value from everything it prints.
import packageJson from '../../package.json' with { type: 'json' }
import type { ActionIO } from '../action-io.js'
import { readFile } from 'node:fs/promises'
import { Input, Output } from '../contract.js'
import { cliNaming } from '../input-naming.js'
import { runAction, type ActionDeps } from '../main.js'
import { echoed, inertLines } from '../outside-text.js'
import { terminalStyle } from '../report.js'
import { SecretKeeper } from '../secret-keeper.js'
import { CliUsageError, parseCliArguments } from './cli-arguments.js'
import { usage } from './cli-usage.js'

export interface Terminal {
  out(text: string): void
  err(text: string): void
}

export const VERSION: string = packageJson.version

/** Exit codes: what happened, not only whether it worked. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const

export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  terminal: Terminal,
  deps: ActionDeps = {}
): Promise<number> {
  let parsed
  try {
    parsed = parseCliArguments(argv, env)
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error
    terminal.err(`${inertLines(error.message)}\n`)
    return ExitCode.Usage
  }
  if (parsed.command === 'help') {
    terminal.out(usage())
    return ExitCode.Ok
  }
  if (parsed.command === 'version') {
    terminal.out(`${VERSION}\n`)
    return ExitCode.Ok
  }
  if (parsed.destinationsFile !== undefined) {
    const read = await readDestinationsFile(parsed.destinationsFile)
    if ('problem' in read) {
      terminal.err(`${inertLines(read.problem)}\n`)
      return ExitCode.Usage
    }
    parsed.inputs[Input.Destinations] = read.text
  }

  const keeper = new SecretKeeper(() => undefined)
  const outputs: Record<string, string> = {}
  let summary = ''
  let failure: string | undefined
  // Every line printed is redacted and inert: the CLI may run inside a workflow's `run:` step, whose
  // output the runner reads for workflow commands.
  const shown = (text: string) => inertLines(keeper.redact(text))
  const say = (prefix: string) => (message: string) => terminal.err(`${prefix}${shown(message)}\n`)
  const io: ActionIO = {
    getInput: (name) => parsed.inputs[name] ?? '',
    setOutput: (name, value) => {
      outputs[name] = value
    },
    mask: (secret) => keeper.keep(secret),
    info: say(''),
    warning: say('warning: '),
    debug: env.META_ROTATOR_DEBUG ? say('debug: ') : () => undefined,
    group: (_name, work) => work(),
    writeSummary: (markdown) => {
      summary += markdown
      return Promise.resolve()
    },
    setFailed: (message) => {
      failure = message
    }
  }
  await runAction(io, env, { naming: cliNaming(parsed.fromEnvironment), reportStyle: terminalStyle, ...deps })
  const step = outputs[Output.FailedStep] || undefined

  if (parsed.json) {
    terminal.out(`${shown(JSON.stringify(jsonReport(outputs, step, failure), null, 2))}\n`)
  } else {
    // Refused inputs: the error alone says it all.
    if (step !== 'inputs') terminal.out(shown(summary))
    if (failure) terminal.err(`error: ${shown(failure)}\n`)
  }
  if (!failure) return ExitCode.Ok
  return step === 'inputs' ? ExitCode.Usage : ExitCode.Failed
}

function jsonReport(outputs: Record<string, string>, step: string | undefined, failure: string | undefined): object {
  return {
    ok: failure === undefined,
    rotated: outputs[Output.Rotated] === 'true',
    revoked: outputs[Output.Revoked] === 'true',
    expiresAt: outputs[Output.ExpiresAt] || null,
    tokenType: outputs[Output.TokenType] || null,
    dataAccessExpiresAt: outputs[Output.DataAccessExpiresAt] || null,
    scopes: outputs[Output.Scopes] ? (outputs[Output.Scopes] as string).split(',') : [],
    secrets: outputs[Output.Secrets] ? (JSON.parse(outputs[Output.Secrets] as string) as unknown) : [],
    failure: failure ? { step, message: failure } : null
  }
}

/** A destinations file as large as any list github.com's hourly write limit could serve. */
const MAX_DESTINATIONS_FILE_BYTES = 256 * 1024

async function readDestinationsFile(path: string): Promise<{ text: string } | { problem: string }> {
  try {
    const bytes = await readFile(path)
    if (bytes.length > MAX_DESTINATIONS_FILE_BYTES)
      return {
        problem: `'--destinations-file ${echoed(path, 80)}' is larger than 256 KB: it holds more destinations than one run can write.`
      }
    return { text: bytes.toString('utf8') }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    return {
      problem: `'--destinations-file ${echoed(path, 80)}' cannot be read (${code}): give the path of a file with one destination a line.`
    }
  }
}
