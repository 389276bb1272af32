// expiry-variable's name: GitHub's rules for variable names are those of secret names (letters,
// digits, underscores; no leading digit; no GITHUB_ prefix), checked before anything is minted.
import { secretNameProblem } from '../github/secret-names.js'
import { echoed } from '../outside-text.js'

/** The name as GitHub stores it (upper case), or undefined when empty or refused (with its problem said). */
export function readExpiryVariable(name: string | undefined, problem: (why: string) => void): string | undefined {
  if (!name) return undefined
  const why = secretNameProblem(name)
  if (!why) return name.toUpperCase()
  problem(`'${echoed(name)}' is not a valid GitHub variable name: ${why.replace('into the secret', 'into a secret')}.`)
  return undefined
}
