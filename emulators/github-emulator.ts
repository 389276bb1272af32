// A loopback GitHub REST API for secrets (and the issues the failure alert opens). It checks what GitHub checks (credentials, visibility,
// permissions, names, keys, sizes, limits, the OpenAPI request schema, the secondary rate limit)
// and opens every sealed value with its private key, so a test can assert what a secret holds.
//
// Each request goes through the same steps, in GitHub's order:
//   API version (400) → route → credentials (401) → secondary rate limit (403) → visibility (404)
//   → permission (403) → request schema (422) → the endpoint itself.
// GitHub has its own clock (clockOffsetMs), and reads may lag behind writes (staleReadsAfterWrite).
import { randomBytes } from 'node:crypto'
import sodium from 'libsodium-wrappers'
import { LoopbackServer, type JsonResponse, type ParsedRequest, type RecordedRequest } from './loopback-server.js'
import { authenticate, checkPermission, checkVisibility, presentedToken } from './github/access.js'
import { requestedApiVersion, selectedApiVersion, unsupportedApiVersion } from './github/api-versions.js'
import {
  GitHubState,
  secretKey,
  type RepositoryOptions,
  type SecretScope,
  type SecretType,
  type StoredSecret,
  type Token,
  type TokenGrant
} from './github/model.js'
import { OpenApiDescription, type Operation } from './github/openapi.js'
import { DOCS, githubError, notFound } from './github/responses.js'
import {
  addComment,
  createIssue,
  IssueStore,
  issuesDisabled,
  listIssues,
  updateIssue,
  type IssueAuthor,
  type IssueRequest,
  type StateReason
} from './github/issues.js'
import { LaggingReplicas } from './github/replicas.js'
import {
  isIssueRoute,
  isVariableRoute,
  isWorkflowRoute,
  parseRoute,
  type IssueRoute,
  type AccessListScope,
  type Route,
  type VariableRoute,
  type WorkflowRoute
} from './github/routes.js'
import {
  SecondaryRateLimit,
  WRITE_METHODS,
  type RateLimitCounters,
  type Refusal,
  type SecondaryRateLimitConfig
} from './github/secondary-rate-limit.js'
import { deleteSecret, getSecret, listSecrets, publicKey, putSecret, type SecretRequest } from './github/secrets.js'
import {
  addSelectedRepository,
  listSelectedRepositories,
  removeSelectedRepository,
  setSelectedRepositories,
  type AccessListRequest
} from './github/selected-repositories.js'
import {
  createVariable,
  deleteVariable,
  getVariable,
  listVariables,
  textField,
  updateVariable,
  variableKey,
  VariableStore,
  type StoredVariable,
  type VariableRequest,
  type VariableScope
} from './github/variables.js'
import {
  WorkflowStore,
  type DispatchAnswers,
  type EmulatedRun,
  type EmulatedWorkflow,
  type WorkflowRequest,
  type WorkflowSpec
} from './github/workflows.js'

export type {
  Permission,
  PermissionName,
  RepositoryOptions,
  SecretScope,
  SecretType,
  StoredSecret,
  TokenGrant
} from './github/model.js'
export { MAX_SECRET_BYTES, secretNameError } from './github/secrets.js'
export { MAX_ISSUE_BODY_CHARS } from './github/issues.js'
export { MAX_VARIABLE_BYTES, variableNameError } from './github/variables.js'
export type { StoredVariable, VariableScope } from './github/variables.js'
export { API_VERSIONS } from './github/api-versions.js'
export type { SecondaryRateLimitConfig } from './github/secondary-rate-limit.js'
export type {
  DispatchAnswers,
  EmulatedRun,
  EmulatedWorkflow,
  RunScenario,
  WorkflowSpec,
  WorkflowState
} from './github/workflows.js'

/** An issue as a test sees it: comment bodies in order, label names as the repository spells them. */
export interface EmulatedIssue {
  number: number
  title: string
  body: string | null
  state: 'open' | 'closed'
  stateReason?: StateReason
  labels: string[]
  comments: string[]
  /** Login of the author: 'github-actions[bot]' for the workflow token. */
  author: string
}

