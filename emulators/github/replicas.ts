// A read right after a write may be served by a replica that has not seen the write yet. With a lag
// of N, the next N reads of a secret's metadata (and of an organization secret's repository list)
// after each write of that secret answer what it was before that write; then the current state.
// Actions variables lag the same way (their keys never meet a secret's).

export class LaggingReplicas {
  /** Stale reads after each write; 0 = every read sees the latest write. */
  lag = 0
  private readonly stale = new Map<string, { before: unknown; reads: number }>()

  /** `before`: a copy of the secret (or variable) taken just before a write that succeeded (undefined: it did not exist). */
  wrote<T>(key: string, before: T | undefined): void {
    if (this.lag <= 0) return void this.stale.delete(key)
    this.stale.set(key, { before, reads: this.lag })
  }

  /** What a read of the secret sees: `current`, or its state before the last write while the replica lags. */
  read<T>(key: string, current: T | undefined): T | undefined {
    const entry = this.stale.get(key)
    if (!entry) return current
    entry.reads -= 1
    if (entry.reads <= 0) this.stale.delete(key)
    return entry.before as T | undefined
  }
}
