// Where the token goes: one Destination per secret to write, each with its own public key scope.
import type { SecretType, Settings, Visibility } from '../settings.js'

export type DestinationKind = 'repository' | 'environment' | 'organization'

export interface Destination {
  kind: DestinationKind
  secretType: SecretType
  /** `owner/repo` for repository and environment secrets, the login for organization secrets. */
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
  }
}

export function planDestinations(settings: Settings): Destination[] {
  const { secretType } = settings
  const destinations: Destination[] = settings.repositories.map((target): Destination => {
    const [owner, repo] = target.split('/') as [string, string]
    if (settings.environment) {
      return {
        kind: 'environment',
        secretType,
        target,
        environment: settings.environment,
        route: '/repos/{owner}/{repo}/environments/{environment_name}/secrets',
        params: { owner, repo, environment_name: settings.environment }
      }
    }
    return {
      kind: 'repository',
      secretType,
      target,
      route: `/repos/{owner}/{repo}/${secretType}/secrets`,
      params: { owner, repo }
    }
  })
  if (settings.organization) {
    destinations.push({
      kind: 'organization',
      secretType,
      target: settings.organization,
      route: `/orgs/{org}/${secretType}/secrets`,
      params: { org: settings.organization },
      visibility: settings.visibility,
      selectedRepositories: settings.selectedRepositories
    })
  }
  return destinations
}
