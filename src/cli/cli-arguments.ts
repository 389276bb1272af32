// Command-line flags and environment variables → the action's inputs, by the same names:
// `--secret-name X` or `META_ROTATOR_SECRET_NAME=X`. A flag beats the environment; a credential is
// never taken from a flag (other users of the machine can read a process's arguments).
import { closestWords } from '../closest.js'
import { CREDENTIAL_INPUTS, Input, type InputName } from '../contract.js'
import { environmentVariable } from '../input-naming.js'
import { echoed } from '../outside-text.js'
import { PROGRAM } from './cli-usage.js'

/** The commands that do something; help and version are flags. Another command is one more name here. */
const COMMANDS = ['rotate', 'status'] as const
export type CliCommand = (typeof COMMANDS)[number] | 'help' | 'version'

export interface CliArguments {
  command: CliCommand
  inputs: Record<string, string>
  /** The inputs whose value came from a META_ROTATOR_* variable, not a flag: messages name them so. */
  fromEnvironment: Set<string>
  json: boolean
  /** --destinations-file: the file the destinations input is read from. */
  destinationsFile?: string
}

const INPUT_NAMES: ReadonlySet<string> = new Set(Object.values(Input))
const BOOLEAN_INPUTS: ReadonlySet<string> = new Set([
  Input.DryRun,
  Input.Expiring,
  Input.InstallApp,
  Input.RequireSameAssets,
  Input.KeepAlive
])
const OWN_FLAGS = ['json', 'help', 'version', 'destinations-file']
const FLAGS = [...INPUT_NAMES, ...OWN_FLAGS]
/** Single-dash letters people type out of habit from other tools, beyond the -h and -V this one takes. */
const SHORT_FLAGS = new Map([['v', 'version']])

export class CliUsageError extends Error {}

export function parseCliArguments(argv: readonly string[], env: NodeJS.ProcessEnv): CliArguments {
  const inputs: Record<string, string> = {}
  const fromEnvironment = new Set<string>()
  for (const name of INPUT_NAMES) {
    const value = env[environmentVariable(name)]
    if (value === undefined) continue
    inputs[name] = value
    fromEnvironment.add(name)
  }
  let command: CliCommand | undefined
  let json = false
  let destinationsFile: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--help' || arg === '-h') return { command: 'help', inputs, fromEnvironment, json }
    if (arg === '--version' || arg === '-V') return { command: 'version', inputs, fromEnvironment, json }
    if (arg === '--json') {
      json = true
      continue
    }
    if (/^-[^-]/.test(arg)) {
      const [word] = splitFlag(arg.slice(1))
      const long = SHORT_FLAGS.get(word)
      const suggestion = long ? ` Did you mean '--${long}'?` : didYouMean(word, FLAGS, '--')
      throw new CliUsageError(`Unknown flag '-${shown(word)}'.${suggestion} Run with --help.`)
    }
    if (!arg.startsWith('--')) {
      if (command) {
        throw new CliUsageError(
          `Unexpected argument '${shown(arg)}' after '${command}' (a value without its flag?). Run with --help.`
        )
      }
      if (!isCommand(arg)) {
        throw new CliUsageError(
          `Unknown command '${shown(arg)}'.${didYouMean(arg, [...COMMANDS], '')} Run with --help.`
        )
      }
      command = arg
      continue
    }
    const [flag, inline] = splitFlag(arg.slice(2))
    if ((flag as string) === 'destinations-file') {
      destinationsFile = inline ?? argv[++i]
      if (!destinationsFile) throw new CliUsageError("'--destinations-file' needs the path of a file.")
      continue
    }
    if (!INPUT_NAMES.has(flag)) {
      throw new CliUsageError(`Unknown flag '--${flag}'.${didYouMean(flag, FLAGS, '--')} Run with --help.`)
    }
    if ((CREDENTIAL_INPUTS as readonly string[]).includes(flag)) {
      throw new CliUsageError(
        `'--${flag}' would put a credential on the command line, where other users of this machine can read it. ` +
          `Set the environment variable ${environmentVariable(flag)} instead.`
      )
    }
    fromEnvironment.delete(flag)
    if (inline !== undefined) {
      inputs[flag] = inline
    } else if (BOOLEAN_INPUTS.has(flag) && (argv[i + 1] === undefined || argv[i + 1]?.startsWith('--'))) {
      inputs[flag] = 'true'
    } else {
      const value = argv[++i]
      if (value === undefined) throw new CliUsageError(`'--${flag}' needs a value.`)
      inputs[flag] = value
    }
  }
  if (!command) throw new CliUsageError(`Missing the command: '${PROGRAM} rotate …'. Run with --help.`)
  if (destinationsFile !== undefined && inputs[Input.Destinations]?.trim()) {
    throw new CliUsageError(
      `Both '--destinations-file' and ${fromEnvironment.has(Input.Destinations) ? environmentVariable(Input.Destinations) : "'--destinations'"} were given: use one.`
    )
  }
  return { command, inputs, fromEnvironment, json, ...(destinationsFile !== undefined ? { destinationsFile } : {}) }
}

function isCommand(word: string): word is (typeof COMMANDS)[number] {
  return (COMMANDS as readonly string[]).includes(word)
}

/** A stray word, echoed; one that may be a credential typed without its variable, only by its start. */
function shown(word: string): string {
  return word.length > 40 ? `${echoed(word.slice(0, 4))}…` : echoed(word, 40)
}

function didYouMean(word: string, candidates: string[], prefix: string): string {
  const close = closestWords(word, candidates, 2)
  return close.length > 0 ? ` Did you mean ${close.map((c) => `'${prefix}${c}'`).join(' or ')}?` : ''
}

function splitFlag(text: string): [InputName, string | undefined] {
  const equals = text.indexOf('=')
  return (equals < 0 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)]) as [
    InputName,
    string | undefined
  ]
}
