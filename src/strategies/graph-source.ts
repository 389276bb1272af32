// Graph API tokens: refresh (fb_exchange_token) of a system user or long-lived user token, or a new
// system user token (generate). Checked with debug_token before and after, revoked with oauth/revoke.
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { Input } from '../contract.js'
import { describeApiVersion } from '../graph/api-version.js'
import { graphFailure } from '../graph/graph-fixes.js'
import type { MetaTokens, MintedToken, PageToken, TokenInfo } from '../graph/meta-tokens.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError, type RotationStep } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import type { GenerateSettings, GraphSettings } from '../settings.js'
import {
  checkCurrentToken,
  checkDataAccess,
  checkNewToken,
  checkUserTokenExtended,
  describeLostAssets,
  durationText,
  expiryText,
  lostAssets,
  neverExpiringUserToken,
  rotationCanWait,
  unreachablePages
} from '../token-checks.js'
import { assetsStillLost } from './asset-reach.js'
import { checkAdminToken, generateFailure, systemUserIdFor } from './generate-checks.js'
import type { CheckedToken, ExtraSecret, MintContext, TokenSource } from './token-source.js'

export interface GraphSourceServices {
  tokens: MetaTokens
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  log: RotationLog
}

export class GraphTokenSource implements TokenSource {
  /** generate: system-user-id, or the current token's user_id once checkCurrent has read it. */
  private systemUserId?: string

  constructor(
    private readonly settings: GraphSettings,
    private readonly services: GraphSourceServices
  ) {}

  apiVersion(): string | undefined {
    return describeApiVersion(this.settings.app.graphApiVersion, this.services.tokens.answeredVersion)
  }

  async checkCurrent(): Promise<CheckedToken | undefined> {
    const { settings, services } = this
    const { naming } = services
    if (settings.strategy === 'generate') await this.checkAdminToken(settings)
    if (!settings.token) {
      if (settings.strategy === 'generate') this.systemUserId = systemUserIdFor(undefined, settings, naming)
      return undefined
    }
    const info = await this.graph('check', 'Checking the current token (debug_token)', () =>
      services.tokens.inspect(settings.token as string)
    )
    if (settings.strategy === 'generate') this.systemUserId = systemUserIdFor(info, settings, naming)
    const now = services.clock.now()
    let note: string | undefined
    if (settings.strategy === 'refresh') {
      checkCurrentToken(info, settings, naming, now)
      await this.checkPagesReachable(settings.token, info)
    } else if (!info.isValid) {
      note = `The token in ${naming.name(Input.Token)} is no longer valid: there is nothing to revoke.`
    } else {
      this.checkOwnToken(info, Input.Token)
      if (settings.revoke === 'true' && info.kind !== 'system-user') {
        throw new RotationError(
          'check',
          `${naming.setting(Input.Revoke, 'true')}, but the token in ${naming.name(Input.Token)} is a ${info.kind} token; Meta revokes only system user tokens.`,
          `Use ${naming.setting(Input.Revoke, 'auto')} or ${naming.setting(Input.Revoke, 'false')}.`
        )
      }
      await this.checkPagesReachable(settings.token, info)
    }
    services.log.info(
      `Current token: ${info.kind}, ${info.isValid ? 'valid' : 'not valid'}, expires ${expiryText(info.expiresAt, now)}, scopes ${info.scopes.join(', ') || 'none'}.`
    )
    return note ? { info, note } : { info }
  }

