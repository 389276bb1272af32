import { Input } from '../contract.js'
import { environmentName } from './cli-arguments.js'

type InputName = (typeof Input)[keyof typeof Input]

/** One line per flag; the action's inputs are the flags (see action.yml for the long descriptions). */
const FLAGS: Record<InputName, string> = {
  'app-id': 'Meta app id (required).',
  'app-secret': 'Meta app secret (required; prefer the environment variable).',
  token: 'The current token (required for refresh; for generate, the old token to revoke).',
  strategy: 'refresh (default) or generate.',
  'system-user-id': 'System user id, for generate and --install-app.',
  'admin-token': 'Business admin or system user token used to generate (never revoked).',
  scopes: 'Comma-separated permissions: requested by generate, required of the new token always.',
  expiring: 'true (default): 60-day system user tokens; false: permanent on generate.',
  'install-app': 'Install the app for the system user before generating.',
  revoke: 'auto (default), true or false: revoke the old token after every write is confirmed.',
  'rotate-before': 'Rotate only when the token expires within this duration (14d, 36h, 90m).',
  'page-secrets': "PAGE_ID=SECRET_NAME lines: store these pages' tokens (user tokens).",
  'graph-api-version': 'Graph API version (default v26.0).',
  'graph-api-url': 'Graph API base URL (default https://graph.facebook.com).',
  'secret-name': 'Name of the GitHub secret to write (required).',
  repositories: 'owner/repo list (commas or newlines); default $GITHUB_REPOSITORY.',
  environment: 'Write environment secrets of this environment instead.',
  organization: 'Write an organization secret in this organization.',
  visibility: 'Organization secret visibility: all, private (default) or selected.',
  'selected-repositories': 'Repositories allowed to use the organization secret (visibility selected).',
  'secret-type': 'actions (default), dependabot or codespaces.',
  'previous-secret-name': 'Grace mode: keep the replaced token in this secret.',
  'previous-token': 'Grace mode: the token in previous-secret-name, revoked instead.',
  'github-token': 'GitHub token allowed to write secrets (required; prefer the environment variable).',
  'github-api-url': 'GitHub API URL (default $GITHUB_API_URL, else https://api.github.com).',
  'dry-run': 'Check everything; mint, write and revoke nothing.',
  'request-timeout': 'Timeout of each HTTP request (default 30s).',
  'max-concurrency': 'Destinations handled at once (default 64).'
}

export function usage(): string {
  const width = Math.max(...Object.keys(FLAGS).map((name) => name.length)) + 2
  const lines = Object.entries(FLAGS).map(([name, text]) => `  --${name.padEnd(width)}${text}`)
  return `Usage: meta-token-rotator rotate [flags] [--json]

Refreshes (or generates) a Meta Graph API token, stores it sealed in GitHub secrets, confirms every
write, then revokes the old token. Never prints a token.

Flags (each may also be set as an environment variable, e.g. ${environmentName(Input.AppSecret)};
pass secrets that way, not on the command line, where other users can see them):
${lines.join('\n')}

  --json${' '.repeat(width + 2)}Print a JSON report on stdout instead of the text report (never the token).
  --help, --version

Exit codes: 0 rotated, skipped (rotate-before) or dry run passed; 1 the rotation failed (the report
says what was written and what was left in place); 2 bad usage or invalid inputs (nothing was done).
`
}
