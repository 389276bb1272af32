// The access list of an organization secret whose visibility is `selected` (or of one of the user's
// codespaces secrets, which always has one): listed page by page, replaced whole, or changed one
// repository at a time. Changing an organization's while the visibility is not `selected` is a 409, as on GitHub.
import type { JsonResponse } from '../loopback-server.js'
import type { GitHubState, Repository, StoredSecret } from './model.js'
import { githubError, notFound, unprocessable } from './responses.js'
import type { AccessListScope } from './routes.js'

export interface AccessListRequest {
  state: GitHubState
  scope: AccessListScope
  /** Base URL including the API prefix, for the `url` fields. */
  apiUrl: string
  /** Base URL of the web pages, for the `html_url` fields. */
  webUrl: string
  docs: string
}

/** `GET …/secrets/{name}/repositories?per_page&page`: `secret` is what the (possibly lagging) read sees. */
export function listSelectedRepositories(
  request: AccessListRequest,
  secret: StoredSecret | undefined,
  query: Record<string, string>
): JsonResponse {
  if (!secret) return notFound(request.docs)
  const ids =
    request.scope.kind === 'user' || secret.visibility === 'selected' ? (secret.selectedRepositoryIds ?? []) : []
  const repositories = ids.flatMap((id) => request.state.repositoryById(id) ?? [])
  const perPage = clamp(Number.parseInt(query.per_page ?? '', 10), 30, 1, 100)
  const page = clamp(Number.parseInt(query.page ?? '', 10), 1, 1, Number.MAX_SAFE_INTEGER)
  return {
    status: 200,
    body: {
      total_count: repositories.length,
      repositories: repositories.slice((page - 1) * perPage, page * perPage).map((r) => describe(request, r))
    }
  }
}

/** `PUT …/secrets/{name}/repositories` `{selected_repository_ids}`: replaces the whole list; 204. */
export function setSelectedRepositories(
  request: AccessListRequest,
  secret: StoredSecret | undefined,
  body: Record<string, unknown>
): JsonResponse {
  const refused = refuseChange(request, secret)
  if (refused || !secret) return refused ?? notFound(request.docs)
  const ids = body.selected_repository_ids
  if (!Array.isArray(ids))
    return unprocessable('selected_repository_ids must be an array of repository ids.', request.docs)
  const selected: number[] = []
  for (const id of ids) {
    const invalid = foreignRepository(request, id)
    if (invalid) return invalid
    if (!selected.includes(id as number)) selected.push(id as number)
  }
  secret.selectedRepositoryIds = selected
  return { status: 204 }
}

/** `PUT …/secrets/{name}/repositories/{repository_id}`: 204, also when it was already there. */
export function addSelectedRepository(
  request: AccessListRequest,
  secret: StoredSecret | undefined,
  repositoryId: number
): JsonResponse {
  const refused = refuseChange(request, secret) ?? foreignRepository(request, repositoryId)
  if (refused || !secret) return refused ?? notFound(request.docs)
  const ids = (secret.selectedRepositoryIds ??= [])
  if (!ids.includes(repositoryId)) ids.push(repositoryId)
  return { status: 204 }
}

/** `DELETE …/secrets/{name}/repositories/{repository_id}`: 204, also when it was not there. */
export function removeSelectedRepository(
  request: AccessListRequest,
  secret: StoredSecret | undefined,
  repositoryId: number
): JsonResponse {
  const refused = refuseChange(request, secret)
  if (refused || !secret) return refused ?? notFound(request.docs)
  secret.selectedRepositoryIds = (secret.selectedRepositoryIds ?? []).filter((id) => id !== repositoryId)
  return { status: 204 }
}

function refuseChange(request: AccessListRequest, secret: StoredSecret | undefined): JsonResponse | undefined {
  if (!secret) return notFound(request.docs)
  if (request.scope.kind === 'user' || secret.visibility === 'selected') return undefined
  return githubError(
    409,
    `The visibility of secret ${secret.name} is '${secret.visibility ?? 'private'}': repositories can only be selected when it is 'selected'.`,
    request.docs
  )
}

function foreignRepository({ state, scope, docs }: AccessListRequest, id: unknown): JsonResponse | undefined {
  const repository = typeof id === 'number' ? state.repositoryById(id) : undefined
  // A user's secret may serve any repository the user can reach; an organization's only its own.
  if (repository && (scope.kind === 'user' || repository.owner.toLowerCase() === scope.org.toLowerCase()))
    return undefined
  return unprocessable(
    `selected_repository_ids: ${JSON.stringify(id)} is not the id of a repository${scope.kind === 'organization' ? ` in ${scope.org}` : ''}.`,
    docs
  )
}

function describe({ apiUrl, webUrl }: AccessListRequest, repository: Repository): Record<string, unknown> {
  const { id, name, fullName, owner } = repository
  return {
    id,
    node_id: Buffer.from(`010:Repository${id}`).toString('base64'),
    name,
    full_name: fullName,
    owner: { login: owner, type: 'Organization' },
    private: true,
    html_url: `${webUrl}/${fullName}`,
    url: `${apiUrl}/repos/${fullName}`
  }
}

function clamp(value: number, fallback: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min) return fallback
  return Math.min(value, max)
}
