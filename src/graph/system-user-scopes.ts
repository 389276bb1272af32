// The permissions Meta lets a system user token carry ("Install Apps, Generate, Refresh, and Revoke
// Tokens"), so a typo in `scopes` is caught before anything is minted, with the names it was close to.
import { editDistance } from '../closest.js'

const SUPPORTED = [
  'ads_management',
  'ads_read',
  'attribution_read',
  'business_management',
  'catalog_management',
  'commerce_account_manage_orders',
  'commerce_account_read_orders',
  'commerce_account_read_settings',
  'instagram_basic',
  'instagram_branded_content_ads_brand',
  'instagram_branded_content_brand',
  'instagram_content_publish',
  'instagram_manage_comments',
  'instagram_manage_insights',
  'instagram_manage_messages',
  'instagram_shopping_tag_products',
  'leads_retrieval',
  'page_events',
  'pages_manage_ads',
  'pages_manage_cta',
  'pages_manage_engagement',
  'pages_manage_instant_articles',
  'pages_manage_metadata',
  'pages_manage_posts',
  'pages_messaging',
  'pages_read_engagement',
  'pages_read_user_content',
  'pages_show_list',
  'private_computation_access',
  'publish_video',
  'read_audience_network_insights',
  'read_insights',
  'read_page_mailboxes',
  'whatsapp_business_management',
  'whatsapp_business_messaging'
]

/** Granted only to apps with the matching feature, or (publish_actions) to apps created before 24 April 2018. */
const FEATURE_GATED = [
  'business_creative_asset_management',
  'business_creative_management',
  'business_creative_insights',
  'business_creative_insights_share',
  'business_data_management',
  'commerce_public_api_beta_testing',
  'commerce_manage_accounts',
  'commerce_account_read_reports',
  'publish_actions'
]

export const SYSTEM_USER_SCOPES: ReadonlySet<string> = new Set([...SUPPORTED, ...FEATURE_GATED])

/** Up to three supported scopes that look like `scope`: a small edit away, or sharing most of its words. */
export function closeScopes(scope: string): string[] {
  const words = new Set(scope.split('_'))
  return [...SYSTEM_USER_SCOPES]
    .map((candidate) => {
      const parts = candidate.split('_')
      const shared = parts.filter((word) => words.has(word)).length
      // Every word of the typo in the candidate (manage_pages → pages_manage_posts): close whatever the order.
      if (shared === words.size) return { candidate, distance: parts.length - shared }
      return { candidate, distance: editDistance(scope, candidate) - 2 * shared }
    })
    .filter(({ candidate, distance }) => distance <= Math.max(2, Math.floor(candidate.length / 4)))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ candidate }) => candidate)
}
