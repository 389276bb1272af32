// Every input turned into one typed, validated settings object before any network call. After this,
// nothing reads an input again. Each problem names the input and the fix; all are reported at once.
import {
  DEFAULT_GITHUB_API_URL,
  DEFAULT_GRAPH_API_URL,
  DEFAULT_GRAPH_API_VERSION,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  Input
} from './contract.js'
import { parseDurationSeconds } from './duration.js'
import { closeScopes, SYSTEM_USER_SCOPES } from './graph/system-user-scopes.js'
import { RotationError } from './rotation-error.js'
import { sameSecretName, secretNameProblem } from './secret-names.js'

export type Strategy = 'refresh' | 'generate'
export type RevokeMode = 'auto' | 'true' | 'false'
export type SecretType = 'actions' | 'dependabot' | 'codespaces'
export type Visibility = 'all' | 'private' | 'selected'

export interface PageSecret {
  pageId: string
  secretName: string
}

export interface Settings {
  appId: string
  appSecret: string
  token?: string
  strategy: Strategy
  systemUserId?: string
  adminToken?: string
  scopes: string[]
  expiring: boolean
  installApp: boolean
  revoke: RevokeMode
  rotateBeforeSeconds?: number
  pageSecrets: PageSecret[]
  graphApiVersion: string
  graphApiUrl: string
  secretName: string
  /** `owner/repo` of every repository to write to; empty when only an organization secret is wanted. */
  repositories: string[]
  environment?: string
  organization?: string
  visibility: Visibility
  /** Repository names (without owner) in `organization`. */
  selectedRepositories: string[]
  secretType: SecretType
  previousSecretName?: string
  previousToken?: string
  githubToken: string
  githubApiUrl: string
  dryRun: boolean
  requestTimeoutMs: number
  maxConcurrency: number
}

export type InputReader = (name: string) => string

const MAX_SECRET_BYTES = 48 * 1024
const REPOSITORY = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
const NUMERIC_ID = /^\d{1,20}$/
const SCOPE = /^[a-z][a-z0-9_]*$/
const GRAPH_VERSION = /^v\d+\.\d+$/

