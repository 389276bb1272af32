// Every input turned into one typed, validated settings object before any network call. After this,
// nothing reads an input again. Each problem names the input and the fix; all are reported at once.
import {
  DEFAULT_GITHUB_API_URL,
  DEFAULT_GRAPH_API_URL,
  DEFAULT_GRAPH_API_VERSION,
  DEFAULT_INSTAGRAM_API_URL,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_REQUEST_TIMEOUT_SECONDS,
  Input,
  type InputName
} from './contract.js'
import { readDeploySettings, type DeploySettings } from './deploy/deploy-settings.js'
import type { HeartbeatSettings } from './heartbeat/heartbeat.js'
import { readHeartbeatSettings } from './heartbeat/heartbeat-settings.js'
import { parseDurationSeconds } from './duration.js'
import { looksLikeCredential } from './credential-shape.js'
import { sameSecretName, secretNameProblem } from './github/secret-names.js'
import { closeScopes, SYSTEM_USER_SCOPES } from './graph/system-user-scopes.js'
import { parseDestinations } from './github/destinations-input.js'
import {
  describeDestination,
  graceSlots,
  shorthandDestinations,
  slotNames,
  type Destination
} from './github/destinations.js'
import { actionInputs, type InputNaming } from './input-naming.js'
import { echoed, hasControlCharacters } from './outside-text.js'
import { RotationError } from './rotation-error.js'

/** A request that has not answered in 30 minutes will not; also far below Node's timer limit (2^31 - 1 ms). */
const MAX_REQUEST_TIMEOUT_SECONDS = 30 * 60
/** Longer than a token can live either way; the bound keeps every date computed from it a real date. */
const MAX_ROTATE_BEFORE_SECONDS = 365 * 86_400

export type Strategy = 'refresh' | 'generate' | 'instagram'
/** `after-deploy`: store and confirm, revoke nothing; the finish action revokes the old token later. */
export type RevokeMode = 'auto' | 'true' | 'false' | 'after-deploy'
export const SECRET_TYPES = ['actions', 'dependabot', 'codespaces'] as const
export type SecretType = (typeof SECRET_TYPES)[number]
export type Visibility = 'all' | 'private' | 'selected'

export interface PageSecret {
  pageId: string
  secretName: string
}

/** A Meta app, for the Graph API strategies. */
export interface MetaApp {
  id: string
  secret: string
  graphApiVersion: string
  graphApiUrl: string
}

/** Where the token goes, and everything GitHub needs to put it there. */
interface CommonSettings {
  revoke: RevokeMode
  rotateBeforeSeconds?: number
  /** secret-name; with the destinations input, the first line's secret when secret-name is empty. */
  secretName: string
  /** Every destination, in the order given: the destinations input, or the shorthand of the inputs below. */
  destinations: Destination[]
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
  /** previous-token was the same as token: the previous slot already holds the current token. */
  previousSlotHoldsToken?: true
  githubToken: string
  githubApiUrl: string
  dryRun: boolean
  requestTimeoutMs: number
  maxConcurrency: number
  deploy: DeploySettings
  heartbeat: HeartbeatSettings
  /** Said once the inputs are read (e.g. a scope newer than the list known here). */
  warnings: string[]
}

export interface RefreshSettings extends CommonSettings {
  strategy: 'refresh'
  app: MetaApp
  token: string
  scopes: string[]
  expiring: boolean
  pageSecrets: PageSecret[]
  requireSameAssets: boolean
}

export interface GenerateSettings extends CommonSettings {
  strategy: 'generate'
  app: MetaApp
  /** The old token, revoked once the new one is stored. */
  token?: string
  systemUserId: string
  adminToken: string
  scopes: string[]
  expiring: boolean
  installApp: boolean
  requireSameAssets: boolean
}

export interface InstagramSettings extends CommonSettings {
  strategy: 'instagram'
  token: string
  instagramApiUrl: string
}

export type Settings = RefreshSettings | GenerateSettings | InstagramSettings
export type GraphSettings = RefreshSettings | GenerateSettings

export type InputReader = (name: string) => string

