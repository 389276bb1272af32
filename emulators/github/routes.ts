// The routes the emulator answers, recognised from the URL-decoded path segments.
import type { SecretScope, SecretType } from './model.js'

export type Route =
  | { kind: 'user' }
  | { kind: 'repository'; repo: string }
  | { kind: 'public-key'; scope: SecretScope; type: SecretType }
  | { kind: 'secrets'; scope: SecretScope; type: SecretType }
  | { kind: 'secret'; scope: SecretScope; type: SecretType; name: string }

const SECRET_TYPES: readonly string[] = ['actions', 'dependabot', 'codespaces']

const ALLOWED_METHODS: Record<Route['kind'], readonly string[]> = {
  user: ['GET'],
  repository: ['GET'],
  'public-key': ['GET'],
  secrets: ['GET'],
  secret: ['GET', 'PUT', 'DELETE']
}

/** The route of a request, or undefined when GitHub has no such endpoint (it answers 404). */
export function parseRoute(method: string, segments: string[]): Route | undefined {
  const route = parseSegments(segments)
  return route && ALLOWED_METHODS[route.kind].includes(method) ? route : undefined
}

function parseSegments(segments: string[]): Route | undefined {
  const [first, ...rest] = segments
  if (first === 'user') {
    if (rest.length === 0) return { kind: 'user' }
    const [type, ...tail] = rest
    return type === 'codespaces' ? secretsRoute({ kind: 'user' }, 'codespaces', tail) : undefined
  }
  if (first === 'orgs') {
    const [org, type, ...tail] = rest
    return org && isSecretType(type) ? secretsRoute({ kind: 'organization', org }, type, tail) : undefined
  }
  if (first === 'repos') {
    const [owner, name, area, ...tail] = rest
    if (!owner || !name) return undefined
    const repo = `${owner}/${name}`
    if (area === undefined) return { kind: 'repository', repo }
    if (isSecretType(area)) return secretsRoute({ kind: 'repository', repo }, area, tail)
    const [environment, ...envTail] = tail
    if (area === 'environments' && environment) {
      return secretsRoute({ kind: 'environment', repo, environment }, 'actions', envTail)
    }
  }
  return undefined
}

/** `secrets`, `secrets/public-key` or `secrets/{name}` under a scope. */
function secretsRoute(scope: SecretScope, type: SecretType, tail: string[]): Route | undefined {
  const [secrets, name, ...extra] = tail
  if (secrets !== 'secrets' || extra.length > 0) return undefined
  if (name === undefined) return { kind: 'secrets', scope, type }
  if (name === 'public-key') return { kind: 'public-key', scope, type }
  return { kind: 'secret', scope, type, name }
}

function isSecretType(value: string | undefined): value is SecretType {
  return value !== undefined && SECRET_TYPES.includes(value)
}
