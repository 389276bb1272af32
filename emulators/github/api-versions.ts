// GitHub's REST API versions, chosen with the X-GitHub-Api-Version header. A request without it
// gets 2022-11-28; one naming a version GitHub does not have is refused before anything else.
import type { IncomingHttpHeaders } from 'node:http'
import type { JsonResponse } from '../loopback-server.js'
import { githubError } from './responses.js'

/** Newest first. */
export const API_VERSIONS: readonly string[] = ['2026-03-10', '2022-11-28']
export const DEFAULT_API_VERSION = '2022-11-28'

/** The version a request asked for, undefined when it sent no header. */
export function requestedApiVersion(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-github-api-version']
  return (Array.isArray(value) ? value[0] : value)?.trim()
}

/** The version GitHub answers with: the one asked for, or the default. */
export function selectedApiVersion(headers: IncomingHttpHeaders): string {
  const asked = requestedApiVersion(headers)
  return asked !== undefined && API_VERSIONS.includes(asked) ? asked : DEFAULT_API_VERSION
}

/** GitHub's 400 for a version it does not have, in its words. */
export function unsupportedApiVersion(version: string): JsonResponse | undefined {
  if (API_VERSIONS.includes(version)) return undefined
  const supported = API_VERSIONS.map((v, i) => (i === 0 ? `"${v}" (most recent)` : `"${v}"`)).join(', ')
  return githubError(
    400,
    `The version you specified in the "X-GitHub-Api-Version" request header, "${version}", is not a supported version. ` +
      `The following versions are currently supported: ${supported}.`
  )
}
