// The fixes name what the user can change where the user changes it: the action's inputs word for
// word (workflows and docs quote them), the CLI's flags and META_ROTATOR_* variables.
import { describe, expect, test } from '@jest/globals'
import { systemClock } from '../src/clock.js'
import type { Destination } from '../src/github/destinations.js'
import { explainGitHubFailure } from '../src/github/github-fixes.js'
import { GraphError, type GraphFailure } from '../src/graph/graph-error.js'
import { explainGraphFailure } from '../src/graph/graph-fixes.js'
import { actionInputs, cliFlags, cliNaming, type InputNaming } from '../src/input-naming.js'

const graph = (message: string, failure: Partial<GraphFailure>, naming: InputNaming): string =>
  explainGraphFailure(
    'Checking',
    new GraphError(message, { kind: 'api', transient: false, ...failure }),
    systemClock,
    naming
  ).fix

const repository: Destination = {
  kind: 'repository',
  secretType: 'actions',
  target: 'octo/app',
  route: '/repos/{owner}/{repo}/actions/secrets',
  params: { owner: 'octo', repo: 'app' }
}
const answer = (status: number, message: string) => ({ status, response: { headers: {}, data: { message } } })
const github = (error: unknown, naming: InputNaming, token = 'github_pat_x') =>
  explainGitHubFailure(error, repository, token, naming)

const NEW_TOKEN =
  'generate a new token (Business settings > Users > System users > Generate new token, or the Graph API Explorer for a user token), '

describe('Graph failures', () => {
  const cases: Array<[string, string, Partial<GraphFailure>, string, string]> = [
    [
      'a wrong app secret',
      'Error validating client secret.',
      { code: 1 },
      "'app-secret' is not the secret of 'app-id': copy it again from App settings > Basic.",
      'META_ROTATOR_APP_SECRET is not the secret of --app-id: copy it again from App settings > Basic.'
    ],
    [
      'an app id that does not exist',
      'Error validating application.',
      { code: 101 },
      "'app-id' is not a Meta app id that exists: copy it from App settings > Basic.",
      '--app-id is not a Meta app id that exists: copy it from App settings > Basic.'
    ],
    [
      'an app token Meta cannot parse (debug_token: no app has that id)',
      'Invalid OAuth access token - Cannot parse access token',
      { code: 190, appCredentials: 'app-id' },
      "Meta knows no app with the id in 'app-id': copy the App ID from App settings > Basic (and 'app-secret' from the same page), then re-run.",
      'Meta knows no app with the id in --app-id: copy the App ID from App settings > Basic (and META_ROTATOR_APP_SECRET from the same page), then re-run.'
    ],
    [
      'an app token with a wrong signature (debug_token)',
      'Invalid OAuth access token signature.',
      { code: 190, appCredentials: 'app-secret' },
      "'app-secret' is not the secret of 'app-id': copy it again from App settings > Basic, and check that 'app-id' is the App ID on that page.",
      'META_ROTATOR_APP_SECRET is not the secret of --app-id: copy it again from App settings > Basic, and check that --app-id is the App ID on that page.'
    ],
    [
      'a proof made with another secret',
      'Invalid appsecret_proof provided in the API argument',
      { code: 100 },
      "The token belongs to another app, or 'app-secret' is not the secret of 'app-id'.",
      'The token belongs to another app, or META_ROTATOR_APP_SECRET is not the secret of --app-id.'
    ],
    [
      'an unknown scope',
      'Invalid scope: ads_reed',
      { code: 100 },
      "Meta does not know a permission named in 'scopes', or will not give it to this token: correct the name (see the warning above for close matches), then re-run.",
      'Meta does not know a permission named in --scopes, or will not give it to this token: correct the name (see the warning above for close matches), then re-run.'
    ],
    [
      'an app not installed for the system user',
      'The app is not installed for the system user',
      { code: 100 },
      'Install the app for the system user: set install-app: true, or Business settings > System users > Add assets > Apps.',
      'Install the app for the system user: set --install-app true, or Business settings > System users > Add assets > Apps.'
    ],
    [
      'a revoked token',
      'Error validating access token',
      { code: 190, subcode: 467 },
      `The token is invalid or was revoked: ${NEW_TOKEN}put it in the secret and re-run.`,
      `The token is invalid or was revoked: ${NEW_TOKEN}put it in META_ROTATOR_TOKEN and re-run.`
    ],
    [
      'an app removed by the person',
      'Error validating access token',
      { code: 190, subcode: 458 },
      'The app is no longer installed for this user or system user: install it again (a user logs in to the app; a system user: install-app: true, or Business settings > System users > Assign assets > Apps), then generate a new token.',
      'The app is no longer installed for this user or system user: install it again (a user logs in to the app; a system user: --install-app true, or Business settings > System users > Assign assets > Apps), then generate a new token.'
    ],
    [
      'an unreachable API',
      'the connection failed (ECONNREFUSED)',
      { kind: 'network', transient: true, unreachable: { api: 'Graph API', urlInput: 'graph-api-url' } },
      "The Graph API could not be reached: check the runner's network and 'graph-api-url', then re-run.",
      "The Graph API could not be reached: check this machine's network and --graph-api-url, then re-run."
    ]
  ]
  test.each(cases)(
    '%s: the action says it as before, the CLI in flags and variables',
    (_, message, failure, action, cli) => {
      expect(graph(message, failure, actionInputs)).toBe(action)
      expect(graph(message, failure, cliFlags)).toBe(cli)
    }
  )

  test('an input the CLI read from the environment is named by its variable', () => {
    expect(graph('Error validating client secret.', { code: 1 }, cliNaming(new Set(['app-id'])))).toBe(
      'META_ROTATOR_APP_SECRET is not the secret of META_ROTATOR_APP_ID: copy it again from App settings > Basic.'
    )
  })
})

