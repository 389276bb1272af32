// GitHub Actions variables (configuration variables, `vars.NAME`): plain text, readable by anyone
// who may read the repository's settings, in three scopes: a repository, an environment, an
// organization (with the same visibility as an organization secret).
//
// Answers as GitHub gives them:
//   POST …/variables {name, value[, visibility, selected_repository_ids]}: 201 `{}`; 409 when the
//   name exists (what `gh variable set` relies on to fall back to PATCH); 422 for a bad name or size.
//   PATCH …/variables/{name} {name?, value?, …}: 204; 404 when it does not exist (a `name` renames it).
//   GET …/variables/{name}: 200 {name, value, created_at, updated_at[, visibility,
//   selected_repositories_url]}; GET …/variables: {total_count, variables}; DELETE: 204.
// Names follow the secrets' rules and are stored upper-case; values are limited to 48 KB; a repository
// holds at most 500, an environment 100, an organization 1,000.
import type { JsonResponse } from '../loopback-server.js'
import type { GitHubState } from './model.js'
import { githubError, notFound, unprocessable } from './responses.js'

export type VariableScope =
  | { kind: 'repository'; repo: string }
  | { kind: 'environment'; repo: string; environment: string }
  | { kind: 'organization'; org: string }

export interface StoredVariable {
  name: string
  value: string
  createdAt: string
  updatedAt: string
  visibility?: 'all' | 'private' | 'selected'
  selectedRepositoryIds?: number[]
}

export const MAX_VARIABLE_BYTES = 48 * 1024

export const VARIABLE_COUNT_LIMIT: Record<VariableScope['kind'], number> = {
  repository: 500,
  environment: 100,
  organization: 1000
}

const VISIBILITIES: readonly string[] = ['all', 'private', 'selected']

/** The rule GitHub states when it refuses a variable name; undefined for a valid one. */
export function variableNameError(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return 'Variable names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).'
  }
  if (/^GITHUB_/i.test(name)) return 'Variable names must not start with GITHUB_.'
  return undefined
}

/** Every scope's variables, keyed by upper-case name. */
export class VariableStore {
  private readonly scopes = new Map<string, Map<string, StoredVariable>>()

  of(scope: VariableScope): Map<string, StoredVariable> {
    const key = variableScopeKey(scope)
    let variables = this.scopes.get(key)
    if (!variables) {
      variables = new Map()
      this.scopes.set(key, variables)
    }
    return variables
  }

  all(): StoredVariable[] {
    return [...this.scopes.values()].flatMap((variables) => [...variables.values()].map((v) => ({ ...v })))
  }

  /** A copy of the variable as stored; the name is not case-sensitive. */
  get(scope: VariableScope, name: string): StoredVariable | undefined {
    const variable = this.of(scope).get(name.toUpperCase())
    return variable && { ...variable, selectedRepositoryIds: variable.selectedRepositoryIds?.slice() }
  }
}

/** One variable of one scope, for bookkeeping across requests (the lagging replicas). */
export function variableKey(scope: VariableScope, name: string): string {
  return `variable:${variableScopeKey(scope)}:${name.toUpperCase()}`
}

function variableScopeKey(scope: VariableScope): string {
  switch (scope.kind) {
    case 'repository':
      return `repo:${scope.repo.toLowerCase()}`
    case 'environment':
      return `env:${scope.repo.toLowerCase()}:${scope.environment.toLowerCase()}`
    case 'organization':
      return `org:${scope.org.toLowerCase()}`
  }
}

export interface VariableRequest {
  state: GitHubState
  store: VariableStore
  scope: VariableScope
  /** Base URL including the API prefix, for `selected_repositories_url`. */
  apiUrl: string
  docs: string
}

export function listVariables(request: VariableRequest, query: Record<string, string>): JsonResponse {
  const all = [...request.store.of(request.scope).values()].sort((a, b) => a.name.localeCompare(b.name))
  const perPage = Math.min(Math.max(Number(query.per_page) || 10, 1), 30)
  const page = Math.max(Number(query.page) || 1, 1)
  const shown = all.slice((page - 1) * perPage, page * perPage)
  return {
    status: 200,
    body: { total_count: all.length, variables: shown.map((v) => describeVariable(request, v)) }
  }
}

/** `GET …/variables/{name}`: `variable` is what the read sees (a lagging replica may see an older one). */
export function getVariable(request: VariableRequest, variable: StoredVariable | undefined): JsonResponse {
  return variable ? { status: 200, body: describeVariable(request, variable) } : notFound(request.docs)
}

/** A string field of the body ('' when absent or not a string: the request schema has refused those already). */
export function textField(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field]
  return typeof value === 'string' ? value : undefined
}

