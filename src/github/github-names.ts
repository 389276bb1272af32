// What GitHub accepts as a login, a repository and an environment name: checked before any request,
// since each of them becomes a segment of a request path.
import { looksLikeCredential } from '../credential-shape.js'
import { hasControlCharacters } from '../outside-text.js'

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
export const REPOSITORY_NAME = /^[A-Za-z0-9._-]{1,100}$/

/** A path segment that would change the request path instead of naming something. */
export function isDotSegment(name: string): boolean {
  return name === '.' || name === '..'
}

/** An organization (or user) login as GitHub allows it. */
export function isOwnerName(name: string): boolean {
  return OWNER.test(name)
}

/** A repository's own name (without its owner) as GitHub allows it. */
export function isRepositoryShortName(name: string): boolean {
  return REPOSITORY_NAME.test(name) && !isDotSegment(name)
}

/** `owner/repo`, each part a name GitHub allows and neither `.` nor `..`. */
export function isRepositoryName(fullName: string): boolean {
  const [owner, repo, ...rest] = fullName.split('/')
  return (
    rest.length === 0 && owner !== undefined && repo !== undefined && isOwnerName(owner) && isRepositoryShortName(repo)
  )
}

/** Why a name cannot be an environment's (it would change the request path, or GitHub refuses it); undefined when it can. */
export function environmentNameProblem(name: string): string | undefined {
  if (isDotSegment(name) || name.split('/').some(isDotSegment)) return "'.' and '..' are not names"
  if (name.length > 255 || hasControlCharacters(name)) return 'at most 255 characters, no control characters'
  if (looksLikeCredential(name)) return 'it looks like a token or a secret, not an environment name'
  return undefined
}
