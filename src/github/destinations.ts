// Where the token goes: one Destination per place to write, each with its own public key scope and
// the secrets it holds there (the new token's, grace mode's slot, and whether the pages' go there too).
import type { SecretType, Visibility } from '../settings.js'

export type DestinationKind = 'repository' | 'environment' | 'organization' | 'user'

/** The secrets a destination holds. */
export interface SecretSlots {
  /** The secret that receives the new token (upper case, as GitHub stores it). */
  secretName: string
  /** Grace mode's slot: the replaced token goes into it. */
  previousSecretName?: string
  /** Whether the page tokens of page-secrets are written here too. */
  pages: boolean
}

export interface Destination extends SecretSlots {
  kind: DestinationKind
  secretType: SecretType
  /** `owner/repo` for repository and environment secrets, the login for organization secrets, `user` for the user's. */
  target: string
  environment?: string
  /**
   * Octokit route of the secrets collection (`…/secrets`); `/public-key` and `/{secret_name}` hang
   * off it. Octokit encodes each parameter once, so `prod/eu` travels as `prod%2Feu`.
   */
  route: string
  params: Record<string, string>
  /** Organization secrets only. */
  visibility?: Visibility
  /** Organization secrets: names in the organization; the user's codespaces secret: `owner/repo`. */
  selectedRepositories?: string[]
}

/** Each destination has its own key pair: never seal for one with another's key. */
export function keyScope(destination: Destination): string {
  return `${destination.route} ${JSON.stringify(destination.params)}`
}

export function describeDestination(destination: Destination): string {
  const type = destination.secretType === 'actions' ? '' : `${destination.secretType} `
  switch (destination.kind) {
    case 'repository':
      return `${type}repository secret in ${destination.target}`
    case 'environment':
      return `environment '${destination.environment}' secret in ${destination.target}`
    case 'organization':
      return `${type}organization secret in ${destination.target} (visibility: ${destination.visibility})`
    case 'user':
      return "codespaces secret of the github-token's user"
  }
}

/** The names of the secrets a destination holds: the new token's and grace mode's slot. */
export function slotNames(destination: Destination): string[] {
  return [destination.secretName, ...(destination.previousSecretName ? [destination.previousSecretName] : [])]
}

/** Grace mode's slots, each name once. */
export function graceSlots(destinations: Destination[]): string[] {
  return [...new Set(destinations.flatMap((d) => (d.previousSecretName ? [d.previousSecretName] : [])))]
}

/** `owner/repo` of each repository that may use an organization's (or the user's) secret. */
export function selectedFullNames(destination: Destination): string[] {
  const selected = destination.selectedRepositories ?? []
  return destination.kind === 'organization' ? selected.map((name) => `${destination.target}/${name}`) : selected
}

export function repositoryDestination(target: string, secretType: SecretType, slots: SecretSlots): Destination {
  const [owner, repo] = target.split('/') as [string, string]
  return {
    kind: 'repository',
    secretType,
    target,
    route: `/repos/{owner}/{repo}/${secretType}/secrets`,
    params: { owner, repo },
    ...slots
  }
}

export function environmentDestination(target: string, environment: string, slots: SecretSlots): Destination {
  const [owner, repo] = target.split('/') as [string, string]
  return {
    kind: 'environment',
    secretType: 'actions',
    target,
    environment,
    route: '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
    params: { owner, repo, environment_name: environment },
    ...slots
  }
}

export function organizationDestination(
  org: string,
  secretType: SecretType,
  visibility: Visibility,
  selectedRepositories: string[],
  slots: SecretSlots
): Destination {
  return {
    kind: 'organization',
    secretType,
    target: org,
    route: `/orgs/{org}/${secretType}/secrets`,
    params: { org },
    visibility,
    selectedRepositories,
    ...slots
  }
}

/** The codespaces secret of the user github-token belongs to. */
export function userDestination(selectedRepositories: string[], slots: SecretSlots): Destination {
  return {
    kind: 'user',
    secretType: 'codespaces',
    target: 'user',
    route: '/user/codespaces/secrets',
    params: {},
    selectedRepositories,
    ...slots
  }
}

/** The older inputs, each a shorthand for one list of destinations. */
export interface ShorthandDestinations {
  repositories: string[]
  environment?: string
  organization?: string
  visibility: Visibility
  selectedRepositories: string[]
  secretType: SecretType
}

export function shorthandDestinations(shorthand: ShorthandDestinations, slots: SecretSlots): Destination[] {
  const { secretType, environment, organization } = shorthand
  const destinations = shorthand.repositories.map((target) =>
    environment ? environmentDestination(target, environment, slots) : repositoryDestination(target, secretType, slots)
  )
  if (organization) {
    destinations.push(
      organizationDestination(organization, secretType, shorthand.visibility, shorthand.selectedRepositories, slots)
    )
  }
  return destinations
}
