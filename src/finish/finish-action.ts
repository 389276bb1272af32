// The finish action: the second half of `revoke: after-deploy`. The rotation stored and confirmed
// the new token and revoked nothing; once the consumers run on the new token (a later step or job
// deployed it), this revokes the old one. It refuses, before revoking anything, when the two tokens
// are the same, when the new one is not valid or not of the same app and owner, or when the old one
// is the admin token: a finish that revokes the token everything runs on would be an outage.
import type { ActionIO } from '../action-io.js'
import type { Clock } from '../clock.js'
import { systemClock } from '../clock.js'
import { DEFAULT_GRAPH_API_URL, DEFAULT_GRAPH_API_VERSION } from '../contract.js'
import { GraphClient, type RetryPolicy } from '../graph/graph-client.js'
import { GraphError } from '../graph/graph-error.js'
import { explainGraphFailure } from '../graph/graph-fixes.js'
import { MetaTokens, type TokenInfo } from '../graph/meta-tokens.js'
import { HttpStack } from '../http/http-stack.js'
import { actionInputs } from '../input-naming.js'
import { echoed } from '../outside-text.js'
import { errorMessage } from '../rotation-error.js'
import { SecretKeeper } from '../secret-keeper.js'
import { expiryText } from '../token-checks.js'

export const FinishInput = {
  AppId: 'app-id',
  AppSecret: 'app-secret',
  OldToken: 'old-token',
  NewToken: 'new-token',
  AdminToken: 'admin-token',
  GraphApiVersion: 'graph-api-version',
  GraphApiUrl: 'graph-api-url'
} as const

export const FinishOutput = {
  Revoked: 'revoked',
  Error: 'error'
} as const

const CREDENTIALS = [FinishInput.AppSecret, FinishInput.OldToken, FinishInput.NewToken, FinishInput.AdminToken]
const TOKEN = /^[\x21-\x7e]{1,4096}$/
const REQUEST_TIMEOUT_MS = 30_000
const MAX_BODY_BYTES = 1024 * 1024

export type FinishIO = Pick<ActionIO, 'getInput' | 'mask' | 'setOutput' | 'setFailed' | 'info' | 'warning' | 'debug'>

export interface FinishDeps {
  clock?: Clock
  graphRetry?: RetryPolicy
}

export interface FinishOutcome {
  revoked: boolean
  /** Why nothing was revoked, when nothing was and that is not a failure. */
  reason?: string
}

class Refusal extends Error {}

export async function runFinishAction(
  io: FinishIO,
  env: NodeJS.ProcessEnv,
  deps: FinishDeps = {}
): Promise<FinishOutcome | undefined> {
  const keeper = new SecretKeeper((secret) => io.mask(secret))
  for (const name of CREDENTIALS) keeper.keep(io.getInput(name).trim())
  const clock = deps.clock ?? systemClock
  const http = new HttpStack({ timeoutMs: REQUEST_TIMEOUT_MS, maxBodyBytes: MAX_BODY_BYTES })
  io.setOutput(FinishOutput.Revoked, 'false')
  try {
    const inputs = readInputs(io)
    keeper.keep(`${inputs.appId}|${inputs.appSecret}`)
    const graph = new GraphClient({
      baseUrl: `${inputs.graphApiUrl}/${inputs.graphApiVersion}`,
      api: 'Graph API',
      urlInput: FinishInput.GraphApiUrl,
      appSecret: inputs.appSecret,
      http,
      clock,
      retry: deps.graphRetry,
      log: io,
      keeper
    })
    const tokens = new MetaTokens(graph, { id: inputs.appId, secret: inputs.appSecret })
    const outcome = await finish(tokens, inputs, clock)
    io.setOutput(FinishOutput.Revoked, String(outcome.revoked))
    io.info(outcome.revoked ? 'Revoked the old token: every consumer now runs on the new one.' : (outcome.reason ?? ''))
    return outcome
  } catch (error) {
    const message =
      error instanceof Refusal
        ? error.message
        : error instanceof GraphError
          ? (() => {
              const explained = explainGraphFailure('revoking the old token', error, clock, actionInputs)
              return `${explained.message} Nothing was revoked. Fix: ${explained.fix}`
            })()
          : `Unexpected error: ${errorMessage(error)} Nothing was revoked.`
    const safe = keeper.redact(message)
    io.setOutput(FinishOutput.Error, safe)
    io.setFailed(safe)
    return undefined
  } finally {
    http.dispose()
  }
}

interface FinishInputs {
  appId: string
  appSecret: string
  oldToken: string
  newToken: string
  adminToken: string
  graphApiVersion: string
  graphApiUrl: string
}

