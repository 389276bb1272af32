// Instagram Login tokens (strategy: instagram): checked with /me, refreshed at graph.instagram.com,
// the new one checked the same way. They cannot be inspected for their expiry and cannot be revoked.
import type { RotationLog } from '../action-io.js'
import type { Clock } from '../clock.js'
import { Input } from '../contract.js'
import { GraphError } from '../graph/graph-error.js'
import { explainGraphFailure } from '../graph/graph-fixes.js'
import type { MintedToken, TokenInfo } from '../graph/meta-tokens.js'
import type { InstagramAccount, InstagramTokens } from '../instagram/instagram-tokens.js'
import type { InputNaming } from '../input-naming.js'
import { RotationError, type RotationStep } from '../rotation-error.js'
import type { SecretKeeper } from '../secret-keeper.js'
import type { InstagramSettings } from '../settings.js'
import { dateText, expiryText, relativeText } from '../token-checks.js'
import type { CheckedToken, ExtraSecret, MintContext, MintSkipped, TokenSource } from './token-source.js'

export interface InstagramSourceServices {
  instagram: InstagramTokens
  keeper: SecretKeeper
  naming: InputNaming
  clock: Clock
  log: RotationLog
}

const DAY_MS = 86_400_000

function logInAgain(naming: InputNaming): string {
  return (
    "The person must log in again with Instagram Login (your app's login, or the app dashboard's token generator), " +
    `exchange the short-lived token for a long-lived one, put it in ${naming.credentialHolder(Input.Token)}, and re-run.`
  )
}

export class InstagramTokenSource implements TokenSource {
  constructor(
    private readonly settings: InstagramSettings,
    private readonly services: InstagramSourceServices
  ) {}

  async checkCurrent(): Promise<CheckedToken> {
    const account = await this.call('check', 'Checking the current Instagram token (/me)', () =>
      this.services.instagram.account(this.settings.token)
    )
    this.services.log.info(
      `Current token: Instagram Login token of @${account.username || account.userId} (user ${account.userId}).`
    )
    return this.checked(account)
  }

  checkPrevious(): Promise<TokenInfo | undefined> {
    // Nothing can be done with it: Instagram has no revoke.
    return Promise.resolve(undefined)
  }

  notDue(): string | undefined {
    return undefined
  }

  async mint(context: MintContext): Promise<MintedToken | MintSkipped> {
    const what = 'Refreshing the Instagram token (refresh_access_token)'
    try {
      const minted = await this.services.instagram.refresh(this.settings.token)
      this.services.keeper.keep(minted.token)
      this.services.log.info(
        minted.token === this.settings.token
          ? 'Instagram handed back the same token string.'
          : 'Instagram issued a new token.'
      )
      return minted
    } catch (error) {
      const failure = this.failure('mint', what, error)
      // A token that /me accepts but the refresh refuses (not 190): most often a token less than a day old.
      if (
        error instanceof GraphError &&
        error.failure.kind === 'api' &&
        error.failure.code !== 190 &&
        error.failure.code !== 10
      ) {
        const young = youngToken(await context.secretAge().catch(() => undefined))
        if (young || isTooYoung(error)) return { skip: young ?? tooYoungText(undefined, this.services.clock.now()) }
      }
      throw failure
    }
  }

  mintsRevocable(): boolean {
    return false
  }

  async inspectNew(minted: MintedToken): Promise<CheckedToken> {
    const account = await this.call('verify', 'Checking the new Instagram token (/me)', () =>
      this.services.instagram.account(minted.token)
    )
    const checked = this.checked(account)
    if (minted.expiresIn !== undefined) {
      checked.info.expiresAt = new Date(this.services.clock.now().getTime() + minted.expiresIn * 1000)
    }
    return checked
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the interface's judgement may ask Meta; this one never does
  async judgeNew(fresh: CheckedToken, current: CheckedToken | undefined): Promise<undefined> {
    const now = this.services.clock.now()
    if (current && fresh.info.userId !== current.info.userId) {
      throw new RotationError(
        'verify',
        `The refreshed token belongs to Instagram user ${fresh.info.userId ?? 'unknown'}, not ${current.info.userId ?? 'unknown'}; nothing was written and the current token was left in place.`,
        'Re-run; if it persists, quote this to Meta support.'
      )
    }
    this.services.log.info(`New token: Instagram Login token, expires ${expiryText(fresh.info.expiresAt, now)}.`)
  }

  extraSecretCount(): number {
    return 0
  }

  extraSecrets(): Promise<ExtraSecret[]> {
    return Promise.resolve([])
  }

  canRevoke(): boolean {
    return false
  }

  revoke(): Promise<void> {
    return Promise.reject(new Error('Instagram Login tokens cannot be revoked'))
  }

  private checked(account: InstagramAccount): CheckedToken {
    return {
      info: { appId: '', kind: 'instagram', isValid: true, scopes: [], grants: [], userId: account.userId },
      account: account.username ? `@${account.username}` : `Instagram user ${account.userId}`
    }
  }

  private async call<T>(step: RotationStep, what: string, call: () => Promise<T>): Promise<T> {
    this.services.log.debug(`${what}…`)
    try {
      return await call()
    } catch (error) {
      throw this.failure(step, what, error)
    }
  }

  /** An expired or invalid token can only be replaced by the person logging in again. */
  private failure(step: RotationStep, what: string, error: unknown): RotationError {
    if (!(error instanceof GraphError)) throw error
    const explained = explainGraphFailure(what, error, this.services.clock, this.services.naming)
    if (error.failure.code === 190) {
      return new RotationError(
        step,
        `${explained.message} The Instagram token in ${this.services.naming.name(Input.Token)} has expired or is no longer valid, and an expired token cannot be refreshed.`,
        logInAgain(this.services.naming)
      )
    }
    return RotationError.of(step, explained)
  }
}

/** Whether Instagram's answer says outright that the token is less than 24 hours old. */
function isTooYoung(error: GraphError): boolean {
  return /24 hours|too (soon|early|new|young)/i.test(error.message)
}

/**
 * Instagram refreshes a token only once it is a day old. When the secret was written less than a day
 * ago (on GitHub's clock), the token in it is that young: the sentence that says until when.
 */
function youngToken(age: { written: Date; now: Date } | undefined): string | undefined {
  if (!age || age.now.getTime() - age.written.getTime() >= DAY_MS) return undefined
  return tooYoungText(age.written, age.now)
}

/** Why an Instagram token was left as it is: when it was written (if known) and when it can be refreshed. */
function tooYoungText(written: Date | undefined, now: Date): string {
  const after = new Date((written ?? now).getTime() + DAY_MS)
  const since = written
    ? ` The secret was last written ${relativeText(written, now)}, so the token in it is that young.`
    : ''
  return (
    `Instagram refreshes a token only once it is 24 hours old, and this one is younger: nothing was changed.${since} ` +
    `It can be refreshed ${written ? 'after' : 'by'} ${dateText(after)}${written ? '' : ' at the latest'}; the next scheduled run will do it.`
  )
}
