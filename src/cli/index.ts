#!/usr/bin/env node
// Entry point of the bundled command line: `node dist/cli/index.js rotate …` from a clone, or
// `npx github:meta-token-rotator/meta-token-rotator rotate …` (the package is not on npm).
import { runCli } from './cli.js'

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text)
})