  async checkPrevious(current: CheckedToken | undefined): Promise<TokenInfo | undefined> {
    const { settings, services } = this
    const { naming } = services
    if (!settings.previousToken) return undefined
    const info = await this.graph('check', `Checking ${naming.name(Input.PreviousToken)} (debug_token)`, () =>
      services.tokens.inspect(settings.previousToken as string)
    )
    if (!info.isValid) return info
    if (settings.strategy === 'generate') {
      this.checkOwnToken(info, Input.PreviousToken)
    } else {
      if (info.appId !== settings.app.id) {
        throw new RotationError(
          'check',
          `${naming.name(Input.PreviousToken)} belongs to app ${info.appId}, not ${naming.name(Input.AppId)} ${settings.app.id}.`,
          `Pass the value held in ${naming.name(Input.PreviousSecretName)}.`
        )
      }
      const owner = current?.info.userId
      if (owner && info.userId && info.userId !== owner) {
        throw new RotationError(
          'check',
          `${naming.name(Input.PreviousToken)} belongs to user ${info.userId}, not to ${owner}, whose token ${naming.name(Input.Token)} is; nothing was minted.`,
          `Pass the value held in ${naming.name(Input.PreviousSecretName)}: an earlier token of the same user or system user.`
        )
      }
    }
    if (settings.revoke === 'true' && info.kind !== 'system-user') {
      throw new RotationError(
        'check',
        `${naming.setting(Input.Revoke, 'true')}, but ${naming.name(Input.PreviousToken)} is a ${info.kind} token; Meta revokes only system user tokens.`,
        `Use ${naming.setting(Input.Revoke, 'auto')} or ${naming.setting(Input.Revoke, 'false')}.`
      )
    }
    return info
  }

  /**
   * Also fails (at `check`) a user token whose data access ends within rotate-before, on every run:
   * judged here, once the rotation has recorded the token's facts, so the failure still reports them.
   */
  notDue(current: CheckedToken | undefined): string | undefined {
    const { settings, services } = this
    if (!current) return undefined
    const now = services.clock.now()
    if (current.info.isValid) checkDataAccess(current.info, settings.rotateBeforeSeconds, now)
    if (settings.strategy !== 'refresh') return undefined
    if (current.info.kind === 'user' && current.info.expiresAt === null)
      return neverExpiringUserToken(current.info, now)
    if (!rotationCanWait(current.info, settings.rotateBeforeSeconds, now)) return undefined
    return `The current token expires ${expiryText(current.info.expiresAt, now)}, more than rotate-before (${durationText(settings.rotateBeforeSeconds ?? 0)}) away: nothing was changed.`
  }

  async mint({ current }: MintContext): Promise<MintedToken> {
    const { settings, services } = this
    let minted: MintedToken
    if (settings.strategy === 'generate') {
      minted = await this.generate(settings)
    } else {
      const expiring = current?.info.kind === 'system-user' && settings.expiring
      minted = await this.graph('mint', 'Refreshing the token (oauth/access_token)', () =>
        services.tokens.refresh(settings.token, expiring)
      )
    }
    services.keeper.keep(minted.token)
    services.log.info(
      minted.token === settings.token ? 'Meta handed back the same token string.' : 'Meta issued a new token.'
    )
    return minted
  }

  mintsRevocable(current: CheckedToken | undefined): boolean {
    return this.settings.strategy === 'generate' || current?.info.kind === 'system-user'
  }

  async inspectNew(minted: MintedToken): Promise<CheckedToken> {
    return {
      info: await this.graph('verify', 'Checking the new token (debug_token)', () =>
        this.services.tokens.inspect(minted.token)
      )
    }
  }

  async judgeNew(fresh: CheckedToken, current: CheckedToken | undefined, token: string): Promise<string | undefined> {
    const { settings, services } = this
    const now = services.clock.now()
    const judged = settings.strategy === 'generate' ? { ...settings, systemUserId: this.systemUserId } : settings
    checkNewToken(fresh.info, judged, current?.info)
    if (current) checkUserTokenExtended(fresh.info, current.info, now)
    const note = await this.checkAssets(fresh.info, current?.info, token)
    services.log.info(
      `New token: ${fresh.info.kind}, expires ${expiryText(fresh.info.expiresAt, now)}, scopes ${fresh.info.scopes.join(', ') || 'none'}.`
    )
    return note
  }

  extraSecretCount(): number {
    return this.settings.pageSecrets.length
  }

