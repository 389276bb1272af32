// The clients a run talks through, wired from the settings: the token source (Graph or Instagram),
// the GitHub client and what is built on it. Shared by the action and the status command.
import type { ActionIO } from './action-io.js'
import type { Clock } from './clock.js'
import { CREDENTIAL_INPUTS, Input } from './contract.js'
import { credentialWords } from './credential-shape.js'
import { DeployStep } from './deploy/deploy.js'
import { createGitHubClient } from './github/github-client.js'
import { SecretStore } from './github/secret-store.js'
import { GitHubTokenExpiry } from './github/token-expiry.js'
import { Workflows } from './github/workflows.js'
import { GraphClient, type RetryPolicy } from './graph/graph-client.js'
import { MetaTokens } from './graph/meta-tokens.js'
import type { HttpStack } from './http/http-stack.js'
import type { InputNaming } from './input-naming.js'
import { InstagramTokens } from './instagram/instagram-tokens.js'
import type { ReportRenderer } from './report.js'
import type { SecretKeeper } from './secret-keeper.js'
import type { Settings } from './settings.js'
import { GraphTokenSource } from './strategies/graph-source.js'
import { InstagramTokenSource } from './strategies/instagram-source.js'
import type { TokenSource } from './strategies/token-source.js'

/** What tests and the CLI may change: time, waits, how inputs are named and how the summary is written. */
export interface ActionDeps {
  clock?: Clock
  graphRetry?: RetryPolicy
  /** How long one of GitHub's seconds lasts inside Octokit's plugins (retry-after, pacing); tests shorten it. */
  githubSecondMs?: number
  /** Overrides request-timeout, below the one-second floor the input allows. */
  requestTimeoutMs?: number
  /** Pause between read-backs of a secret that still looks as before the write. */
  readBackDelayMs?: number
  naming?: InputNaming
  /** Writes the summary: the job summary's Markdown by default; the CLI's plain text in a terminal. */
  report?: ReportRenderer
  /** Tests only: wraps the transport of GitHub requests (sends what is addressed to api.github.com to an emulator). */
  githubFetch?: (fetch: typeof globalThis.fetch) => typeof globalThis.fetch
}

/** JSON answers here are small; anything bigger than this is refused. */
export const MAX_GRAPH_BODY_BYTES = 1024 * 1024
export const MAX_GITHUB_BODY_BYTES = 8 * 1024 * 1024

export interface ClientWiring {
  io: ActionIO
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  deps: ActionDeps
  serverUrl: string | undefined
  graphHttp: HttpStack
  githubHttp: HttpStack
}

export interface Clients {
  source: TokenSource
  github: ReturnType<typeof createGitHubClient>
  store: SecretStore
  workflows: Workflows
  deploy: DeployStep
  tokenExpiry: GitHubTokenExpiry
}

export function wireClients(settings: Settings, wiring: ClientWiring): Clients {
  const { io, keeper, naming, clock, deps, serverUrl, graphHttp, githubHttp } = wiring
  const source = tokenSource(settings, { io, keeper, naming, clock, deps, http: graphHttp })
  const tokenExpiry = new GitHubTokenExpiry(settings.githubToken)
  const github = gitHubClientOf(settings, { http: githubHttp, expiry: tokenExpiry, deps, log: io })
  const githubTime = () => githubHttp.serverTime()
  const store = new SecretStore(github, { clock, githubTime, readBackDelayMs: deps.readBackDelayMs })
  const workflows = new Workflows(github)
  const deploy = new DeployStep(settings.deploy, { workflows, clock, log: io, keeper, naming, serverUrl, githubTime })
  return { source, github, store, workflows, deploy, tokenExpiry }
}

/** The client that writes the secrets, its answers watched for the github-token's expiry. */
export function gitHubClientOf(
  settings: Settings,
  wiring: { http: HttpStack; expiry: GitHubTokenExpiry; deps: ActionDeps; log: ActionIO }
): ReturnType<typeof createGitHubClient> {
  const { http, expiry, deps, log } = wiring
  return createGitHubClient({
    token: settings.githubToken,
    baseUrl: settings.githubApiUrl,
    fetch: expiry.watch(deps.githubFetch ? deps.githubFetch(http.fetch) : http.fetch),
    log,
    maxConcurrency: settings.maxConcurrency,
    secondMs: deps.githubSecondMs
  })
}

/**
 * Every credential input, and every credential-shaped word of any input, kept secret before anything
 * else: a credential given where a name goes is refused by readSettings, and until then nothing may show it.
 */
export function keepInputCredentials(keeper: SecretKeeper, read: (name: string) => string): void {
  for (const input of CREDENTIAL_INPUTS) keeper.keep(read(input).trim())
  for (const input of Object.values(Input)) for (const word of credentialWords(read(input))) keeper.keep(word)
}

interface SourceWiring {
  io: ActionIO
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  deps: ActionDeps
  http: HttpStack
}

export function tokenSource(settings: Settings, { io, keeper, naming, clock, deps, http }: SourceWiring): TokenSource {
  if (settings.strategy === 'instagram') {
    const api = new GraphClient({
      baseUrl: settings.instagramApiUrl,
      api: 'Instagram API',
      urlInput: 'instagram-api-url',
      http,
      clock,
      retry: deps.graphRetry,
      log: io,
      keeper
    })
    return new InstagramTokenSource(settings, { instagram: new InstagramTokens(api), keeper, naming, clock, log: io })
  }
  const { app } = settings
  const graph = new GraphClient({
    baseUrl: `${app.graphApiUrl}/${app.graphApiVersion}`,
    api: 'Graph API',
    urlInput: 'graph-api-url',
    appSecret: app.secret,
    http,
    clock,
    retry: deps.graphRetry,
    log: io,
    keeper
  })
  const tokens = new MetaTokens(graph, { id: app.id, secret: app.secret })
  keeper.keep(tokens.appToken)
  return new GraphTokenSource(settings, { tokens, keeper, naming, clock, log: io })
}
