// Every secret in play, kept in one place: masked in the runner's log the moment it is known, and
// replaced in every text that leaves the action (raw, URL-encoded and base64-encoded).
import { CUT_MARK } from './outside-text.js'

/** Shorter values are masked but not redacted: a few characters match too much ordinary text. */
const MIN_SECRET = 4

export class SecretKeeper {
  private readonly forms = new Set<string>()

  constructor(private readonly mask: (secret: string) => void) {}

  /** Call before the secret travels anywhere: no log line printed after this can show it. */
  keep(secret: string | undefined): void {
    if (!secret) return
    this.mask(secret)
    if (secret.length < MIN_SECRET) return
    for (const form of [secret, urlEncoded(secret), Buffer.from(secret).toString('base64')]) this.forms.add(form)
  }

  redact(text: string): string {
    let result = text
    // Longest first, so a secret that contains another is replaced whole.
    for (const form of [...this.forms].sort((a, b) => b.length - a.length)) result = result.split(form).join('***')
    return result.includes(CUT_MARK) ? this.redactCutSecrets(result) : result
  }

  /**
   * Outside text is cut to length with `…` (outsideText), perhaps inside a secret it echoed: what
   * stands just before the mark may be a secret's beginning, which no whole-value match finds.
   */
  private redactCutSecrets(text: string): string {
    const parts = text.split(CUT_MARK)
    for (let i = 0; i < parts.length - 1; i++) parts[i] = this.withoutSecretBeginning(parts[i] ?? '')
    return parts.join(CUT_MARK)
  }

  private withoutSecretBeginning(part: string): string {
    let longest = 0
    for (const form of this.forms) {
      for (let length = Math.min(form.length - 1, part.length); length >= MIN_SECRET && length > longest; length--) {
        if (part.endsWith(form.slice(0, length))) {
          longest = length
          break
        }
      }
    }
    return longest === 0 ? part : `${part.slice(0, part.length - longest)}***`
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
