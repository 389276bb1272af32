/**
 * Last line of defence for messages that come from outside (a Graph error text, a network error):
 * every secret in play is replaced in them, raw, URL-encoded and base64-encoded.
 */
export class SecretRedactor {
  private readonly forms = new Set<string>()

  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
      this.forms.add(form)
    }
  }

  redact(text: string): string {
    let result = text
    // Longest first, so a secret that contains another is replaced whole.
    for (const form of [...this.forms].sort((a, b) => b.length - a.length)) {
      result = result.split(form).join('***')
    }
    return result
  }
}