/** Splits a list input on newlines and commas, trimming and dropping empty entries. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean)
}

export function readSettings(read: InputReader, env: NodeJS.ProcessEnv = {}): Settings {
  const problems: string[] = []
  const problem = (input: string, text: string): void => {
    problems.push(`'${input}': ${text}`)
  }
  const text = (input: string): string => read(input).trim()
  const optional = (input: string): string | undefined => text(input) || undefined

  const oneOf = <T extends string>(input: string, allowed: readonly T[], fallback: T): T => {
    const value = text(input)
    if (!value) return fallback
    if ((allowed as readonly string[]).includes(value)) return value as T
    problem(input, `'${value}' is not one of ${allowed.map((a) => `'${a}'`).join(', ')}.`)
    return fallback
  }
  const bool = (input: string, fallback: boolean): boolean => {
    const value = text(input)
    if (!value) return fallback
    if (/^(true|True|TRUE)$/.test(value)) return true
    if (/^(false|False|FALSE)$/.test(value)) return false
    problem(input, `'${value}' is not a boolean: use true or false.`)
    return fallback
  }
  const credential = (input: string, what: string, required: boolean): string | undefined => {
    const value = text(input)
    if (!value) {
      if (required) problem(input, `required: pass ${what}, from a secret (\${{ secrets.… }}).`)
      return undefined
    }
    // Reported without the value: a malformed credential is still a credential.
    if (!/^[\x21-\x7e]+$/.test(value)) {
      problem(
        input,
        `contains spaces, line breaks or non-ASCII characters; ${what} never does. Check the secret's value.`
      )
    } else if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      problem(input, `is longer than 48 KB, more than any ${what}. Check the secret's value.`)
    }
    return value
  }

  // Meta side
  const appId = text(Input.AppId)
  if (!appId) problem(Input.AppId, 'required: your Meta app id (App settings > Basic > App ID).')
  else if (!NUMERIC_ID.test(appId)) problem(Input.AppId, `'${appId}' is not a Meta app id: app ids are numbers.`)
  const appSecret = credential(Input.AppSecret, 'the Meta app secret', true) ?? ''
  const strategy = oneOf<Strategy>(Input.Strategy, ['refresh', 'generate'], 'refresh')
  const token = credential(Input.Token, 'the current Meta access token', strategy === 'refresh')
  const systemUserId = optional(Input.SystemUserId)
  if (systemUserId && !NUMERIC_ID.test(systemUserId)) {
    problem(
      Input.SystemUserId,
      `'${systemUserId}' is not a system user id: ids are numbers (Business settings > System users).`
    )
  }
  const adminToken = credential(Input.AdminToken, 'an admin or system user access token', false)
  const scopes = parseList(read(Input.Scopes))
  for (const scope of scopes.filter((s) => !SCOPE.test(s))) {
    problem(
      Input.Scopes,
      `'${scope}' is not a permission name (lower-case words joined by underscores, e.g. ads_read).`
    )
  }
  const expiring = bool(Input.Expiring, true)
  const installApp = bool(Input.InstallApp, false)
  const revoke = oneOf<RevokeMode>(Input.Revoke, ['auto', 'true', 'false'], 'auto')
  const rotateBefore = optional(Input.RotateBefore)
  const rotateBeforeSeconds = rotateBefore === undefined ? undefined : parseDurationSeconds(rotateBefore)
  if (rotateBefore !== undefined && rotateBeforeSeconds === undefined) {
    problem(
      Input.RotateBefore,
      `'${rotateBefore}' is not a duration: use a number and d, h or m, such as 14d, 36h or 90m.`
    )
  }
  const pageSecrets = parsePageSecrets(read(Input.PageSecrets), (t) => problem(Input.PageSecrets, t))
  const graphApiVersion = text(Input.GraphApiVersion) || DEFAULT_GRAPH_API_VERSION
  if (!GRAPH_VERSION.test(graphApiVersion)) {
    problem(
      Input.GraphApiVersion,
      `'${graphApiVersion}' is not a Graph API version such as ${DEFAULT_GRAPH_API_VERSION}.`
    )
  }
  const graphApiUrl = apiUrl(Input.GraphApiUrl, text(Input.GraphApiUrl) || DEFAULT_GRAPH_API_URL, problem)

  // GitHub side
  const secretName = text(Input.SecretName)
  if (!secretName) problem(Input.SecretName, 'required: the name of the secret that holds the token, e.g. META_TOKEN.')
  else checkSecretName(Input.SecretName, secretName, problem)
  const organization = optional(Input.Organization)
  if (organization && !OWNER.test(organization)) {
    problem(Input.Organization, `'${organization}' is not an organization login (letters, digits and dashes).`)
  }
  const repositories = parseRepositories(read(Input.Repositories), organization, env, problem)
  const environment = optional(Input.Environment)
  const visibility = oneOf<Visibility>(Input.Visibility, ['all', 'private', 'selected'], 'private')
  const selectedRepositories = parseSelected(read(Input.SelectedRepositories), organization, problem)
  const secretType = oneOf<SecretType>(Input.SecretType, ['actions', 'dependabot', 'codespaces'], 'actions')
  const previousSecretName = optional(Input.PreviousSecretName)
  if (previousSecretName) checkSecretName(Input.PreviousSecretName, previousSecretName, problem)
  const previousToken = credential(Input.PreviousToken, 'the token held in previous-secret-name', false)
  const githubToken = credential(Input.GithubToken, 'a token allowed to write secrets', false) ?? ''
  if (!githubToken) {
    problem(
      Input.GithubToken,
      "required: a fine-grained PAT with 'Secrets: write' (or a classic PAT, or a GitHub App installation token). " +
        "The workflow's GITHUB_TOKEN cannot write secrets."
    )
  }
  const githubApiUrl = apiUrl(
    Input.GithubApiUrl,
    text(Input.GithubApiUrl) || env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL,
    problem
  )
  const dryRun = bool(Input.DryRun, false)
  const timeout = optional(Input.RequestTimeout)
  const timeoutSeconds = timeout === undefined ? DEFAULT_REQUEST_TIMEOUT_SECONDS : parseDurationSeconds(timeout, 'sm')
  if (timeoutSeconds === undefined) problem(Input.RequestTimeout, `'${timeout}' is not a duration such as 30s or 2m.`)
  const concurrency = optional(Input.MaxConcurrency)
  const maxConcurrency = concurrency === undefined ? DEFAULT_MAX_CONCURRENCY : Number(concurrency)
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 64) {
    problem(Input.MaxConcurrency, `'${concurrency}' is not a whole number from 1 to 64.`)
  }

  // Combinations
  if (strategy === 'generate') {
    if (!systemUserId)
      problem(Input.SystemUserId, 'required with strategy: generate (the system user the token is for).')
    if (!adminToken)
      problem(Input.AdminToken, 'required with strategy: generate (a Business Manager admin or system user token).')
    if (scopes.length === 0)
      problem(Input.Scopes, 'required with strategy: generate (the permissions of the new token).')
    for (const scope of scopes.filter((s) => SCOPE.test(s) && !SYSTEM_USER_SCOPES.has(s))) {
      const close = closeScopes(scope)
      problem(
        Input.Scopes,
        `'${scope}' is not a permission Meta grants to system users${close.length > 0 ? `; did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : '.'} ` +
          'The supported ones are listed in Meta\'s "Install Apps, Generate, Refresh, and Revoke Tokens" page.'
      )
    }
    if (pageSecrets.length > 0)
      problem(
        Input.PageSecrets,
        'page tokens come from a user token: use strategy: refresh with a long-lived user token.'
      )
    if (revoke === 'true' && !token) problem(Input.Revoke, "'true' needs the old token to revoke in 'token'.")
  }
  if (installApp && !systemUserId) problem(Input.InstallApp, "needs 'system-user-id' (and 'admin-token').")
  if (installApp && strategy !== 'generate') problem(Input.InstallApp, 'only applies to strategy: generate.')
  if (environment && secretType !== 'actions') {
    problem(
      Input.Environment,
      `environments hold only Actions secrets; remove it or set secret-type: actions (is '${secretType}').`
    )
  }
  if (environment && organization && repositories.length === 0) {
    problem(
      Input.Environment,
      "environment secrets belong to repositories: add 'repositories', or remove 'environment' to write the organization secret."
    )
  }
  if (selectedRepositories.length > 0 && visibility !== 'selected') {
    problem(Input.SelectedRepositories, `only applies with visibility: selected (is '${visibility}').`)
  }
  if (visibility === 'selected' && selectedRepositories.length === 0) {
    problem(Input.SelectedRepositories, 'required with visibility: selected: the repositories that may use the secret.')
  }
  if ((visibility !== 'private' || selectedRepositories.length > 0) && !organization) {
    problem(Input.Visibility, "applies to organization secrets: set 'organization' too.")
  }
  if (secretType === 'codespaces' && environment) {
    problem(Input.SecretType, 'codespaces secrets have no environments.')
  }
  if (previousSecretName && secretName && sameSecretName(previousSecretName, secretName)) {
    problem(Input.PreviousSecretName, `must differ from secret-name ('${secretName}'; names are case-insensitive).`)
  }
  if (previousToken && !previousSecretName) {
    problem(Input.PreviousToken, "needs 'previous-secret-name' (the secret that holds it).")
  }
  if (token && previousToken && token === previousToken) {
    problem(Input.PreviousToken, "is the same as 'token': pass the value held in previous-secret-name.")
  }
  for (const page of pageSecrets) {
    if (secretName && sameSecretName(page.secretName, secretName)) {
      problem(
        Input.PageSecrets,
        `page ${page.pageId}'s secret '${page.secretName}' is also secret-name: use another name.`
      )
    }
  }

  if (problems.length > 0) {
    throw new RotationError(
      'inputs',
      `Invalid input${problems.length > 1 ? 's' : ''}; nothing was minted, written or revoked:\n  - ${problems.join('\n  - ')}`,
      'correct the inputs above in the workflow step.'
    )
  }
  return {
    appId,
    appSecret,
    token,
    strategy,
    systemUserId,
    adminToken,
    scopes,
    expiring,
    installApp,
    revoke,
    rotateBeforeSeconds,
    pageSecrets,
    graphApiVersion,
    graphApiUrl,
    secretName,
    repositories,
    environment,
    organization,
    visibility,
    selectedRepositories,
    secretType,
    previousSecretName,
    previousToken,
    githubToken,
    githubApiUrl,
    dryRun,
    requestTimeoutMs: (timeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000,
    maxConcurrency
  }
}

type Problem = (input: string, text: string) => void

function checkSecretName(input: string, name: string, problem: Problem): void {
  const why = secretNameProblem(name)
  if (why) problem(input, `'${name}' is not a valid GitHub secret name: ${why}.`)
}

function apiUrl(input: string, value: string, problem: Problem): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    problem(input, `'${value}' is not a URL.`)
    return value
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    problem(input, `'${value}' must use https (plain http only on localhost): tokens travel over it.`)
  }
  if (url.search || url.hash || url.username || url.password) {
    problem(input, 'must not carry a query, fragment or credentials.')
  }
  return value.replace(/\/+$/, '')
}

function parseRepositories(
  text: string,
  organization: string | undefined,
  env: NodeJS.ProcessEnv,
  problem: Problem
): string[] {
  const listed = parseList(text)
  for (const repo of listed.filter((r) => !REPOSITORY.test(r))) {
    problem(Input.Repositories, `'${repo}' is not owner/repo.`)
  }
  const unique = [...new Map(listed.map((r) => [r.toLowerCase(), r])).values()]
  if (unique.length > 0 || organization) return unique
  const current = env.GITHUB_REPOSITORY
  if (current && REPOSITORY.test(current)) return [current]
  problem(
    Input.Repositories,
    "required outside GitHub Actions (no GITHUB_REPOSITORY): list owner/repo, or set 'organization'."
  )
  return []
}

function parseSelected(text: string, organization: string | undefined, problem: Problem): string[] {
  const names: string[] = []
  for (const entry of parseList(text)) {
    const [owner, name] = entry.includes('/') ? entry.split('/', 2) : [organization, entry]
    if (!name || !/^[A-Za-z0-9._-]+$/.test(name)) {
      problem(Input.SelectedRepositories, `'${entry}' is not a repository name.`)
    } else if (organization && owner?.toLowerCase() !== organization.toLowerCase()) {
      problem(Input.SelectedRepositories, `'${entry}' is not in organization '${organization}'.`)
    } else {
      names.push(name)
    }
  }
  return names
}

function parsePageSecrets(text: string, problem: (text: string) => void): PageSecret[] {
  const pages: PageSecret[] = []
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const match = /^(\d+)\s*=\s*(\S+)$/.exec(line)
    if (!match) {
      problem(`'${line}' is not PAGE_ID=SECRET_NAME (one per line, the page id a number).`)
      continue
    }
    const [, pageId, secretName] = match as unknown as [string, string, string]
    const why = secretNameProblem(secretName)
    if (why) problem(`'${secretName}' (page ${pageId}) is not a valid GitHub secret name: ${why}.`)
    else if (pages.some((p) => p.pageId === pageId)) problem(`page ${pageId} is listed twice.`)
    else pages.push({ pageId, secretName })
  }
  return pages
}
