// Entry point of the bundled alert action (alert/action.yml): the AlertIO backed by @actions/core.
import * as core from '@actions/core'
import { runAlertAction, type AlertIO } from './alert-action.js'

const io: AlertIO = {
  getInput: (name) => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  mask: (secret) => core.setSecret(secret),
  info: (message) => core.info(message),
  warning: (message) => core.warning(message),
  debug: (message) => core.debug(message),
  setFailed: (message) => core.setFailed(message)
}

await runAlertAction(io, process.env)