export interface GitHubEmulatorOptions {
  latencyMs?: number
  /** '' for github.com, '/api/v3' for GitHub Enterprise Server. */
  apiPrefix?: string
  /** Off by default. */
  secondaryRateLimit?: SecondaryRateLimitConfig
  /** Default true. */
  validateAgainstOpenApi?: boolean
  /** GitHub's clock minus the real one, in ms, either sign; default 0. */
  clockOffsetMs?: number
  /** After each write of a secret or variable, how many reads of it still answer what was there before; default 0. */
  staleReadsAfterWrite?: number
  /** How `github-authentication-token-expiration` is written for a PAT with an expiry; default 'utc'. */
  tokenExpirationHeader?: TokenExpirationHeader
}

/**
 * `github-authentication-token-expiration` as GitHub writes it: 'utc' `2026-12-12 10:00:00 UTC` (what
 * GitHub's changelog and the answers people quote show), 'offset' `2026-12-12 02:00:00 -0800` (a
 * numeric zone, which older answers were reported with: unverified today), or 'none' (a proxy that
 * drops the header, or a host that does not send it).
 */
export type TokenExpirationHeader = 'utc' | 'offset' | 'none'

/** Told where a variable was just written (POST, PATCH or DELETE that GitHub accepted). */
export type VariableWatcher = (scope: VariableScope, name: string) => void

/** Told where a secret's value was just written: read it with `secret(scope, name, type)`. */
export type SecretWatcher = (scope: SecretScope, name: string, type: SecretType) => void

type SecretRoute = Exclude<
  Route,
  IssueRoute | WorkflowRoute | VariableRoute | { kind: 'user' } | { kind: 'repository' }
>

const CORE_RATE_LIMIT = 5000

export class GitHubEmulator {
  readonly server: LoopbackServer
  readonly openApiViolations: Array<{ method: string; path: string; errors: string[] }> = []
  readonly rateLimit: RateLimitCounters
  private readonly state = new GitHubState()
  private readonly issueStore = new IssueStore(this.state.clock)
  private readonly replicas = new LaggingReplicas()
  private readonly workflowStore = new WorkflowStore(
    this.state.clock,
    (reads) => this.secret(reads.scope, reads.name, reads.type)?.value
  )
  private readonly variableStore = new VariableStore()
  private readonly addedTokens = new Set<string>()
  private readonly secretWatchers: SecretWatcher[] = []
  private readonly variableWatchers: VariableWatcher[] = []
  /** How the expiry of a PAT is written in every answer to it. */
  tokenExpirationHeader: TokenExpirationHeader
  private readonly apiPrefix: string
  private readonly secondaryRateLimit: SecondaryRateLimit
  private description: OpenApiDescription | undefined
  private coreRequests = 0
  private readonly coreWindowStart = Date.now()

  private constructor(options: GitHubEmulatorOptions) {
    this.apiPrefix = (options.apiPrefix ?? '').replace(/\/+$/, '')
    this.state.clock.offsetMs = options.clockOffsetMs ?? 0
    this.replicas.lag = options.staleReadsAfterWrite ?? 0
    this.tokenExpirationHeader = options.tokenExpirationHeader ?? 'utc'
    this.server = new LoopbackServer((request) => this.handle(request), {
      latencyMs: options.latencyMs,
      clock: () => this.state.clock.now().getTime()
    })
    this.secondaryRateLimit = new SecondaryRateLimit(options.secondaryRateLimit, () => this.server.latencyMs + 100)
    this.rateLimit = this.secondaryRateLimit.counters
  }

  static async start(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
    await sodium.ready
    const emulator = new GitHubEmulator(options)
    // Loaded before the first request, so no request pays for parsing the description.
    if (options.validateAgainstOpenApi ?? true) emulator.description = await OpenApiDescription.load()
    await emulator.server.start()
    return emulator
  }

  /** The API base, e.g. http://127.0.0.1:PORT or http://127.0.0.1:PORT/api/v3. */
  get url(): string {
    return this.server.url + this.apiPrefix
  }

  stop(): Promise<void> {
    return this.server.stop()
  }

  /** GitHub's clock minus the real one, in ms: its timestamps and Date headers follow it. */
  get clockOffsetMs(): number {
    return this.state.clock.offsetMs
  }