const MAX_SECRET_BYTES = 48 * 1024
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
const REPOSITORY_NAME = /^[A-Za-z0-9._-]{1,100}$/
const NUMERIC_ID = /^\d{1,20}$/
const SCOPE = /^[a-z][a-z0-9_]*$/
const GRAPH_VERSION = /^v\d+\.\d+$/

/** An input value echoed in a message: one inert line, short, in quotes. */
function quote(value: string | undefined): string {
  return `'${echoed(value ?? '')}'`
}

/** Splits a list input on newlines and commas, trimming and dropping empty entries. */
export function parseList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean)
}

/** A path segment that would change the request path instead of naming something. */
export function isDotSegment(name: string): boolean {
  return name === '.' || name === '..'
}

/** An organization (or user) login as GitHub allows it. */
export function isOwnerName(name: string): boolean {
  return OWNER.test(name)
}

/** Why a name cannot be an environment's (it would change the request path, or GitHub refuses it); undefined when it can. */
export function environmentNameProblem(name: string): string | undefined {
  if (isDotSegment(name) || name.split('/').some(isDotSegment)) return "'.' and '..' are not names"
  if (name.length > 255 || hasControlCharacters(name)) return 'at most 255 characters, no control characters'
  if (looksLikeCredential(name)) return 'it looks like a token or a secret, not an environment name'
  return undefined
}

/** `owner/repo`, each part a name GitHub allows and neither `.` nor `..`. */
export function isRepositoryName(fullName: string): boolean {
  const [owner, repo, ...rest] = fullName.split('/')
  return (
    rest.length === 0 &&
    owner !== undefined &&
    repo !== undefined &&
    OWNER.test(owner) &&
    REPOSITORY_NAME.test(repo) &&
    !isDotSegment(repo)
  )
}

