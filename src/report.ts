// What a run tells its user: the action's outputs and the job summary (token, destinations, revocation).
import { Output } from './contract.js'
import type { RotationResult } from './rotation.js'
import { expiryText, outputTokenType } from './token-checks.js'

export function outputsOf(result: RotationResult): Record<string, string> {
  return {
    [Output.Rotated]: String(result.rotated),
    [Output.Revoked]: String(result.revoked),
    [Output.ExpiresAt]: result.expiresAt === undefined ? '' : expiryText(result.expiresAt),
    [Output.TokenType]: result.tokenKind ? outputTokenType(result.tokenKind) : '',
    [Output.Scopes]: result.scopes.join(','),
    [Output.Secrets]: JSON.stringify(
      result.secrets.map(({ kind, type, target, environment, name, status, error }) => ({
        kind,
        type,
        target,
        ...(environment ? { environment } : {}),
        name,
        status,
        ...(error ? { error } : {})
      }))
    ),
    [Output.Token]: result.newToken ?? ''
  }
}

function headline(result: RotationResult): string {
  if (result.failure) {
    const held = result.rotated ? 'some destinations hold the new token' : 'no destination holds a new token'
    return `❌ Failed at step **${result.failure.step}**: ${held}; old token ${result.revoked ? 'revoked' : 'not revoked'}.`
  }
  if (result.skipped) return '⏭️ Not due: the current token expires later than `rotate-before`; nothing was changed.'
  if (result.dryRun) return '🔍 Dry run: everything checked; nothing was minted, written or revoked.'
  return `✅ Rotated: the new token is stored and confirmed everywhere; ${result.revoked ? 'the old token was revoked' : 'no token was revoked'}.`
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function summaryMarkdown(result: RotationResult): string {
  const lines = ['## Meta token rotation', '', headline(result), '']
  if (result.failure) {
    lines.push('```text', result.failure.message, '```', '')
    if (result.failure.fix) lines.push(`**Fix:** ${result.failure.fix}`, '')
  }
  lines.push(
    '| | |',
    '|---|---|',
    `| Token type | ${result.tokenKind ? outputTokenType(result.tokenKind) : 'unknown'} |`,
    `| Scopes | ${result.scopes.join(', ') || '—'} |`,
    `| Previous expiry | ${expiryText(result.previousExpiresAt)} |`,
    `| Expiry of the token in the secret | ${expiryText(result.expiresAt)} |`,
    `| Revoked | ${result.revocations.length > 0 ? result.revocations.join('; ') : 'nothing'} |`,
    ''
  )
  if (result.secrets.length > 0) {
    lines.push('| Destination | Type | Target | Secret | Result |', '|---|---|---|---|---|')
    for (const s of result.secrets) {
      const target = s.environment ? `${s.target} (${s.environment})` : s.target
      const outcome = s.status === 'failed' ? `❌ ${s.error ?? ''} ${s.fix ? `Fix: ${s.fix}` : ''}` : `✅ ${s.status}`
      lines.push(`| ${s.kind} | ${s.type} | ${cell(target)} | ${s.name} | ${cell(outcome)} |`)
    }
    lines.push('')
  }
  for (const note of result.notes) lines.push(`- ${note}`)
  return lines.join('\n') + '\n'
}
