// Every input turned into one typed, validated settings object before any network call. After this,
// nothing reads an input again. Each problem names the input and the fix; all are reported at once.
// The reading is in settings/: the Meta side, the GitHub side, the run, then the rules between them.
import { Input } from './contract.js'
import type { DeploySettings } from './deploy/deploy-settings.js'
import type { Destination } from './github/destinations.js'
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
import { readGitHubInputs } from './settings/github-inputs.js'
import { InputReading, type InputReader } from './settings/input-reading.js'
import { readMetaInputs } from './settings/meta-inputs.js'
import { readRunInputs } from './settings/run-inputs.js'
import { checkStrategyRules } from './settings/strategy-rules.js'

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
  const common: CommonSettings = {
    revoke: meta.revoke,
    rotateBeforeSeconds: meta.rotateBeforeSeconds,
    secretName: github.secretName || (github.destinations[0]?.secretName ?? ''),
    destinations: github.destinations,
    repositories: github.repositories,
    environment: github.environment,
    organization: github.organization,
    visibility: github.visibility,
    selectedRepositories: github.selectedRepositories,
    secretType: github.secretType,
    previousSecretName: github.previousSecretName,
    previousToken: revocablePreviousToken(inputs, meta, github),
    githubToken: github.githubToken,
    githubApiUrl: github.githubApiUrl,
    ...run,
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
        systemUserId: meta.systemUserId ?? '',
        adminToken: meta.adminToken ?? '',
        scopes,
        expiring,
        installApp: meta.installApp,
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
