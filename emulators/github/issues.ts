// The issues endpoints the failure alert uses: list (state, labels, pagination with a Link header as
// GitHub sends it), create (labels created on first use), update (state, state_reason, title, body,
// labels) and comment. Issues live per repository; numbers start at 1, as on GitHub.
import type { JsonResponse } from '../loopback-server.js'
import type { GitHubClock } from './clock.js'
import { githubError, notFound } from './responses.js'

/** GitHub's limit on an issue body and on a comment body, in characters. */
export const MAX_ISSUE_BODY_CHARS = 65_536

export type IssueState = 'open' | 'closed'
export type StateReason = 'completed' | 'not_planned' | 'duplicate' | 'reopened'

export interface IssueAuthor {
  login: string
  id: number
  type: 'User' | 'Bot'
}

export interface StoredComment {
  id: number
  body: string
  user: IssueAuthor
  createdAt: string
}

export interface StoredIssue {
  id: number
  number: number
  title: string
  body: string | null
  state: IssueState
  stateReason: StateReason | null
  /** Label names as the repository spells them. */
  labels: string[]
  comments: StoredComment[]
  user: IssueAuthor
  createdAt: string
  updatedAt: string
  closedAt: string | null
}

interface Label {
  id: number
  name: string
  color: string
}

interface RepositoryIssues {
  issues: StoredIssue[]
  /** Lower-case name → label: label names are not case-sensitive. */
  labels: Map<string, Label>
  enabled: boolean
}

/** The issues of every repository, created on first use. */
export class IssueStore {
  private readonly repositories = new Map<string, RepositoryIssues>()
  private nextId = 1_000_001

  constructor(private readonly clock: GitHubClock) {}

  /** GitHub's time now, as its timestamps spell it. */
  timestamp(): string {
    return this.clock.timestamp()
  }

  of(repo: string): RepositoryIssues {
    const key = repo.toLowerCase()
    let issues = this.repositories.get(key)
    if (!issues) {
      issues = { issues: [], labels: new Map(), enabled: true }
      this.repositories.set(key, issues)
    }
    return issues
  }

  id(): number {
    return this.nextId++
  }

  /** The label of that name, created (with a colour, as GitHub does) when the repository lacks it. */
  label(repo: string, name: string): Label {
    const { labels } = this.of(repo)
    let label = labels.get(name.toLowerCase())
    if (!label) {
      label = { id: this.id(), name, color: 'ededed' }
      labels.set(name.toLowerCase(), label)
    }
    return label
  }

  create(
    repo: string,
    fields: { title: string; body?: string | null; labels?: string[]; user: IssueAuthor }
  ): StoredIssue {
    const repository = this.of(repo)
    const now = this.timestamp()
    const issue: StoredIssue = {
      id: this.id(),
      number: repository.issues.length + 1,
      title: fields.title,
      body: fields.body ?? null,
      state: 'open',
      stateReason: null,
      labels: uniqueLabels((fields.labels ?? []).map((name) => this.label(repo, name).name)),
      comments: [],
      user: fields.user,
      createdAt: now,
      updatedAt: now,
      closedAt: null
    }
    repository.issues.push(issue)
    return issue
  }
}

export interface IssueRequest {
  store: IssueStore
  /** 'owner/name', as the URL spells it. */
  repo: string
  /** Base URL including the API prefix, for the `url` fields. */
  apiUrl: string
  /** Base URL of the web pages, for the `html_url` fields. */
  webUrl: string
  user: IssueAuthor
  docs: string
}

/** 410 when the repository has issues turned off, as GitHub answers. */
export function issuesDisabled({ store, repo, docs }: IssueRequest): JsonResponse | undefined {
  return store.of(repo).enabled ? undefined : githubError(410, 'Issues are disabled for this repo', docs)
}

