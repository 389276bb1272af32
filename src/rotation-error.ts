/** The protocol's steps, in order: every failure names the one it happened in. */
export type RotationStep = 'inputs' | 'check' | 'prepare' | 'mint' | 'verify' | 'store' | 'confirm' | 'revoke'

/** A failure the user can act on: what went wrong, in which step, and how to fix it. */
export class RotationError extends Error {
  constructor(
    readonly step: RotationStep,
    message: string,
    readonly fix?: string
  ) {
    super(message)
    this.name = 'RotationError'
  }

  /** One line for the log: `[step] message Fix: …`. */
  describe(): string {
    return `[${this.step}] ${this.message}${this.fix ? ` Fix: ${this.fix}` : ''}`
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
