// The same rotation from a shell or another CI system: an ActionIO backed by the terminal, which
// redacts every masked value from everything it prints.
import { Output } from '../contract.js'
import { runAction, type ActionIO, type ActionTuning } from '../main.js'
import { SecretRedactor } from '../secret-redactor.js'
import { CliUsageError, parseCliArguments } from './cli-arguments.js'
import { usage } from './cli-usage.js'

export interface Terminal {
  out(text: string): void
  err(text: string): void
}

export const VERSION = '0.1.0'

export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  terminal: Terminal,
  tuning?: ActionTuning
): Promise<number> {
  let parsed
  try {
    parsed = parseCliArguments(argv, env)
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error
    terminal.err(`${error.message}\n`)
    return 2
  }
  if (parsed.command === 'help') {
    terminal.out(usage())
    return 0
  }
  if (parsed.command === 'version') {
    terminal.out(`${VERSION}\n`)
    return 0
  }

  const redactor = new SecretRedactor()
  const outputs: Record<string, string> = {}
  let summary = ''
  let failure: string | undefined
  const say = (prefix: string) => (message: string) => terminal.err(`${prefix}${redactor.redact(message)}\n`)
  const io: ActionIO = {
    getInput: (name) => parsed.inputs[name] ?? '',
    setOutput: (name, value) => {
      outputs[name] = value
    },
    mask: (secret) => redactor.add(secret),
    info: say(''),
    warning: say('warning: '),
    debug: env.META_ROTATOR_DEBUG ? say('debug: ') : () => undefined,
    error: say('error: '),
    writeSummary: async (markdown) => {
      summary += markdown
    },
    setFailed: (message) => {
      failure = message
    }
  }
  const result = await runAction(io, env, tuning)

  if (parsed.json) {
    terminal.out(
      `${redactor.redact(JSON.stringify(jsonReport(outputs, result?.failure?.step ?? (failure ? 'inputs' : undefined), failure), null, 2))}\n`
    )
  } else {
    // Without a result the inputs were refused: the error alone says it all.
    if (result) terminal.out(redactor.redact(summary))
    if (failure) terminal.err(`error: ${redactor.redact(failure)}\n`)
  }
  if (!failure) return 0
  return result ? 1 : 2
}

function jsonReport(outputs: Record<string, string>, step: string | undefined, failure: string | undefined): object {
  return {
    ok: failure === undefined,
    rotated: outputs[Output.Rotated] === 'true',
    revoked: outputs[Output.Revoked] === 'true',
    expiresAt: outputs[Output.ExpiresAt] || null,
    tokenType: outputs[Output.TokenType] || null,
    scopes: outputs[Output.Scopes] ? (outputs[Output.Scopes] as string).split(',') : [],
    secrets: outputs[Output.Secrets] ? JSON.parse(outputs[Output.Secrets] as string) : [],
    failure: failure ? { step, message: failure } : null
  }
}
