// Writing one secret to one destination: its own public key (fetched once per key scope), the sealed
// value, the PUT, and the read-back that confirms GitHub holds it.
import { sealForGitHub } from '../seal.js'
import { keyScope, type Destination } from './destinations.js'
import type { GitHubClient } from './github-client.js'

export type WriteStatus = 'created' | 'updated'

interface PublicKey {
  key_id: string
  key: string
}

/** GitHub's clock and the runner's may differ a little; a read-back older than this is stale. */
const CLOCK_SKEW_MS = 5 * 60_000

/** The read-back proves the write did not land: GitHub still shows the secret as it was before. */
export class StaleSecretError extends Error {}

/** An answer without the fields GitHub documents (a cut or garbled body): never used, never cached. */
class IncompleteAnswerError extends Error {}

function expectShape<T>(data: unknown, what: string, valid: (d: Partial<T>) => boolean): T {
  if (data === null || typeof data !== 'object' || !valid(data as Partial<T>)) {
    throw new IncompleteAnswerError(`GitHub's answer for the ${what} was incomplete`)
  }
  return data as T
}

/** Reads are safe to repeat: an incomplete answer gets one more try before it counts as a failure. */
async function readTwiceIfIncomplete<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (!(error instanceof IncompleteAnswerError)) throw error
    return read()
  }
}

export class SecretStore {
  private readonly keys = new Map<string, Promise<PublicKey>>()
  private readonly repositoryIds = new Map<string, Promise<number>>()

  constructor(private readonly github: GitHubClient) {}

  /** Also the access check of a dry run: reading the key needs the same grant as writing, read-only. */
  publicKey(destination: Destination): Promise<PublicKey> {
    const scope = keyScope(destination)
    let key = this.keys.get(scope)
    if (!key) {
      key = readTwiceIfIncomplete(() =>
        this.github
          .request(`GET ${destination.route}/public-key`, destination.params)
          .then((response) =>
            expectShape<PublicKey>(
              response.data,
              'public key',
              (d) => typeof d.key === 'string' && typeof d.key_id === 'string'
            )
          )
      )
      key.catch(() => this.keys.delete(scope))
      this.keys.set(scope, key)
    }
    return key
  }

  /** `owner/repo` → id, for organization secrets with `visibility: selected`. */
  repositoryId(fullName: string): Promise<number> {
    let id = this.repositoryIds.get(fullName.toLowerCase())
    if (!id) {
      const [owner, repo] = fullName.split('/') as [string, string]
      id = readTwiceIfIncomplete(() =>
        this.github
          .request('GET /repos/{owner}/{repo}', { owner, repo })
          .then(
            (response) =>
              expectShape<{ id: number }>(response.data, `repository ${fullName}`, (d) => Number.isInteger(d.id)).id
          )
      )
      id.catch(() => this.repositoryIds.delete(fullName.toLowerCase()))
      this.repositoryIds.set(fullName.toLowerCase(), id)
    }
    return id
  }

  async write(destination: Destination, name: string, value: string): Promise<WriteStatus> {
    const key = await this.publicKey(destination)
    const response = await this.github.request(`PUT ${destination.route}/{secret_name}`, {
      ...destination.params,
      secret_name: name,
      encrypted_value: await sealForGitHub(value, key.key),
      key_id: key.key_id,
      ...(await this.organizationFields(destination))
    })
    return response.status === 201 ? 'created' : 'updated'
  }

  /** Reads the secret's metadata back; throws when it is missing or older than the write. */
  async confirm(destination: Destination, name: string, writtenAfter: Date): Promise<void> {
    const { updated_at } = await readTwiceIfIncomplete(async () => {
      const response = await this.github.request(`GET ${destination.route}/{secret_name}`, {
        ...destination.params,
        secret_name: name
      })
      return expectShape<{ updated_at: string }>(
        response.data,
        'secret',
        (d) => !Number.isNaN(Date.parse(d.updated_at ?? ''))
      )
    })
    const updatedAt = Date.parse(updated_at)
    if (updatedAt < writtenAfter.getTime() - CLOCK_SKEW_MS) {
      throw new StaleSecretError(`GitHub still shows the secret as last updated at ${updated_at}, before this write`)
    }
  }

  private async organizationFields(destination: Destination): Promise<Record<string, unknown>> {
    if (destination.kind !== 'organization') return {}
    if (destination.visibility !== 'selected') return { visibility: destination.visibility }
    const ids = await Promise.all(
      (destination.selectedRepositories ?? []).map((name) => this.repositoryId(`${destination.target}/${name}`))
    )
    // The Dependabot endpoint has asked for the ids as strings; the others want integers.
    return {
      visibility: 'selected',
      selected_repository_ids: destination.secretType === 'dependabot' ? ids.map(String) : ids
    }
  }
}
