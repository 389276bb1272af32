// What the emulated GitHub knows: repositories, organizations, tokens, and for every secret
// destination its own libsodium keypair and the secrets stored there (kept decrypted, so tests can
// assert what a secret really holds).
import { randomInt } from 'node:crypto'
import sodium from 'libsodium-wrappers'
import { GitHubClock } from './clock.js'

export type SecretType = 'actions' | 'dependabot' | 'codespaces'

export type SecretScope =
  | { kind: 'repository'; repo: string }
  | { kind: 'environment'; repo: string; environment: string }
  | { kind: 'organization'; org: string }
  /** Codespaces secrets of the user the token belongs to. */
  | { kind: 'user' }

export interface StoredSecret {
  name: string
  /** The decrypted value. */
  value: string
  /** The key the value was sealed with. */
  keyId: string
  createdAt: string
  updatedAt: string
  visibility?: 'all' | 'private' | 'selected'
  selectedRepositoryIds?: number[]
}

export type Permission = 'read' | 'write'

export type PermissionName =
  | 'metadata'
  | 'secrets'
  | 'environments'
  | 'organization_secrets'
  | 'dependabot_secrets'
  | 'organization_dependabot_secrets'
  | 'codespaces_secrets'
  | 'organization_codespaces_secrets'
  | 'codespaces_user_secrets'
  | 'issues'
  | 'actions'
  | 'contents'
  /** Actions variables: the repository permission "Variables" and the organization one. */
  | 'actions_variables'
  | 'organization_actions_variables'

export interface TokenGrant {
  /** Default 'fine-grained'. 'github-actions' is the workflow's GITHUB_TOKEN. */
  kind?: 'fine-grained' | 'classic' | 'github-actions' | 'app-installation'
  /** The user /user answers with; default 'octocat'. */
  login?: string
  /** 'owner/name' of the repositories the token can see; default all. */
  repositories?: string[]
  /** Fine-grained tokens, app installations, and the workflow token's `permissions:` (of which only `issues` is honoured). */
  permissions?: Partial<Record<PermissionName, Permission>>
  /** Classic PATs: 'repo', 'admin:org', 'codespace'. */
  scopes?: string[]
  /**
   * A personal access token's expiry (fine-grained or classic; none: it never expires). Every answer to
   * it carries `github-authentication-token-expiration`; from then on it is 'Bad credentials'.
   */
  expiresAt?: Date
}

export type Token = TokenGrant & { kind: NonNullable<TokenGrant['kind']>; login: string }

export interface Repository {
  id: number
  owner: string
  name: string
  fullName: string
  defaultBranch: string
  visibility: 'public' | 'private' | 'internal'
  /** Last push, GitHub's timestamp: a public repository's scheduled workflows stop 60 days after activity. */
  pushedAt: string
  /** Lower-case name → name as created: environment names are not case-sensitive. */
  environments: Map<string, string>
}

export interface RepositoryOptions {
  id?: number
  environments?: string[]
  /** Default 'main'. */
  defaultBranch?: string
  /** Default 'private'. */
  visibility?: 'public' | 'private' | 'internal'
  /** Days since the last push; default 1. */
  pushedDaysAgo?: number
}

/** One place secrets can be written to (a scope and a secret type), with its own keypair. */
export interface Destination {
  keyId: string
  publicKey: Uint8Array
  privateKey: Uint8Array
  /** Keyed by upper-case name: secret names are not case-sensitive. */
  secrets: Map<string, StoredSecret>
}

/** GitHub's per-destination limits on the number of secrets. */
export const SECRET_COUNT_LIMIT: Record<SecretScope['kind'], number> = {
  repository: 100,
  environment: 100,
  organization: 1000,
  user: 100
}

export class GitHubState {
  readonly clock = new GitHubClock()
  private readonly repositories = new Map<string, Repository>()
  private readonly organizations = new Set<string>()
  private readonly tokens = new Map<string, Token>()
  private readonly destinations = new Map<string, Destination>()
  private nextRepositoryId = 1296269

