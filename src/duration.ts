const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 }

/**
 * Parses `<number><unit>` (`14d`, `36h`, `90m`, and `30s` where `units` allows it) into seconds.
 * Returns undefined for anything else, so the caller can name the input in its error.
 */
export function parseDurationSeconds(text: string, units = 'dhm'): number | undefined {
  const match = /^(\d{1,6})([a-z])$/.exec(text.trim())
  if (!match || !units.includes(match[2] as string)) return undefined
  const amount = Number(match[1])
  const unit = UNIT_SECONDS[match[2] as string] as number
  return amount > 0 ? amount * unit : undefined
}