export function readSettings(
  read: InputReader,
  env: NodeJS.ProcessEnv = {},
  naming: InputNaming = actionInputs
): Settings {
  const problems: string[] = []
  const warnings: string[] = []
  const problem = (input: InputName, text: string): void => {
    problems.push(`${naming.name(input)}: ${text}`)
  }
  const text = (input: InputName): string => read(input).trim()
  const optional = (input: InputName): string | undefined => text(input) || undefined
  const set = naming.setting

  const oneOf = <T extends string>(input: InputName, allowed: readonly T[], fallback: T): T => {
    const value = text(input)
    if (!value) return fallback
    if ((allowed as readonly string[]).includes(value)) return value as T
    problem(input, `${quote(value)} is not one of ${allowed.map((a) => `'${a}'`).join(', ')}.`)
    return fallback
  }
  const bool = (input: InputName, fallback: boolean): boolean => {
    const value = text(input)
    if (!value) return fallback
    if (/^(true|True|TRUE)$/.test(value)) return true
    if (/^(false|False|FALSE)$/.test(value)) return false
    problem(input, `${quote(value)} is not a boolean: use true or false.`)
    return fallback
  }
  const credential = (input: InputName, what: string, required: boolean): string | undefined => {
    const value = text(input)
    if (!value) {
      if (required) problem(input, `required: pass ${what}, ${naming.credentialSource(input)}.`)
      return undefined
    }
    // Reported without the value: a malformed credential is still a credential.
    if (!/^[\x21-\x7e]+$/.test(value)) {
      problem(input, `contains spaces, line breaks or non-ASCII characters; ${what} never does. Check its value.`)
    } else if (Buffer.byteLength(value) > MAX_SECRET_BYTES) {
      problem(input, `is longer than 48 KB, more than any ${what}. Check its value.`)
    }
    return value
  }
  const notWith = (input: InputName, why: string): void => {
    if (text(input)) problem(input, why)
  }

  // Meta side
  const strategy = oneOf<Strategy>(Input.Strategy, ['refresh', 'generate', 'instagram'], 'refresh')
  const instagram = strategy === 'instagram'
  const appId = text(Input.AppId)
  if (!appId && !instagram) problem(Input.AppId, 'required: your Meta app id (App settings > Basic > App ID).')
  else if (appId && !NUMERIC_ID.test(appId))
    problem(Input.AppId, `${quote(appId)} is not a Meta app id: app ids are numbers.`)
  const appSecret = credential(Input.AppSecret, 'the Meta app secret', !instagram) ?? ''
  const token = credential(
    Input.Token,
    instagram ? 'the current long-lived Instagram User token' : 'the current Meta access token',
    strategy !== 'generate'
  )
  const systemUserId = optional(Input.SystemUserId)
  if (systemUserId && !NUMERIC_ID.test(systemUserId)) {
    problem(
      Input.SystemUserId,
      `${quote(systemUserId)} is not a system user id: ids are numbers (Business settings > System users).`
    )
  }
  const adminToken = credential(Input.AdminToken, 'an admin or system user access token', false)
  const scopes = parseList(read(Input.Scopes))
  for (const scope of scopes.filter((s) => !SCOPE.test(s))) {
    problem(
      Input.Scopes,
      `${quote(scope)} is not a permission name (lower-case words joined by underscores, e.g. ads_read).`
    )
  }
  for (const scope of scopes.filter((s) => SCOPE.test(s) && !SYSTEM_USER_SCOPES.has(s))) {
    const close = closeScopes(scope)
    // Meta adds permissions over time and refuses a name that does not exist: a warning, not an error.
    warnings.push(
      `${naming.name(Input.Scopes)}: ${quote(scope)} is not in the list of permissions known here` +
        `${close.length > 0 ? `; did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : '.'} ` +
        'If it is a permission Meta added recently, ignore this: Meta refuses a name that does not exist before minting anything.'
    )
  }
  const expiring = bool(Input.Expiring, true)
  const installApp = bool(Input.InstallApp, false)
  const requireSameAssets = bool(Input.RequireSameAssets, true)
  const revoke = oneOf<RevokeMode>(Input.Revoke, ['auto', 'true', 'false', 'after-deploy'], 'auto')
  const rotateBefore = optional(Input.RotateBefore)
  const rotateBeforeSeconds = rotateBefore === undefined ? undefined : parseDurationSeconds(rotateBefore)
  if (rotateBefore !== undefined && rotateBeforeSeconds === undefined) {
    problem(
      Input.RotateBefore,
      `${quote(rotateBefore)} is not a duration: use a number and d, h or m, such as 14d, 36h or 90m.`
    )
  } else if (rotateBeforeSeconds !== undefined && rotateBeforeSeconds > MAX_ROTATE_BEFORE_SECONDS) {
    problem(
      Input.RotateBefore,
      `${quote(rotateBefore)} is longer than 365d: Meta's tokens live 60 days (their data access 90), so any value from 60d up already rotates on every run.`
    )
  }
  const pageSecrets = parsePageSecrets(read(Input.PageSecrets), (t) => problem(Input.PageSecrets, t))
  const graphApiVersion = text(Input.GraphApiVersion) || DEFAULT_GRAPH_API_VERSION
  if (!GRAPH_VERSION.test(graphApiVersion)) {
    problem(
      Input.GraphApiVersion,
      `${quote(graphApiVersion)} is not a Graph API version such as ${DEFAULT_GRAPH_API_VERSION}.`
    )
  }
  const graphApiUrl = apiUrl(Input.GraphApiUrl, text(Input.GraphApiUrl) || DEFAULT_GRAPH_API_URL, problem)
  const instagramApiUrl = apiUrl(
    Input.InstagramApiUrl,
    text(Input.InstagramApiUrl) || DEFAULT_INSTAGRAM_API_URL,
    problem
  )

  // GitHub side
  const listed = read(Input.Destinations).trim() !== ''
  const secretName = text(Input.SecretName)
  if (!secretName && !listed)
    problem(Input.SecretName, 'required: the name of the secret that holds the token, e.g. META_TOKEN.')
  else if (secretName) checkSecretName(Input.SecretName, secretName, problem)
  if (listed) {
    for (const input of SHORTHAND_INPUTS) {
      // action.yml fills in the defaults: those are no choice of the user's.
      if (text(input) === SHORTHAND_DEFAULTS[input]) continue
      notWith(
        input,
        `is the older form of ${naming.name(Input.Destinations)}, and both were given: put every destination into ${naming.name(Input.Destinations)} (one a line, such as 'repo octo/app' or 'organization octo visibility=selected repositories=app'), or leave ${naming.name(Input.Destinations)} empty.`
      )
    }
  }
  const organization = optional(Input.Organization)
  if (organization && !isOwnerName(organization)) {
    problem(Input.Organization, `${quote(organization)} is not an organization login (letters, digits and dashes).`)
  }
  const repositories = listed ? [] : parseRepositories(read(Input.Repositories), organization, env, problem)
  const environment = optional(Input.Environment)
  const environmentProblem = environment ? environmentNameProblem(environment) : undefined
  if (environmentProblem) {
    problem(Input.Environment, `${quote(environment)} is not an environment name: ${environmentProblem}.`)
  }
  const visibility = oneOf<Visibility>(Input.Visibility, ['all', 'private', 'selected'], 'private')
  const selectedRepositories = parseSelected(read(Input.SelectedRepositories), organization, problem)
  const secretType = oneOf<SecretType>(Input.SecretType, [...SECRET_TYPES], 'actions')
  const previousSecretName = optional(Input.PreviousSecretName)
  if (previousSecretName) checkSecretName(Input.PreviousSecretName, previousSecretName, problem)
  const slotDefaults = {
    ...(secretName && !secretNameProblem(secretName) ? { secretName } : {}),
    ...(previousSecretName && !secretNameProblem(previousSecretName) ? { previousSecretName } : {})
  }
  const destinations = listed
    ? parseDestinations(read(Input.Destinations), { ...slotDefaults, pageSecrets: pageSecrets.length > 0 }, (t) =>
        problem(Input.Destinations, t)
      )
    : shorthandDestinations(
        { repositories, environment, organization, visibility, selectedRepositories, secretType },
        {
          secretName: secretName.toUpperCase(),
          ...(previousSecretName ? { previousSecretName: previousSecretName.toUpperCase() } : {}),
          pages: true
        }
      )
  let previousToken = credential(Input.PreviousToken, 'the token held in previous-secret-name', false)
  let previousSlotHoldsToken: true | undefined
  const githubToken = credential(Input.GithubToken, 'a token allowed to write secrets', false) ?? ''
  if (!githubToken) {
    problem(
      Input.GithubToken,
      "required: a fine-grained PAT with 'Secrets: Read and write' (or a classic PAT, or a GitHub App installation token), " +
        `${naming.credentialSource(Input.GithubToken)}.${naming.inWorkflow ? " The workflow's GITHUB_TOKEN cannot write secrets." : ''}`
    )
  }
  const githubApiUrl = apiUrl(
    Input.GithubApiUrl,
    text(Input.GithubApiUrl) || env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL,
    problem
  )
  const dryRun = bool(Input.DryRun, false)
  const deploy = readDeploySettings(read, env, naming, problem)
  const heartbeat = readHeartbeatSettings(read, problem, dryRun, naming.name)
  const timeout = optional(Input.RequestTimeout)
  const timeoutSeconds = timeout === undefined ? DEFAULT_REQUEST_TIMEOUT_SECONDS : parseDurationSeconds(timeout, 'sm')
  if (timeoutSeconds === undefined)
    problem(Input.RequestTimeout, `${quote(timeout)} is not a duration such as 30s or 2m.`)
  else if (timeoutSeconds > MAX_REQUEST_TIMEOUT_SECONDS) {
    problem(
      Input.RequestTimeout,
      `${quote(timeout)} is longer than 30m: a request that has not answered in 30 minutes will not, and the run would wait for nothing (a timer past about 24 days even fires at once).`
    )
  }
  const concurrency = optional(Input.MaxConcurrency)
  const maxConcurrency = concurrency === undefined ? DEFAULT_MAX_CONCURRENCY : Number(concurrency)
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 64) {
    problem(Input.MaxConcurrency, `${quote(concurrency)} is not a whole number from 1 to 64.`)
  }

  // Combinations
  if (strategy === 'generate') {
    if (!systemUserId) {
      problem(
        Input.SystemUserId,
        `required with ${set(Input.Strategy, 'generate')} (the system user the token is for).`
      )
    }
    if (!adminToken) {
      problem(
        Input.AdminToken,
        `required with ${set(Input.Strategy, 'generate')} (a Business Manager admin or system user token).`
      )
    }
    if (scopes.length === 0) {
      problem(Input.Scopes, `required with ${set(Input.Strategy, 'generate')} (the permissions of the new token).`)
    }
    if (pageSecrets.length > 0) {
      problem(
        Input.PageSecrets,
        `page tokens come from a user token: use ${set(Input.Strategy, 'refresh')} with a long-lived user token.`
      )
    }
    if (revoke === 'true' && !token)
      problem(Input.Revoke, `'true' needs the old token to revoke in ${naming.name(Input.Token)}.`)
    if (adminToken && token && adminToken === token) {
      problem(
        Input.Token,
        `is the same token as ${naming.name(Input.AdminToken)}: the admin token is never replaced or revoked. Pass the system user's current token, or leave it empty.`
      )
    }
  }
  if (instagram) {
    const only = `Instagram Login tokens`
    if (revoke === 'true') {
      problem(
        Input.Revoke,
        `'true' is impossible with ${set(Input.Strategy, 'instagram')}: Instagram has no revoke endpoint. Use auto or false.`
      )
    }
    if (revoke === 'after-deploy') {
      problem(
        Input.Revoke,
        `'after-deploy' has nothing to hand over with ${set(Input.Strategy, 'instagram')}: Instagram has no revoke endpoint. Use auto or false.`
      )
    }
    notWith(Input.PageSecrets, `does not apply to ${only}: page tokens come from a Graph API user token.`)
    notWith(Input.Scopes, `does not apply to ${only}: their permissions cannot be read. Remove it.`)
    notWith(
      Input.RotateBefore,
      `does not apply to ${only}: their expiry cannot be read, and each refresh restarts the 60 days. Remove it and run the workflow weekly.`
    )
    notWith(Input.SystemUserId, `only applies to ${set(Input.Strategy, 'generate')}.`)
    notWith(Input.AdminToken, `only applies to ${set(Input.Strategy, 'generate')}.`)
    if (appId || appSecret) {
      warnings.push(
        `${naming.name(Input.AppId)} and ${naming.name(Input.AppSecret)} are not used with ${set(Input.Strategy, 'instagram')}: Instagram's refresh needs no app secret, and none was sent.`
      )
    }
  }
  if (installApp && !systemUserId)
    problem(Input.InstallApp, `needs ${naming.name(Input.SystemUserId)} (and ${naming.name(Input.AdminToken)}).`)
  if (installApp && strategy !== 'generate')
    problem(Input.InstallApp, `only applies to ${set(Input.Strategy, 'generate')}.`)
  if (environment && secretType !== 'actions') {
    problem(
      Input.Environment,
      `environments hold only Actions secrets; remove it or set ${set(Input.SecretType, 'actions')} (is '${secretType}').`
    )
  }
  if (environment && organization && repositories.length === 0) {
    problem(
      Input.Environment,
      `environment secrets belong to repositories: add ${naming.name(Input.Repositories)}, or remove ${naming.name(Input.Environment)} to write the organization secret.`
    )
  }
  if (secretType === 'codespaces' && environment) {
    problem(Input.SecretType, 'codespaces secrets have no environments.')
  }
  if (selectedRepositories.length > 0 && visibility !== 'selected') {
    problem(Input.SelectedRepositories, `only applies with ${set(Input.Visibility, 'selected')} (is '${visibility}').`)
  }
  if (visibility === 'selected' && selectedRepositories.length === 0) {
    problem(
      Input.SelectedRepositories,
      `required with ${set(Input.Visibility, 'selected')}: the repositories that may use the secret.`
    )
  }
  if ((visibility !== 'private' || selectedRepositories.length > 0) && !organization) {
    problem(Input.Visibility, `applies to organization secrets: set ${naming.name(Input.Organization)} too.`)
  }
  if (previousSecretName && secretName && sameSecretName(previousSecretName, secretName)) {
    problem(
      Input.PreviousSecretName,
      `must differ from ${naming.name(Input.SecretName)} (${quote(secretName)}; names are case-insensitive).`
    )
  }
  if (previousToken && !previousSecretName && graceSlots(destinations).length === 0) {
    problem(
      Input.PreviousToken,
      `needs ${naming.name(Input.PreviousSecretName)}${listed ? ` (or previous= on a line of ${naming.name(Input.Destinations)})` : ''} (the secret that holds it).`
    )
  }
  // An earlier run that stopped midway may have moved the current token into previous-secret-name
  // already: then there is no older token to revoke, and the re-run must still go through.
  if (token && previousToken && token === previousToken) {
    warnings.push(
      `${naming.name(Input.PreviousToken)} is the same as ${naming.name(Input.Token)}: ${naming.name(Input.PreviousSecretName)} already holds the current token (an earlier run stopped after moving it there), so this run revokes no older token.`
    )
    previousToken = undefined
    previousSlotHoldsToken = true
  }
  if (previousToken && adminToken && previousToken === adminToken) {
    problem(Input.PreviousToken, `is the same token as ${naming.name(Input.AdminToken)}, which is never revoked.`)
  }
  for (const page of pageSecrets) {
    for (const [input, name] of [
      [Input.SecretName, secretName],
      [Input.PreviousSecretName, previousSecretName]
    ] as const) {
      if (name && sameSecretName(page.secretName, name)) {
        problem(
          Input.PageSecrets,
          `page ${page.pageId}'s secret '${page.secretName}' is also ${naming.name(input)}: use another name.`
        )
      }
    }
    // With the destinations input, a line's own secret may be the page's.
    const clash = listed
      ? destinations.find((d) =>
          slotNames(d).some(
            (n) =>
              sameSecretName(n, page.secretName) &&
              ![secretName, previousSecretName].some((given) => given && sameSecretName(given, n))
          )
        )
      : undefined
    if (clash) {
      problem(
        Input.PageSecrets,
        `page ${page.pageId}'s secret '${page.secretName}' is also a secret of ${naming.name(Input.Destinations)} (the ${describeDestination(clash)}): use another name.`
      )
    }
  }
  if (pageSecrets.length > 0 && listed && destinations.length > 0 && !destinations.some((d) => d.pages)) {
    problem(
      Input.PageSecrets,
      `no destination takes the page tokens: every line of ${naming.name(Input.Destinations)} says pages=false.`
    )
  }

  if (problems.length > 0) {
    throw new RotationError(
      'inputs',
      `Invalid input${problems.length > 1 ? 's' : ''}; nothing was minted, written or revoked:\n  - ${problems.join('\n  - ')}`,
      naming.fixInputs
    )
  }
  const common: CommonSettings = {
    revoke,
    rotateBeforeSeconds,
    secretName: secretName || (destinations[0]?.secretName ?? ''),
    destinations,
    repositories,
    environment,
    organization,
    visibility,
    selectedRepositories,
    secretType,
    previousSecretName,
    previousToken,
    ...(previousSlotHoldsToken ? { previousSlotHoldsToken } : {}),
    githubToken,
    githubApiUrl,
    dryRun,
    requestTimeoutMs: (timeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000,
    maxConcurrency,
    deploy,
    heartbeat,
    warnings
  }
  const app: MetaApp = { id: appId, secret: appSecret, graphApiVersion, graphApiUrl }
  switch (strategy) {
    case 'instagram':
      return { ...common, strategy, token: token ?? '', instagramApiUrl }
    case 'generate':
      return {
        ...common,
        strategy,
        app,
        token,
        systemUserId: systemUserId ?? '',
        adminToken: adminToken ?? '',
        scopes,
        expiring,
        installApp,
        requireSameAssets
      }
    case 'refresh':
      return { ...common, strategy, app, token: token ?? '', scopes, expiring, pageSecrets, requireSameAssets }
  }
}

