// Reading one input at a time, each problem named by its input and collected, so that every
// problem of a workflow step is reported at once.
import type { InputName } from '../contract.js'
import type { InputNaming } from '../input-naming.js'
import { echoed } from '../outside-text.js'

export type InputReader = (name: string) => string
export type Problem = (input: InputName, text: string) => void

const MAX_SECRET_BYTES = 48 * 1024

/** An input value echoed in a message: one inert line, short, in quotes. */
export function quote(value: string | undefined): string {
  return `'${echoed(value ?? '')}'`
}

/** Splits a list input on newlines and commas, trimming and dropping empty entries. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean)
}

export class InputReading {
  readonly problems: string[] = []
  /** Said once the inputs are read (e.g. a scope newer than the list known here). */
  readonly warnings: string[] = []

  constructor(
    readonly raw: InputReader,
    readonly naming: InputNaming
  ) {}

  readonly problem: Problem = (input, text) => {
    this.problems.push(`${this.naming.name(input)}: ${text}`)
  }

  name(input: InputName): string {
    return this.naming.name(input)
  }

  /** `revoke: auto` or `--revoke auto`. */
  set(input: InputName, value: string): string {
    return this.naming.setting(input, value)
  }

  text(input: InputName): string {
    return this.raw(input).trim()
  }

  optional(input: InputName): string | undefined {
    return this.text(input) || undefined
  }

  /** A problem when the input was given at all. */
  notWith(input: InputName, why: string): void {
    if (this.text(input)) this.problem(input, why)
  }

  oneOf<T extends string>(input: InputName, allowed: readonly T[], fallback: T): T {
    const value = this.text(input)
    if (!value) return fallback
    if ((allowed as readonly string[]).includes(value)) return value as T
    this.problem(input, `${quote(value)} is not one of ${allowed.map((a) => `'${a}'`).join(', ')}.`)
    return fallback
  }

  bool(input: InputName, fallback: boolean): boolean {
    const value = this.text(input)
    if (!value) return fallback
    if (/^(true|True|TRUE)$/.test(value)) return true
    if (/^(false|False|FALSE)$/.test(value)) return false
    this.problem(input, `${quote(value)} is not a boolean: use true or false.`)
    return fallback
  }

  credential(input: InputName, what: string, required: boolean): string | undefined {
    const value = this.text(input)
    if (!value) {
      if (required) this.problem(input, `required: pass ${what}, ${this.naming.credentialSource(input)}.`)
      return undefined
    }
    // Reported without the value: a malformed credential is still a credential.
    if (!/^[\x21-\x7e]+$/.test(value)) {
      this.problem(input, `contains spaces, line breaks or non-ASCII characters; ${what} never does. Check its value.`)
    } else if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      this.problem(input, `is longer than 48 KB, more than any ${what}. Check its value.`)
    }
    return value
  }
}
