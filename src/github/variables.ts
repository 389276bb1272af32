// GitHub Actions variables, one request each: where a destination's variables live, and read, create,
// update, delete there. The fallbacks between them are the callers' (expiry-variable falls back from a
// POST's 409 to a PATCH; a lease must not, since that 409 is what makes the lease one run's alone).
import type { Destination } from './destinations.js'
import type { GitHubClient } from './github-client.js'
import { readGitHubError } from './github-error.js'

/** Where one variable lives: a destination's scope, each scope once. */
export interface VariableScope {
  /** The first destination of the scope: named in every message about it. */
  destination: Destination
  where: string
  route: string
  params: Record<string, string>
}

/** The variables' scopes of the destinations, each once; the user's codespaces secret has none. */
export function variableScopes(destinations: Destination[]): VariableScope[] {
  const scopes = new Map<string, VariableScope>()
  for (const destination of destinations) {
    const { kind, params } = destination
    if (kind === 'user') continue
    const route =
      kind === 'environment'
        ? '/repos/{owner}/{repo}/environments/{environment_name}/variables'
        : kind === 'organization'
          ? '/orgs/{org}/actions/variables'
          : '/repos/{owner}/{repo}/actions/variables'
    const key = `${route} ${JSON.stringify(params)}`.toLowerCase()
    if (!scopes.has(key)) scopes.set(key, { destination, where: variableWhere(destination), route, params })
  }
  return [...scopes.values()]
}

function variableWhere(destination: Destination): string {
  switch (destination.kind) {
    case 'environment':
      return `environment '${destination.environment}' of ${destination.target}`
    case 'organization':
      return `organization ${destination.target}`
    default:
      return `repository ${destination.target}`
  }
}

/** The permission a variable's scope needs, as GitHub's settings page names it. */
export function variablePermission(destination: Destination): string {
  if (destination.kind === 'environment')
    return "repository permission 'Environments: Read and write' (actions_variables of an environment; classic PAT: repo)"
  return destination.kind === 'organization'
    ? "organization permission 'Variables: Read and write' (organization_actions_variables; classic PAT: admin:org)"
    : "repository permission 'Variables: Read and write' (actions_variables; classic PAT: repo)"
}

export class Variables {
  constructor(private readonly github: GitHubClient) {}

  /** The variable's value, or undefined when it does not exist. */
  async read(scope: VariableScope, name: string): Promise<string | undefined> {
    try {
      const response = await this.github.request(`GET ${scope.route}/{name}`, { ...scope.params, name })
      const value = (response.data as { value?: unknown }).value
      return typeof value === 'string' ? value : ''
    } catch (error) {
      if (readGitHubError(error).status === 404) return undefined
      throw error
    }
  }

  /** POST: GitHub answers 409 when the name exists. `access`: an organization variable's visibility. */
  /** POST; true only when GitHub answered 201 Created (any other answer may or may not have landed). */
  async create(
    scope: VariableScope,
    name: string,
    value: string,
    access: Record<string, unknown> = {}
  ): Promise<boolean> {
    const response = await this.github.request(`POST ${scope.route}`, { ...scope.params, name, value, ...access })
    return response.status === 201
  }

  /** PATCH: GitHub answers 404 when the name does not exist. */
  async update(scope: VariableScope, name: string, value: string): Promise<void> {
    await this.github.request(`PATCH ${scope.route}/{name}`, { ...scope.params, name, value })
  }

  /** DELETE; one already gone counts as deleted. */
  async remove(scope: VariableScope, name: string): Promise<void> {
    try {
      await this.github.request(`DELETE ${scope.route}/{name}`, { ...scope.params, name })
    } catch (error) {
      if (readGitHubError(error).status !== 404) throw error
    }
  }

  /** Whether the token may list the scope's variables (a dry run's read check). */
  async list(scope: VariableScope): Promise<void> {
    await this.github.request(`GET ${scope.route}`, { ...scope.params, per_page: 1 })
  }
}