/** `GET /repos/{owner}/{repo}/issues`: state, labels (all must match), sort/direction, per_page, page. */
export function listIssues(request: IssueRequest, query: Record<string, string>): JsonResponse {
  const state = query.state ?? 'open'
  if (!['open', 'closed', 'all'].includes(state)) return validationFailed(request.docs, 'Issue', 'state', 'invalid')
  const wanted = (query.labels ?? '')
    .split(',')
    .map((l) => l.trim().toLowerCase())
    .filter(Boolean)
  const ascending = query.direction === 'asc'
  const matching = request.store
    .of(request.repo)
    .issues.filter((issue) => state === 'all' || issue.state === state)
    .filter((issue) => wanted.every((label) => issue.labels.some((l) => l.toLowerCase() === label)))
    .sort((a, b) => (ascending ? a.number - b.number : b.number - a.number))

  const perPage = clamp(Number.parseInt(query.per_page ?? '', 10), 30, 1, 100)
  const page = clamp(Number.parseInt(query.page ?? '', 10), 1, 1, Number.MAX_SAFE_INTEGER)
  const lastPage = Math.max(1, Math.ceil(matching.length / perPage))
  const items = matching.slice((page - 1) * perPage, page * perPage)
  const link = linkHeader(`${request.apiUrl}/repos/${request.repo}/issues`, query, page, lastPage)
  return {
    status: 200,
    body: items.map((issue) => describeIssue(request, issue)),
    headers: link ? { link } : undefined
  }
}

/** `POST /repos/{owner}/{repo}/issues`: 201 and the issue; labels that do not exist yet are created. */
export function createIssue(request: IssueRequest, body: Record<string, unknown>): JsonResponse {
  const title = typeof body.title === 'number' ? String(body.title) : body.title
  if (typeof title !== 'string' || title.trim() === '')
    return validationFailed(request.docs, 'Issue', 'title', 'missing_field')
  const text = optionalText(body.body)
  if (text === false) return validationFailed(request.docs, 'Issue', 'body', 'invalid')
  if (tooLong(text)) return bodyTooLong(request.docs, 'Issue')
  const labels = labelNames(body.labels)
  if (!labels) return validationFailed(request.docs, 'Issue', 'labels', 'invalid')
  const issue = request.store.create(request.repo, { title, body: text, labels, user: request.user })
  return { status: 201, body: describeIssue(request, issue) }
}

/** `PATCH /repos/{owner}/{repo}/issues/{issue_number}`: state (state_reason counts only with it), title, body, labels. */
export function updateIssue(request: IssueRequest, number: string, body: Record<string, unknown>): JsonResponse {
  const issue = findIssue(request, number)
  if (!issue) return notFound(request.docs)
  const { title, state, state_reason: reason } = body
  if (title !== undefined && title !== null) {
    if (typeof title !== 'string' && typeof title !== 'number') {
      return validationFailed(request.docs, 'Issue', 'title', 'invalid')
    }
    const value = String(title)
    if (value.trim() === '') return validationFailed(request.docs, 'Issue', 'title', 'missing_field')
    issue.title = value
  }
  if (body.body !== undefined) {
    const text = optionalText(body.body)
    if (text === false) return validationFailed(request.docs, 'Issue', 'body', 'invalid')
    if (tooLong(text)) return bodyTooLong(request.docs, 'Issue')
    issue.body = text ?? null
  }
  if (body.labels !== undefined) {
    const labels = labelNames(body.labels)
    if (!labels) return validationFailed(request.docs, 'Issue', 'labels', 'invalid')
    issue.labels = uniqueLabels(labels.map((name) => request.store.label(request.repo, name).name))
  }
  if (state !== undefined && state !== issue.state) {
    if (state !== 'open' && state !== 'closed') return validationFailed(request.docs, 'Issue', 'state', 'invalid')
    const now = request.store.timestamp()
    issue.state = state
    if (state === 'closed') {
      issue.stateReason = isStateReason(reason) && reason !== 'reopened' ? reason : 'completed'
      issue.closedAt = now
    } else {
      issue.stateReason = 'reopened'
      issue.closedAt = null
    }
  }
  issue.updatedAt = request.store.timestamp()
  return { status: 200, body: describeIssue(request, issue) }
}