  set clockOffsetMs(value: number) {
    this.state.clock.offsetMs = value
  }

  /** GitHub's time now, as a Date. */
  now(): Date {
    return this.state.clock.now()
  }

  /** After each write of a secret, how many reads of its metadata still answer what was there before. */
  get staleReadsAfterWrite(): number {
    return this.replicas.lag
  }

  set staleReadsAfterWrite(value: number) {
    this.replicas.lag = value
  }

  /** Replaces the secondary rate limit (undefined: none); rateLimit keeps counting. */
  setSecondaryRateLimit(config: SecondaryRateLimitConfig | undefined): void {
    this.secondaryRateLimit.configure(config)
  }

  /** Requests that came without an X-GitHub-Api-Version header, in the order they arrived. */
  get requestsWithoutApiVersion(): RecordedRequest[] {
    return this.server.requests.filter((r) => requestedApiVersion(r.headers) === undefined)
  }

  addRepository(fullName: string, options?: RepositoryOptions): { id: number } {
    return { id: this.state.addRepository(fullName, options).id }
  }

  addEnvironment(repo: string, name: string): void {
    this.state.addEnvironment(repo, name)
  }

  /** Its repositories are those added as 'login/…'. */
  addOrganization(login: string): void {
    this.state.addOrganization(login)
  }

  addToken(value: string, grant?: TokenGrant): void {
    this.addedTokens.add(value)
    this.state.addToken(value, grant)
  }

  /** The secret as stored, value decrypted; the name is not case-sensitive. */
  secret(scope: SecretScope, name: string, type: SecretType = 'actions'): StoredSecret | undefined {
    if (this.state.missing(scope)) return undefined
    const secret = this.state.destination(scope, type).secrets.get(name.toUpperCase())
    return (
      secret && { ...secret, selectedRepositoryIds: secret.selectedRepositoryIds && [...secret.selectedRepositoryIds] }
    )
  }

  /** Calls `watcher` after each write of a secret's value that GitHub accepted (PUT or DELETE). */
  onSecretWritten(watcher: SecretWatcher): void {
    this.secretWatchers.push(watcher)
  }

  /** Seeds a value, as if written earlier (an organization secret gets visibility 'private'). */
  setSecret(scope: SecretScope, name: string, value: string, type: SecretType = 'actions'): void {
    const missing = this.state.missing(scope)
    if (missing) throw new Error(`setSecret: ${missing}`)
    const destination = this.state.destination(scope, type)
    const key = name.toUpperCase()
    const previous = destination.secrets.get(key)
    const now = this.state.clock.timestamp()
    destination.secrets.set(key, {
      visibility: scope.kind === 'organization' ? 'private' : undefined,
      ...previous,
      name: key,
      value,
      keyId: destination.keyId,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now
    })
  }

  /** Moves a secret's updated_at back, as if it had been written that long ago (seeded secrets are rarely brand new). */
  backdateSecret(scope: SecretScope, name: string, seconds: number, type: SecretType = 'actions'): void {
    const secret = this.state.missing(scope)
      ? undefined
      : this.state.destination(scope, type).secrets.get(name.toUpperCase())
    if (!secret) throw new Error(`backdateSecret: no secret ${name}`)
    secret.updatedAt = this.state.clock.timestamp(new Date(Date.parse(secret.updatedAt) - seconds * 1000))
  }

  /** Seeds an organization secret with its visibility and, for 'selected', the repositories ('owner/name' or ids). */
  setOrganizationSecret(
    org: string,
    name: string,
    value: string,
    access: { visibility: 'all' | 'private' | 'selected'; repositories?: Array<string | number> },
    type: SecretType = 'actions'
  ): void {
    const scope: SecretScope = { kind: 'organization', org }
    this.setSecret(scope, name, value, type)
    const ids = (access.repositories ?? []).map((repository) => {
      const found =
        typeof repository === 'number' ? this.state.repositoryById(repository) : this.state.repository(repository)
      if (found?.owner.toLowerCase() !== org.toLowerCase()) {
        throw new Error(`setOrganizationSecret: '${repository}' is not a repository of ${org}`)
      }
      return found.id
    })
    const secret = this.state.destination(scope, type).secrets.get(name.toUpperCase())
    if (!secret) throw new Error(`setOrganizationSecret: ${name} was not stored`)
    secret.visibility = access.visibility
    secret.selectedRepositoryIds = access.visibility === 'selected' ? ids : undefined
  }

