// The sentences a run adds to its summary: one collector per run, made by rotate() and handed to the steps.
export class Notes {
  private readonly said: string[] = []

  add(note: string | undefined): void {
    if (note) this.said.push(note)
  }

  /** A note that the same cause may raise for many destinations: said once. */
  addOnce(note: string): void {
    if (!this.said.includes(note)) this.said.push(note)
  }

  list(): string[] {
    return [...this.said]
  }
}
