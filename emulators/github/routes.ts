// The routes the emulator answers, recognised from the URL-decoded path segments.
import type { SecretScope, SecretType } from './model.js'
import type { VariableScope } from './variables.js'

export type Route =
  | { kind: 'user' }
  | { kind: 'repository'; repo: string }
  | { kind: 'public-key'; scope: SecretScope; type: SecretType }
  | { kind: 'secrets'; scope: SecretScope; type: SecretType }
  | { kind: 'secret'; scope: SecretScope; type: SecretType; name: string }
  /** The repositories allowed to use an organization secret whose visibility is `selected`. */
  | { kind: 'selected-repositories'; scope: OrganizationScope; type: SecretType; name: string }
  | { kind: 'selected-repository'; scope: OrganizationScope; type: SecretType; name: string; repositoryId: number }
  | { kind: 'issues'; repo: string }
  | { kind: 'issue'; repo: string; number: string }
  | { kind: 'issue-comments'; repo: string; number: string }
  | WorkflowRoute
  | VariableRoute

/** Actions variables of a repository, an environment or an organization. */
export type VariableRoute =
  { kind: 'variables'; scope: VariableScope } | { kind: 'variable'; scope: VariableScope; name: string }

/** Actions workflows and runs, and the contents API (which reads a workflow's file at a ref). */
export type WorkflowRoute =
  | { kind: 'workflow'; repo: string; workflow: string }
  | { kind: 'workflow-dispatches'; repo: string; workflow: string }
  | { kind: 'workflow-enable'; repo: string; workflow: string }
  | { kind: 'run'; repo: string; runId: number }
  | { kind: 'contents'; repo: string; path: string }

export type OrganizationScope = Extract<SecretScope, { kind: 'organization' }>

export type IssueRoute = Extract<Route, { kind: 'issues' | 'issue' | 'issue-comments' }>

const SECRET_TYPES: readonly string[] = ['actions', 'dependabot', 'codespaces']

const ALLOWED_METHODS: Record<Route['kind'], readonly string[]> = {
  user: ['GET'],
  repository: ['GET'],
  'public-key': ['GET'],
  secrets: ['GET'],
  secret: ['GET', 'PUT', 'DELETE'],
  'selected-repositories': ['GET', 'PUT'],
  'selected-repository': ['PUT', 'DELETE'],
  issues: ['GET', 'POST'],
  issue: ['PATCH'],
  'issue-comments': ['POST'],
  workflow: ['GET'],
  'workflow-dispatches': ['POST'],
  'workflow-enable': ['PUT'],
  run: ['GET'],
  contents: ['GET'],
  variables: ['GET', 'POST'],
  variable: ['GET', 'PATCH', 'DELETE']
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
    if (org && type === 'actions' && tail[0] === 'variables') return variablesRoute({ kind: 'organization', org }, tail)
    return org && isSecretType(type) ? secretsRoute({ kind: 'organization', org }, type, tail) : undefined
  }
  if (first === 'repos') {
    const [owner, name, area, ...tail] = rest
    if (!owner || !name) return undefined
    const repo = `${owner}/${name}`
    if (area === undefined) return { kind: 'repository', repo }
    if (area === 'actions' && (tail[0] === 'workflows' || tail[0] === 'runs')) return workflowRoute(repo, tail)
    if (area === 'actions' && tail[0] === 'variables') return variablesRoute({ kind: 'repository', repo }, tail)
    if (area === 'contents' && tail.length > 0) return { kind: 'contents', repo, path: tail.join('/') }
    if (isSecretType(area)) return secretsRoute({ kind: 'repository', repo }, area, tail)
    if (area === 'issues') return issuesRoute(repo, tail)
    const [environment, ...envTail] = tail
    if (area === 'environments' && environment && envTail[0] === 'variables') {
      return variablesRoute({ kind: 'environment', repo, environment }, envTail)
    }
    if (area === 'environments' && environment) {
      return secretsRoute({ kind: 'environment', repo, environment }, 'actions', envTail)
    }
  }
  return undefined
}

/**
 * `secrets`, `secrets/public-key` or `secrets/{name}` under a scope; under an organization also
 * `secrets/{name}/repositories[/{repository_id}]`.
 */
function secretsRoute(scope: SecretScope, type: SecretType, tail: string[]): Route | undefined {
  const [secrets, name, repositories, repositoryId, ...extra] = tail
  if (secrets !== 'secrets' || extra.length > 0) return undefined
  if (name === undefined) return { kind: 'secrets', scope, type }
  if (repositories === undefined) {
    return name === 'public-key' ? { kind: 'public-key', scope, type } : { kind: 'secret', scope, type, name }
  }
  if (scope.kind !== 'organization' || repositories !== 'repositories') return undefined
  if (repositoryId === undefined) return { kind: 'selected-repositories', scope, type, name }
  return /^\d+$/.test(repositoryId)
    ? { kind: 'selected-repository', scope, type, name, repositoryId: Number(repositoryId) }
    : undefined
}

/** `variables` or `variables/{name}` under a scope. */
function variablesRoute(scope: VariableScope, tail: string[]): Route | undefined {
  const [, name, ...extra] = tail
  if (extra.length > 0) return undefined
  return name === undefined ? { kind: 'variables', scope } : { kind: 'variable', scope, name }
}

/** `issues`, `issues/{number}` or `issues/{number}/comments` of a repository. */
function issuesRoute(repo: string, tail: string[]): Route | undefined {
  const [number, comments, ...extra] = tail
  if (number === undefined) return { kind: 'issues', repo }
  if (!/^\d+$/.test(number) || extra.length > 0) return undefined
  if (comments === undefined) return { kind: 'issue', repo, number }
  return comments === 'comments' ? { kind: 'issue-comments', repo, number } : undefined
}

/** `workflows/{id}`, `workflows/{id}/dispatches`, `workflows/{id}/enable` or `runs/{id}`. */
function workflowRoute(repo: string, tail: string[]): Route | undefined {
  const [area, id, action, ...extra] = tail
  if (!id || extra.length > 0) return undefined
  if (area === 'runs')
    return action === undefined && /^\d+$/.test(id) ? { kind: 'run', repo, runId: Number(id) } : undefined
  if (action === undefined) return { kind: 'workflow', repo, workflow: id }
  if (action === 'dispatches') return { kind: 'workflow-dispatches', repo, workflow: id }
  return action === 'enable' ? { kind: 'workflow-enable', repo, workflow: id } : undefined
}

export function isWorkflowRoute(route: Route): route is WorkflowRoute {
  return ['workflow', 'workflow-dispatches', 'workflow-enable', 'run', 'contents'].includes(route.kind)
}

export function isVariableRoute(route: Route): route is VariableRoute {
  return route.kind === 'variables' || route.kind === 'variable'
}

export function isIssueRoute(route: Route): route is IssueRoute {
  return route.kind === 'issues' || route.kind === 'issue' || route.kind === 'issue-comments'
}

function isSecretType(value: string | undefined): value is SecretType {
  return value !== undefined && SECRET_TYPES.includes(value)
}
