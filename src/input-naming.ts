// How a message names an input and a setting: the action speaks of inputs (`revoke: auto`), the
// CLI of flags and environment variables (`--revoke auto`, META_ROTATOR_TOKEN).
import { CREDENTIAL_INPUTS, Input, type InputName } from './contract.js'

export interface InputNaming {
  /** The input itself: `'app-id'` or `--app-id` (a credential: META_ROTATOR_APP_SECRET). */
  name: (input: InputName) => string
  /** A value to set it to: `revoke: auto` or `--revoke auto`. */
  setting: (input: InputName, value: string) => string
  /** Where a credential should come from. */
  credentialSource: (input: InputName) => string
  /** Where a new value of a credential goes: `the secret passed as 'github-token'` or META_ROTATOR_GITHUB_TOKEN. */
  credentialHolder: (input: InputName) => string
  /** The computer the rotation runs on: `the runner` or `this machine`. */
  machine: string
  /** A workflow step: sentences about the workflow (its GITHUB_TOKEN) are said there only. */
  inWorkflow: boolean
  /** The closing sentence of an input error. */
  fixInputs: string
}

export const actionInputs: InputNaming = {
  name: (input) => `'${input}'`,
  setting: (input, value) => `${input}: ${value}`,
  credentialSource: () => 'from a secret (${{ secrets.… }})',
  // `token` comes from the very secret the rotation rewrites: "the secret" of the summary's title.
  credentialHolder: (input) => (input === Input.Token ? 'the secret' : `the secret passed as '${input}'`),
  machine: 'the runner',
  inWorkflow: true,
  fixInputs: 'Correct the inputs above in the workflow step, then re-run.'
}

/** `app-secret` → `META_ROTATOR_APP_SECRET`. */
export function environmentVariable(input: string): string {
  return `META_ROTATOR_${input.toUpperCase().replace(/-/g, '_')}`
}

/**
 * The command line's naming. An input is named the way it was given: by its environment variable
 * when it came from one (`fromEnvironment`) or is a credential (which is never a flag), else by its flag.
 */
export function cliNaming(fromEnvironment: ReadonlySet<string> = new Set()): InputNaming {
  const credentials: ReadonlySet<string> = new Set(CREDENTIAL_INPUTS)
  const byVariable = (input: InputName): boolean => credentials.has(input) || fromEnvironment.has(input)
  return {
    name: (input) => (byVariable(input) ? environmentVariable(input) : `--${input}`),
    setting: (input, value) => (byVariable(input) ? `${environmentVariable(input)}=${value}` : `--${input} ${value}`),
    credentialSource: (input) => `in the environment variable ${environmentVariable(input)}`,
    credentialHolder: (input) => environmentVariable(input),
    machine: 'this machine',
    inWorkflow: false,
    fixInputs: 'Correct the flags above (or their META_ROTATOR_* environment variables) and run again.'
  }
}

export const cliFlags: InputNaming = cliNaming()
