// How a message names an input and a setting: the action speaks of inputs (`revoke: auto`), the
// CLI of flags and environment variables (`--revoke auto`, META_ROTATOR_TOKEN).
import type { InputName } from './contract.js'

export interface InputNaming {
  /** The input itself: `'app-id'` or `--app-id`. */
  name: (input: InputName) => string
  /** A value to set it to: `revoke: auto` or `--revoke auto`. */
  setting: (input: InputName, value: string) => string
  /** Where a credential should come from. */
  credentialSource: (input: InputName) => string
  /** The closing sentence of an input error. */
  fixInputs: string
}

export const actionInputs: InputNaming = {
  name: (input) => `'${input}'`,
  setting: (input, value) => `${input}: ${value}`,
  credentialSource: () => 'from a secret (${{ secrets.… }})',
  fixInputs: 'Correct the inputs above in the workflow step, then re-run.'
}

/** `app-secret` → `META_ROTATOR_APP_SECRET`. */
export function environmentVariable(input: string): string {
  return `META_ROTATOR_${input.toUpperCase().replace(/-/g, '_')}`
}

export const cliFlags: InputNaming = {
  name: (input) => `--${input}`,
  setting: (input, value) => `--${input} ${value}`,
  credentialSource: (input) => `in the environment variable ${environmentVariable(input)}`,
  fixInputs: 'Correct the flags above (or their META_ROTATOR_* environment variables) and run again.'
}