  /** 'owner/name' of each repository selected for an organization secret; undefined when it is not 'selected'. */
  selectedRepositories(org: string, name: string, type: SecretType = 'actions'): string[] | undefined {
    const secret = this.secret({ kind: 'organization', org }, name, type)
    if (secret?.visibility !== 'selected') return undefined
    return (secret.selectedRepositoryIds ?? []).map((id) => this.state.repositoryById(id)?.fullName ?? `#${id}`)
  }

  /** Every token this emulator accepts, by value (the leak scan looks for each of them). */
  tokenValues(): string[] {
    return [...this.addedTokens]
  }

  /** The Actions variable as stored (what `vars.NAME` reads); the name is not case-sensitive. */
  variable(scope: VariableScope, name: string): StoredVariable | undefined {
    return this.state.missing(scope) ? undefined : this.variableStore.get(scope, name)
  }

  /** The variables of a scope, by name. */
  variables(scope: VariableScope): Record<string, string> {
    if (this.state.missing(scope)) return {}
    return Object.fromEntries([...this.variableStore.of(scope).values()].map((v) => [v.name, v.value]))
  }

  /** Every variable of every scope (the leak scan reads them all). */
  allVariables(): StoredVariable[] {
    return this.variableStore.all()
  }

  /** Seeds a variable, as if created earlier (an organization variable gets visibility 'private'). */
  setVariable(scope: VariableScope, name: string, value: string): void {
    const missing = this.state.missing(scope)
    if (missing) throw new Error(`setVariable: ${missing}`)
    const variables = this.variableStore.of(scope)
    const previous = variables.get(name.toUpperCase())
    const now = this.state.clock.timestamp()
    variables.set(name.toUpperCase(), {
      visibility: scope.kind === 'organization' ? 'private' : undefined,
      ...previous,
      name: name.toUpperCase(),
      value,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now
    })
  }

  /** Calls `watcher` after each change of a variable that GitHub accepted (POST, PATCH or DELETE). */
  onVariableWritten(watcher: VariableWatcher): void {
    this.variableWatchers.push(watcher)
  }

  /** A new keypair for the destination: clients holding the old key_id now get 422. */
  rotatePublicKey(scope: SecretScope, type: SecretType = 'actions'): void {
    this.state.rotatePublicKey(scope, type)
  }

  /** A workflow of a repository, which runs as its scenario says when dispatched. */
  addWorkflow(spec: WorkflowSpec): EmulatedWorkflow {
    if (!this.state.repository(spec.repo)) throw new Error(`addWorkflow: unknown repository '${spec.repo}'`)
    return this.workflowStore.add(spec)
  }

  /**
   * A run of the repository's workflow `file` (added, never dispatched, if missing), frozen at this
   * status: the run another rotation's lease names, still going or over.
   */
  addRun(repo: string, status: EmulatedRun['status'], file = 'rotate.yml'): EmulatedRun {
    const workflow = this.workflowStore.find(repo, file) ?? this.addWorkflow({ repo, file, scenario: 'never-started' })
    return this.workflowStore.addRun(workflow, status)
  }

  /** The workflow as stored (its state, each enable), by file name or id. */
  workflow(repo: string, file: string): EmulatedWorkflow | undefined {
    return this.workflowStore.find(repo, file)
  }

  /** The runs dispatched, oldest first, moved on to GitHub's time now. */
  runs(repo?: string): EmulatedRun[] {
    this.workflowStore.advance()
    return this.workflowStore.runs.filter((r) => !repo || r.repo.toLowerCase() === repo.toLowerCase())
  }

  /** 'no-content': every dispatch answers 204, as an Enterprise Server from before return_run_details. */
  set dispatchAnswers(value: DispatchAnswers) {
    this.workflowStore.dispatchAnswers = value
  }

