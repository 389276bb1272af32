// GitHub's clock: real time plus an offset of either sign, because the runner's clock (a self-hosted
// machine's, say) may differ from GitHub's by minutes. Every timestamp GitHub writes and the Date
// header of every answer come from it.
export class GitHubClock {
  offsetMs = 0

  now(): Date {
    return new Date(Date.now() + this.offsetMs)
  }

  /** GitHub's timestamp format: ISO 8601 at second precision, e.g. 2026-03-10T12:00:00Z. */
  timestamp(date = this.now()): string {
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
  }
}
