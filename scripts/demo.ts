// `npm run demo`: a newcomer's first look at the action. It starts the Graph API and GitHub API
// emulators on 127.0.0.1, sets up a Meta app, a system user token and two repositories, runs the
// committed bundle (`node dist/index.js`) exactly as the GitHub Actions runner would, and then shows
// what happened, without ever printing a token. Exits 0 only when the rotation really happened.
import { createHash, randomBytes } from 'node:crypto'
import { GitHubEmulator } from '../emulators/github-emulator.js'
import { GraphEmulator } from '../emulators/graph-emulator.js'
import type { RecordedRequest } from '../emulators/loopback-server.js'
import { runBundledAction, runnerLog } from './bundled-action.js'

const DAY = 86_400
const APP_ID = '1234567890'
const SYSTEM_USER_ID = '61550000000001'
const SECRET_NAME = 'META_TOKEN'
const REPOSITORIES = ['octo/app', 'octo/api']
const SCOPES = ['ads_read', 'business_management']

const fingerprint = (value: string): string => `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}`
const yes = (ok: boolean): string => (ok ? '✔' : '✘')
const date = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString().replace('.000Z', 'Z')
const print = (line = ''): void => console.log(line)
const indent = (lines: string[], by = '    '): void =>
  lines.forEach((line) => print(line || by.trim() ? (by + line).trimEnd() : ''))

function heading(number: number, title: string): void {
  print()
  print(`${number}. ${title}`)
  print('   ' + '─'.repeat(title.length))
}

/** One list of the requests both emulators receive, in arrival order. */
function recordTimeline(logs: Record<string, RecordedRequest[]>): Array<{ api: string; request: RecordedRequest }> {
  const timeline: Array<{ api: string; request: RecordedRequest }> = []
  for (const [api, log] of Object.entries(logs)) {
    const push = log.push.bind(log)
    log.push = (...requests: RecordedRequest[]) => {
      for (const request of requests) timeline.push({ api, request })
      return push(...requests)
    }
  }
  return timeline
}

async function main(): Promise<boolean> {
  const graph = await GraphEmulator.start()
  const github = await GitHubEmulator.start()
  try {
    return await demo(graph, github)
  } finally {
    await Promise.all([graph.stop(), github.stop()])
  }
}

