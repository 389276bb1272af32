// The ActionIO of a real run, backed by @actions/core: shared by the bundled actions' entry points.
import * as core from '@actions/core'
import type { ActionIO } from './main.js'

export const actionsCoreIO: ActionIO = {
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
