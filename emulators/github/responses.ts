// GitHub's error body: {"message", "documentation_url", "status"}, the status as a string.
import type { JsonResponse } from '../loopback-server.js'

export const DOCS = 'https://docs.github.com/rest'

export function githubError(
  status: number,
  message: string,
  documentationUrl = DOCS,
  headers?: Record<string, string>
): JsonResponse {
  return { status, body: { message, documentation_url: documentationUrl, status: String(status) }, headers }
}

export const notFound = (documentationUrl?: string): JsonResponse => githubError(404, 'Not Found', documentationUrl)

export const unprocessable = (message: string, documentationUrl?: string): JsonResponse =>
  githubError(422, message, documentationUrl)
