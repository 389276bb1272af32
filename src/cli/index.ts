#!/usr/bin/env node
// Entry point of the bundled command line: `npx meta-token-rotator rotate …`.
import { runCli } from './cli.js'

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text)
})
