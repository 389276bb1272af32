// The heartbeat's words for a run: one line a person reads in the monitoring service's log. Only what
// the summary says already (the secret's name, the token's type and expiry, the failed step and its
// message, already redacted): never a token, never a URL with a key.
import type { RotationResult } from '../rotation/result.js'
import { dateText, expiryText, outputTokenType } from '../token-checks.js'
import type { HeartbeatOutcome } from './heartbeat.js'

const MAX_MESSAGE_CHARS = 400

export function heartbeatOutcome(result: RotationResult, secretName: string, now: Date): HeartbeatOutcome {
  const type = result.tokenKind ? ` (${outputTokenType(result.tokenKind)} token)` : ''
  if (result.failure) {
    const message = result.failure.message.replace(/\s+/g, ' ').slice(0, MAX_MESSAGE_CHARS)
    const stored = result.rotated ? ' The new token is stored.' : ''
    return {
      healthy: false,
      text: `meta-token-rotator: ${secretName} failed at ${result.failure.step}: ${message}${stored}`
    }
  }
  const expiry =
    result.expiresAt === undefined
      ? ''
      : result.expiresAt === null
        ? ' It never expires.'
        : ` It expires ${expiryText(result.expiresAt, now)}.`
  if (result.rotated) {
    const where = result.secrets.length === 1 ? '1 destination' : `${result.secrets.length} destinations`
    return { healthy: true, text: `meta-token-rotator: ${secretName}${type} rotated into ${where}.${expiry}` }
  }
  return { healthy: true, text: `meta-token-rotator: ${secretName}${type} not due, nothing changed.${expiry}` }
}

/** An input error or an unexpected stop: a failure, said in one line. */
export function failedOutcome(secretName: string, step: string, message: string, at: Date): HeartbeatOutcome {
  const text = message.replace(/\s+/g, ' ').slice(0, MAX_MESSAGE_CHARS)
  return {
    healthy: false,
    text: `meta-token-rotator: ${secretName || 'the rotation'} failed at ${step} on ${dateText(at)}: ${text}`
  }
}
