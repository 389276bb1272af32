// `npm run docs:screenshots`: the job summary of each case a user meets (a rotation, a skip, a dry run,
// a partial failure, refused inputs), produced by the committed bundle against the emulators exactly
// as `npm run demo` runs it, rendered as GitHub renders Markdown (marked, GitHub-flavoured) and
// photographed with headless Chromium (Debian's `chromium`, or CHROMIUM=/path). Writes
// docs/screenshots/<case>.png, and the golden files <case>.md and <case>.log (`--text`: those only).
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { marked } from 'marked'
import { projectRoot } from './bundled-action.js'
import { GOLDEN_DIR, runDemoCases } from './demo-cases.js'

const root = projectRoot()
const chromium = process.env.CHROMIUM ?? 'chromium'
/** `--text`: the golden files only (the summaries and logs), no photographs: needs no Chromium. */
const textOnly = process.argv.includes('--text')

async function main(): Promise<void> {
  mkdirSync(GOLDEN_DIR, { recursive: true })
  const work = mkdtempSync(join(tmpdir(), 'mtr-screens-'))
  try {
    for (const { demo, exitCode, summary, log } of await runDemoCases()) {
      writeFileSync(join(GOLDEN_DIR, `${demo.name}.md`), summary)
      writeFileSync(join(GOLDEN_DIR, `${demo.name}.log`), log)
      const png = join(GOLDEN_DIR, `${demo.name}.png`)
      if (!textOnly) photograph(renderPage(demo.title, summary), png, work)
      console.log(
        `${relative(root, join(GOLDEN_DIR, demo.name))}.{md,log${textOnly ? '' : ',png'}}: ${demo.title} (exit ${exitCode})`
      )
    }
  } finally {
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
