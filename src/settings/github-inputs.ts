// The GitHub side of the inputs: the secret, every destination (the destinations input, or the
// older inputs as its shorthand), and the token that writes them.
import { DEFAULT_GITHUB_API_URL, Input, type InputName } from '../contract.js'
import { parseDestinations } from '../github/destinations-input.js'
import { shorthandDestinations, type Destination, type ShorthandDestinations } from '../github/destinations.js'
import { environmentNameProblem, isOwnerName, isRepositoryName, isRepositoryShortName } from '../github/github-names.js'
import { secretNameProblem } from '../github/secret-names.js'
import { SECRET_TYPES, type PageSecret, type SecretType, type Visibility } from '../settings.js'
import { apiUrl } from './api-url.js'
import { parseList, quote, type InputReading, type Problem } from './input-reading.js'

export interface GitHubInputs extends ShorthandDestinations {
  /** The destinations input was given (not its shorthand). */
  listed: boolean
  secretName: string
  /** Every destination, in the order given: the destinations input, or the shorthand of the older inputs. */
  destinations: Destination[]
  previousSecretName?: string
  previousToken?: string
  githubToken: string
  githubApiUrl: string
}

const SHORTHAND_DEFAULTS: Partial<Record<InputName, string>> = {
  [Input.Visibility]: 'private',
  [Input.SecretType]: 'actions'
}

/** The inputs the destinations input replaces: one or the other. */
const SHORTHAND_INPUTS: readonly InputName[] = [
  Input.Repositories,
  Input.Environment,
  Input.Organization,
  Input.Visibility,
  Input.SelectedRepositories,
  Input.SecretType
]

export function readGitHubInputs(
  inputs: InputReading,
  env: NodeJS.ProcessEnv,
  pageSecrets: PageSecret[]
): GitHubInputs {
  const { problem, naming } = inputs
  const listed = inputs.raw(Input.Destinations).trim() !== ''
  const secretName = inputs.text(Input.SecretName)
  if (!secretName && !listed)
    problem(Input.SecretName, 'required: the name of the secret that holds the token, e.g. META_TOKEN.')
  else if (secretName) checkSecretName(Input.SecretName, secretName, problem)
  if (listed) refuseShorthand(inputs)
  const organization = inputs.optional(Input.Organization)
  if (organization && !isOwnerName(organization)) {
    problem(Input.Organization, `${quote(organization)} is not an organization login (letters, digits and dashes).`)
  }
  const repositories = listed ? [] : parseRepositories(inputs.raw(Input.Repositories), organization, env, problem)
  const environment = inputs.optional(Input.Environment)
  const environmentProblem = environment ? environmentNameProblem(environment) : undefined
  if (environmentProblem) {
    problem(Input.Environment, `${quote(environment)} is not an environment name: ${environmentProblem}.`)
  }
  const visibility = inputs.oneOf<Visibility>(Input.Visibility, ['all', 'private', 'selected'], 'private')
  const selectedRepositories = parseSelected(inputs.raw(Input.SelectedRepositories), organization, problem)
  const secretType = inputs.oneOf<SecretType>(Input.SecretType, [...SECRET_TYPES], 'actions')
  const previousSecretName = inputs.optional(Input.PreviousSecretName)
  if (previousSecretName) checkSecretName(Input.PreviousSecretName, previousSecretName, problem)
  const slotDefaults = {
    ...(secretName && !secretNameProblem(secretName) ? { secretName } : {}),
    ...(previousSecretName && !secretNameProblem(previousSecretName) ? { previousSecretName } : {})
  }
  const destinations = listed
    ? parseDestinations(inputs.raw(Input.Destinations), { ...slotDefaults, pageSecrets: pageSecrets.length > 0 }, (t) =>
        problem(Input.Destinations, t)
      )
    : shorthandDestinations(
        { repositories, environment, organization, visibility, selectedRepositories, secretType },
        {
          secretName: secretName.toUpperCase(),
          ...(previousSecretName ? { previousSecretName: previousSecretName.toUpperCase() } : {}),
          pages: true
        }
      )
  const previousToken = inputs.credential(Input.PreviousToken, 'the token held in previous-secret-name', false)
  const githubToken = inputs.credential(Input.GithubToken, 'a token allowed to write secrets', false) ?? ''
  if (!githubToken) {
    problem(
      Input.GithubToken,
      "required: a fine-grained PAT with 'Secrets: Read and write' (or a classic PAT, or a GitHub App installation token), " +
        `${naming.credentialSource(Input.GithubToken)}.${naming.inWorkflow ? " The workflow's GITHUB_TOKEN cannot write secrets." : ''}`
    )
  }
  const githubApiUrl = apiUrl(
    Input.GithubApiUrl,
    inputs.text(Input.GithubApiUrl) || env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL,
    problem
  )
  return {
    listed,
    secretName,
    destinations,
    repositories,
    environment,
    organization,
    visibility,
    selectedRepositories,
    secretType,
    previousSecretName,
    previousToken,
    githubToken,
    githubApiUrl
  }
}

function refuseShorthand(inputs: InputReading): void {
  const destinations = inputs.name(Input.Destinations)
  for (const input of SHORTHAND_INPUTS) {
    // action.yml fills in the defaults: those are no choice of the user's.
    if (inputs.text(input) === SHORTHAND_DEFAULTS[input]) continue
    inputs.notWith(
      input,
      `is the older form of ${destinations}, and both were given: put every destination into ${destinations} (one a line, such as 'repo octo/app' or 'organization octo visibility=selected repositories=app'), or leave ${destinations} empty.`
    )
  }
}

function checkSecretName(input: InputName, name: string, problem: Problem): void {
  const why = secretNameProblem(name)
  if (why) problem(input, `${quote(name)} is not a valid GitHub secret name: ${why}.`)
}

function parseRepositories(
  text: string,
  organization: string | undefined,
  env: NodeJS.ProcessEnv,
  problem: Problem
): string[] {
  const listed = parseList(text)
  for (const repo of listed.filter((r) => !isRepositoryName(r))) {
    problem(Input.Repositories, `${quote(repo)} is not owner/repo.`)
  }
  const unique = [...new Map(listed.map((r) => [r.toLowerCase(), r])).values()]
  if (unique.length > 0 || organization) return unique
  const current = env.GITHUB_REPOSITORY
  if (current && isRepositoryName(current)) return [current]
  problem(
    Input.Repositories,
    'required outside GitHub Actions (no GITHUB_REPOSITORY): list owner/repo, or set the organization.'
  )
  return []
}

function parseSelected(text: string, organization: string | undefined, problem: Problem): string[] {
  const names: string[] = []
  for (const entry of parseList(text)) {
    const [owner, name] = entry.includes('/') ? entry.split('/', 2) : [organization, entry]
    if (!name || !isRepositoryShortName(name) || entry.split('/').length > 2) {
      problem(Input.SelectedRepositories, `${quote(entry)} is not a repository name.`)
    } else if (organization && owner?.toLowerCase() !== organization.toLowerCase()) {
      problem(Input.SelectedRepositories, `${quote(entry)} is not in organization ${quote(organization)}.`)
    } else {
      names.push(name)
    }
  }
  return names
}
