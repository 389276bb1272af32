// Who is calling: the caller's access token (a token, or the app token APP_ID|APP_SECRET), its
// appsecret_proof, and the client_id/client_secret pair of the oauth endpoints.
import { createHmac } from 'node:crypto'
import type { ParsedRequest } from '../loopback-server.js'
import {
  GraphError,
  cannotParseToken,
  proofInvalid,
  proofRequired,
  sessionExpired,
  sessionInvalidated,
  tokenInvalidated
} from './errors.js'
import type { GraphApp, GraphTokenRecord, GraphWorld } from './world.js'

export type Params = Record<string, string>

/** Graph takes its parameters from the query string and from a POST body alike. */
export function paramsOf(request: ParsedRequest): Params {
  const params: Params = { ...request.query }
  for (const [name, value] of Object.entries(request.form)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      params[name] = String(value)
  }
  return params
}

/** hex(HMAC-SHA256(key = app secret, message = the access token sent in the same call)). */
export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex')
}

export type Caller =
  | { kind: 'app'; app: GraphApp; accessToken: string }
  | { kind: 'token'; app: GraphApp; token: GraphTokenRecord; accessToken: string }

/** 'always': the endpoint wants a proof even when the app does not require one. */
export type ProofPolicy = 'when-app-requires' | 'always'

export function authenticate(
  world: GraphWorld,
  request: ParsedRequest,
  params: Params,
  policy: ProofPolicy = 'when-app-requires'
): Caller {
  const accessToken = callerToken(request, params)
  if (!accessToken) throw new GraphError('An access token is required to request this resource.', 104)
  const proof = params.appsecret_proof || undefined

  const appToken = parseAppToken(accessToken)
  if (appToken) {
    const app = world.apps.get(appToken.appId)
    if (!app && world.unknownAppToken === 'cannot-parse') throw cannotParseToken()
    if (!app || appToken.secret !== app.secret) throw new GraphError('Invalid OAuth access token signature.', 190)
    // An app token carries the secret itself, so no proof is required; a wrong one is still refused.
    if (proof !== undefined && proof !== appSecretProof(app.secret, accessToken)) throw proofInvalid()
    return { kind: 'app', app, accessToken }
  }

  const token = world.tokens.get(accessToken)
  if (!token) throw cannotParseToken()
  const app = world.app(token.appId)
  if (proof === undefined) {
    if (policy === 'always' || app.requireAppSecretProof) throw proofRequired()
  } else if (proof !== appSecretProof(app.secret, accessToken)) {
    throw proofInvalid()
  }
  assertUsable(world, token)
  return { kind: 'token', app, token, accessToken }
}

/** The caller's token: `access_token`, or else `Authorization: Bearer …` or `Authorization: OAuth …`. */
export function callerToken(request: ParsedRequest, params: Params): string | undefined {
  if (params.access_token) return params.access_token
  const match = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(request.headers.authorization ?? '')
  return match?.[1]
}

export function parseAppToken(value: string): { appId: string; secret: string } | undefined {
  const bar = value.indexOf('|')
  return bar < 0 ? undefined : { appId: value.slice(0, bar), secret: value.slice(bar + 1) }
}

/** Why a known token cannot be used right now, if it cannot. */
export function tokenProblem(world: GraphWorld, token: GraphTokenRecord): GraphError | undefined {
  if (token.revoked) return sessionInvalidated()
  if (token.invalidation !== undefined) return tokenInvalidated(token.invalidation, token.userId, token.appId)
  if (world.isExpired(token)) return sessionExpired(token.expiresAt, world.now())
  return undefined
}

export function assertUsable(world: GraphWorld, token: GraphTokenRecord): void {
  const problem = tokenProblem(world, token)
  if (problem) throw problem
}

/** The oauth endpoints identify the app by client_id and client_secret instead of a token. */
export function authenticateClient(world: GraphWorld, params: Params): GraphApp {
  if (!params.client_id) throw new GraphError('Missing client_id parameter.', 101)
  const app = world.apps.get(params.client_id)
  if (!app) throw new GraphError('Error validating application. Invalid application ID.', 101)
  if (!params.client_secret) throw new GraphError('Missing client_secret parameter.', 101)
  // Yes, code 1 ("unknown error") is what Meta answers for a wrong secret: a client must not retry it.
  if (params.client_secret !== app.secret) throw new GraphError('Error validating client secret.', 1)
  return app
}