/** `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`: 201 and the comment. */
export function addComment(request: IssueRequest, number: string, body: Record<string, unknown>): JsonResponse {
  const issue = findIssue(request, number)
  if (!issue) return notFound(request.docs)
  const text = body.body
  if (typeof text !== 'string' || text.trim() === '')
    return validationFailed(request.docs, 'IssueComment', 'body', 'missing_field')
  if (tooLong(text)) return bodyTooLong(request.docs, 'IssueComment')
  const comment: StoredComment = {
    id: request.store.id(),
    body: text,
    user: request.user,
    createdAt: request.store.timestamp()
  }
  issue.comments.push(comment)
  issue.updatedAt = comment.createdAt
  const issueUrl = `${request.apiUrl}/repos/${request.repo}/issues/${issue.number}`
  return {
    status: 201,
    body: {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${request.apiUrl}/repos/${request.repo}/issues/comments/${comment.id}`,
      html_url: `${request.webUrl}/${request.repo}/issues/${issue.number}#issuecomment-${comment.id}`,
      issue_url: issueUrl,
      body: comment.body,
      user: describeUser(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
      author_association: 'OWNER'
    }
  }
}

function findIssue({ store, repo }: IssueRequest, number: string): StoredIssue | undefined {
  return /^\d+$/.test(number) ? store.of(repo).issues.find((i) => i.number === Number(number)) : undefined
}

function describeIssue(request: IssueRequest, issue: StoredIssue): Record<string, unknown> {
  const url = `${request.apiUrl}/repos/${request.repo}/issues/${issue.number}`
  return {
    id: issue.id,
    node_id: `I_${issue.id}`,
    url,
    repository_url: `${request.apiUrl}/repos/${request.repo}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${request.webUrl}/${request.repo}/issues/${issue.number}`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.stateReason,
    locked: false,
    user: describeUser(issue.user),
    labels: issue.labels.map((name) => {
      const label = request.store.label(request.repo, name)
      return {
        id: label.id,
        node_id: `LA_${label.id}`,
        url: `${request.apiUrl}/repos/${request.repo}/labels/${encodeURIComponent(label.name)}`,
        name: label.name,
        color: label.color,
        default: false,
        description: null
      }
    }),
    assignee: null,
    assignees: [],
    milestone: null,
    comments: issue.comments.length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: 'OWNER'
  }
}

function describeUser(user: IssueAuthor): Record<string, unknown> {
  return { login: user.login, id: user.id, type: user.type }
}

/** `<…&page=2>; rel="next", <…&page=4>; rel="last"` (plus prev and first after page 1), as GitHub links pages. */
function linkHeader(base: string, query: Record<string, string>, page: number, lastPage: number): string | undefined {
  const at = (n: number): string => {
    const params = new URLSearchParams(query)
    params.set('page', String(n))
    return `${base}?${params.toString()}`
  }
  const links: string[] = []
  if (page > 1) links.push(`<${at(Math.min(page - 1, lastPage))}>; rel="prev"`)
  if (page < lastPage) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(lastPage)}>; rel="last"`)
  if (page > 1) links.push(`<${at(1)}>; rel="first"`)
  return links.length > 0 ? links.join(', ') : undefined
}

function clamp(value: number, fallback: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min) return fallback
  return Math.min(value, max)
}

/** A string or null (no body); false when it is something else. */
function optionalText(value: unknown): string | null | undefined | false {
  if (value === undefined || value === null) return value
  return typeof value === 'string' ? value : false
}

function tooLong(text: string | null | undefined | false): boolean {
  return typeof text === 'string' && text.length > MAX_ISSUE_BODY_CHARS
}

/** Names from `["bug", {"name": "x"}]`; undefined when the list is malformed. */
function labelNames(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) return undefined
  const names: string[] = []
  for (const item of value) {
    const name = typeof item === 'string' ? item : (item as { name?: unknown } | null)?.name
    if (typeof name !== 'string' || name.trim() === '') return undefined
    names.push(name.trim())
  }
  return names
}

function uniqueLabels(names: string[]): string[] {
  const seen = new Set<string>()
  return names.filter((name) => !seen.has(name.toLowerCase()) && seen.add(name.toLowerCase()))
}

function isStateReason(value: unknown): value is StateReason {
  return value === 'completed' || value === 'not_planned' || value === 'duplicate' || value === 'reopened'
}

/** GitHub's 422 for a field it refuses: `{"message": "Validation Failed", "errors": [{resource, field, code}]}`. */
function validationFailed(docs: string, resource: string, field: string, code: string): JsonResponse {
  const error = githubError(422, 'Validation Failed', docs)
  return { ...error, body: { ...(error.body as object), errors: [{ resource, field, code }] } }
}

function bodyTooLong(docs: string, resource: string): JsonResponse {
  const error = githubError(422, 'Validation Failed', docs)
  return {
    ...error,
    body: {
      ...(error.body as object),
      errors: [
        {
          resource,
          field: 'body',
          code: 'custom',
          message: `body is too long (maximum is ${MAX_ISSUE_BODY_CHARS} characters)`
        }
      ]
    }
  }
}
