// keep-alive: GitHub disables a public repository's scheduled workflows after 60 days without activity
// (https://docs.github.com/actions/using-workflows/disabling-and-enabling-a-workflow), the same 60 days
// a Meta token lives. A scheduled run re-enables the workflow it runs in (PUT …/workflows/{id}/enable,
// the id read from GITHUB_WORKFLOW_REF, which names the caller's workflow in a reusable one too).
// It never fails a rotation: without Actions: write it warns, naming the permission and the date.
import type { RotationLog } from './action-io.js'
import type { Clock } from './clock.js'
import { Input } from './contract.js'
import { readGitHubError } from './github/github-error.js'
import type { Workflows } from './github/workflows.js'
import type { InputNaming } from './input-naming.js'
import { dateText } from './token-checks.js'

/** GitHub's rule: scheduled workflows of a public repository stop after this long without activity. */
export const INACTIVITY_DAYS = 60
const DAY_MS = 86_400_000
const WORKFLOW_REF =
  /^([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})\/\.github\/workflows\/([A-Za-z0-9._-]{1,200}\.ya?ml)@/

export interface KeepAliveServices {
  workflows: Workflows
  log: RotationLog
  naming: InputNaming
  clock: Clock
}

/** What keep-alive did, in a sentence for the summary's notes; undefined when it had nothing to do. */
export async function keepAlive(
  enabled: boolean,
  env: NodeJS.ProcessEnv,
  { workflows, log, naming, clock }: KeepAliveServices
): Promise<string | undefined> {
  if (!enabled) return undefined
  if (env.GITHUB_EVENT_NAME !== 'schedule') {
    log.debug(
      `keep-alive: this run was triggered by ${env.GITHUB_EVENT_NAME ?? 'no event'}, not schedule: nothing to re-enable.`
    )
    return undefined
  }
  const match = WORKFLOW_REF.exec(env.GITHUB_WORKFLOW_REF ?? '')
  if (!match) {
    log.warning(
      `keep-alive: GITHUB_WORKFLOW_REF does not name a workflow file, so the schedule could not be kept alive.`
    )
    return undefined
  }
  const [, owner = '', repo = '', file = ''] = match
  const where = `${owner}/${repo}/.github/workflows/${file}`
  let id: number
  try {
    id = (await workflows.workflow({ owner, repo }, file)).id
    await workflows.enable(owner, repo, id)
  } catch (error) {
    const { status, said } = readGitHubError(error)
    const until = await disabledBy(workflows, owner, repo, clock)
    const permission = `Give ${naming.name(Input.GithubToken)} 'Actions: Read and write' on ${owner}/${repo} (the workflow's GITHUB_TOKEN: permissions: actions: write), or set ${naming.setting(Input.KeepAlive, 'false')}.`
    const warning =
      status === 403 || status === 404
        ? `keep-alive: could not re-enable ${where} (GitHub answered ${status}: ${said}). ${until} ${permission}`
        : `keep-alive: could not re-enable ${where} (${status === undefined ? 'no answer' : `GitHub answered ${status}`}: ${said}). ${until} The next scheduled run tries again.`
    log.warning(warning)
    return warning.replace(/^keep-alive: /, 'Keep-alive: ')
  }
  log.info(
    `keep-alive: re-enabled ${where} (workflow ${id}), so GitHub's ${INACTIVITY_DAYS}-day rule does not stop its schedule.`
  )
  return `Keep-alive: re-enabled ${where}, so its schedule is not disabled for inactivity.`
}

/** When GitHub would disable the schedule: 60 days after the last push of a public repository. */
async function disabledBy(workflows: Workflows, owner: string, repo: string, clock: Clock): Promise<string> {
  try {
    const facts = await workflows.repository(owner, repo)
    if (!facts.public) return `${owner}/${repo} is not public, so GitHub does not disable its schedules for inactivity.`
    if (!facts.pushedAt)
      return `Without activity, GitHub disables its schedule ${INACTIVITY_DAYS} days after the last push.`
    const by = new Date(facts.pushedAt.getTime() + INACTIVITY_DAYS * DAY_MS)
    const passed = by.getTime() <= clock.now().getTime()
    return `Without activity in the repository, GitHub disables the schedule ${passed ? 'from' : 'on'} ${dateText(by)} (${INACTIVITY_DAYS} days after the last push).`
  } catch {
    return `Without activity, GitHub disables a public repository's schedule ${INACTIVITY_DAYS} days after the last push.`
  }
}
