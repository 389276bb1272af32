/**
 * Where the core reports what it does. The action backs it with workflow commands (workflow-io.ts),
 * the CLI with the terminal, the tests with a recorder; the core itself never writes to the runner.
 */
export interface RotationLog {
  /** Must be called on every secret before it travels anywhere, so no log line can show it. */
  mask(secret: string): void
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}
