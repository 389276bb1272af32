// The secrets endpoints themselves: public keys, reading back, and writing a sealed value, which
// is opened with the destination's private key exactly as GitHub does.
import sodium from 'libsodium-wrappers'
import type { JsonResponse } from '../loopback-server.js'
import {
  SECRET_COUNT_LIMIT,
  type Destination,
  type GitHubState,
  type SecretScope,
  type SecretType,
  type StoredSecret
} from './model.js'
import { notFound, unprocessable } from './responses.js'

export const MAX_SECRET_BYTES = 48 * 1024

type Visibility = NonNullable<StoredSecret['visibility']>
const VISIBILITIES: readonly string[] = ['all', 'private', 'selected']

/** The rule GitHub states when it rejects a secret name; undefined for a valid name. */
export function secretNameError(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return 'Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).'
  }
  if (/^GITHUB_/i.test(name)) return 'Secret names must not start with GITHUB_.'
  return undefined
}

export interface SecretRequest {
  state: GitHubState
  scope: SecretScope
  type: SecretType
  /** Base URL including the API prefix, for the `…_url` fields. */
  apiUrl: string
  docs: string
}

export function publicKey({ state, scope, type }: SecretRequest): JsonResponse {
  const { keyId, publicKey } = state.destination(scope, type)
  return { status: 200, body: { key_id: keyId, key: sodium.to_base64(publicKey, sodium.base64_variants.ORIGINAL) } }
}

export function listSecrets(request: SecretRequest): JsonResponse {
  const secrets = [...request.state.destination(request.scope, request.type).secrets.values()]
  return { status: 200, body: { total_count: secrets.length, secrets: secrets.map((s) => describeSecret(request, s)) } }
}

/** `GET …/secrets/{name}`: `secret` is what the read sees (a lagging replica may see an older one). */
export function getSecret(request: SecretRequest, secret: StoredSecret | undefined): JsonResponse {
  return secret ? { status: 200, body: describeSecret(request, secret) } : notFound(request.docs)
}

export function deleteSecret(request: SecretRequest, name: string): JsonResponse {
  const { secrets } = request.state.destination(request.scope, request.type)
  return secrets.delete(name.toUpperCase()) ? { status: 204 } : notFound(request.docs)
}

/** `PUT …/secrets/{name}`: 201 `{}` when created, 204 when updated, 422 when GitHub would refuse. */
export function putSecret(request: SecretRequest, name: string, body: Record<string, unknown>): JsonResponse {
  const { state, scope, type, docs } = request
  const fail = (message: string): JsonResponse => unprocessable(message, docs)

  const nameError = secretNameError(name)
  if (nameError) return fail(nameError)

  const destination = state.destination(scope, type)
  const existing = destination.secrets.get(name.toUpperCase())

  // An organization secret's visibility can be changed without sending the value again.
  const valueSent = body.encrypted_value !== undefined || body.key_id !== undefined
  let value = existing?.value
  if (valueSent || scope.kind !== 'organization' || !existing) {
    const opened = openSealedValue(destination, body)
    if ('error' in opened) return fail(opened.error)
    value = opened.value
  }
  if (value === undefined) return fail('encrypted_value is required.')

  const access = scope.kind === 'organization' || scope.kind === 'user' ? repositoryAccess(request, body, existing) : {}
  if ('error' in access) return fail(access.error)

  if (!existing && destination.secrets.size >= SECRET_COUNT_LIMIT[scope.kind]) {
    return fail(`This ${scope.kind} already has the maximum of ${SECRET_COUNT_LIMIT[scope.kind]} secrets.`)
  }

  const now = state.clock.timestamp()
  destination.secrets.set(name.toUpperCase(), {
    name: name.toUpperCase(),
    value,
    keyId: valueSent || !existing ? destination.keyId : existing.keyId,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    ...access
  })
  return existing ? { status: 204 } : { status: 201, body: {} }
}

