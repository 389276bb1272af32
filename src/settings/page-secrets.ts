// page-secrets: one `PAGE_ID=SECRET_NAME` a line, each page token into a secret of its own.
import { sameSecretName, secretNameProblem } from '../github/secret-names.js'
import type { PageSecret } from '../settings.js'
import { quote } from './input-reading.js'

export function parsePageSecrets(text: string, problem: (text: string) => void): PageSecret[] {
  const pages: PageSecret[] = []
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const match = /^(\d+)\s*=\s*(\S+)$/.exec(line)
    if (!match) {
      problem(`${quote(line)} is not PAGE_ID=SECRET_NAME (one per line, the page id a number).`)
      continue
    }
    const [, pageId, secretName] = match as unknown as [string, string, string]
    const why = secretNameProblem(secretName)
    if (why) problem(`${quote(secretName)} (page ${pageId}) is not a valid GitHub secret name: ${why}.`)
    else if (pages.some((p) => p.pageId === pageId)) problem(`page ${pageId} is listed twice.`)
    else {
      const taken = pages.find((p) => sameSecretName(p.secretName, secretName))
      if (taken)
        problem(`pages ${taken.pageId} and ${pageId} both name the secret '${secretName}': one secret holds one token.`)
      else pages.push({ pageId, secretName })
    }
  }
  return pages
}
