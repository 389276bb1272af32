/** The protocol's steps, in order: every failure names the one it happened in. */
export type RotationStep =
  'inputs' | 'lease' | 'check' | 'prepare' | 'mint' | 'verify' | 'store' | 'confirm' | 'deploy' | 'revoke'

/** A failure in words a user can act on: what went wrong, and the fix as a full sentence. */
export interface Explained {
  message: string
  fix: string
}

/**
 * A fix with its structure: `thenRerun` fixes end in ", then re-run." when said alone; where a closing
 * sentence says "re-run" for many failures at once, each says only what to do (`action` has no final period then).
 */
export interface Fix {
  action: string
  thenRerun?: boolean
}

/** The fix as a sentence on its own. */
export function fixText(fix: Fix): string {
  return fix.thenRerun ? `${fix.action}, then re-run.` : fix.action
}

/** The fix without its "then re-run", for a list of fixes that a closing sentence ends with "re-run". */
export function fixAction(fix: Fix): string {
  return fix.thenRerun ? `${fix.action}.` : fix.action
}

/** A failure of one step of the rotation, explained. */
export class RotationError extends Error {
  constructor(
    readonly step: RotationStep,
    message: string,
    readonly fix: string
  ) {
    super(message)
    this.name = 'RotationError'
  }

  static of(step: RotationStep, explained: Explained): RotationError {
    return new RotationError(step, explained.message, explained.fix)
  }

  /** One line for the log: `[step] message Fix: …`. */
  describe(): string {
    return `[${this.step}] ${this.message} Fix: ${this.fix}`
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
