// Turns a GitHub failure into what happened at which destination and the permission or step that fixes it.
import { Input } from '../contract.js'
import type { InputNaming } from '../input-naming.js'
import { fixText, type Explained, type Fix } from '../rotation-error.js'
import { describeDestination, type Destination } from './destinations.js'
import { readGitHubError } from './github-error.js'

/** The fine-grained permission each destination needs, as GitHub's settings page names it. */
export function permissionNeeded(destination: Destination): string {
  if (destination.kind === 'environment')
    return "repository permission 'Environments: Read and write' (classic PAT: repo)"
  const secrets = { actions: 'Secrets', dependabot: 'Dependabot secrets', codespaces: 'Codespaces secrets' }[
    destination.secretType
  ]
  return destination.kind === 'organization'
    ? `organization permission '${secrets}: Read and write' (classic PAT: admin:org)`
    : `repository permission '${secrets}: Read and write' (classic PAT: repo)`
}

export function explainGitHubFailure(
  error: unknown,
  destination: Destination,
  githubToken: string,
  naming: InputNaming
): Explained {
  const { message, fix } = gitHubFailure(error, destination, githubToken, naming)
  return { message, fix: fixText(fix) }
}

/** What failed at the destination, and its fix with its structure (whether it ends in "then re-run"). */
export function gitHubFailure(
  error: unknown,
  destination: Destination,
  githubToken: string,
  naming: InputNaming
): { message: string; fix: Fix } {
  const { status, said, headers } = readGitHubError(error)
  const where = describeDestination(destination)
  const token = naming.name(Input.GithubToken)

  if (status === 401) {
    return {
      message: `GitHub rejected ${token} (401 ${said}) for the ${where}.`,
      fix: {
        action: `The token expired or was revoked: create a new one and update ${naming.credentialHolder(Input.GithubToken)}.`
      }
    }
  }
  if ((status === 403 || status === 429) && /secondary rate limit|rate limit exceeded/i.test(said)) {
    return {
      message: `GitHub's rate limit stopped the request to the ${where} after the retries.`,
      fix: {
        action: `Re-run later. For many repositories in one organization, one organization secret with ${naming.setting(Input.Visibility, 'selected')} is one write instead of many.`
      }
    }
  }
  if (status === 403) {
    const accepted = headers['x-accepted-github-permissions']
    const appToken = githubToken.startsWith('ghs_') && /by integration/i.test(said)
    const which = naming.inWorkflow
      ? "the workflow's GITHUB_TOKEN (or an app token without the permission), which can never write secrets"
      : "a GitHub App installation token without the permission (GitHub Actions' GITHUB_TOKEN is one, and can never write secrets)"
    return {
      message: `GitHub refused the ${where} (403 ${said}${accepted ? `; it accepts: ${accepted}` : ''}).`,
      fix: {
        action: appToken
          ? `${token} looks like ${which}: pass a fine-grained PAT or GitHub App token with the ${permissionNeeded(destination)}.`
          : `Give ${token} the ${permissionNeeded(destination)} on ${destination.target}.`
      }
    }
  }
  if (status === 404) {
    const what =
      destination.kind === 'environment'
        ? `environment '${destination.environment ?? ''}' in ${destination.target}`
        : destination.kind === 'organization'
          ? `organization ${destination.target}`
          : `repository ${destination.target}`
    return {
      message: `GitHub found no ${what} that ${token} can see (404).`,
      fix: {
        action:
          destination.kind === 'environment'
            ? `Check the name, create the environment (Settings > Environments) and give the token access to ${destination.target}.`
            : `Check the name and give the token access to it (fine-grained PAT: Repository access), with the ${permissionNeeded(destination)}.`
      }
    }
  }
  if (status === 422) {
    return {
      message: `GitHub rejected the write to the ${where} (422 ${said}).`,
      fix: { action: 'Correct what GitHub names', thenRerun: true }
    }
  }
  if (status !== undefined && status >= 500) {
    return {
      message: `GitHub kept failing for the ${where} (${status} ${said}).`,
      fix: { action: 'Re-run later; see https://www.githubstatus.com.' }
    }
  }
  if (status !== undefined) {
    return {
      message: `GitHub answered ${status} for the ${where} (${said}).`,
      fix: { action: 'Re-run; if it persists, check the inputs for this destination.' }
    }
  }
  return {
    message: `GitHub could not be reached for the ${where} (${said}).`,
    fix: {
      action: `Check ${naming.machine}'s network and ${naming.name(Input.GithubApiUrl)} (Enterprise Server: https://HOST/api/v3)`,
      thenRerun: true
    }
  }
}
