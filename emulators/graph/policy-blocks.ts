// Meta's policy block (code 368): the chosen calls are refused for a while, whatever the token.
import { matchesPath } from '../loopback-server.js'
import { temporarilyBlocked } from './errors.js'

export interface PolicyBlockRule {
  /** Calls whose path (without the query) matches; default every call. */
  path?: RegExp | string
  method?: string
  /** How many matching calls are blocked; default every one until cleared. */
  times?: number
}

export class PolicyBlocks {
  private rules: Array<PolicyBlockRule & { remaining: number }> = []

  add(rule: PolicyBlockRule): void {
    this.rules.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY })
  }

  clear(): void {
    this.rules = []
  }

  /** Throws the 368 error when a rule blocks this call. */
  check(method: string, path: string): void {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 && (!r.method || r.method === method) && (r.path === undefined || matchesPath(r.path, path))
    )
    if (!rule) return
    rule.remaining -= 1
    throw temporarilyBlocked()
  }
}
