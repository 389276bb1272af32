// Asset continuity judged by what the new token reaches, not by how Meta lists it: a grant that
// listed target_ids on the replaced token and lists none on the new one is asked about asset by
// asset with the new token (GET /{asset-id}?fields=id), since Meta shows system user tokens whose
// granular scopes list no targets although they reach every asset.
import type { LostAssets } from '../token-checks.js'

/**
 * Where Graph reads an asset: an ad account at act_{id}, anything else at its id. Undefined for an
 * id that is not one of Graph's (not asked about: it counts as lost, and never goes into a path).
 */
export function assetPath(scope: string, id: string): string | undefined {
  if (/^act_\d{1,30}$/.test(id)) return id
  if (!/^\d{1,30}$/.test(id)) return undefined
  return scope.startsWith('ads_') ? `act_${id}` : id
}

/** The lost assets, less those the new token reads although its grant lists none; each asset is asked about once. */
export async function assetsStillLost(
  lost: LostAssets[],
  canRead: (path: string) => Promise<boolean>
): Promise<LostAssets[]> {
  const answers = new Map<string, boolean>()
  const reads = async (path: string) => {
    if (!answers.has(path)) answers.set(path, await canRead(path))
    return answers.get(path) === true
  }
  const still: LostAssets[] = []
  for (const entry of lost) {
    if (!entry.noneListed || !entry.targetIds) {
      still.push(entry)
      continue
    }
    const unread: string[] = []
    for (const id of entry.targetIds) {
      const path = assetPath(entry.scope, id)
      if (path === undefined || !(await reads(path))) unread.push(id)
    }
    if (unread.length > 0) still.push({ ...entry, targetIds: unread })
  }
  return still
}
