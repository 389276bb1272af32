// The cases a user meets (a rotation, a skip, a dry run, a partial failure, refused inputs), each run
// by the committed bundle against the emulators, exactly as `npm run demo` runs it. Their job summaries
// and logs are the golden files in docs/screenshots/ (<case>.md, <case>.log): the golden test compares
// them, `npm run golden:update` rewrites them, `npm run docs:screenshots` photographs them too.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { GitHubEmulator } from '../emulators/github-emulator.js'
import { GraphEmulator } from '../emulators/graph-emulator.js'
import { projectRoot, runBundledAction, runnerLog } from './bundled-action.js'

const DAY = 86_400
const APP_ID = '1234567890'
const SYSTEM_USER_ID = '61550000000001'
const SCOPES = ['ads_read', 'business_management']

export const GOLDEN_DIR = join(projectRoot(), 'docs', 'screenshots')

export interface DemoCase {
  name: string
  title: string
  /** The inputs of the run, given the world. */
  inputs(world: CaseWorld): Record<string, string>
}

interface CaseWorld {
  base: Record<string, string>
  token(expiresInDays: number): string
}

export const DEMO_CASES: DemoCase[] = [
  { name: 'rotated', title: 'A rotation into two repositories', inputs: (w) => w.base },
  {
    name: 'skipped',
    title: 'Not due yet (rotate-before: 14d, 40 days left)',
    inputs: (w) => ({ ...w.base, token: w.token(40), 'rotate-before': '14d' })
  },
  { name: 'dry-run', title: 'A dry run', inputs: (w) => ({ ...w.base, 'dry-run': 'true' }) },
  {
    name: 'partial-failure',
    title: 'A partial failure: the token cannot write one repository',
    inputs: (w) => ({ ...w.base, repositories: 'octo/app\nocto/api\nocto/locked' })
  },
  {
    name: 'input-error',
    title: 'Refused inputs',
    inputs: (w) => ({ ...w.base, 'secret-name': 'GITHUB_TOKEN', 'rotate-before': '2w' })
  }
]

export interface CaseRun {
  demo: DemoCase
  exitCode: number | null
  /** The job summary (Markdown). */
  summary: string
  /** The log as the runner shows it (masked, commands rendered), one string. */
  log: string
}

/** Runs every case in one pair of emulators, each with a fresh token. */
export async function runDemoCases(cases: readonly DemoCase[] = DEMO_CASES): Promise<CaseRun[]> {
  const graph = await GraphEmulator.start()
  const github = await GitHubEmulator.start()
  try {
    const appSecret = randomBytes(16).toString('hex')
    const pat = `github_pat_11DOCS0${randomBytes(12).toString('hex')}`
    graph.addApp({ id: APP_ID, secret: appSecret, name: 'Demo App' })
    for (const repo of ['octo/app', 'octo/api', 'octo/locked']) github.addRepository(repo)
    // Read access everywhere, write access on two of the three repositories.
    github.addToken(pat, {
      permissions: { metadata: 'read', secrets: 'write' },
      repositories: ['octo/app', 'octo/api']
    })
    const token = (expiresInDays: number): string =>
      graph.issueToken({
        appId: APP_ID,
        type: 'SYSTEM_USER',
        scopes: SCOPES,
        expiresIn: expiresInDays * DAY,
        issuedAgo: 40 * DAY,
        userId: SYSTEM_USER_ID
      })
    const runs: CaseRun[] = []
    for (const demo of cases) {
      const base = {
        'app-id': APP_ID,
        'app-secret': appSecret,
        token: token(12),
        'secret-name': 'META_TOKEN',
        repositories: 'octo/app\nocto/api',
        'github-token': pat,
        'graph-api-url': graph.url,
        'github-api-url': github.url,
        'rotate-before': '14d'
      }
      const run = await runBundledAction({
        inputs: demo.inputs({ base, token }),
        env: { GITHUB_SERVER_URL: 'https://github.com' }
      })
      const log = runnerLog(`${run.stdout}\n${run.stderr}`, run.masks)
        .map((line) =>
          line.split(graph.url).join('http://127.0.0.1:GRAPH').split(github.url).join('http://127.0.0.1:GITHUB')
        )
        .join('\n')
      runs.push({ demo, exitCode: run.exitCode, summary: run.summary, log: `${log}\n` })
    }
    return runs
  } finally {
    await Promise.all([graph.stop(), github.stop()])
  }
}

/**
 * A golden text as compared: every date and time of the run's own clock, and every duration it
 * measured, is a placeholder; the words, the order and the day counts are what is compared.
 */
export function comparable(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: UTC|Z)?/g, '<time>')
    .replace(/\b\d+(?:\.\d+)? ?(ms|s)\b/g, '<duration>')
}
