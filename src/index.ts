// Entry point of the bundled action: the ActionIO backed by @actions/core.
import * as core from '@actions/core'
import { runAction, type ActionIO } from './main.js'

const io: ActionIO = {
  getInput: (name) => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  mask: (secret) => core.setSecret(secret),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  error: (message) => core.error(message),
  writeSummary: async (markdown) => {
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write()
  },
  setFailed: (message) => core.setFailed(message)
}

await runAction(io, process.env)