  /** Each page secret receives the page's token, read with the new user or system user token. */
  async extraSecrets(userToken: string, userInfo: TokenInfo): Promise<ExtraSecret[]> {
    const { settings, services } = this
    if (settings.pageSecrets.length === 0) return []
    const pages = await this.pageTokens(
      userToken,
      settings.pageSecrets.map((p) => p.pageId)
    )
    const found = new Map(pages.map((page) => [page.id, page.token]))
    const missing = settings.pageSecrets.filter((wanted) => !found.has(wanted.pageId))
    if (missing.length > 0) {
      throw unreachablePages(
        'mint',
        userInfo,
        missing.map((m) => m.pageId),
        services.naming
      )
    }
    const secrets = settings.pageSecrets.map((wanted) => ({
      name: wanted.secretName,
      value: found.get(wanted.pageId) as string
    }))
    if (userInfo.kind !== 'system-user') return secrets
    return Promise.all(secrets.map((secret, i) => this.withLifetime(secret, settings.pageSecrets[i]?.pageId ?? '')))
  }

  /**
   * A page token read with a system user token: how long it lives is what debug_token says, since
   * Meta documents the lifetime of page tokens only for those from a long-lived user token.
   */
  private async withLifetime(secret: ExtraSecret, pageId: string): Promise<ExtraSecret> {
    const { services } = this
    const info = await this.graph('mint', `Checking the token of page ${pageId} (debug_token)`, () =>
      services.tokens.inspect(secret.value)
    )
    if (!info.isValid || info.kind !== 'page') {
      throw new RotationError(
        'mint',
        `Meta handed out a token for page ${pageId} that debug_token says is ${info.isValid ? `a ${info.kind} token, not a page token` : 'not valid'}; nothing was written.`,
        'Re-run; if it persists, quote this to Meta support.'
      )
    }
    const expires = expiryText(info.expiresAt, services.clock.now())
    services.log.info(`The token of page ${pageId} expires ${expires} (debug_token).`)
    return {
      ...secret,
      note: `${secret.name} holds the token of page ${pageId}, read with the system user token: debug_token says it expires ${expires}.`
    }
  }

  canRevoke(info: TokenInfo): boolean {
    return info.kind === 'system-user'
  }

  revoke(token: string, caller: string): Promise<void> {
    return this.services.tokens.revoke(token, caller)
  }

  /**
   * The pages' tokens from /me/accounts; a page missing there is asked for directly, since
   * /me/accounts leaves out pages the user reaches only through a Business Manager role.
   */
  private async pageTokens(userToken: string, pageIds: string[]): Promise<PageToken[]> {
    const { tokens, keeper } = this.services
    const listed = await this.graph('mint', 'Reading the page tokens (me/accounts)', () => tokens.pages(userToken))
    const found: PageToken[] = []
    for (const pageId of pageIds) {
      const page =
        listed.find((p) => p.id === pageId) ??
        (await this.graph('mint', `Reading the token of page ${pageId}`, () => tokens.page(pageId, userToken)))
      if (page) found.push(page)
    }
    for (const page of found) keeper.keep(page.token)
    return found
  }

  /**
   * Every listed page must be reachable before a new token is made: a user token cannot be revoked
   * alone, so one minted for a run that then stops stays alive; a system user token would be revoked,
   * but the run would still stop after minting. With generate and no current token, the pages are
   * first read with the new token (revoked when one is missing).
   */
  private async checkPagesReachable(userToken: string, info: TokenInfo): Promise<void> {
    const { settings, services } = this
    if (settings.pageSecrets.length === 0 || !info.isValid) return
    const wanted = settings.pageSecrets.map((p) => p.pageId)
    const reachable = await this.graph('check', 'Checking the listed pages (me/accounts)', () =>
      services.tokens.reachablePages(userToken, wanted)
    )
    const missing = wanted.filter((id) => !reachable.includes(id))
    if (missing.length === 0) return
    throw unreachablePages('check', info, missing, services.naming)
  }

  private async checkAdminToken(settings: GenerateSettings): Promise<void> {
    const info = await this.graph(
      'check',
      `Checking ${this.services.naming.name(Input.AdminToken)} (debug_token)`,
      () => this.services.tokens.inspect(settings.adminToken)
    )
    checkAdminToken(info, settings, this.services.naming)
  }

