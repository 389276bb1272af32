// Which assets a permission reaches. A system user token generated with POST
// /{system-user-id}/access_tokens is a snapshot of the system user's assignments at that moment:
// each asset-scoped permission lists, in granular_scopes[].target_ids, the assigned assets of its kind.
import type { AssetKind, GranularScope, GraphAsset, SystemUserGrantTargets } from './world.js'

export const ASSET_KINDS: readonly AssetKind[] = [
  'page',
  'ad_account',
  'whatsapp_business_account',
  'instagram_account',
  'catalog',
  'business'
]

/** The kind of asset a permission is limited to, or undefined for a permission that is not about assets. */
export function assetKindOf(scope: string): AssetKind | undefined {
  if (scope === 'business_management') return 'business'
  if (scope === 'catalog_management') return 'catalog'
  if (scope.startsWith('pages_')) return 'page'
  if (scope.startsWith('ads_')) return 'ad_account'
  if (scope.startsWith('whatsapp_business_')) return 'whatsapp_business_account'
  if (scope.startsWith('instagram_')) return 'instagram_account'
  return undefined
}

/** The granular scopes of a token minted now; target_ids is left out when no asset of that kind is assigned. */
export function grantsFor(scopes: string[], assets: GraphAsset[]): GranularScope[] {
  return scopes.map((scope) => {
    const kind = assetKindOf(scope)
    const targetIds = assets.filter((asset) => asset.kind === kind).map((asset) => asset.id)
    return kind && targetIds.length > 0 ? { scope, targetIds } : { scope }
  })
}

/**
 * A system user token's grants as debug_token will show them: with their target_ids, or
 * ('unlisted') without, the assets it reaches kept aside so that GET /{asset-id} still answers.
 */
export function systemUserGrants(
  mode: SystemUserGrantTargets,
  grants: GranularScope[],
  reachedBefore: string[] = []
): { granularScopes: GranularScope[]; reaches?: string[] } {
  if (mode === 'listed')
    return { granularScopes: grants, ...(reachedBefore.length > 0 ? { reaches: reachedBefore } : {}) }
  const reaches = [...new Set([...reachedBefore, ...grants.flatMap((g) => g.targetIds ?? [])])]
  return { granularScopes: grants.map(({ scope }) => ({ scope })), reaches }
}
