// The Meta side of the inputs: the strategy, the app, the tokens and what the new token must be.
import { DEFAULT_GRAPH_API_URL, DEFAULT_GRAPH_API_VERSION, DEFAULT_INSTAGRAM_API_URL, Input } from '../contract.js'
import { parseDurationSeconds } from '../duration.js'
import { closeScopes, SYSTEM_USER_SCOPES } from '../graph/system-user-scopes.js'
import type { GenerateEndpoint, PageSecret, RevokeMode, Strategy } from '../settings.js'
import { apiUrl } from './api-url.js'
import { parseList, quote, type InputReading } from './input-reading.js'
import { parsePageSecrets } from './page-secrets.js'

/** Longer than a token can live either way; the bound keeps every date computed from it a real date. */
const MAX_ROTATE_BEFORE_SECONDS = 365 * 86_400
const NUMERIC_ID = /^\d{1,20}$/
const SCOPE = /^[a-z][a-z0-9_]*$/
const GRAPH_VERSION = /^v\d+\.\d+$/

export interface MetaInputs {
  strategy: Strategy
  appId: string
  appSecret: string
  token?: string
  systemUserId?: string
  adminToken?: string
  generateEndpoint: GenerateEndpoint
  businessId?: string
  scopes: string[]
  expiring: boolean
  installApp: boolean
  requireSameAssets: boolean
  revoke: RevokeMode
  rotateBeforeSeconds?: number
  pageSecrets: PageSecret[]
  graphApiVersion: string
  graphApiUrl: string
  instagramApiUrl: string
}

export function readMetaInputs(inputs: InputReading): MetaInputs {
  const { problem } = inputs
  const strategy = inputs.oneOf<Strategy>(Input.Strategy, ['refresh', 'generate', 'instagram'], 'refresh')
  const instagram = strategy === 'instagram'
  const appId = inputs.text(Input.AppId)
  if (!appId && !instagram) problem(Input.AppId, 'required: your Meta app id (App settings > Basic > App ID).')
  else if (appId && !NUMERIC_ID.test(appId))
    problem(Input.AppId, `${quote(appId)} is not a Meta app id: app ids are numbers.`)
  const appSecret = inputs.credential(Input.AppSecret, 'the Meta app secret', !instagram) ?? ''
  const token = inputs.credential(
    Input.Token,
    instagram ? 'the current long-lived Instagram User token' : 'the current Meta access token',
    strategy !== 'generate'
  )
  const systemUserId = inputs.optional(Input.SystemUserId)
  if (systemUserId && !NUMERIC_ID.test(systemUserId)) {
    problem(
      Input.SystemUserId,
      `${quote(systemUserId)} is not a system user id: ids are numbers (the app-scoped id: debug_token's user_id for the system user's token).`
    )
  }
  const adminToken = inputs.credential(Input.AdminToken, 'an admin or system user access token', false)
  const generateEndpoint = inputs.oneOf<GenerateEndpoint>(
    Input.GenerateEndpoint,
    ['system-user', 'business'],
    'system-user'
  )
  const businessId = inputs.optional(Input.BusinessId)
  if (businessId && !NUMERIC_ID.test(businessId)) {
    problem(
      Input.BusinessId,
      `${quote(businessId)} is not a business id: ids are numbers (Business settings > Business info > Business ID).`
    )
  }
  const scopes = readScopes(inputs)
  const expiring = inputs.bool(Input.Expiring, true)
  const installApp = inputs.bool(Input.InstallApp, false)
  const requireSameAssets = inputs.bool(Input.RequireSameAssets, true)
  const revoke = inputs.oneOf<RevokeMode>(Input.Revoke, ['auto', 'true', 'false', 'after-deploy'], 'auto')
  const rotateBeforeSeconds = readRotateBefore(inputs)
  const pageSecrets = parsePageSecrets(inputs.raw(Input.PageSecrets), (t) => problem(Input.PageSecrets, t))
  const graphApiVersion = inputs.text(Input.GraphApiVersion) || DEFAULT_GRAPH_API_VERSION
  if (!GRAPH_VERSION.test(graphApiVersion)) {
    problem(
      Input.GraphApiVersion,
      `${quote(graphApiVersion)} is not a Graph API version such as ${DEFAULT_GRAPH_API_VERSION}.`
    )
  }
  const graphApiUrl = apiUrl(Input.GraphApiUrl, inputs.text(Input.GraphApiUrl) || DEFAULT_GRAPH_API_URL, problem)
  const instagramApiUrl = apiUrl(
    Input.InstagramApiUrl,
    inputs.text(Input.InstagramApiUrl) || DEFAULT_INSTAGRAM_API_URL,
    problem
  )
  return {
    strategy,
    appId,
    appSecret,
    token,
    systemUserId,
    adminToken,
    generateEndpoint,
    businessId,
    scopes,
    expiring,
    installApp,
    requireSameAssets,
    revoke,
    rotateBeforeSeconds,
    pageSecrets,
    graphApiVersion,
    graphApiUrl,
    instagramApiUrl
  }
}

function readScopes(inputs: InputReading): string[] {
  const scopes = parseList(inputs.raw(Input.Scopes))
  for (const scope of scopes.filter((s) => !SCOPE.test(s))) {
    inputs.problem(
      Input.Scopes,
      `${quote(scope)} is not a permission name (lower-case words joined by underscores, e.g. ads_read).`
    )
  }
  for (const scope of scopes.filter((s) => SCOPE.test(s) && !SYSTEM_USER_SCOPES.has(s))) {
    const close = closeScopes(scope)
    // Meta adds permissions over time and refuses a name that does not exist: a warning, not an error.
    inputs.warnings.push(
      `${inputs.name(Input.Scopes)}: ${quote(scope)} is not in the list of permissions known here` +
        `${close.length > 0 ? `; did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : '.'} ` +
        'If it is a permission Meta added recently, ignore this: Meta refuses a name that does not exist before minting anything.'
    )
  }
  return scopes
}

function readRotateBefore(inputs: InputReading): number | undefined {
  const rotateBefore = inputs.optional(Input.RotateBefore)
  if (rotateBefore === undefined) return undefined
  const seconds = parseDurationSeconds(rotateBefore)
  if (seconds === undefined) {
    inputs.problem(
      Input.RotateBefore,
      `${quote(rotateBefore)} is not a duration: use a number and d, h or m, such as 14d, 36h or 90m.`
    )
  } else if (seconds > MAX_ROTATE_BEFORE_SECONDS) {
    inputs.problem(
      Input.RotateBefore,
      `${quote(rotateBefore)} is longer than 365d: Meta's tokens live 60 days (their data access 90), so any value from 60d up already rotates on every run.`
    )
  }
  return seconds
}