type Problem = (input: InputName, text: string) => void

const SHORTHAND_DEFAULTS: Partial<Record<InputName, string>> = {
  [Input.Visibility]: 'private',
  [Input.SecretType]: 'actions'
}

/** The inputs the destinations input replaces: one or the other. */
const SHORTHAND_INPUTS: readonly InputName[] = [
  Input.Repositories,
  Input.Environment,
  Input.Organization,
  Input.Visibility,
  Input.SelectedRepositories,
  Input.SecretType
]

function checkSecretName(input: InputName, name: string, problem: Problem): void {
  const why = secretNameProblem(name)
  if (why) problem(input, `${quote(name)} is not a valid GitHub secret name: ${why}.`)
}

function apiUrl(input: InputName, value: string, problem: Problem): string {
  // URL drops tabs and line breaks wherever they stand (and trims the rest): '.\t.' would become '..'.
  if (/\s/.test(value) || hasControlCharacters(value)) {
    problem(input, 'must not contain spaces, tabs, line breaks or control characters.')
    return value
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    problem(input, `${quote(value)} is not a URL.`)
    return value
  }
  // *.localhost is loopback by definition (RFC 6761), as 127.0.0.1 and [::1] are.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost')
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    problem(input, `${quote(value)} must use https (plain http only on localhost): tokens travel over it.`)
  }
  // A bare `?` or `#` leaves URL.search empty but still changes every request path built on it.
  if (value.includes('?') || value.includes('#') || url.username || url.password) {
    problem(input, 'must not carry a query, fragment or credentials.')
  }
  // URL resolves them away (written %2e too, and after a \, which it reads as /), so the text as
  // given is what is checked.
  const path = value
    .replace(/\\/g, '/')
    .replace(/^[a-z]+:\/\/[^/]*/i, '')
    .replace(/%2e/gi, '.')
  if (/\/\.{1,2}(\/|$)/.test(path)) problem(input, "must not contain '.' or '..' path segments.")
  return value.replace(/\/+$/, '')
}

