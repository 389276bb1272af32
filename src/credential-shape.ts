// What a credential looks like, so one given where a name goes (a token pasted as `secret-name`) is
// refused and never echoed whole: nothing masks it, because nothing expected a secret there.

/** A long run of letters and digits: a token, an app secret or a PAT typed into the wrong place. */
const LONG_TOKEN_RUN = /^(?=.*[A-Za-z])(?=.*\d)[\w|-]{20,}$/

/**
 * The prefixes of the credentials this action handles: Meta user, page and system user tokens (EAA…),
 * Instagram Login tokens (IGAA…, IGQV…), GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_).
 */
const KNOWN_PREFIX = /^(EAA[A-Za-z0-9]|IGAA|IGQV|gh[pousr]_|github_pat_)[A-Za-z0-9_]{12,}/

/** An app secret as Meta issues it: 32 lower-case hex digits. */
const APP_SECRET = /^[0-9a-f]{32}$/

/**
 * True when `value` can only be a credential: a known token prefix, an app secret, or a long run
 * mixing lower case, upper case and digits. Names as people write them (META_TOKEN_PROD_2026,
 * production, octo/app) are one case or carry separators, so they never match.
 */
export function looksLikeCredential(value: string): boolean {
  const text = value.trim()
  if (KNOWN_PREFIX.test(text) || APP_SECRET.test(text)) return true
  return LONG_TOKEN_RUN.test(text) && /[a-z]/.test(text) && /[A-Z]/.test(text)
}

/**
 * Whether an echoed value may be a credential: broader than looksLikeCredential, since a message
 * loses nothing by showing only the start of a long name, and a credential shown whole is lost.
 */
export function mayBeCredential(value: string): boolean {
  const text = value.trim()
  return LONG_TOKEN_RUN.test(text) || looksLikeCredential(text)
}

/** The credential-shaped words of an input's value (a multi-line list holds several words). */
export function credentialWords(value: string): string[] {
  return value.split(/[\s,;=:'"`()[\]{}<>]+/).filter((word) => word !== '' && looksLikeCredential(word))
}
