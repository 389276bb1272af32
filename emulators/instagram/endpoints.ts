// The two endpoints of graph.instagram.com a rotation uses, unversioned or versioned (/v27.0/…):
//   GET /me?fields=user_id,username       who the token belongs to
//   GET /refresh_access_token?grant_type=ig_refresh_token&access_token=…
// There is no app secret and no revoke endpoint: everything else is "Unsupported request".
import type { JsonResponse, ParsedRequest } from '../loopback-server.js'
import {
  InstagramError,
  cannotParseToken,
  errorResponse,
  missingParameter,
  sessionExpired,
  sessionInvalidated,
  sessionReplaced,
  unsupportedRequest,
  unsupportedVersion
} from './errors.js'
import { DAY, SIXTY_DAYS, type InstagramTokenRecord, type InstagramWorld } from './world.js'

const REFRESH_PERMISSION = 'instagram_business_basic'
const ME_FIELDS = ['user_id', 'username', 'id', 'name', 'account_type']

export function handleInstagramRequest(
  world: InstagramWorld,
  versions: readonly string[],
  request: ParsedRequest
): JsonResponse {
  try {
    return route(world, versions, request)
  } catch (error) {
    if (error instanceof InstagramError) return errorResponse(error)
    throw error
  }
}

function route(world: InstagramWorld, versions: readonly string[], request: ParsedRequest): JsonResponse {
  let segments = request.segments
  const version = segments[0]
  if (version !== undefined && /^v\d+\.\d+$/.test(version)) {
    if (!versions.includes(version)) throw unsupportedVersion(version, versions)
    segments = segments.slice(1)
  }
  const [node, ...rest] = segments
  if (request.method === 'GET' && rest.length === 0) {
    if (node === 'me') return me(world, request)
    if (node === 'refresh_access_token') return refresh(world, request)
  }
  throw unsupportedRequest(request.method)
}

// GET /me?fields=user_id,username: only the fields asked for, and the id.
function me(world: InstagramWorld, request: ParsedRequest): JsonResponse {
  const value = request.query.access_token || bearerToken(request)
  if (!value) {
    throw new InstagramError(
      'An active access token must be used to query information about the current user.',
      2500,
      'OAuthException'
    )
  }
  const token = usableToken(world, value)
  const account = world.accounts.get(token.userId)
  const fields = (request.query.fields ?? 'id')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
  const unknown = fields.find((field) => !ME_FIELDS.includes(field))
  if (unknown)
    throw new InstagramError(`(#100) Tried accessing nonexisting field (${unknown}) on node type (User)`, 100)
  const body: Record<string, unknown> = {}
  for (const field of fields) {
    if (field === 'user_id') body.user_id = token.userId
    if (field === 'username') body.username = account?.username
    if (field === 'name') body.name = account?.username
    if (field === 'account_type') body.account_type = 'BUSINESS'
  }
  body.id = account?.id
  return { status: 200, body }
}

// GET /refresh_access_token?grant_type=ig_refresh_token&access_token=…
// Only a long-lived token at least 24 hours old, not expired, granted instagram_business_basic.
function refresh(world: InstagramWorld, request: ParsedRequest): JsonResponse {
  const grantType = request.query.grant_type
  if (!grantType) throw missingParameter('grant_type')
  if (grantType !== 'ig_refresh_token') {
    throw new InstagramError(`(#100) Param grant_type must be one of {ig_refresh_token} - got "${grantType}"`, 100)
  }
  const value = request.query.access_token || (world.refreshAcceptsBearer ? bearerToken(request) : undefined)
  if (!value) throw missingParameter('access_token')
  const old = usableToken(world, value)
  if (!old.longLived) throw refused(world, '(#100) Only a long-lived access token can be refreshed')
  if (world.now() - old.issuedAt < DAY) {
    throw refused(world, '(#100) An access token can be refreshed only once it is at least 24 hours old')
  }
  if (!old.permissions.includes(REFRESH_PERMISSION)) {
    throw new InstagramError('(#10) Application does not have permission for this action', 10)
  }

  let fresh = old
  if (world.refreshReturnsSameToken) {
    old.issuedAt = world.now()
    old.expiresAt = world.now() + SIXTY_DAYS
  } else {
    const issued = world.issueToken({ userId: old.userId, appId: old.appId, permissions: old.permissions })
    fresh = world.tokens.get(issued) as InstagramTokenRecord
    if (world.oldTokenAfterRefresh === 'stops-working') old.replacedBy = fresh.value
  }
  return {
    status: 200,
    body: {
      access_token: fresh.value,
      token_type: 'bearer',
      expires_in: fresh.expiresAt - world.now(),
      permissions: fresh.permissions.join(',')
    }
  }
}

function usableToken(world: InstagramWorld, value: string): InstagramTokenRecord {
  const token = world.tokens.get(value)
  if (!token) throw cannotParseToken()
  if (token.invalidated) throw sessionInvalidated()
  if (token.replacedBy !== undefined) throw sessionReplaced()
  if (world.isExpired(token)) throw sessionExpired(token.expiresAt, world.now())
  return token
}

/** A refresh Meta will not make, in the emulator's words or as the generic "Unsupported request" (unverified). */
function refused(world: InstagramWorld, message: string): InstagramError {
  return world.refreshRefusal === 'unsupported-request' ? unsupportedRequest('GET') : new InstagramError(message, 100)
}

function bearerToken(request: ParsedRequest): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
}
