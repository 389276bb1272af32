#!/usr/bin/env node
// Entry point of the bundled command line: `node dist/cli/index.js rotate …` from a clone, or
// `npx github:meta-token-rotator/meta-token-rotator rotate …` (the package is not on npm).
import { inertLines } from '../outside-text.js'
import { failOnUnexpected } from '../unexpected.js'
import { ExitCode, runCli } from './cli.js'

await failOnUnexpected(
  async () => {
    process.exitCode = await runCli(process.argv.slice(2), process.env, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text)
    })
  },
  (message) => {
    process.stderr.write(`error: ${inertLines(message)}\n`)
    process.exitCode = ExitCode.Failed
  }
)
