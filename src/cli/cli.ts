// The same rotation from a shell or another CI system: an ActionIO backed by the terminal, which
// redacts every masked value from everything it prints.
import packageJson from '../../package.json' with { type: 'json' }
import type { ActionIO } from '../action-io.js'
import { readFile } from 'node:fs/promises'
import { Input, Output } from '../contract.js'
import { cliNaming } from '../input-naming.js'
import { runAction } from '../main.js'
import type { ActionDeps } from '../wiring.js'
import { echoed, inertLines } from '../outside-text.js'
import { nextDueDate, type ReportContext } from '../report.js'
import type { RotationResult } from '../rotation/result.js'
import { SecretKeeper } from '../secret-keeper.js'
import { CliUsageError, parseCliArguments } from './cli-arguments.js'
import { usage } from './cli-usage.js'
import { runStatus } from './status-command.js'
import { textReport } from './text-report.js'
import { expiryOutput } from '../token-checks.js'

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
  if (parsed.command === 'status') {
    const naming = cliNaming(parsed.fromEnvironment)
    return runStatus(parsed.inputs, env, terminal, { json: parsed.json, naming }, deps)
  }

  const keeper = new SecretKeeper(() => undefined)
  const outputs: Record<string, string> = {}
  let report = ''
  let context: ReportContext | undefined
  let failure: string | undefined
  const warnings: string[] = []
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
    // The text report says a destination's failure in its line: a warning waits for it, to be said once.
    warning: parsed.json ? say('warning: ') : (message) => void warnings.push(message),
    debug: env.META_ROTATOR_DEBUG ? say('debug: ') : () => undefined,
    group: (_name, work) => work(),
    writeSummary: (text) => {
      report += text
      return Promise.resolve()
    },
    setFailed: (message) => {
      failure = message
    }
  }
  const result = await runAction(io, env, {
    naming: cliNaming(parsed.fromEnvironment),
    report: (reported, runContext) => {
      context = runContext
      return textReport(reported, runContext)
    },
    ...deps
  })
  const step = outputs[Output.FailedStep] || undefined

  if (parsed.json) {
    const facts = jsonReport(outputs, result, context, step, failure)
    terminal.out(`${shown(JSON.stringify(facts, null, 2))}\n`)
  } else {
    for (const warning of warnings) if (!saidByReport(warning, result)) say('warning: ')(warning)
    // Refused inputs: the error alone says it all; otherwise the report says the failure.
    if (step === 'inputs') terminal.err(`error: ${shown(failure ?? '')}\n`)
    else terminal.out(shown(report))
  }
  if (!failure) return ExitCode.Ok
  return step === 'inputs' ? ExitCode.Usage : ExitCode.Failed
}

/** A destination's failure and a note are in the report already. */
function saidByReport(warning: string, result: RotationResult | undefined): boolean {
  if (!result) return false
  return (
    result.notes.includes(warning) || result.secrets.some((s) => s.status === 'failed' && warning.includes(s.error))
  )
}

const DAY_MS = 86_400_000

/** What happened, for a program: skip, dry run, rotation and failure each told apart; never the token. */
function jsonReport(
  outputs: Record<string, string>,
  result: RotationResult | undefined,
  context: ReportContext | undefined,
  step: string | undefined,
  failure: string | undefined
): object {
  const expiresAt = result?.expiresAt
  const now = context?.now ?? new Date()
  const due = result ? nextDueDate(result, context?.rotateBeforeSeconds) : undefined
  return {
    ok: failure === undefined,
    rotated: outputs[Output.Rotated] === 'true',
    revoked: outputs[Output.Revoked] === 'true',
    skipped: result?.skipped ?? false,
    dryRun: result?.dryRun ?? false,
    expiresAt: outputs[Output.ExpiresAt] || null,
    daysLeft: expiresAt ? Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS) : null,
    nextDue: due ? expiryOutput(due) : null,
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
