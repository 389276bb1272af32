// Small statistics and formatting helpers for the benchmark tables.
export function quantile(values: number[], q: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  // Nearest rank: p90 of 15 runs is the 14th smallest.
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)))
  return sorted[rank - 1] as number
}

export const median = (values: number[]): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—')
export const seconds = (valueMs: number): string =>
  Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(2)} s` : '—'
export const mb = (kb: number): string => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MB` : '—')
export const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—')
export const mark = (ok: boolean | undefined): string => (ok === undefined ? '' : ok ? '✔' : '✘')

/** A Markdown table; also readable as plain text in a terminal. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
