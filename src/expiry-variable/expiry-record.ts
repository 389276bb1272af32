// The value of expiry-variable: a compact JSON object that a person reads at a glance in the settings
// page and a program parses with JSON.parse (`fromJSON(vars.META_TOKEN_EXPIRES_AT).expiresAt` in a
// workflow expression). Dates are ISO 8601 UTC; null says "no such date" (a token that never expires,
// no data-access window, every run rotates). Only dates and fixed words: never a token, nor anything
// derived from one.
import { nextDueDate } from '../report.js'
import type { RotationResult } from '../rotation/result.js'
import { expiryOutput, outputTokenType } from '../token-checks.js'

export type RecordOutcome = 'rotated' | 'skipped'

export interface ExpiryRecord {
  /** When the token in the secret expires; null: never. */
  expiresAt: string | null
  /** User tokens: when Meta's data-access window closes; null otherwise. */
  dataAccessExpiresAt: string | null
  /** When rotate-before lets a run rotate it; null: every run rotates (or it never expires). */
  nextDue: string | null
  /** When the token now in the secret was stored by this action; null when no run recorded it. */
  rotatedAt: string | null
  /** When this record was written. */
  checkedAt: string
  outcome: RecordOutcome
  tokenType: string
}

const KEYS: ReadonlyArray<keyof ExpiryRecord> = [
  'expiresAt',
  'dataAccessExpiresAt',
  'nextDue',
  'rotatedAt',
  'checkedAt',
  'outcome',
  'tokenType'
]

function isoOrNull(date: Date | null | undefined): string | null {
  return date ? expiryOutput(date) : null
}

/** The record of a run that rotated or skipped; `earlier` is the record it replaces, for a skip's rotatedAt. */
export function expiryRecord(
  result: RotationResult,
  rotateBeforeSeconds: number | undefined,
  now: Date,
  earlier: ExpiryRecord | undefined
): ExpiryRecord {
  const outcome: RecordOutcome = result.rotated ? 'rotated' : 'skipped'
  return {
    expiresAt: isoOrNull(result.expiresAt),
    dataAccessExpiresAt: isoOrNull(result.dataAccessExpiresAt),
    nextDue: isoOrNull(nextDueDate(result, rotateBeforeSeconds)),
    rotatedAt: outcome === 'rotated' ? isoOrNull(now) : (earlier?.rotatedAt ?? null),
    checkedAt: isoOrNull(now) ?? '',
    outcome,
    tokenType: outputTokenType(result.strategy === 'instagram' ? 'instagram' : (result.tokenKind ?? 'unknown'))
  }
}

/** One line, keys in a fixed order. */
export function recordText(record: ExpiryRecord): string {
  return JSON.stringify(record, [...KEYS])
}

/** A record read back from GitHub; undefined for anything else (a variable someone else wrote). */
export function parseRecord(text: string | undefined): ExpiryRecord | undefined {
  if (!text) return undefined
  try {
    const value = JSON.parse(text) as Partial<ExpiryRecord> | null
    if (!value || typeof value !== 'object' || typeof value.checkedAt !== 'string') return undefined
    const rotatedAt = typeof value.rotatedAt === 'string' && !Number.isNaN(Date.parse(value.rotatedAt))
    return { ...(value as ExpiryRecord), rotatedAt: rotatedAt ? (value.rotatedAt as string) : null }
  } catch {
    return undefined
  }
}
