// Every input turned into one typed, validated settings object before any network call. After this,
// nothing reads an input again. Each problem names the input and the fix; all are reported at once.
// The reading is in settings/: the Meta side, the GitHub side, the run, then the rules between them.
import { Input } from './contract.js'
import type { HeartbeatSettings } from './heartbeat/heartbeat.js'
import { readHeartbeatSettings } from './heartbeat/heartbeat-settings.js'
import { actionInputs, type InputNaming } from './input-naming.js'
import { RotationError } from './rotation-error.js'
import {
  checkDestinationRules,
  checkGraceRules,
  checkPageRules,
  revocablePreviousToken
} from './settings/destination-rules.js'
import { readGitHubInputs, type GitHubInputs } from './settings/github-inputs.js'
import { InputReading, type InputReader } from './settings/input-reading.js'
import { readMetaInputs } from './settings/meta-inputs.js'
import { readRunInputs, type RunInputs } from './settings/run-inputs.js'
import { checkStrategyRules } from './settings/strategy-rules.js'

export type Strategy = 'refresh' | 'generate' | 'instagram'
/** Where generate mints: POST /{system-user-id}/access_tokens, or POST /{business-id}/system_user_access_tokens. */
export type GenerateEndpoint = 'system-user' | 'business'
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

/** Where the token goes, everything GitHub needs to put it there, and how the run behaves. */
interface CommonSettings extends Omit<GitHubInputs, 'listed'>, RunInputs {
  revoke: RevokeMode
  rotateBeforeSeconds?: number
  /** previous-token was the same as token: the previous slot already holds the current token. */
  previousSlotHoldsToken?: true
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
  /** Empty: the current token's user_id (its app-scoped id), read by debug_token before minting. */
  systemUserId?: string
  adminToken: string
  generateEndpoint: GenerateEndpoint
  /** With generateEndpoint 'business': the Business Manager that owns the system user. */
  businessId?: string
  scopes: string[]
  expiring: boolean
  installApp: boolean
  /** The system user's pages whose tokens go into secrets of their own. */
  pageSecrets: PageSecret[]
  requireSameAssets: boolean
}

export interface InstagramSettings extends CommonSettings {
  strategy: 'instagram'
  token: string
  instagramApiUrl: string
}

export type Settings = RefreshSettings | GenerateSettings | InstagramSettings
export type GraphSettings = RefreshSettings | GenerateSettings

/** Inputs that cannot make a run, with what the failed run still reports: its secret's name and its heartbeat. */
export class InvalidInputs extends RotationError {
  constructor(
    message: string,
    fix: string,
    readonly secretName: string,
    readonly heartbeat: HeartbeatSettings
  ) {
    super('inputs', message, fix)
  }
}

export function readSettings(
  read: InputReader,
  env: NodeJS.ProcessEnv = {},
  naming: InputNaming = actionInputs
): Settings {
  const inputs = new InputReading(read, naming)
  const meta = readMetaInputs(inputs)
  const github = readGitHubInputs(inputs, env, meta.pageSecrets)
  const run = readRunInputs(inputs, env)
  checkStrategyRules(inputs, meta)
  checkDestinationRules(inputs, github)
  checkGraceRules(inputs, meta, github)
  checkPageRules(inputs, meta, github)
  if (inputs.problems.length > 0) {
    const { problems } = inputs
    throw new InvalidInputs(
      `Invalid input${problems.length > 1 ? 's' : ''}; nothing was minted, written or revoked:\n  - ${problems.join('\n  - ')}`,
      naming.fixInputs,
      inputs.text(Input.SecretName),
      // A workflow edited into an input error is a failed run too; only a heartbeat-url that is itself valid is pinged.
      readHeartbeatSettings(read, () => undefined, false)
    )
  }
  const { listed: _listed, ...fromGitHub } = github
  const previousToken = revocablePreviousToken(inputs, meta, github)
  const common: CommonSettings = {
    ...fromGitHub,
    // secret-name; with the destinations input, the first line's secret when it is empty.
    secretName: github.secretName || (github.destinations[0]?.secretName ?? ''),
    previousToken,
    ...(github.previousToken && !previousToken ? { previousSlotHoldsToken: true as const } : {}),
    ...run,
    revoke: meta.revoke,
    rotateBeforeSeconds: meta.rotateBeforeSeconds,
    warnings: inputs.warnings
  }
  const app: MetaApp = {
    id: meta.appId,
    secret: meta.appSecret,
    graphApiVersion: meta.graphApiVersion,
    graphApiUrl: meta.graphApiUrl
  }
  const { strategy, token, scopes, expiring, requireSameAssets } = meta
  switch (strategy) {
    case 'instagram':
      return { ...common, strategy, token: token ?? '', instagramApiUrl: meta.instagramApiUrl }
    case 'generate':
      return {
        ...common,
        strategy,
        app,
        token,
        systemUserId: meta.systemUserId,
        adminToken: meta.adminToken ?? '',
        generateEndpoint: meta.generateEndpoint,
        businessId: meta.businessId,
        scopes,
        expiring,
        installApp: meta.installApp,
        pageSecrets: meta.pageSecrets,
        requireSameAssets
      }
    case 'refresh':
      return {
        ...common,
        strategy,
        app,
        token: token ?? '',
        scopes,
        expiring,
        pageSecrets: meta.pageSecrets,
        requireSameAssets
      }
  }
}