export function createVariable(request: VariableRequest, body: Record<string, unknown>): JsonResponse {
  const { store, scope, state, docs } = request
  const name = textField(body, 'name') ?? ''
  const problem = variableNameError(name) ?? valueError(body.value)
  if (problem) return unprocessable(problem, docs)
  const variables = store.of(scope)
  if (variables.has(name.toUpperCase())) return githubError(409, 'Already exists - Variable already exists', docs)
  if (variables.size >= VARIABLE_COUNT_LIMIT[scope.kind]) {
    return unprocessable(
      `This ${scope.kind} already has the maximum of ${VARIABLE_COUNT_LIMIT[scope.kind]} variables.`,
      docs
    )
  }
  const access = scope.kind === 'organization' ? organizationAccess(request, body, undefined) : {}
  if ('error' in access) return unprocessable(access.error, docs)
  const now = state.clock.timestamp()
  variables.set(name.toUpperCase(), {
    name: name.toUpperCase(),
    value: textField(body, 'value') ?? '',
    createdAt: now,
    updatedAt: now,
    ...access
  })
  return { status: 201, body: {} }
}

export function updateVariable(request: VariableRequest, name: string, body: Record<string, unknown>): JsonResponse {
  const { store, scope, state, docs } = request
  const variables = store.of(scope)
  const existing = variables.get(name.toUpperCase())
  if (!existing) return notFound(docs)
  const newName = textField(body, 'name')
  const renamed = newName === undefined ? existing.name : newName.toUpperCase()
  const problem =
    (body.name === undefined ? undefined : variableNameError(newName ?? '')) ??
    (body.value === undefined ? undefined : valueError(body.value))
  if (problem) return unprocessable(problem, docs)
  if (renamed !== existing.name && variables.has(renamed)) {
    return githubError(409, 'Already exists - Variable already exists', docs)
  }
  const access = scope.kind === 'organization' ? organizationAccess(request, body, existing) : {}
  if ('error' in access) return unprocessable(access.error, docs)
  variables.delete(existing.name)
  variables.set(renamed, {
    ...existing,
    ...access,
    name: renamed,
    value: textField(body, 'value') ?? existing.value,
    updatedAt: state.clock.timestamp()
  })
  return { status: 204 }
}

export function deleteVariable(request: VariableRequest, name: string): JsonResponse {
  return request.store.of(request.scope).delete(name.toUpperCase()) ? { status: 204 } : notFound(request.docs)
}

function valueError(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'value is required.'
  return Buffer.byteLength(value) > MAX_VARIABLE_BYTES ? 'Variable values are limited to 48 KB.' : undefined
}

/** Visibility and selected repositories of an organization variable, as for an organization secret. */
function organizationAccess(
  { state, scope }: VariableRequest,
  body: Record<string, unknown>,
  existing: StoredVariable | undefined
): Pick<StoredVariable, 'visibility' | 'selectedRepositoryIds'> | { error: string } {
  const visibility = body.visibility ?? existing?.visibility
  if (typeof visibility !== 'string' || !VISIBILITIES.includes(visibility)) {
    return { error: 'visibility must be one of all, private, selected.' }
  }
  const ids = body.selected_repository_ids
  if (visibility !== 'selected') {
    if (Array.isArray(ids) && ids.length > 0) {
      return { error: "selected_repository_ids can only be given when visibility is 'selected'." }
    }
    return { visibility: visibility as 'all' | 'private', selectedRepositoryIds: undefined }
  }
  if (ids === undefined) return { visibility: 'selected', selectedRepositoryIds: existing?.selectedRepositoryIds ?? [] }
  if (!Array.isArray(ids)) return { error: 'selected_repository_ids must be an array of repository ids.' }
  const org = scope.kind === 'organization' ? scope.org.toLowerCase() : ''
  for (const id of ids as unknown[]) {
    const repository = typeof id === 'number' ? state.repositoryById(id) : undefined
    if (repository?.owner.toLowerCase() !== org) {
      return { error: `selected_repository_ids: ${JSON.stringify(id)} is not the id of a repository in ${org}.` }
    }
  }
  return { visibility: 'selected', selectedRepositoryIds: ids as number[] }
}

function describeVariable({ scope, apiUrl }: VariableRequest, variable: StoredVariable): Record<string, unknown> {
  const described: Record<string, unknown> = {
    name: variable.name,
    value: variable.value,
    created_at: variable.createdAt,
    updated_at: variable.updatedAt
  }
  if (scope.kind === 'organization') {
    described.visibility = variable.visibility
    if (variable.visibility === 'selected') {
      described.selected_repositories_url = `${apiUrl}/orgs/${encodeURIComponent(scope.org)}/actions/variables/${variable.name}/repositories`
    }
  }
  return described
}
