// Writing one secret to one destination: its own public key (fetched once per key scope), the sealed
// value, the PUT, and the read-back that confirms GitHub holds it, judged on GitHub's own clock.
import { randomBytes } from 'node:crypto'
import type { Clock } from '../clock.js'
import { keyScope, type Destination } from './destinations.js'
import type { GitHubClient } from './github-client.js'
import { readGitHubError } from './github-error.js'
import type { Visibility } from '../settings.js'
import { sealForGitHub } from './seal.js'

export type WriteStatus = 'created' | 'updated'

/** What a read-back of a secret's metadata says about a write. */
export type Landing = 'landed' | 'not-landed' | 'unknown'

interface PublicKey {
  key_id: string
  key: string
}

export interface SecretStoreOptions {
  clock: Clock
  /** GitHub's time now (epoch ms, never ahead of it), from the Date of its answers; undefined when unknown. */
  githubTime: () => number | undefined
  /** Reads of a secret that still looks as before the write, before it is judged: a replica may lag. */
  readBackAttempts?: number
  readBackDelayMs?: number
}

/** The write was answered 2xx, but GitHub kept showing the secret as it was before. */
export class StaleSecretError extends Error {}

/** An answer without the fields GitHub documents (a cut or garbled body): never used, never cached. */
class IncompleteAnswerError extends Error {}

/**
 * A write answered 2xx with a body GitHub never sends to it (it answers `201 {}` or `204`): the answer
 * was garbled on the way, so it proves nothing. The write's outcome is unknown and is settled by
 * reading the secret back, as after a 5xx or no answer.
 */
export class UnclearWriteAnswerError extends Error {}

/** A write that failed before its PUT was sent (its public key or the secret's access could not be read): nothing landed. */
export class WriteNotSentError extends Error {
  constructor(readonly reason: unknown) {
    super('the write was not sent')
  }
}

/** `updated_at` has second precision: a write made at GitHub time t shows as t rounded down. */
const TIMESTAMP_PRECISION_MS = 1000

