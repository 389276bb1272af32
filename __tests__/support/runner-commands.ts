// The workflow commands the GitHub Actions runner would carry out, read from a step's stdout by the
// runner's own rules (actions/runner, src/Runner.Common/ActionCommand.cs and
// src/Runner.Worker/ActionCommandManager.cs):
// - lines end at \r, \n or \r\n (ReadLine);
// - each line is tried as `::name props::data` after trimming leading spaces (TryParseV2), then as the
//   legacy `##[name props;]data` ANYWHERE in the line (TryParse: `message.IndexOf("##[")`);
// - only registered names count (the command extensions, plus stop-commands);
// - `stop-commands` with a token suspends every command until a line `::token::` (or `##[token]`).

/** The runner's registered commands. */
export const RUNNER_COMMANDS = [
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
  'stop-commands'
]

export interface RunnerCommand {
  /** 1-based line of stdout. */
  line: number
  name: string
  properties: Record<string, string>
  /** Unescaped as the runner unescapes it. */
  data: string
  /** The line was read while commands were stopped (then only the resume token counts). */
  form: 'v2' | 'legacy'
}

function unescape(text: string, mappings: Array<[string, string]>): string {
  return mappings.reduce((acc, [token, replacement]) => acc.split(replacement).join(token), text)
}
const DATA: Array<[string, string]> = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  ['%', '%25']
]
const PROPERTY: Array<[string, string]> = [
  ['\r', '%0D'],
  ['\n', '%0A'],
  [':', '%3A'],
  [',', '%2C'],
  ['%', '%25']
]
const LEGACY: Array<[string, string]> = [
  [';', '%3B'],
  ['\r', '%0D'],
  ['\n', '%0A'],
  [']', '%5D'],
  ['%', '%25']
]

function parseV2(line: string, registered: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  // .NET's TrimStart: Unicode white space, U+0085 included (JavaScript's \s leaves it).
  const message = line.replace(/^[\s\u0085]+/, '')
  if (!message.startsWith('::')) return undefined
  const end = message.indexOf('::', 2)
  if (end < 0) return undefined
  const command = nameAndProperties(message.slice(2, end), registered, (rest) => rest.trim().split(','), PROPERTY)
  return command && { ...command, data: unescape(message.slice(end + 2), DATA), form: 'v2' }
}

function parseLegacy(line: string, registered: Set<string>): Omit<RunnerCommand, 'line'> | undefined {
  const prefix = line.indexOf('##[')
  if (prefix < 0) return undefined
  const close = line.indexOf(']', prefix)
  if (close < 0) return undefined
  const command = nameAndProperties(line.slice(prefix + 3, close), registered, (rest) => rest.split(';'), LEGACY)
  if (!command) return undefined
  return { ...command, data: unescape(line.slice(close + 1), LEGACY), form: 'legacy' }
}

/** `name key=value,…` (or `;` in the legacy form): the name, when registered, and the properties. */
function nameAndProperties(
  info: string,
  registered: Set<string>,
  pairsOf: (rest: string) => string[],
  table: Array<[string, string]>
): Pick<RunnerCommand, 'name' | 'properties'> | undefined {
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (!registered.has(name)) return undefined
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of pairsOf(info.slice(space + 1)).filter(Boolean)) {
      const at = pair.indexOf('=')
      if (at > 0 && at < pair.length - 1) properties[pair.slice(0, at)] = unescape(pair.slice(at + 1), table)
    }
  }
  return { name, properties }
}

/** Every command the runner would carry out, in order; commands suspended by stop-commands are left out. */
export function runnerCommands(stdout: string): RunnerCommand[] {
  const registered = new Set(RUNNER_COMMANDS)
  const carried: RunnerCommand[] = []
  let stopToken: string | undefined
  // The runner reads lines as .NET's ReadLine does: \r, \n and \r\n all end one.
  stdout.split(/\r\n|\r|\n/).forEach((text, index) => {
    const command = parseV2(text, registered) ?? parseLegacy(text, registered)
    if (!command) return
    if (stopToken !== undefined) {
      if (command.name === stopToken) {
        registered.delete(stopToken)
        stopToken = undefined
      }
      return
    }
    carried.push({ line: index + 1, ...command })
    if (command.name === 'stop-commands' && command.data) {
      stopToken = command.data
      registered.add(stopToken)
    }
  })
  return carried
}
