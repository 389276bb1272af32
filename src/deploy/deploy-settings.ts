// The inputs of the deploy step and of keep-alive: which workflows to dispatch once every destination
// holds the new token (written like a `uses:` of a workflow), how long to wait for their runs, and
// whether a scheduled run re-enables its own workflow. Problems are reported with readSettings' others.
import { Input, type InputName } from '../contract.js'
import { parseDurationSeconds } from '../duration.js'
import type { WorkflowAddress } from '../github/workflows.js'
import type { InputNaming } from '../input-naming.js'
import { echoed } from '../outside-text.js'

export interface DeploySettings {
  /** Dispatched in this order, each at its ref (undefined: the repository's default branch). */
  workflows: WorkflowAddress[]
  timeoutMs: number
  /** Scheduled runs re-enable the workflow they run in. */
  keepAlive: boolean
}

export const DEFAULT_DEPLOY_TIMEOUT_SECONDS = 30 * 60
/** A GitHub-hosted job stops after 6 hours: the wait leaves an hour of it for the rest of the rotation, so it ends in a verdict. */
const MAX_DEPLOY_TIMEOUT_SECONDS = 5 * 3600
const MIN_DEPLOY_TIMEOUT_SECONDS = 60
export const MAX_DEPLOY_WORKFLOWS = 20

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/
const REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/
const FILE = /^[A-Za-z0-9._-]{1,200}\.ya?ml$/
/** A branch or tag name as git allows it, without what would change a request (spaces, `..`, a leading `-`). */
const REF = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/+-]{1,255}$/

type Problem = (input: InputName, text: string) => void

export function readDeploySettings(
  read: (name: string) => string,
  env: NodeJS.ProcessEnv,
  naming: InputNaming,
  problem: Problem
): DeploySettings {
  const workflows: WorkflowAddress[] = []
  const seen = new Set<string>()
  for (const entry of read(Input.DeployWorkflows)
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter(Boolean)) {
    const address = parseWorkflowAddress(entry, env.GITHUB_REPOSITORY)
    if (typeof address === 'string') {
      problem(Input.DeployWorkflows, `'${echoed(entry)}' ${address}`)
      continue
    }
    const key = `${address.owner}/${address.repo}/${address.file}@${address.ref ?? ''}`.toLowerCase()
    if (seen.has(key)) problem(Input.DeployWorkflows, `'${echoed(entry)}' is listed twice.`)
    seen.add(key)
    workflows.push(address)
  }
  if (workflows.length > MAX_DEPLOY_WORKFLOWS) {
    problem(
      Input.DeployWorkflows,
      `lists ${workflows.length} workflows; at most ${MAX_DEPLOY_WORKFLOWS}: dispatch one workflow that deploys them all.`
    )
  }

  const timeoutText = read(Input.DeployTimeout).trim()
  let timeoutSeconds = DEFAULT_DEPLOY_TIMEOUT_SECONDS
  if (timeoutText) {
    const parsed = parseDurationSeconds(timeoutText, 'smh')
    if (parsed === undefined) {
      problem(Input.DeployTimeout, `'${echoed(timeoutText)}' is not a duration such as 30m, 90s or 2h.`)
    } else if (parsed < MIN_DEPLOY_TIMEOUT_SECONDS || parsed > MAX_DEPLOY_TIMEOUT_SECONDS) {
      problem(
        Input.DeployTimeout,
        `'${echoed(timeoutText)}' is outside 1m to 5h (a GitHub-hosted job ends after 6 hours, and the rest of the rotation needs time too; a deploy needs a minute to start).`
      )
    } else {
      timeoutSeconds = parsed
    }
    if (workflows.length === 0 && parsed !== undefined)
      problem(Input.DeployTimeout, `only applies with ${naming.name(Input.DeployWorkflows)}.`)
  }

  const keepAliveText = read(Input.KeepAlive).trim()
  let keepAlive = false
  if (/^(true|True|TRUE)$/.test(keepAliveText)) keepAlive = true
  else if (keepAliveText && !/^(false|False|FALSE)$/.test(keepAliveText))
    problem(Input.KeepAlive, `'${echoed(keepAliveText)}' is not a boolean: use true or false.`)

  return { workflows, timeoutMs: timeoutSeconds * 1000, keepAlive }
}

/**
 * `owner/repo/.github/workflows/file.yml@ref`, or `.github/workflows/file.yml[@ref]` in this repository.
 * Returns why not, as the end of a sentence, when the text is no such address.
 */
export function parseWorkflowAddress(text: string, currentRepository: string | undefined): WorkflowAddress | string {
  const at = text.lastIndexOf('@')
  const path = at >= 0 ? text.slice(0, at) : text
  const ref = at >= 0 ? text.slice(at + 1) : undefined
  const form = 'is not owner/repo/.github/workflows/file.yml@ref (or .github/workflows/file.yml for this repository).'
  if (ref !== undefined && !REF.test(ref)) return `has a ref that is not a branch or tag name: ${form}`
  const parts = path.split('/')
  const bare = parts[0] === '.github'
  const [owner, repo] = bare ? (currentRepository ?? '').split('/') : parts
  const rest = bare ? parts : parts.slice(2)
  if (rest.length !== 3 || rest[0] !== '.github' || rest[1] !== 'workflows' || !FILE.test(rest[2] ?? '')) return form
  if (bare && !currentRepository)
    return 'names no repository, and there is no GITHUB_REPOSITORY outside GitHub Actions: write owner/repo/.github/workflows/file.yml.'
  if (!owner || !repo || !OWNER.test(owner) || !REPOSITORY.test(repo) || repo === '.' || repo === '..') return form
  return { owner, repo, file: rest[2] as string, ...(ref !== undefined ? { ref } : {}) }
}
