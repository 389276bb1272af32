// Every secret in play, kept in one place: masked in the runner's log the moment it is known, and
// replaced in every text that leaves the action (raw, URL-encoded and base64-encoded).

export class SecretKeeper {
  private readonly forms = new Set<string>()

  constructor(private readonly mask: (secret: string) => void) {}

  /** Call before the secret travels anywhere: no log line printed after this can show it. */
  keep(secret: string | undefined): void {
    if (!secret) return
    this.mask(secret)
    if (secret.length < 4) return
    for (const form of [secret, urlEncoded(secret), Buffer.from(secret).toString('base64')]) this.forms.add(form)
  }

  redact(text: string): string {
    let result = text
    // Longest first, so a secret that contains another is replaced whole.
    for (const form of [...this.forms].sort((a, b) => b.length - a.length)) result = result.split(form).join('***')
    return result
  }
}

/** encodeURIComponent, which throws on a lone surrogate (a malformed input can hold one): then the raw form. */
function urlEncoded(secret: string): string {
  try {
    return encodeURIComponent(secret)
  } catch {
    return secret
  }
}