/** Every input problem at once, before any request. */
function readInputs(io: FinishIO): FinishInputs {
  const input = (name: string): string => io.getInput(name).trim()
  const problems: string[] = []
  const appId = input(FinishInput.AppId)
  if (!/^\d{1,20}$/.test(appId)) problems.push(`'${FinishInput.AppId}' must be your Meta app id (a number)`)
  const credential = (name: string, required: boolean): string => {
    const value = input(name)
    if (!value) {
      if (required) problems.push(`'${name}' is required (pass it from a secret or a step's output)`)
    } else if (!TOKEN.test(value)) problems.push(`'${name}' contains spaces, line breaks or non-ASCII characters`)
    return value
  }
  const appSecret = credential(FinishInput.AppSecret, true)
  const oldToken = credential(FinishInput.OldToken, true)
  const newToken = credential(FinishInput.NewToken, true)
  const adminToken = credential(FinishInput.AdminToken, false)
  const graphApiVersion = input(FinishInput.GraphApiVersion) || DEFAULT_GRAPH_API_VERSION
  if (!/^v\d+\.\d+$/.test(graphApiVersion))
    problems.push(
      `'${FinishInput.GraphApiVersion}' '${echoed(graphApiVersion)}' is not a version such as ${DEFAULT_GRAPH_API_VERSION}`
    )
  const graphApiUrl = (input(FinishInput.GraphApiUrl) || DEFAULT_GRAPH_API_URL).replace(/\/+$/, '')
  let url: URL | undefined
  try {
    url = new URL(graphApiUrl)
  } catch {
    problems.push(`'${FinishInput.GraphApiUrl}' is not a URL`)
  }
  const loopback = url && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (
    url &&
    (url.search || url.hash || url.username || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)))
  )
    problems.push(`'${FinishInput.GraphApiUrl}' must be an https URL without query or credentials`)
  if (problems.length > 0) throw new Refusal(`Input error, nothing was revoked: ${problems.join('; ')}.`)
  // Refused before any request: these need no answer from Meta to be known unsafe.
  if (oldToken === newToken) {
    throw new Refusal(
      `'${FinishInput.OldToken}' and '${FinishInput.NewToken}' are the same token: revoking it would break every consumer, so nothing was revoked. (A refresh may hand back the same token: then there is nothing to finish.)`
    )
  }
  if (adminToken && oldToken === adminToken) {
    throw new Refusal(
      `'${FinishInput.OldToken}' is the admin token ('${FinishInput.AdminToken}'), which is never revoked: nothing was revoked. Pass the system user's replaced token.`
    )
  }
  return { appId, appSecret, oldToken, newToken, adminToken, graphApiVersion, graphApiUrl }
}

async function finish(tokens: MetaTokens, inputs: FinishInputs, clock: Clock): Promise<FinishOutcome> {
  const now = clock.now()
  const fresh = await tokens.inspect(inputs.newToken)
  const old = await tokens.inspect(inputs.oldToken)
  const refuse = (why: string) =>
    new Refusal(`${why} Nothing was revoked: the old token stays valid until ${expiryText(old.expiresAt, now)}.`)
  if (!fresh.isValid) {
    throw refuse(
      `The new token ('${FinishInput.NewToken}') is not valid (${fresh.problem?.message ?? 'Meta says so'}), so the consumers cannot be running on it.`
    )
  }
  if (fresh.appId !== inputs.appId) {
    throw refuse(`The new token belongs to app ${fresh.appId}, not to '${FinishInput.AppId}' ${inputs.appId}.`)
  }
  if (!old.isValid) return { revoked: false, reason: 'The old token is already invalid: nothing to revoke.' }
  if (old.appId !== fresh.appId) {
    throw refuse(
      `The old token belongs to app ${old.appId} and the new one to app ${fresh.appId}: they are not one token's rotation.`
    )
  }
  if (!sameOwner(old, fresh)) {
    throw refuse(
      `The new token is of ${describeOwner(fresh)} and the old one of ${describeOwner(old)}: they are not one token's rotation.`
    )
  }
  if (old.kind !== 'system-user') {
    return {
      revoked: false,
      reason: `The old token is a ${old.kind} token, which Meta cannot revoke: it stays valid until ${expiryText(old.expiresAt, now)}.`
    }
  }
  // Given the other way round, the "old" token would be the one just stored: the consumers' token.
  // Without both issue dates the order is unproven unless both expiries show it: then nothing is revoked.
  if (!(fresh.issuedAt && old.issuedAt) && !(fresh.expiresAt && old.expiresAt)) {
    throw refuse(
      `Meta did not say when both tokens were issued (debug_token had no issued_at) nor when both expire, so which one is the newer cannot be told, and revoking the wrong one would break the token just stored.`
    )
  }
  const newer =
    (!fresh.issuedAt || !old.issuedAt || fresh.issuedAt >= old.issuedAt) &&
    !(fresh.expiresAt && old.expiresAt && fresh.expiresAt < old.expiresAt)
  if (!newer) {
    throw refuse(
      `The new token was issued before the old one (or expires first): '${FinishInput.OldToken}' and '${FinishInput.NewToken}' look swapped, and revoking would break the token just stored.`
    )
  }
  await tokens.revoke(inputs.oldToken, inputs.newToken)
  return { revoked: true }
}

function sameOwner(a: TokenInfo, b: TokenInfo): boolean {
  return a.userId !== undefined && a.userId === b.userId && a.kind === b.kind
}

function describeOwner(info: TokenInfo): string {
  return `${info.kind === 'system-user' ? 'system user' : info.kind} ${info.userId ?? '(unknown)'}`
}