  addRepository(fullName: string, options: RepositoryOptions = {}): Repository {
    const [owner, name, ...rest] = fullName.split('/')
    if (!owner || !name || rest.length > 0) throw new Error(`Repository '${fullName}' is not 'owner/name'`)
    const id = options.id ?? this.nextRepositoryId++
    const repository: Repository = {
      id,
      owner,
      name,
      fullName,
      defaultBranch: options.defaultBranch ?? 'main',
      visibility: options.visibility ?? 'private',
      pushedAt: this.clock.timestamp(new Date(this.clock.now().getTime() - (options.pushedDaysAgo ?? 1) * 86_400_000)),
      environments: new Map()
    }
    this.repositories.set(fullName.toLowerCase(), repository)
    for (const environment of options.environments ?? []) this.addEnvironment(fullName, environment)
    return repository
  }

  addEnvironment(repo: string, name: string): void {
    this.requireRepository(repo).environments.set(name.toLowerCase(), name)
  }

  addOrganization(login: string): void {
    this.organizations.add(login.toLowerCase())
  }

  addToken(value: string, grant: TokenGrant = {}): void {
    this.tokens.set(value, { ...grant, kind: grant.kind ?? 'fine-grained', login: grant.login ?? 'octocat' })
  }

  token(value: string): Token | undefined {
    return this.tokens.get(value)
  }

  repository(fullName: string): Repository | undefined {
    return this.repositories.get(fullName.toLowerCase())
  }

  repositoryById(id: number): Repository | undefined {
    return [...this.repositories.values()].find((r) => r.id === id)
  }

  hasOrganization(login: string): boolean {
    return this.organizations.has(login.toLowerCase())
  }

  /** Where a scope does not exist (unknown repository, environment or organization), a message. */
  missing(scope: SecretScope): string | undefined {
    switch (scope.kind) {
      case 'repository':
        return this.repository(scope.repo) ? undefined : `unknown repository '${scope.repo}'`
      case 'environment': {
        const repository = this.repository(scope.repo)
        if (!repository) return `unknown repository '${scope.repo}'`
        return repository.environments.has(scope.environment.toLowerCase())
          ? undefined
          : `unknown environment '${scope.environment}' in '${scope.repo}'`
      }
      case 'organization':
        return this.hasOrganization(scope.org) ? undefined : `unknown organization '${scope.org}'`
      case 'user':
        return undefined
    }
  }

  /** The destination of a scope and type, created with a fresh keypair on first use. */
  destination(scope: SecretScope, type: SecretType): Destination {
    const key = destinationKey(scope, type)
    let destination = this.destinations.get(key)
    if (!destination) {
      destination = { ...newKeyPair(), secrets: new Map() }
      this.destinations.set(key, destination)
    }
    return destination
  }

  rotatePublicKey(scope: SecretScope, type: SecretType): void {
    Object.assign(this.destination(scope, type), newKeyPair())
  }

  private requireRepository(fullName: string): Repository {
    const repository = this.repository(fullName)
    if (!repository) throw new Error(`Unknown repository '${fullName}': add it with addRepository first`)
    return repository
  }
}

/** One secret of one destination, for bookkeeping across requests: names are not case-sensitive. */
export function secretKey(scope: SecretScope, type: SecretType, name: string): string {
  return `${destinationKey(scope, type)}:${name.toUpperCase()}`
}

function destinationKey(scope: SecretScope, type: SecretType): string {
  switch (scope.kind) {
    case 'repository':
      return `${type}:repo:${scope.repo.toLowerCase()}`
    case 'environment':
      return `${type}:env:${scope.repo.toLowerCase()}:${scope.environment.toLowerCase()}`
    case 'organization':
      return `${type}:org:${scope.org.toLowerCase()}`
    case 'user':
      return `${type}:user`
  }
}

function newKeyPair(): Pick<Destination, 'keyId' | 'publicKey' | 'privateKey'> {
  const { publicKey, privateKey } = sodium.crypto_box_keypair()
  // GitHub's key ids look like "568250167242549743": a long number sent as a string.
  const keyId = String(randomInt(1, 10)) + Array.from({ length: 17 }, () => randomInt(0, 10)).join('')
  return { keyId, publicKey, privateKey }
}