  /** Moves GitHub's clock on (runs progress on it): what a test's waits do. */
  advanceClock(ms: number): void {
    this.state.clock.offsetMs += ms
  }

  /** The issues of a repository, oldest first. */
  issues(repo: string): EmulatedIssue[] {
    return this.issueStore.of(repo).issues.map((issue) => ({
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      ...(issue.stateReason ? { stateReason: issue.stateReason } : {}),
      labels: [...issue.labels],
      comments: issue.comments.map((c) => c.body),
      author: issue.user.login
    }))
  }

  /** Seeds an issue, as if someone had opened it (and closed it, with state 'closed'); returns its number. */
  addIssue(
    repo: string,
    fields: { title: string; body?: string; labels?: string[]; state?: 'open' | 'closed'; author?: string }
  ): number {
    if (!this.state.repository(repo)) throw new Error(`addIssue: unknown repository '${repo}'`)
    const login = fields.author ?? 'octocat'
    const issue = this.issueStore.create(repo, { ...fields, user: { login, id: loginId(login), type: 'User' } })
    if (fields.state === 'closed')
      Object.assign(issue, { state: 'closed', stateReason: 'completed', closedAt: issue.createdAt })
    return issue.number
  }

  /** With false, the repository's issues endpoints answer 410, as GitHub does when issues are turned off. */
  setIssuesEnabled(repo: string, enabled: boolean): void {
    this.issueStore.of(repo).enabled = enabled
  }

  private handle(request: ParsedRequest): JsonResponse {
    return this.withStandardHeaders(request, this.respond(request))
  }

  private respond(request: ParsedRequest): JsonResponse {
    const { method } = request
    const version = requestedApiVersion(request.headers)
    const unsupported = version === undefined ? undefined : unsupportedApiVersion(version)
    if (unsupported) return unsupported
    const path = this.withoutPrefix(request.path)
    if (path === undefined) return notFound()
    // Runs move on to GitHub's time now before anything changes what a starting job would read.
    this.workflowStore.advance()

    const operation = this.description?.find(method, path)
    if (this.description && !operation) {
      this.openApiViolations.push({
        method,
        path,
        errors: [`${method} ${path}: no such operation in GitHub's REST API`]
      })
    }
    const docs = operation?.documentationUrl ?? DOCS
    const route = parseRoute(method, request.segments.slice(this.prefixSegments()))
    if (!route) return notFound(docs)

    const token = authenticate(this.state, request.headers, docs)
    if (!isToken(token)) return token

    if (WRITE_METHODS.includes(method)) {
      const refusal = this.secondaryRateLimit.admit(`${method} ${request.path}`)
      if (refusal) return secondaryRateLimitExceeded(refusal)
    }

    const denied = checkVisibility(this.state, token, route, docs) ?? checkPermission(token, route, method, docs)
    if (denied) return denied

    let parsed: unknown = {}
    if (request.body.trim()) {
      // GitHub reads the body as JSON whatever its content type says.
      try {
        parsed = JSON.parse(request.body)
      } catch {
        return githubError(400, 'Problems parsing JSON', docs)
      }
    }
    const invalid = operation && this.schemaViolation(method, path, operation, parsed)
    if (invalid) return githubError(422, `Invalid request.\n\n${invalid.join('\n')}`, docs)

    const body =
      parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
    if (isIssueRoute(route)) return this.issueEndpoint(route, method, token, body, request.query, docs)
    if (isWorkflowRoute(route)) return this.workflowEndpoint(route, token, body, request.query, docs)
    if (isVariableRoute(route)) return this.variableEndpoint(route, method, body, request.query, docs)
    return this.endpoint(route, method, token, body, request.query, docs)
  }

  private issueEndpoint(
    route: IssueRoute,
    method: string,
    token: Token,
    body: Record<string, unknown>,
    query: Record<string, string>,
    docs: string
  ): JsonResponse {
    // The workflow token acts as the github-actions app: its issues and comments are the bot's.
    const user: IssueAuthor =
      token.kind === 'github-actions'
        ? { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }
        : { login: token.login, id: loginId(token.login), type: 'User' }
    const request: IssueRequest = {
      store: this.issueStore,
      repo: route.repo,
      apiUrl: this.url,
      webUrl: this.server.url,
      user,
      docs
    }
    const disabled = issuesDisabled(request)
    if (disabled) return disabled
    switch (route.kind) {
      case 'issues':
        return method === 'POST' ? createIssue(request, body) : listIssues(request, query)
      case 'issue':
        return updateIssue(request, route.number, body)
      case 'issue-comments':
        return addComment(request, route.number, body)
    }
  }