async function demo(graph: GraphEmulator, github: GitHubEmulator): Promise<boolean> {
  // The secrets of this run: random, so nothing here resembles a real credential.
  const appSecret = randomBytes(16).toString('hex')
  const pat = `github_pat_11DEMO0${randomBytes(12).toString('hex')}`

  graph.addApp({ id: APP_ID, secret: appSecret, name: 'Demo App' })
  const oldToken = graph.issueToken({
    appId: APP_ID,
    type: 'SYSTEM_USER',
    scopes: SCOPES,
    expiresIn: 20 * DAY,
    issuedAgo: 40 * DAY,
    userId: SYSTEM_USER_ID
  })
  for (const repo of REPOSITORIES) github.addRepository(repo)
  github.addToken(pat, { permissions: { metadata: 'read', secrets: 'write' } })
  const oldExpiry = graph.token(oldToken)?.expiresAt ?? 0

  print('Meta token rotator — demo')
  print('═════════════════════════')
  print('Nothing leaves this machine: two emulators on 127.0.0.1 play the Meta Graph API and the')
  print('GitHub REST API, and check what the real ones check (app secret, appsecret_proof, token')
  print('expiry and revocation; PAT permissions, sealed-box encryption, the request schema).')
  print(`  Graph API emulator   ${graph.url}`)
  print(`  GitHub API emulator  ${github.url}`)
  print('Tokens are never printed: they appear as *** or as a short fingerprint (first 8 hex digits of')
  print('their SHA-256), enough to tell them apart.')

  heading(1, 'The starting point')
  indent([
    `Meta app ${APP_ID} ("Demo App") and its app secret.`,
    `A system user token (60-day kind) with 20 days left: ${fingerprint(oldToken)}, expires ${date(oldExpiry)},`,
    `  scopes ${SCOPES.join(', ')}.`,
    `Repositories ${REPOSITORIES.join(' and ')}, with no ${SECRET_NAME} secret yet.`,
    "A fine-grained PAT with 'Secrets: Read and write' on both repositories."
  ])

  const inputs: Record<string, string> = {
    'app-id': APP_ID,
    'app-secret': appSecret,
    token: oldToken,
    'secret-name': SECRET_NAME,
    repositories: REPOSITORIES.join('\n'),
    'github-token': pat,
    'graph-api-url': graph.url,
    'github-api-url': github.url
  }
  heading(2, 'The workflow step')
  indent([
    'The same as this step in a workflow (the two *-api-url inputs point at the emulators):',
    '',
    '  - uses: meta-token-rotator/meta-token-rotator@v1',
    '    with:',
    `      app-id: '${APP_ID}'`,
    '      app-secret: ${{ secrets.META_APP_SECRET }}',
    '      token: ${{ secrets.META_TOKEN }}',
    `      secret-name: ${SECRET_NAME}`,
    '      repositories: |',
    ...REPOSITORIES.map((repo) => `        ${repo}`),
    '      github-token: ${{ secrets.SECRETS_PAT }}',
    '',
    'Running `node dist/index.js` the way the runner does: INPUT_* environment variables,',
    'GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, a clean environment…'
  ])
  const timeline = recordTimeline({ Graph: graph.server.requests, GitHub: github.server.requests })
  const run = await runBundledAction({ inputs, repository: REPOSITORIES[0] })
  const secrets = [oldToken, appSecret, pat, `${APP_ID}|${appSecret}`, ...run.masks]
  const fresh = run.outputs.token ?? ''
  if (fresh) secrets.push(fresh)
  const hide = (text: string): string =>
    [...new Set(secrets)].sort((a, b) => b.length - a.length).reduce((acc, s) => acc.split(s).join('***'), text)

  heading(3, "The action's log, as the Actions page shows it")
  print('    (::add-mask:: lines hidden, masked values shown as ***, debug lines hidden)')
  print()
  indent(runnerLog(`${run.stdout}\n${run.stderr}`, secrets).map(hide), '    │ ')
  print()
  print(`    Exit code ${run.exitCode ?? `none (killed by ${run.signal})`}, ${Math.round(run.durationMs)} ms.`)
  const printedSecrets = secrets.filter((s) =>
    `${run.stdout}\n${run.stderr}`
      .split(/\r?\n/)
      .some(
        (line) =>
          !line.startsWith('::add-mask::') &&
          [s, encodeURIComponent(s), Buffer.from(s).toString('base64')].some((f) => line.includes(f))
      )
  )
  print(
    `    ${yes(printedSecrets.length === 0)} The raw output holds no secret outside its ::add-mask:: lines` +
      (printedSecrets.length === 0 ? '.' : `: ${printedSecrets.length} found!`)
  )

  heading(4, 'Outputs (GITHUB_OUTPUT)')
  const outputNames = Object.keys(run.outputs)
  const width = Math.max(0, ...outputNames.map((n) => n.length))
  for (const name of outputNames) {
    const value = run.outputs[name] ?? ''
    const shown = name === 'token' && value ? `*** (${fingerprint(value)})` : hide(value)
    print(`    ${name.padEnd(width)}  ${shown}`)
  }
  if (outputNames.length === 0) print('    (none)')

  heading(5, `What ${SECRET_NAME} holds now, as opened by the GitHub emulator with its private key`)
  const inRepos = REPOSITORIES.map((repo) => {
    const value = github.secret({ kind: 'repository', repo }, SECRET_NAME)?.value
    const holdsNew = Boolean(fresh) && value === fresh
    const what =
      value === undefined
        ? 'no secret'
        : `${fingerprint(value)}  ${holdsNew ? '= the token output' : value === oldToken ? '= the OLD token' : '≠ the token output'}`
    print(`    ${yes(holdsNew)} ${repo.padEnd(10)} ${what}`)
    return holdsNew
  })

  heading(6, 'At Meta (the Graph emulator)')
  const oldRevoked = graph.token(oldToken)?.revoked === true
  const newUsable = Boolean(fresh) && fresh !== oldToken && graph.isUsable(fresh)
  print(`    ${yes(oldRevoked)} The old token ${fingerprint(oldToken)} is ${oldRevoked ? 'revoked' : 'NOT revoked'}.`)
  if (fresh) {
    const newExpiry = graph.token(fresh)?.expiresAt
    print(
      `    ${yes(newUsable)} The new token ${fingerprint(fresh)} is ${newUsable ? 'usable' : 'NOT usable'}` +
        (newExpiry ? `, expires ${date(newExpiry)} (was ${date(oldExpiry)}).` : '.')
    )
  } else {
    print(`    ${yes(false)} No new token came out of the run.`)
  }

  heading(7, 'Requests made, in the order they arrived (method and path; query strings left out)')
  for (const { api, request } of timeline)
    print(`    ${api.padEnd(6)} ${request.method.padEnd(6)} ${hide(request.path)}`)
  const position = (request: RecordedRequest | undefined): number =>
    timeline.findIndex((entry) => entry.request === request)
  const revokeAt = position(graph.server.requestsTo(/\/oauth\/revoke$/).at(-1))
  const readBacks = github.server.requestsTo(new RegExp(`/secrets/${SECRET_NAME}$`), 'GET')
  const revokedLast =
    revokeAt >= 0 && readBacks.length === REPOSITORIES.length && readBacks.every((r) => position(r) < revokeAt)
  print()
  print(
    `    ${yes(revokedLast)} The revoke ${revokedLast ? 'came after' : 'did NOT come after'} both secrets were written and read back (GET …/secrets/${SECRET_NAME}).`
  )

  heading(8, 'Job summary (GITHUB_STEP_SUMMARY, Markdown)')
  indent(hide(run.summary).trimEnd().split('\n'), '    │ ')

  const checks: Array<[boolean, string]> = [
    [run.exitCode === 0, `the action exited with ${run.exitCode ?? run.signal}`],
    [inRepos.every(Boolean), 'not every repository secret holds the new token'],
    [oldRevoked, 'the old token was not revoked'],
    [newUsable, 'no usable new token'],
    [revokedLast, 'the revoke did not come after both read-backs'],
    [printedSecrets.length === 0, 'a secret was printed']
  ]
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what)
  print()
  if (failed.length === 0) {
    print('PASS: the token was refreshed, stored sealed in both repositories, confirmed, and the old one revoked.')
  } else {
    print(`FAIL: ${failed.join('; ')}.`)
  }
  return failed.length === 0
}

main().then(
  (passed) => {
    process.exitCode = passed ? 0 : 1
  },
  (error: unknown) => {
    console.error(`FAIL: the demo itself broke: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
)
