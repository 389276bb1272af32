// The action's public names, in one place: users' workflows depend on them, so a rename is one edit
// here and a test (action.yml is checked against this list).

export const Input = {
  AppId: 'app-id',
  AppSecret: 'app-secret',
  Token: 'token',
  Strategy: 'strategy',
  SystemUserId: 'system-user-id',
  AdminToken: 'admin-token',
  GenerateEndpoint: 'generate-endpoint',
  BusinessId: 'business-id',
  Scopes: 'scopes',
  Expiring: 'expiring',
  InstallApp: 'install-app',
  Revoke: 'revoke',
  RotateBefore: 'rotate-before',
  PageSecrets: 'page-secrets',
  GraphApiVersion: 'graph-api-version',
  GraphApiUrl: 'graph-api-url',
  InstagramApiUrl: 'instagram-api-url',
  RequireSameAssets: 'require-same-assets',
  SecretName: 'secret-name',
  Destinations: 'destinations',
  Repositories: 'repositories',
  Environment: 'environment',
  Organization: 'organization',
  Visibility: 'visibility',
  SelectedRepositories: 'selected-repositories',
  SecretType: 'secret-type',
  PreviousSecretName: 'previous-secret-name',
  PreviousToken: 'previous-token',
  GithubToken: 'github-token',
  GithubApiUrl: 'github-api-url',
  DryRun: 'dry-run',
  RequestTimeout: 'request-timeout',
  MaxConcurrency: 'max-concurrency',
  DeployWorkflows: 'deploy-workflows',
  DeployTimeout: 'deploy-timeout',
  KeepAlive: 'keep-alive',
  HeartbeatUrl: 'heartbeat-url',
  HeartbeatStart: 'heartbeat-start',
  ExpiryVariable: 'expiry-variable',
  LeaseWait: 'lease-wait'
} as const

export const Output = {
  Rotated: 'rotated',
  Revoked: 'revoked',
  ExpiresAt: 'expires-at',
  TokenType: 'token-type',
  Scopes: 'scopes',
  Secrets: 'secrets',
  Token: 'token',
  DataAccessExpiresAt: 'data-access-expires-at',
  FailedStep: 'failed-step',
  Error: 'error',
  Deployments: 'deployments',
  GithubTokenExpiresAt: 'github-token-expires-at'
} as const

export const DEFAULT_GRAPH_API_VERSION = 'v27.0'
export const DEFAULT_GRAPH_API_URL = 'https://graph.facebook.com'
export const DEFAULT_INSTAGRAM_API_URL = 'https://graph.instagram.com'
export const DEFAULT_GITHUB_API_URL = 'https://api.github.com'
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30
export const DEFAULT_MAX_CONCURRENCY = 64
/** How close the end of a user token's data access may come before the run fails, when rotate-before is empty. */
export const DEFAULT_DATA_ACCESS_WARNING_SECONDS = 14 * 86_400

export type InputName = (typeof Input)[keyof typeof Input]

/** Inputs that hold credentials: masked before anything else happens. */
export const CREDENTIAL_INPUTS: readonly InputName[] = [
  Input.AppSecret,
  Input.Token,
  Input.AdminToken,
  Input.PreviousToken,
  Input.GithubToken,
  Input.HeartbeatUrl
]
