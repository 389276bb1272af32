// Text that comes from outside (Meta's and GitHub's answers, inputs echoed back) is data, never
// markup or a command: it is made one inert line before it is logged, put in the summary or an issue.
import { mayBeCredential } from './credential-shape.js'

const MAX_CHARS = 600
/** The mark left where a text was cut to length. */
export const CUT_MARK = '…'

/** C0 and C1 control characters and the Unicode line separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

export function hasControlCharacters(text: string): boolean {
  return CONTROL.test(text)
}

/**
 * One line: control characters and line breaks become spaces (a line break would let the text
 * start a line of the log, where `::stop-commands::` or `::add-mask::` are commands), and the
 * length is bounded.
 */
export function outsideText(text: unknown, maxChars = MAX_CHARS): string {
  const raw = typeof text === 'string' ? text : text === undefined || text === null ? '' : JSON.stringify(text)
  const line = raw.replace(new RegExp(`${CONTROL.source}+`, 'g'), ' ').trim()
  return line.length > maxChars ? `${line.slice(0, maxChars)}${CUT_MARK}` : line
}

/**
 * An input value echoed in a message: one inert line, bounded; of what may be a credential given
 * where none was expected (so nothing masks it), only its first characters.
 */
export function echoed(value: string, maxChars = 80): string {
  const trimmed = value.trim()
  return mayBeCredential(trimmed) ? `${outsideText(trimmed.slice(0, 4))}${CUT_MARK}` : outsideText(value, maxChars)
}

/**
 * How the runner finds a command in a line (actions/runner, ActionCommand.cs): `::name::` at the start
 * after .NET's TrimStart (which also trims U+0085, unlike \s), or the legacy `##[name]` anywhere in it.
 */
const COMMAND = /^[\s\u0085]*::/
const LEGACY_COMMAND = /##\[/g

/**
 * The last guard before the log: a line that the runner would read as a workflow command gets a
 * visible prefix (`::name::…`), and a legacy `##[` anywhere in a line is broken up (`## [`), so every
 * line of ours stays text.
 */
export function inertLines(message: string): string {
  return message
    .split(/\r\n|\r|\n/)
    .map((line) => {
      const text = line.replace(LEGACY_COMMAND, '## [')
      return COMMAND.test(text) ? `› ${text}` : text
    })
    .join('\n')
}
