// What the core says to the runner, and the one implementation that says it through @actions/core.
// The core takes an ActionIO as a parameter, so the CLI and the tests run the same code with their own.
import * as core from '@actions/core'
import { inertLines } from './outside-text.js'
import { SecretKeeper } from './secret-keeper.js'

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

/**
 * The ActionIO of a real run. Every message is stripped of every secret masked so far (raw, URL- and
 * base64-encoded: a path that forgot to redact, such as an fbtrace_id echoing a secret, prints `***`,
 * not a value the runner would have to mask), then passes `inertLines`: no line of ours can become a
 * workflow command.
 */
export function actionsCoreIO(env: NodeJS.ProcessEnv = process.env): ActionIO {
  const masked = new SecretKeeper((secret) => core.setSecret(secret))
  const text = (message: string): string => inertLines(masked.redact(message))
  return {
    getInput: (name) => core.getInput(name),
    mask: (secret) => masked.keep(secret),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (message) => core.setFailed(text(message)),
    info: (message) => core.info(text(message)),
    warning: (message) => core.warning(text(message)),
    debug: (message) => core.debug(text(message)),
    group: (name, work) => core.group(text(name), work),
    writeSummary: async (markdown) => {
      // Outside a runner (no GITHUB_STEP_SUMMARY) there is nowhere to write it.
      if (env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(masked.redact(markdown)).write()
    }
  }
}
