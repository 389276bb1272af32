// What the core says to the runner, and the one implementation that says it through @actions/core.
// The core takes an ActionIO as a parameter, so the CLI and the tests run the same code with their own.
import * as core from '@actions/core'
import { inertLines } from './outside-text.js'

/** Where the rotation reports what it does. */
export interface RotationLog {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}

export interface ActionIO extends RotationLog {
  getInput(name: string): string
  /** Must be called on every secret before it travels anywhere, so no log line can show it. */
  mask(secret: string): void
  setOutput(name: string, value: string): void
  setFailed(message: string): void
  writeSummary(markdown: string): Promise<void>
  group<T>(name: string, work: () => Promise<T>): Promise<T>
}

/** The ActionIO of a real run. Every message passes `inertLines`: no line of ours can become a workflow command. */
export function actionsCoreIO(env: NodeJS.ProcessEnv = process.env): ActionIO {
  return {
    getInput: (name) => core.getInput(name),
    mask: (secret) => core.setSecret(secret),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (message) => core.setFailed(inertLines(message)),
    info: (message) => core.info(inertLines(message)),
    warning: (message) => core.warning(inertLines(message)),
    debug: (message) => core.debug(inertLines(message)),
    group: (name, work) => core.group(inertLines(name), work),
    writeSummary: async (markdown) => {
      // Outside a runner (no GITHUB_STEP_SUMMARY) there is nowhere to write it.
      if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write()
    }
  }
}
