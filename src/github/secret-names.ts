// GitHub's rules for secret names, checked before anything is minted so a bad name never costs a token.
import { looksLikeCredential } from '../credential-shape.js'

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Returns why `name` is not a valid GitHub secret name, or undefined when it is. */
export function secretNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty'
  // A token is a valid name by GitHub's rules, and nothing masks it there: refused, never echoed whole.
  if (looksLikeCredential(name)) {
    return 'it looks like a token or a secret, not a name: the token goes into the secret (or the token input), its name here, e.g. META_TOKEN'
  }
  if (/^[0-9]/.test(name)) return 'it starts with a digit'
  if (/^GITHUB_/i.test(name)) return 'names starting with GITHUB_ are reserved by GitHub'
  if (!SECRET_NAME.test(name)) {
    return 'only letters, digits and underscores are allowed (no spaces, dashes or dots)'
  }
  return undefined
}

/** GitHub stores secret names upper-case and compares them case-insensitively. */
export function sameSecretName(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase()
}
