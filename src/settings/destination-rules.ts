// How the destinations, the grace slot and the page secrets fit together, judged once every input
// has been read.
import { Input } from '../contract.js'
import { describeDestination, graceSlots, slotNames } from '../github/destinations.js'
import { sameSecretName } from '../github/secret-names.js'
import type { GitHubInputs } from './github-inputs.js'
import { quote, type InputReading } from './input-reading.js'
import type { MetaInputs } from './meta-inputs.js'

export function checkDestinationRules(inputs: InputReading, github: GitHubInputs): void {
  const { problem } = inputs
  const { environment, organization, repositories, secretType, visibility, selectedRepositories } = github
  if (environment && secretType !== 'actions') {
    problem(
      Input.Environment,
      `environments hold only Actions secrets; remove it or set ${inputs.set(Input.SecretType, 'actions')} (is '${secretType}').`
    )
  }
  if (environment && organization && repositories.length === 0) {
    problem(
      Input.Environment,
      `environment secrets belong to repositories: add ${inputs.name(Input.Repositories)}, or remove ${inputs.name(Input.Environment)} to write the organization secret.`
    )
  }
  if (secretType === 'codespaces' && environment) problem(Input.SecretType, 'codespaces secrets have no environments.')
  if (selectedRepositories.length > 0 && visibility !== 'selected') {
    problem(
      Input.SelectedRepositories,
      `only applies with ${inputs.set(Input.Visibility, 'selected')} (is '${visibility}').`
    )
  }
  if (visibility === 'selected' && selectedRepositories.length === 0) {
    problem(
      Input.SelectedRepositories,
      `required with ${inputs.set(Input.Visibility, 'selected')}: the repositories that may use the secret.`
    )
  }
  if ((visibility !== 'private' || selectedRepositories.length > 0) && !organization)
    problem(Input.Visibility, `applies to organization secrets: set ${inputs.name(Input.Organization)} too.`)
}

export function checkGraceRules(inputs: InputReading, meta: MetaInputs, github: GitHubInputs): void {
  const { secretName, previousSecretName, previousToken, listed, destinations } = github
  if (previousSecretName && secretName && sameSecretName(previousSecretName, secretName)) {
    inputs.problem(
      Input.PreviousSecretName,
      `must differ from ${inputs.name(Input.SecretName)} (${quote(secretName)}; names are case-insensitive).`
    )
  }
  if (previousToken && !previousSecretName && graceSlots(destinations).length === 0) {
    inputs.problem(
      Input.PreviousToken,
      `needs ${inputs.name(Input.PreviousSecretName)}${listed ? ` (or previous= on a line of ${inputs.name(Input.Destinations)})` : ''} (the secret that holds it).`
    )
  }
  if (previousToken && meta.adminToken && previousToken === meta.adminToken) {
    inputs.problem(
      Input.PreviousToken,
      `is the same token as ${inputs.name(Input.AdminToken)}, which is never revoked.`
    )
  }
}

/**
 * The previous token this run may revoke. An earlier run that stopped midway may have moved the
 * current token into previous-secret-name already: then there is no older token to revoke, and the
 * re-run must still go through.
 */
export function revocablePreviousToken(
  inputs: InputReading,
  meta: MetaInputs,
  github: GitHubInputs
): string | undefined {
  if (!(meta.token && github.previousToken && meta.token === github.previousToken)) return github.previousToken
  inputs.warnings.push(
    `${inputs.name(Input.PreviousToken)} is the same as ${inputs.name(Input.Token)}: ${inputs.name(Input.PreviousSecretName)} already holds the current token (an earlier run stopped after moving it there), so this run revokes no older token.`
  )
  return undefined
}

export function checkPageRules(inputs: InputReading, meta: MetaInputs, github: GitHubInputs): void {
  const { secretName, previousSecretName, listed, destinations } = github
  const named = inputs.name(Input.Destinations)
  for (const page of meta.pageSecrets) {
    for (const [input, name] of [
      [Input.SecretName, secretName],
      [Input.PreviousSecretName, previousSecretName]
    ] as const) {
      if (name && sameSecretName(page.secretName, name)) {
        inputs.problem(
          Input.PageSecrets,
          `page ${page.pageId}'s secret '${page.secretName}' is also ${inputs.name(input)}: use another name.`
        )
      }
    }
    // With the destinations input, a line's own secret may be the page's.
    const clash = listed
      ? destinations.find((d) =>
          slotNames(d).some(
            (n) =>
              sameSecretName(n, page.secretName) &&
              ![secretName, previousSecretName].some((given) => given && sameSecretName(given, n))
          )
        )
      : undefined
    if (clash) {
      inputs.problem(
        Input.PageSecrets,
        `page ${page.pageId}'s secret '${page.secretName}' is also a secret of ${named} (the ${describeDestination(clash)}): use another name.`
      )
    }
  }
  if (meta.pageSecrets.length > 0 && listed && destinations.length > 0 && !destinations.some((d) => d.pages)) {
    inputs.problem(Input.PageSecrets, `no destination takes the page tokens: every line of ${named} says pages=false.`)
  }
}