function parseRepositories(
  text: string,
  organization: string | undefined,
  env: NodeJS.ProcessEnv,
  problem: Problem
): string[] {
  const listed = parseList(text)
  for (const repo of listed.filter((r) => !isRepositoryName(r))) {
    problem(Input.Repositories, `${quote(repo)} is not owner/repo.`)
  }
  const unique = [...new Map(listed.map((r) => [r.toLowerCase(), r])).values()]
  if (unique.length > 0 || organization) return unique
  const current = env.GITHUB_REPOSITORY
  if (current && isRepositoryName(current)) return [current]
  problem(
    Input.Repositories,
    'required outside GitHub Actions (no GITHUB_REPOSITORY): list owner/repo, or set the organization.'
  )
  return []
}

function parseSelected(text: string, organization: string | undefined, problem: Problem): string[] {
  const names: string[] = []
  for (const entry of parseList(text)) {
    const [owner, name] = entry.includes('/') ? entry.split('/', 2) : [organization, entry]
    if (!name || !REPOSITORY_NAME.test(name) || isDotSegment(name) || entry.split('/').length > 2) {
      problem(Input.SelectedRepositories, `${quote(entry)} is not a repository name.`)
    } else if (organization && owner?.toLowerCase() !== organization.toLowerCase()) {
      problem(Input.SelectedRepositories, `${quote(entry)} is not in organization ${quote(organization)}.`)
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
      problem(`${quote(line)} is not PAGE_ID=SECRET_NAME (one per line, the page id a number).`)
      continue
    }
    const [, pageId, secretName] = match as unknown as [string, string, string]
    const why = secretNameProblem(secretName)
    if (why) problem(`${quote(secretName)} (page ${pageId}) is not a valid GitHub secret name: ${why}.`)
    else if (pages.some((p) => p.pageId === pageId)) problem(`page ${pageId} is listed twice.`)
    else {
      const taken = pages.find((p) => sameSecretName(p.secretName, secretName))
      if (taken)
        problem(`pages ${taken.pageId} and ${pageId} both name the secret '${secretName}': one secret holds one token.`)
      else pages.push({ pageId, secretName })
    }
  }
  return pages
}
