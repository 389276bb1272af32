// `npm run docs:screenshots`: the job summary of each case a user meets (a rotation, a skip, a dry run,
// a partial failure, refused inputs), produced by the committed bundle against the emulators exactly
// as `npm run demo` runs it, rendered as GitHub renders Markdown (marked, GitHub-flavoured) and
// photographed with headless Chromium (Debian's `chromium`, or CHROMIUM=/path). Writes
// docs/screenshots/<case>.png and docs/screenshots/<case>.md.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { marked } from 'marked'
import { GitHubEmulator } from '../emulators/github-emulator.js'
import { GraphEmulator } from '../emulators/graph-emulator.js'
import { projectRoot, runBundledAction } from './bundled-action.js'

const DAY = 86_400
const APP_ID = '1234567890'
const SYSTEM_USER_ID = '61550000000001'
const SCOPES = ['ads_read', 'business_management']
const root = projectRoot()
const outDir = join(root, 'docs', 'screenshots')
const chromium = process.env.CHROMIUM ?? 'chromium'

interface Case {
  name: string
  title: string
  /** The inputs of the run, given the world. */
  inputs(world: CaseWorld): Record<string, string>
}

interface CaseWorld {
  graph: GraphEmulator
  github: GitHubEmulator
  base: Record<string, string>
  token(expiresInDays: number): string
}

const CASES: Case[] = [
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

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'mtr-screens-'))
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
    for (const c of CASES) {
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
        inputs: c.inputs({ graph, github, base, token }),
        env: { GITHUB_SERVER_URL: 'https://github.com' }
      })
      const markdown = run.summary
      writeFileSync(join(outDir, `${c.name}.md`), markdown)
      const png = join(outDir, `${c.name}.png`)
      photograph(renderPage(c.title, markdown), png, work)
      console.log(`${relative(root, png)}: ${c.title} (exit ${run.exitCode})`)
    }
  } finally {
    await Promise.all([graph.stop(), github.stop()])
    rmSync(work, { recursive: true, force: true })
  }
}

/** The summary as GitHub shows it on the run page: its Markdown, in GitHub's type and table styles. */
function renderPage(title: string, markdown: string): string {
  const body = marked.parse(markdown, { gfm: true, async: false })
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>
  body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
  .frame { margin: 16px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
  .frame > header { padding: 8px 16px; border-bottom: 1px solid #d1d9e0; font-weight: 600; color: #59636e; font-size: 12px; }
  .markdown-body { padding: 8px 24px 16px; }
  h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 16px 0; }
  h3 { font-size: 1.25em; margin: 24px 0 16px; }
  code { font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #818b981f; border-radius: 6px; padding: .2em .4em; }
  pre { background: #f6f8fa; border-radius: 6px; padding: 16px; overflow: auto; }
  pre code { background: none; padding: 0; white-space: pre-wrap; }
  table { border-collapse: collapse; margin: 0 0 16px; }
  th, td { border: 1px solid #d1d9e0; padding: 6px 13px; vertical-align: top; }
  th { font-weight: 600; } tr:nth-child(2n) td { background: #f6f8fa; }
  a { color: #0969da; text-decoration: none; }
  ul { padding-left: 2em; } li + li { margin-top: .25em; }
</style></head><body><div class="frame"><header>Job summary</header><div class="markdown-body">${body}</div></div>
<script>document.title = String(Math.ceil(document.querySelector('.frame').getBoundingClientRect().bottom + 16))</script></body></html>`
}

/** Headless Chromium, twice: once to learn the page's height, once to photograph it whole. */
function photograph(html: string, png: string, work: string): void {
  const page = join(work, 'page.html')
  writeFileSync(page, html)
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${join(work, 'profile')}`
  ]
  const width = 1100
  const dom = execFileSync(chromium, [...flags, `--window-size=${width},200`, '--dump-dom', `file://${page}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore']
  })
  const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1] ?? 1200)
  execFileSync(chromium, [...flags, `--window-size=${width},${height}`, `--screenshot=${png}`, `file://${page}`], {
    stdio: 'ignore'
  })
}

await main()