function expectShape<T>(data: unknown, what: string, valid: (d: Partial<T>) => boolean): T {
  if (data === null || typeof data !== 'object' || !valid(data)) {
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

/** What a write did: created or updated, and for organization secrets, the access it gave or kept. */
export interface WriteAnswer {
  status: WriteStatus
  /** Repositories this write gave access (visibility selected). */
  addedRepositories: string[]
  /** The visibility was kept, because the one asked for would have shut repositories out. */
  visibility?: { kept: Visibility; requested: Visibility }
}

interface OrganizationAccess {
  fields: Record<string, unknown>
  added: string[]
  kept?: Visibility
  requested?: Visibility
}

/**
 * GitHub stops processing a REST request that takes more than 10 seconds ("Troubleshooting the REST
 * API": Timeouts); a margin on top for the request still on its way.
 */
export const GITHUB_PROCESSING_LIMIT_MS = 15_000

/** A write about to be sent: GitHub's time before it (a lower bound), to tell its read-back from older ones. */
export interface WriteMark {
  githubTimeBefore?: number
}

export class SecretStore {
  private readonly keys = new Map<string, Promise<PublicKey>>()
  private readonly repositoryIds = new Map<string, Promise<number>>()
  private readonly readBackAttempts: number
  private readonly readBackDelayMs: number

  constructor(
    private readonly github: GitHubClient,
    private readonly options: SecretStoreOptions
  ) {
    this.readBackAttempts = options.readBackAttempts ?? 3
    this.readBackDelayMs = options.readBackDelayMs ?? 1000
  }

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
    const known = fullName.toLowerCase()
    let id = this.repositoryIds.get(known)
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
      id.catch(() => this.repositoryIds.delete(known))
      this.repositoryIds.set(known, id)
    }
    return id
  }

  /**
   * Proves 'github-token' may write this destination, changing nothing: GitHub answers a DELETE of a
   * secret that does not exist with 404 when the token may write there, and 403 when it may only read.
   */
  async proveWriteAccess(destination: Destination): Promise<void> {
    const probe = `META_ROTATOR_PROBE_${randomBytes(12).toString('hex').toUpperCase()}`
    try {
      await this.github.request(`DELETE ${destination.route}/{secret_name}`, {
        ...destination.params,
        secret_name: probe
      })
    } catch (error) {
      if (readGitHubError(error).status === 404) return
      throw error
    }
  }

  /** GitHub's time now (epoch ms, never ahead of it), when known. */
  githubNow(): number | undefined {
    return this.options.githubTime()
  }

  /** When the secret was last written (epoch ms, GitHub's clock); undefined when it does not exist. */
  lastWritten(destination: Destination, name: string): Promise<number | undefined> {
    return this.updatedAt(destination, name)
  }

  /** Marks the moment before a write on GitHub's clock; pass it to write, confirm and settle. */
  mark(): WriteMark {
    const now = this.options.githubTime()
    return { githubTimeBefore: now === undefined ? undefined : now - TIMESTAMP_PRECISION_MS }
  }

  /** Writes the sealed value. For organization secrets with `visibility: selected`, returns the repositories it added. */
  async write(destination: Destination, name: string, value: string): Promise<WriteAnswer> {
    let body: Record<string, unknown>
    let access: OrganizationAccess
    try {
      const key = await this.publicKey(destination)
      access = await this.organizationAccess(destination, name)
      body = { encrypted_value: await sealForGitHub(value, key.key), key_id: key.key_id, ...access.fields }
    } catch (error) {
      throw new WriteNotSentError(error)
    }
    const response = await this.github.request(`PUT ${destination.route}/{secret_name}`, {
      ...destination.params,
      secret_name: name,
      ...body
    })
    const data: unknown = response.data
    if (!(data === undefined || data === null || data === '' || (typeof data === 'object' && !Array.isArray(data)))) {
      throw new UnclearWriteAnswerError(
        `GitHub's answer (HTTP ${response.status}) came with a body that is not its answer to a write`
      )
    }
    return {
      status: response.status === 201 ? 'created' : 'updated',
      addedRepositories: access.added,
      ...(access.kept ? { visibility: { kept: access.kept, requested: access.requested as Visibility } } : {})
    }
  }

  /**
   * Reads the secret's metadata back after a write GitHub answered 2xx. A read that still shows the
   * secret as before the write (a lagging replica) is read again; throws StaleSecretError when it
   * never changes.
   */
  async confirm(destination: Destination, name: string, mark: WriteMark): Promise<void> {
    const landing = await this.readBack(destination, name, mark, true)
    if (landing !== 'landed') {
      throw new StaleSecretError('GitHub kept showing the secret as it was before this write')
    }
  }

  /**
   * After a write with no answer or a 5xx: whether it landed. 'not-landed' only when every read
   * shows the secret as before the write; 'unknown' when GitHub cannot be read or its clock is unknown.
   * Such a write may still be in flight at GitHub (no answer came, or a gateway's 502/504 while GitHub
   * was still at work): it is judged not landed only by a read made after GitHub has stopped
   * processing it (`gaveUpAt`: when the write gave up).
   */
  async settle(destination: Destination, name: string, mark: WriteMark, gaveUpAt?: Date): Promise<Landing> {
    try {
      const landing = await this.readBack(destination, name, mark, false)
      if (landing !== 'not-landed' || gaveUpAt === undefined) return landing
      const { clock } = this.options
      const inFlightFor = gaveUpAt.getTime() + GITHUB_PROCESSING_LIMIT_MS - clock.now().getTime()
      if (inFlightFor <= 0) return landing
      await clock.sleep(inFlightFor)
      return await this.readBack(destination, name, mark, false)
    } catch {
      return 'unknown'
    }
  }

  private async readBack(destination: Destination, name: string, mark: WriteMark, answered: boolean): Promise<Landing> {
    for (let attempt = 1; ; attempt++) {
      const updatedAt = await this.updatedAt(destination, name)
      if (updatedAt !== undefined && (mark.githubTimeBefore === undefined || updatedAt >= mark.githubTimeBefore)) {
        // Without GitHub's time, a secret that exists after a 2xx is all that can be checked.
        if (mark.githubTimeBefore !== undefined || answered) return 'landed'
        return 'unknown'
      }
      if (mark.githubTimeBefore === undefined && !answered) return 'unknown'
      if (attempt >= this.readBackAttempts) return 'not-landed'
      await this.options.clock.sleep(this.readBackDelayMs * attempt)
    }
  }

  /** The secret's `updated_at` (epoch ms), or undefined when GitHub says it does not exist. */
  private async updatedAt(destination: Destination, name: string): Promise<number | undefined> {
    try {
      const { updated_at } = await readTwiceIfIncomplete(async () => {
        const response = await this.github.request(`GET ${destination.route}/{secret_name}`, {
          ...destination.params,
          secret_name: name
        })
        return expectShape<{ updated_at: string }>(
          response.data,
          'secret',
          (d) => typeof d.updated_at === 'string' && !Number.isNaN(Date.parse(d.updated_at))
        )
      })
      return Date.parse(updated_at)
    } catch (error) {
      if (readGitHubError(error).status === 404) return undefined
      throw error
    }
  }

  /**
   * The organization fields of a write. A rotation never takes a repository's access away: GitHub
   * replaces the whole access list with what is sent, so with `visibility: selected` the repositories
   * already selected are read first and kept; and a visibility that would shut repositories out (an
   * `all` secret asked to become `private` or `selected`, a `private` one `selected`, a `selected` one
   * with a public repository `private`) stays as it is.
   */
  private async organizationAccess(destination: Destination, name: string): Promise<OrganizationAccess> {
    if (destination.kind === 'user') return this.userAccess(destination, name)
    if (destination.kind !== 'organization') return { fields: {}, added: [] }
    const requested = destination.visibility ?? 'private'
    const existing = await this.visibilityOf(destination, name)
    const current = existing === 'selected' ? await this.selectedRepositoryIds(destination, name) : undefined
    const kept =
      existing === 'all' ||
      (existing === 'private' && requested === 'selected') ||
      (existing === 'selected' && requested === 'private' && !current?.allPrivate)
        ? existing
        : undefined
    const visibility = kept ?? requested
    const keptVisibility = kept && existing !== requested ? { kept: visibility, requested } : {}
    if (visibility !== 'selected') return { fields: { visibility }, added: [], ...keptVisibility }
    const wanted =
      requested === 'selected'
        ? await Promise.all(
            (destination.selectedRepositories ?? []).map(async (repo) => ({
              repo,
              id: await this.repositoryId(`${destination.target}/${repo}`)
            }))
          )
        : []
    const already = current?.ids ?? new Set<number>()
    const added = wanted.filter((w) => !already.has(w.id)).map((w) => w.repo)
    const ids = [...new Set([...already, ...wanted.map((w) => w.id)])]
    // The Dependabot endpoint has asked for the ids as strings; the others want integers.
    return {
      fields: {
        visibility: 'selected',
        selected_repository_ids: destination.secretType === 'dependabot' ? ids.map(String) : ids
      },
      added,
      ...keptVisibility
    }
  }

  /**
   * The user's codespaces secret: the repositories listed are added to those it serves now, read
   * first, since GitHub replaces the list with what is sent. Nothing listed: the list is not sent.
   */
  private async userAccess(destination: Destination, name: string): Promise<OrganizationAccess> {
    const listed = destination.selectedRepositories ?? []
    if (listed.length === 0) return { fields: {}, added: [] }
    const current = await this.selectedRepositoryIds(destination, name)
    const wanted = await Promise.all(listed.map(async (repo) => ({ repo, id: await this.repositoryId(repo) })))
    const added = wanted.filter((w) => !current.ids.has(w.id)).map((w) => w.repo)
    return { fields: { selected_repository_ids: [...new Set([...current.ids, ...wanted.map((w) => w.id)])] }, added }
  }

  /** The visibility of an organization secret as it is now; undefined when it does not exist yet. */
  private async visibilityOf(destination: Destination, name: string): Promise<Visibility | undefined> {
    try {
      const response = await this.github.request(`GET ${destination.route}/{secret_name}`, {
        ...destination.params,
        secret_name: name
      })
      const { visibility } = (response.data ?? {}) as { visibility?: unknown }
      return visibility === 'all' || visibility === 'private' || visibility === 'selected' ? visibility : undefined
    } catch (error) {
      if (readGitHubError(error).status === 404) return undefined
      throw error
    }
  }

  /** The repositories an organization secret is open to now (none when it does not exist yet), and whether all are private. */
  private async selectedRepositoryIds(
    destination: Destination,
    name: string
  ): Promise<{ ids: Set<number>; allPrivate: boolean }> {
    const ids = new Set<number>()
    let allPrivate = true
    try {
      for (let page = 1; page <= 100; page++) {
        const answer: { data: unknown } = await this.github.request(
          `GET ${destination.route}/{secret_name}/repositories`,
          {
            ...destination.params,
            secret_name: name,
            per_page: 100,
            page
          }
        )
        const listed = expectShape<{ total_count: number; repositories: Array<{ id?: unknown; private?: unknown }> }>(
          answer.data,
          'selected repositories',
          (d) => Number.isInteger(d.total_count) && Array.isArray(d.repositories)
        )
        for (const repository of listed.repositories) {
          if (Number.isInteger(repository.id)) ids.add(repository.id as number)
          if (repository.private !== true) allPrivate = false
        }
        if (listed.repositories.length < 100 || ids.size >= listed.total_count) return { ids, allPrivate }
      }
      return { ids, allPrivate }
    } catch (error) {
      // 404: no such secret yet. 409: it is not `selected` today, so no repository is selected.
      const status = readGitHubError(error).status
      if (status === 404 || status === 409) return { ids, allPrivate }
      throw error
    }
  }
}
