// The Instagram API with Instagram Login (graph.instagram.com): who a token belongs to, and the
// refresh of a long-lived Instagram User token. No app secret is involved, and there is no revoke.
import type { GraphClient } from '../graph/graph-client.js'
import { malformed, minted, type MintedToken } from '../graph/meta-tokens.js'
import { outsideText } from '../outside-text.js'

export interface InstagramAccount {
  userId: string
  username: string
}

export class InstagramTokens {
  constructor(private readonly api: GraphClient) {}

  /** `GET /me?fields=user_id,username`, the token in the Authorization header. */
  async account(token: string): Promise<InstagramAccount> {
    const answer = await this.api.get<{ user_id?: unknown; id?: unknown; username?: unknown }>(
      'me',
      { fields: 'user_id,username' },
      { bearer: token }
    )
    const userId =
      typeof answer.user_id === 'string' || typeof answer.user_id === 'number' ? String(answer.user_id) : undefined
    if (!userId) throw malformed('/me answered without a user_id')
    return { userId: outsideText(userId, 40), username: outsideText(answer.username ?? '', 100) }
  }

  /** `GET /refresh_access_token?grant_type=ig_refresh_token`: the token goes in the query, as documented. */
  async refresh(token: string): Promise<MintedToken> {
    const answer = await this.api.get<{ access_token?: unknown; expires_in?: unknown }>(
      'refresh_access_token',
      { grant_type: 'ig_refresh_token', access_token: token },
      { idempotent: false }
    )
    return minted(answer, 'refresh_access_token')
  }
}
