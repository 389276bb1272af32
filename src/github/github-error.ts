// What a failed GitHub request says, read the same way by the rotation and the alert.
import { outsideText } from '../outside-text.js'

export interface GitHubRefusal {
  /** GitHub's HTTP status; undefined when no answer came (a network error or a timeout). */
  status?: number
  /** GitHub's message (first line, with its field errors), or what went wrong on the way: one inert line. */
  said: string
  headers: Record<string, string | undefined>
}

interface RequestErrorLike {
  status?: unknown
  message?: unknown
  response?: { headers?: Record<string, string | undefined>; data?: unknown }
}

export function readGitHubError(error: unknown): GitHubRefusal {
  const failure = (error ?? {}) as RequestErrorLike
  // Octokit reports a request that got no answer as status 500 without a response.
  const status = failure.response && typeof failure.status === 'number' ? failure.status : undefined
  return { status, said: gitHubMessage(failure), headers: failure.response?.headers ?? {} }
}

function gitHubMessage(failure: RequestErrorLike): string {
  const data = failure.response?.data as
    { message?: unknown; errors?: Array<{ message?: unknown; field?: unknown; code?: unknown }> } | undefined
  if (typeof data?.message === 'string') {
    const details = (Array.isArray(data.errors) ? data.errors : [])
      .map((e) => (typeof e?.message === 'string' ? e.message : `${String(e?.field)} ${String(e?.code)}`))
      .join('; ')
    return outsideText(`${data.message.split('\n')[0] ?? ''}${details ? `: ${details}` : ''}`, 300)
  }
  // No answer: the HTTP stack's own message, which never holds a URL.
  return outsideText(typeof failure.message === 'string' ? failure.message.split('\n')[0] : 'no answer', 200)
}

/**
 * Whether any attempt of a failed request got no answer or a 5xx (marked by the GitHub client on
 * each attempt): then it may have been carried out, whatever the last attempt was told.
 */
export function mayHaveLanded(error: unknown): boolean {
  const request = (error as { request?: { request?: Record<string, unknown> } } | undefined)?.request
  return request?.request?.[MAY_HAVE_LANDED] === true
}

/** The request option that marks it. */
export const MAY_HAVE_LANDED = 'mayHaveLanded'
