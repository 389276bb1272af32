// The lease variable's value: who holds the lease (the run, with a link) until when, and the journal
// of the last rotation. One line of JSON, readable in the settings page; never a token, only keyed
// fingerprints of tokens (see journal.ts).
import type { Journal } from './journal.js'

/** The run that holds the lease. */
export interface LeaseHolder {
  /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT: a re-run of failed jobs keeps the id, with the next attempt. */
  runId?: string
  attempt?: string
  /** GITHUB_REPOSITORY of the run. */
  repository?: string
  /** The run's page; absent outside GitHub Actions. */
  runUrl?: string
  /** Random: tells this run's own lease from another's (a create that landed without an answer). */
  nonce: string
  takenAt: string
  /** After this the lease is anyone's: no job outlives it. */
  expiresAt: string
}

export interface LeaseRecord {
  /** null: released. */
  lease: LeaseHolder | null
  journal?: Journal
}

export function leaseText(record: LeaseRecord): string {
  return JSON.stringify({ lease: record.lease, ...(record.journal ? { journal: record.journal } : {}) })
}

/** The record read back; undefined for a value this action did not write (then it is not touched). */
export function parseLease(text: string): LeaseRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LeaseRecord> | null
    if (!value || typeof value !== 'object' || !('lease' in value)) return undefined
    const holder = value.lease
    if (holder !== null && (typeof holder !== 'object' || typeof holder.nonce !== 'string')) return undefined
    if (holder && Number.isNaN(Date.parse(String(holder.expiresAt)))) return undefined
    const journal = value.journal && typeof value.journal === 'object' ? value.journal : undefined
    return { lease: holder ?? null, ...(journal ? { journal } : {}) }
  } catch {
    return undefined
  }
}

/** The holder in words, with its link: "run 123 of octo/app (https://…)". */
export function holderText(holder: LeaseHolder): string {
  if (!holder.runId) return `a run outside GitHub Actions (lease taken ${holder.takenAt})`
  const attempt = holder.attempt && holder.attempt !== '1' ? `, attempt ${holder.attempt}` : ''
  return `run ${holder.runId}${attempt} of ${holder.repository ?? 'an unknown repository'}${holder.runUrl ? ` (${holder.runUrl})` : ''}`
}
