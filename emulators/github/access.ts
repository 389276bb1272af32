// Who is calling and what they may do: the 401, 404 and 403 answers of GitHub's secrets and issues APIs.
import type { IncomingHttpHeaders } from 'node:http'
import type { JsonResponse } from '../loopback-server.js'
import type { GitHubState, Permission, PermissionName, SecretScope, SecretType, Token } from './model.js'
import { githubError, notFound } from './responses.js'
import { isIssueRoute, isVariableRoute, isWorkflowRoute, type Route } from './routes.js'
import type { VariableScope } from './variables.js'

/** The token of `Authorization: Bearer …` or `Authorization: token …`. */
export function presentedToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^(?:bearer|token)\s+(\S+)\s*$/i.exec(headers.authorization ?? '')
  return match?.[1]
}

export function authenticate(state: GitHubState, headers: IncomingHttpHeaders, docs: string): Token | JsonResponse {
  if (!headers.authorization) return githubError(401, 'Requires authentication', docs)
  const value = presentedToken(headers)
  const token = value ? state.token(value) : undefined
  const expired = token?.expiresAt && token.expiresAt.getTime() <= state.clock.now().getTime()
  return (!expired && token) || githubError(401, 'Bad credentials', docs)
}

/**
 * 404 when the repository, environment or organization does not exist or the token cannot see it
 * (GitHub does not reveal that a private resource exists), else undefined.
 */
export function checkVisibility(
  state: GitHubState,
  token: Token,
  route: Route,
  docs: string
): JsonResponse | undefined {
  if (route.kind === 'user') return undefined
  const scope: SecretScope = 'scope' in route ? route.scope : { kind: 'repository', repo: route.repo }
  if (state.missing(scope)) return notFound(docs)
  if (!token.repositories) return undefined
  const visible = token.repositories.map((r) => r.toLowerCase())
  switch (scope.kind) {
    case 'repository':
    case 'environment':
      return visible.includes(scope.repo.toLowerCase()) ? undefined : notFound(docs)
    case 'organization': {
      const owner = scope.org.toLowerCase()
      return visible.some((r) => r.startsWith(`${owner}/`)) ? undefined : notFound(docs)
    }
    case 'user':
      return undefined
  }
}

const WORKFLOW_TOKEN_PERMISSIONS: readonly PermissionName[] = ['issues', 'actions', 'contents']

interface Requirement {
  permission: PermissionName
  level: Permission
  /** Classic PAT scopes, any one of which is enough. */
  oauthScopes: string[]
}

function requirement(scope: SecretScope, type: SecretType, method: string): Requirement {
  const level: Permission = method === 'GET' ? 'read' : 'write'
  switch (scope.kind) {
    case 'repository':
      return { level, oauthScopes: ['repo'], permission: type === 'actions' ? 'secrets' : `${type}_secrets` }
    case 'environment':
      return { level, oauthScopes: ['repo'], permission: 'environments' }
    case 'organization':
      return {
        level,
        oauthScopes: ['admin:org'],
        permission: type === 'actions' ? 'organization_secrets' : `organization_${type}_secrets`
      }
    case 'user':
      return { level, oauthScopes: ['codespace', 'codespace:secrets'], permission: 'codespaces_user_secrets' }
  }
}

/** Repository variables need "Variables", environment ones "Environments", organization ones the organization's "Variables". */
function variableRequirement(scope: VariableScope, level: Permission): Requirement {
  switch (scope.kind) {
    case 'repository':
      return { level, oauthScopes: ['repo'], permission: 'actions_variables' }
    case 'environment':
      return { level, oauthScopes: ['repo'], permission: 'environments' }
    case 'organization':
      return { level, oauthScopes: ['admin:org'], permission: 'organization_actions_variables' }
  }
}

/** 403 when the token lacks the permission (or classic scope) the route needs, else undefined. */
export function checkPermission(token: Token, route: Route, method: string, docs: string): JsonResponse | undefined {
  const integration = token.kind === 'github-actions' || token.kind === 'app-installation'
  if (route.kind === 'user') {
    // Installation tokens, GITHUB_TOKEN included, do not act as a user.
    return integration ? githubError(403, 'Resource not accessible by integration', docs) : undefined
  }
  if (route.kind === 'repository') return undefined // metadata: read, which every token has

  const level: Permission = method === 'GET' ? 'read' : 'write'
  const needed: Requirement = isIssueRoute(route)
    ? // The emulated repositories are private: a classic PAT needs `repo` (public_repo is not enough).
      { permission: 'issues', level, oauthScopes: ['repo'] }
    : isWorkflowRoute(route)
      ? { permission: route.kind === 'contents' ? 'contents' : 'actions', level, oauthScopes: ['repo'] }
      : isVariableRoute(route)
        ? variableRequirement(route.scope, level)
        : requirement(route.scope, route.type, method)
  if (token.kind === 'classic') {
    if (needed.oauthScopes.some((s) => token.scopes?.includes(s))) return undefined
    return githubError(403, 'Resource not accessible by personal access token', docs, {
      'x-accepted-oauth-scopes': needed.oauthScopes.join(', ')
    })
  }
  // The workflow's GITHUB_TOKEN cannot be granted any secrets permission; `permissions: issues: …`
  // (and actions, contents) it can.
  const granted =
    token.kind === 'github-actions' && !WORKFLOW_TOKEN_PERMISSIONS.includes(needed.permission)
      ? undefined
      : token.permissions?.[needed.permission]
  if (granted === 'write' || granted === needed.level) return undefined
  const message = integration
    ? 'Resource not accessible by integration'
    : 'Resource not accessible by personal access token'
  return githubError(403, message, docs, {
    'x-accepted-github-permissions': `${needed.permission}=${needed.level}`
  })
}
