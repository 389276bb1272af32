// Pages and their tokens. A person manages a page directly (it is in their /me/accounts) or only
// through a business they have a role in (it is not: they reach it with GET /{page-id}?fields=
// access_token); a system user reaches the pages assigned to it. Page tokens derived from a
// long-lived token never expire, and the same token asking again gets the same page token.
import type { JsonResponse } from '../loopback-server.js'
import { authenticate } from './auth.js'
import type { Call } from './endpoints.js'
import { GraphError, unsupportedRequest } from './errors.js'
import type { GraphPage, GraphTokenRecord, GraphWorld } from './world.js'

const ok = (body: unknown): JsonResponse => ({ status: 200, body })

// GET /me/accounts, GET /{user-id}/accounts  [fields, limit, after]
// The pages the user manages themselves, each with a page token unless `fields` leaves it out.
export function accounts(call: Call, nodeId: string): JsonResponse {
  const { world, request, params } = call
  const caller = authenticate(world, request, params)
  if (caller.kind === 'app') throw unsupportedRequest('get', nodeId)
  const user = caller.token
  if (user.type === 'PAGE') {
    throw new GraphError('(#100) Tried accessing nonexisting field (accounts) on node type (Page)', 100)
  }
  if (nodeId !== 'me' && nodeId !== user.userId) throw unsupportedRequest('get', nodeId)

  const managed = [...world.pages.values()].filter((page) => page.managerUserIds.includes(user.userId))
  const limit = positiveInteger(params.limit) ?? world.accountsPageSize
  let start = 0
  if (params.after) {
    const afterId = Buffer.from(params.after, 'base64url').toString('utf8')
    start = managed.findIndex((page) => page.id === afterId) + 1
    if (start === 0) throw new GraphError('(#100) The after cursor is not valid', 100)
  }
  const slice = managed.slice(start, start + limit)
  const first = slice[0]
  const last = slice[slice.length - 1]
  if (!first || !last) return ok({ data: [] })

  // Like Meta, `fields` picks what each entry carries: a page token is handed out only when asked for.
  const fields = params.fields?.split(',').map((f) => f.trim())
  const data = slice.map((page) => {
    const entry: Record<string, unknown> = {
      ...(!fields || fields.includes('access_token') ? { access_token: pageTokenFor(world, user, page) } : {}),
      category: 'Software',
      name: page.name,
      id: page.id,
      tasks: ['ADVERTISE', 'ANALYZE', 'CREATE_CONTENT', 'MESSAGING', 'MODERATE', 'MANAGE']
    }
    return fields
      ? Object.fromEntries(Object.entries(entry).filter(([key]) => key === 'id' || fields.includes(key)))
      : entry
  })
  const paging: Record<string, unknown> = { cursors: { before: cursor(first), after: cursor(last) } }
  if (start + limit < managed.length) {
    // Like Meta, the next link repeats the caller's access token: a client must never log it.
    const next = new URL(`${call.baseUrl}/${call.version}/${user.userId}/accounts`)
    next.searchParams.set('access_token', caller.accessToken)
    if (params.appsecret_proof) next.searchParams.set('appsecret_proof', params.appsecret_proof)
    next.searchParams.set('limit', String(limit))
    next.searchParams.set('after', cursor(last))
    paging.next = next.toString()
  }
  return ok({ data, paging })
}

// GET /{page-id}?fields=access_token,name,id
// Meta does not say whether a page it will not show exists: both answers are "does not exist".
export function pageNode(call: Call, pageId: string): JsonResponse {
  const { world, request, params } = call
  const caller = authenticate(world, request, params)
  const page = world.pages.get(pageId)
  if (!page || caller.kind === 'app' || !world.managesPage(caller.token, page)) {
    throw unsupportedRequest(request.method, pageId)
  }
  const fields = (params.fields ?? 'name,id')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
  const body: Record<string, unknown> = {}
  for (const field of fields) {
    if (field === 'access_token') body.access_token = pageTokenFor(world, caller.token, page)
    else if (field === 'name') body.name = page.name
    else if (field === 'category') body.category = 'Software'
    else if (field !== 'id') {
      throw new GraphError(`(#100) Tried accessing nonexisting field (${field}) on node type (Page)`, 100)
    }
  }
  body.id = page.id
  return ok(body)
}

function cursor(page: GraphPage): string {
  return Buffer.from(page.id).toString('base64url')
}

function positiveInteger(value: string | undefined): number | undefined {
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : undefined
}

/**
 * A page token from a long-lived token never expires; from a short-lived one it dies with it. One
 * from a system user token never expires, or (systemUserPageTokens) dies with the system user token.
 */
function pageTokenFor(world: GraphWorld, user: GraphTokenRecord, page: GraphPage): string {
  const key = `${user.value} ${page.id}`
  const known = world.pageTokens.get(key)
  if (known && world.isUsable(known)) return known
  const followsToken =
    !world.isLongLived(user) || (user.type === 'SYSTEM_USER' && world.systemUserPageTokens === 'system-user-lifetime')
  const value = world.issueToken({
    appId: user.appId,
    type: 'PAGE',
    scopes: user.scopes,
    userId: user.userId,
    pageId: page.id,
    expiresIn: followsToken && user.expiresAt !== 0 ? user.expiresAt - world.now() : 0,
    dataAccessExpiresAt: user.dataAccessExpiresAt
  })
  world.pageTokens.set(key, value)
  return value
}