  private async generate(settings: GenerateSettings): Promise<MintedToken> {
    const { services } = this
    const { adminToken, scopes, expiring, businessId } = settings
    const systemUserId = this.systemUserId as string
    if (settings.installApp) {
      await this.graph('mint', `Installing app ${settings.app.id} for system user ${systemUserId}`, () =>
        services.tokens.installApp(systemUserId, adminToken)
      )
    }
    const business = settings.generateEndpoint === 'business'
    const what = `Generating a system user token for ${systemUserId}${business ? ` (POST /${businessId}/system_user_access_tokens)` : ''}`
    services.log.debug(`${what}…`)
    try {
      return business
        ? await services.tokens.generateForBusiness(businessId as string, systemUserId, adminToken, scopes, expiring)
        : await services.tokens.generate(systemUserId, adminToken, scopes, expiring)
    } catch (error) {
      throw (
        generateFailure(what, error, settings, systemUserId, services) ??
        graphFailure('mint', what, error, services.clock, services.naming)
      )
    }
  }

  /** With generate, a token passed to be revoked must be the system user's own, and never the admin's. */
  private checkOwnToken(info: TokenInfo, input: typeof Input.Token | typeof Input.PreviousToken): void {
    const { settings, services } = this
    const { naming } = services
    if (settings.strategy !== 'generate') return
    if (info.appId !== settings.app.id) {
      throw new RotationError(
        'check',
        `The token in ${naming.name(input)} belongs to app ${info.appId}, not ${naming.name(Input.AppId)} ${settings.app.id}.`,
        `Pass this app's token in ${naming.name(input)}, or leave it empty.`
      )
    }
    const systemUserId = this.systemUserId ?? settings.systemUserId
    if (info.kind !== 'system-user' || info.userId !== systemUserId) {
      const whose =
        info.kind === 'system-user'
          ? `system user ${info.userId ?? 'unknown'}`
          : `a ${info.kind} token of ${info.userId ?? 'an unknown user'}`
      throw new RotationError(
        'check',
        `The token in ${naming.name(input)} is ${info.kind === 'system-user' ? 'a token of ' : ''}${whose}, not of system user ${systemUserId}; it would be revoked once the new token is stored, so nothing was minted.`,
        `Pass the current token of system user ${systemUserId} in ${naming.name(input)} (never the admin token), or leave it empty.`
      )
    }
  }

  /** The new token must reach every asset the replaced token reached (require-same-assets). */
  private async checkAssets(
    fresh: TokenInfo,
    current: TokenInfo | undefined,
    token: string
  ): Promise<string | undefined> {
    const { settings, services } = this
    if (!current?.isValid) return undefined
    const lost = await assetsStillLost(lostAssets(current.grants, fresh.grants), (path) =>
      this.graph('verify', `Asking Meta whether the new token reads asset ${path} (GET /${path}?fields=id)`, () =>
        services.tokens.canRead(path, token)
      )
    )
    if (lost.length === 0) return undefined
    const what = `The new token does not reach what the replaced token reached: ${describeLostAssets(lost)}.`
    const whose = fresh.userId ? ` ${fresh.userId}` : ''
    if (settings.requireSameAssets) {
      throw new RotationError(
        'verify',
        `${what} Nothing was written; the current token was left in place.`,
        `${fresh.kind === 'system-user' ? `Assign the assets to system user${whose} again (Business settings > Users > System users > Assign assets)` : `Give the user${whose} back a role on the assets`}, then re-run; or set ${services.naming.setting(Input.RequireSameAssets, 'false')} to accept the change.`
      )
    }
    services.log.warning(what)
    return `${what} Stored anyway (${services.naming.setting(Input.RequireSameAssets, 'false')}).`
  }

  private async graph<T>(step: RotationStep, what: string, call: () => Promise<T>): Promise<T> {
    this.services.log.debug(`${what}…`)
    try {
      return await call()
    } catch (error) {
      throw graphFailure(step, what, error, this.services.clock, this.services.naming)
    }
  }
}