describe('GitHub failures', () => {
  test('401', () => {
    expect(github(answer(401, 'Bad credentials'), actionInputs)).toEqual({
      message: "GitHub rejected 'github-token' (401 Bad credentials) for the repository secret in octo/app.",
      fix: "The token expired or was revoked: create a new one and update the secret passed as 'github-token'."
    })
    expect(github(answer(401, 'Bad credentials'), cliFlags)).toEqual({
      message: 'GitHub rejected META_ROTATOR_GITHUB_TOKEN (401 Bad credentials) for the repository secret in octo/app.',
      fix: 'The token expired or was revoked: create a new one and update META_ROTATOR_GITHUB_TOKEN.'
    })
  })

  test('the rate limit', () => {
    const limited = answer(403, 'You have exceeded a secondary rate limit.')
    expect(github(limited, actionInputs).fix).toBe(
      'Re-run later. For many repositories in one organization, one organization secret with visibility: selected is one write instead of many.'
    )
    expect(github(limited, cliFlags).fix).toBe(
      'Re-run later. For many repositories in one organization, one organization secret with --visibility selected is one write instead of many.'
    )
  })

  test('403 to an app installation token: the workflow token in the action only', () => {
    const refused = answer(403, 'Resource not accessible by integration')
    const permission = "repository permission 'Secrets: Read and write' (classic PAT: repo)"
    expect(github(refused, actionInputs, 'ghs_x').fix).toBe(
      `'github-token' looks like the workflow's GITHUB_TOKEN (or an app token without the permission), which can never write secrets: pass a fine-grained PAT or GitHub App token with the ${permission}.`
    )
    expect(github(refused, cliFlags, 'ghs_x').fix).toBe(
      `META_ROTATOR_GITHUB_TOKEN looks like a GitHub App installation token without the permission (GitHub Actions' GITHUB_TOKEN is one, and can never write secrets): pass a fine-grained PAT or GitHub App token with the ${permission}.`
    )
    expect(github(answer(403, 'Forbidden'), actionInputs).fix).toBe(
      `Give 'github-token' the ${permission} on octo/app.`
    )
    expect(github(answer(403, 'Forbidden'), cliFlags).fix).toBe(
      `Give META_ROTATOR_GITHUB_TOKEN the ${permission} on octo/app.`
    )
  })

  test('404 and no answer', () => {
    expect(github(answer(404, 'Not Found'), actionInputs).message).toBe(
      "GitHub found no repository octo/app that 'github-token' can see (404)."
    )
    expect(github(answer(404, 'Not Found'), cliFlags).message).toBe(
      'GitHub found no repository octo/app that META_ROTATOR_GITHUB_TOKEN can see (404).'
    )
    const unanswered = new Error('the connection failed (ECONNREFUSED)')
    expect(github(unanswered, actionInputs).fix).toBe(
      "Check the runner's network and 'github-api-url' (Enterprise Server: https://HOST/api/v3), then re-run."
    )
    expect(github(unanswered, cliFlags).fix).toBe(
      "Check this machine's network and --github-api-url (Enterprise Server: https://HOST/api/v3), then re-run."
    )
  })
})