function openSealedValue(
  destination: Destination,
  body: Record<string, unknown>
): { value: string } | { error: string } {
  const { key_id: keyId, encrypted_value: sealed } = body
  if (typeof keyId !== 'string') return { error: 'key_id is required.' }
  if (typeof sealed !== 'string') return { error: 'encrypted_value is required.' }
  if (keyId !== destination.keyId) {
    return { error: `key_id ${keyId} is not the current public key of this destination. Fetch its public key again.` }
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(sealed) || sealed.length % 4 !== 0) {
    return { error: 'encrypted_value is not valid base64.' }
  }
  let plaintext: Uint8Array
  try {
    const ciphertext = sodium.from_base64(sealed, sodium.base64_variants.ORIGINAL)
    plaintext = sodium.crypto_box_seal_open(ciphertext, destination.publicKey, destination.privateKey)
  } catch {
    return { error: 'encrypted_value could not be decrypted with the key of key_id.' }
  }
  if (plaintext.length > MAX_SECRET_BYTES) return { error: 'Secret values are limited to 48 KB.' }
  return { value: new TextDecoder().decode(plaintext) }
}

/** Visibility and selected repositories of an organization secret (or a user's codespaces secret). */
function repositoryAccess(
  { state, scope, type }: SecretRequest,
  body: Record<string, unknown>,
  existing: StoredSecret | undefined
): Pick<StoredSecret, 'visibility' | 'selectedRepositoryIds'> | { error: string } {
  const { visibility, selected_repository_ids: ids } = body
  if (scope.kind === 'organization') {
    if (typeof visibility !== 'string' || !VISIBILITIES.includes(visibility)) {
      return { error: 'visibility must be one of all, private, selected.' }
    }
    if (visibility !== 'selected') {
      if (Array.isArray(ids) && ids.length > 0) {
        return { error: "selected_repository_ids can only be given when visibility is 'selected'." }
      }
      return { visibility: visibility as Visibility }
    }
  }
  if (ids === undefined) {
    // `selected` without ids is accepted: the list is empty (or stays what it was).
    const selectedRepositoryIds = existing?.selectedRepositoryIds ?? []
    return scope.kind === 'organization' ? { visibility: 'selected', selectedRepositoryIds } : { selectedRepositoryIds }
  }
  if (!Array.isArray(ids)) return { error: 'selected_repository_ids must be an array of repository ids.' }

  // Dependabot (and the user codespaces endpoint) take ids as integers or numeric strings.
  const stringsAllowed = type === 'dependabot' || scope.kind === 'user'
  const selected: number[] = []
  for (const id of ids as unknown[]) {
    const numeric = typeof id === 'string' && stringsAllowed && /^\d+$/.test(id) ? Number(id) : id
    if (typeof numeric !== 'number' || !Number.isInteger(numeric)) {
      return { error: `selected_repository_ids must be integers; ${JSON.stringify(id)} is not.` }
    }
    const repository = state.repositoryById(numeric)
    const owned = scope.kind !== 'organization' || repository?.owner.toLowerCase() === scope.org.toLowerCase()
    if (!repository || !owned) {
      const where = scope.kind === 'organization' ? ` in ${scope.org}` : ''
      return { error: `selected_repository_ids: ${numeric} is not the id of a repository${where}.` }
    }
    selected.push(numeric)
  }
  return scope.kind === 'organization'
    ? { visibility: 'selected', selectedRepositoryIds: selected }
    : { selectedRepositoryIds: selected }
}

function describeSecret({ scope, type, apiUrl }: SecretRequest, secret: StoredSecret): Record<string, unknown> {
  const described: Record<string, unknown> = {
    name: secret.name,
    created_at: secret.createdAt,
    updated_at: secret.updatedAt
  }
  if (scope.kind === 'organization') {
    described.visibility = secret.visibility
    if (secret.visibility === 'selected') {
      const org = encodeURIComponent(scope.org)
      described.selected_repositories_url = `${apiUrl}/orgs/${org}/${type}/secrets/${secret.name}/repositories`
    }
  }
  if (scope.kind === 'user') {
    described.visibility = 'selected'
    described.selected_repositories_url = `${apiUrl}/user/codespaces/secrets/${secret.name}/repositories`
  }
  return described
}