  private workflowEndpoint(
    route: WorkflowRoute,
    token: Token,
    body: Record<string, unknown>,
    query: Record<string, string>,
    docs: string
  ): JsonResponse {
    const actor = token.kind === 'github-actions' ? 'github-actions[bot]' : token.login
    const request: WorkflowRequest = { apiUrl: this.url, webUrl: this.server.url, docs, actor }
    const store = this.workflowStore
    switch (route.kind) {
      case 'workflow':
        return store.getWorkflow(request, route.repo, route.workflow)
      case 'workflow-dispatches':
        return store.dispatch(request, route.repo, route.workflow, body)
      case 'workflow-enable':
        return store.enable(request, route.repo, route.workflow)
      case 'run':
        return store.getRun(request, route.repo, route.runId)
      case 'contents':
        return store.contents(
          request,
          route.repo,
          route.path,
          query.ref,
          this.state.repository(route.repo)?.defaultBranch ?? 'main'
        )
    }
  }

  private variableEndpoint(
    route: VariableRoute,
    method: string,
    body: Record<string, unknown>,
    query: Record<string, string>,
    docs: string
  ): JsonResponse {
    const request: VariableRequest = {
      state: this.state,
      store: this.variableStore,
      scope: route.scope,
      apiUrl: this.url,
      docs
    }
    if (route.kind === 'variables' && method === 'GET') return listVariables(request, query)
    const name = route.kind === 'variable' ? route.name : (textField(body, 'name') ?? '')
    const key = variableKey(route.scope, name)
    const before = this.variableStore.get(route.scope, name)
    if (method === 'GET') return getVariable(request, this.replicas.read(key, before))
    const response =
      route.kind === 'variables'
        ? createVariable(request, body)
        : method === 'PATCH'
          ? updateVariable(request, route.name, body)
          : deleteVariable(request, route.name)
    if (response.status < 300) {
      this.replicas.wrote(key, before)
      for (const watcher of this.variableWatchers) watcher(route.scope, name)
    }
    return response
  }

  private endpoint(
    route: Exclude<Route, IssueRoute | WorkflowRoute | VariableRoute>,
    method: string,
    token: Token,
    body: Record<string, unknown>,
    query: Record<string, string>,
    docs: string
  ): JsonResponse {
    switch (route.kind) {
      case 'user':
        return { status: 200, body: { login: token.login, id: loginId(token.login), type: 'User' } }
      case 'repository': {
        const repository = this.state.repository(route.repo)
        if (!repository) return notFound(docs)
        const { id, name, fullName, owner, defaultBranch, visibility, pushedAt } = repository
        return {
          status: 200,
          body: {
            id,
            name,
            full_name: fullName,
            owner: { login: owner },
            private: visibility !== 'public',
            visibility,
            default_branch: defaultBranch,
            pushed_at: pushedAt
          }
        }
      }
      default:
        return this.secretEndpoint(route, method, body, query, docs)
    }
  }

