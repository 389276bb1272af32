// Meta's clock, in epoch seconds: a wall clock (the real one, or a frozen one for tests that compare
// seconds) plus whatever a test moved it on by. Both Meta hosts keep their time this way.
export class MetaClock {
  private clockOffset = 0

  constructor(private readonly wallClock: () => number = Date.now) {}

  now(): number {
    return Math.floor(this.wallClock() / 1000) + this.clockOffset
  }

  advanceClock(seconds: number): void {
    this.clockOffset += seconds
  }
}
