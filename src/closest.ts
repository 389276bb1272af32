// "Did you mean…": the known words a small edit away from what was typed, or the one it begins.

/**
 * Up to `max` candidates close to `word`, closest first. A word that begins exactly one candidate
 * (`repo` → `repositories`) is an abbreviation of it, however many letters it leaves out: that one first.
 */
export function closestWords(word: string, candidates: Iterable<string>, max = 3): string[] {
  const known = [...candidates]
  const close = known
    .map((candidate) => ({ candidate, distance: editDistance(word, candidate) }))
    .filter(({ candidate, distance }) => distance <= Math.max(2, Math.floor(candidate.length / 4)))
    .sort((a, b) => a.distance - b.distance)
    .map(({ candidate }) => candidate)
  const extended = word.length >= 2 ? known.filter((candidate) => candidate.startsWith(word)) : []
  const first = extended.length === 1 ? extended : []
  return [...first, ...close.filter((candidate) => !first.includes(candidate))].slice(0, max)
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      row.push(Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, substitution))
    }
    previous = row
  }
  return previous[b.length] as number
}
