import { CREDENTIAL_INPUTS, Input, type InputName } from '../contract.js'
import { environmentVariable } from '../input-naming.js'

/**
 * The package is not published to npm: the CLI runs from a clone, or through npx from the
 * repository (npm fetches it and runs its bin, the bundled dist/cli/index.js).
 */
export const PROGRAM = 'node dist/cli/index.js'
export const NPX = 'npx github:meta-token-rotator/meta-token-rotator'

/** One line per flag; the action's inputs are the flags (see action.yml for the long descriptions). */
const FLAGS: Record<InputName, string> = {
  'app-id': 'Meta app id (required, except with --strategy instagram).',
  'app-secret': 'Meta app secret (required, except with --strategy instagram).',
  token: 'The current token (required for refresh and instagram; for generate, the old token to revoke).',
  strategy: 'refresh (default), generate or instagram.',
  'system-user-id':
    "App-scoped system user id (debug_token's user_id), for generate and --install-app; default: the user_id of --token.",
  'admin-token': 'Business admin or system user token of this app used to generate (never revoked).',
  'generate-endpoint':
    'system-user (default): POST /{system-user-id}/access_tokens; business: POST /{business-id}/system_user_access_tokens.',
  'business-id': 'Business Manager id that owns the system user, for --generate-endpoint business.',
  scopes: 'Comma-separated permissions: requested by generate, required of the new token always.',
  'require-same-assets': 'true (default): stop if the new token reaches fewer assets than the old one.',
  expiring: 'true (default): 60-day system user tokens; false: permanent on generate.',
  'install-app': 'Install the app for the system user before generating.',
  revoke:
    'auto (default), true, false or after-deploy: revoke the old token after every write is confirmed (after-deploy: leave it to the finish action).',
  'rotate-before': 'Rotate only when the token expires within this duration (14d, 36h, 90m).',
  'page-secrets': "PAGE_ID=SECRET_NAME lines: store these pages' tokens (user or system user tokens).",
  'graph-api-version': 'Graph API version (default v27.0).',
  'graph-api-url': 'Graph API base URL (default https://graph.facebook.com).',
  'instagram-api-url': 'Instagram API base URL (default https://graph.instagram.com).',
  'secret-name': 'Name of the GitHub secret to write (required, unless each destinations line names its own).',
  destinations:
    "One destination a line: 'repo o/r', 'environment o/r ENV', 'organization ORG visibility=selected repositories=a,b', 'dependabot o/r', 'codespaces user'; each may add 'as NAME' and 'previous=NAME'.",
  repositories: 'owner/repo list (commas or newlines); default $GITHUB_REPOSITORY.',
  environment: 'Write environment secrets of this environment instead.',
  organization: 'Write an organization secret in this organization.',
  visibility: 'Organization secret visibility: all, private (default) or selected.',
  'selected-repositories': 'Repositories allowed to use the organization secret (visibility selected).',
  'secret-type': 'actions (default), dependabot or codespaces.',
  'previous-secret-name': 'Grace mode: keep the replaced token in this secret.',
  'previous-token': 'Grace mode: the token in previous-secret-name, revoked instead.',
  'github-token': 'GitHub token allowed to write secrets (required).',
  'github-api-url': 'GitHub API URL (default $GITHUB_API_URL, else https://api.github.com).',
  'dry-run': 'Check everything, write access included; mint, write and revoke nothing.',
  'request-timeout': 'Timeout of each HTTP request (default 30s).',
  'max-concurrency': 'Destinations handled at once (default 64).',
  'deploy-workflows':
    'owner/repo/.github/workflows/file.yml@ref list: dispatched once every destination holds the new token; the old token is revoked only when every run succeeded.',
  'deploy-timeout': 'How long to wait for the deploy runs (default 30m; 1m to 6h).',
  'keep-alive': 'In a scheduled workflow run, re-enable that workflow (GitHub disables idle schedules after 60 days).',
  'heartbeat-url':
    "A dead man's switch ping URL (healthchecks.io style): pinged after a healthy run, /fail after a failure.",
  'heartbeat-start': 'Also ping {heartbeat-url}/start when the run begins.',
  'expiry-variable':
    "After a rotation or skip, write the token's expiry (JSON) to this Actions variable in each destination's scope.",
  'lease-wait':
    "Take the secret's lease (<SECRET>_ROTATION_LEASE) before minting; wait at most this long (0 to 6h) for another run's."
}

const OWN_FLAGS: Array<[string, string]> = [
  ['destinations-file', 'Read --destinations from this file (one destination a line; # starts a comment).'],
  ['json', 'Print a JSON report on stdout instead of the text report (never the token).'],
  ['help', 'Print this help.'],
  ['version', 'Print the version.']
]

export function usage(): string {
  const credentials = new Set<string>(CREDENTIAL_INPUTS)
  const flags = Object.entries(FLAGS).filter(([name]) => !credentials.has(name))
  const width = Math.max(...[...Object.keys(FLAGS), ...OWN_FLAGS.map(([name]) => name)].map((n) => n.length)) + 4
  const flagLine = ([name, text]: [string, string]): string => `  ${`--${name}`.padEnd(width)}${text}`
  const variableWidth = Math.max(...CREDENTIAL_INPUTS.map((name) => environmentVariable(name).length)) + 2
  const credentialLines = CREDENTIAL_INPUTS.map(
    (name) => `  ${environmentVariable(name).padEnd(variableWidth)}${FLAGS[name]}`
  )
  return `Usage: ${PROGRAM} rotate [flags] [--json]
       (from a clone of the repository; without one: ${NPX} rotate …)

Refreshes (or generates) a Meta token, stores it sealed in GitHub secrets, confirms every write,
then revokes the old token. Never prints a token.

Credentials come from the environment only (a command line can be read by other users):
${credentialLines.join('\n')}

Flags (each may also be set as an environment variable, e.g. ${environmentVariable(Input.SecretName)}; a flag wins):
${flags.map(flagLine).join('\n')}

${OWN_FLAGS.map(flagLine).join('\n')}

Exit codes: 0 rotated, skipped (rotate-before) or dry run passed; 1 the rotation failed (the report
says what was written and what was left in place); 2 bad usage or invalid inputs (nothing was done).

       ${PROGRAM} status [flags] [--json]

Checks the token in the secret (debug_token; Instagram: /me) and the github-token (one read of
GitHub), and prints one line for each: its type, expiry, data access expiry and next due date.
Mints, writes and revokes nothing. Same flags and credentials as rotate.
Exit codes: 0 every token is healthy; 1 a token expires (or its data access ends) within
rotate-before (14 days when empty), or could not be checked; 2 bad usage or invalid inputs.
`
}