  private secretEndpoint(
    route: SecretRoute,
    method: string,
    body: Record<string, unknown>,
    query: Record<string, string>,
    docs: string
  ): JsonResponse {
    const request: SecretRequest = { state: this.state, scope: route.scope, type: route.type, apiUrl: this.url, docs }
    if (route.kind === 'public-key') return publicKey(request)
    if (route.kind === 'secrets') return listSecrets(request)

    const key = secretKey(route.scope, route.type, route.name)
    // A copy: a lagging replica still shows it after the write below changes the stored secret.
    const before = this.secret(route.scope, route.name, route.type)
    if (method === 'GET') {
      const seen = this.replicas.read(key, before)
      if (route.kind === 'secret') return getSecret(request, seen)
      return listSelectedRepositories(this.accessList(route.scope, docs), seen, query)
    }

    const stored = this.state.destination(route.scope, route.type).secrets.get(route.name.toUpperCase())
    let response: JsonResponse
    if (route.kind === 'secret') {
      response = method === 'PUT' ? putSecret(request, route.name, body) : deleteSecret(request, route.name)
    } else if (route.kind === 'selected-repositories') {
      response = setSelectedRepositories(this.accessList(route.scope, docs), stored, body)
    } else {
      const change = method === 'PUT' ? addSelectedRepository : removeSelectedRepository
      response = change(this.accessList(route.scope, docs), stored, route.repositoryId)
    }
    if (response.status < 300) this.replicas.wrote(key, before)
    if (response.status < 300 && route.kind === 'secret') {
      for (const watcher of this.secretWatchers) watcher(route.scope, route.name, route.type)
    }
    return response
  }

  private accessList(scope: AccessListScope, docs: string): AccessListRequest {
    return { state: this.state, scope, apiUrl: this.url, webUrl: this.server.url, docs }
  }

  private schemaViolation(method: string, path: string, operation: Operation, body: unknown): string[] | undefined {
    if (!this.description || !operation.requestSchema) return undefined
    const errors = this.description.validate(operation, body)
    if (errors.length === 0) return undefined
    this.openApiViolations.push({ method, path, errors })
    return errors
  }

  private withoutPrefix(path: string): string | undefined {
    if (!this.apiPrefix) return path
    if (path === this.apiPrefix || path.startsWith(`${this.apiPrefix}/`))
      return path.slice(this.apiPrefix.length) || '/'
    return undefined
  }

  private prefixSegments(): number {
    return this.apiPrefix.split('/').filter(Boolean).length
  }

  private withStandardHeaders(request: ParsedRequest, response: JsonResponse): JsonResponse {
    this.coreRequests += 1
    const headers: Record<string, string> = {
      'x-github-request-id': randomBytes(8)
        .toString('hex')
        .toUpperCase()
        .replace(/(.{4})(?=.)/g, '$1:'),
      'x-github-api-version-selected': selectedApiVersion(request.headers),
      'x-ratelimit-limit': String(CORE_RATE_LIMIT),
      'x-ratelimit-remaining': String(Math.max(0, CORE_RATE_LIMIT - this.coreRequests)),
      'x-ratelimit-used': String(this.coreRequests),
      'x-ratelimit-reset': String(Math.floor((this.coreWindowStart + this.clockOffsetMs) / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...response.headers
    }
    const value = presentedToken(request.headers)
    const token = value ? this.state.token(value) : undefined
    if (token?.kind === 'classic') headers['x-oauth-scopes'] = (token.scopes ?? []).join(', ')
    // Personal access tokens only: an installation token (GITHUB_TOKEN included) has no such header.
    const personal = token?.kind === 'classic' || token?.kind === 'fine-grained'
    if (personal && token.expiresAt && this.tokenExpirationHeader !== 'none') {
      headers['github-authentication-token-expiration'] = expirationHeader(token.expiresAt, this.tokenExpirationHeader)
    }
    return { ...response, headers }
  }
}

function isToken(value: Token | JsonResponse): value is Token {
  return 'kind' in value
}

function secondaryRateLimitExceeded({ retryAfterSeconds }: Refusal): JsonResponse {
  return githubError(
    403,
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
    'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }
  )
}

/** `2026-12-12 10:00:00 UTC`, or with a numeric zone, `2026-12-12 02:00:00 -0800` (Pacific standard time). */
function expirationHeader(expiresAt: Date, format: 'utc' | 'offset'): string {
  const shifted = format === 'utc' ? expiresAt : new Date(expiresAt.getTime() - 8 * 3_600_000)
  const text = shifted.toISOString().slice(0, 19).replace('T', ' ')
  return format === 'utc' ? `${text} UTC` : `${text} -0800`
}

/** A stable numeric id per login, so /user answers the same id every time. */
function loginId(login: string): number {
  let hash = 0
  for (const char of login) hash = (hash * 31 + char.charCodeAt(0)) % 100_000_000
  return login === 'octocat' ? 583231 : hash + 1
}
