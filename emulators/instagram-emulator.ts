// A loopback Instagram API with Instagram Login (graph.instagram.com: a different host from the
// Graph API), for the `instagram` strategy's tests. It makes the checks Meta documents for a
// refresh (long-lived, at least 24 hours old, not expired, instagram_business_basic) and lets a
// test choose the behaviours Meta does not document.
//
//   instagram/world.ts      accounts, IGAA… tokens and the switches (on meta-clock.ts)
//   instagram/endpoints.ts  GET /me and GET /refresh_access_token
//   instagram/errors.ts     Meta's error body, in Instagram's words
import type { JsonResponse, ParsedRequest } from './loopback-server.js'
import { MetaEmulator } from './meta-emulator.js'
import { handleInstagramRequest } from './instagram/endpoints.js'
import {
  InstagramWorld,
  type InstagramAccount,
  type InstagramTokenRecord,
  type IssueSpec,
  type OldTokenAfterRefresh,
  type RefreshRefusal
} from './instagram/world.js'

export type {
  InstagramAccount,
  InstagramTokenRecord,
  IssueSpec as InstagramTokenSpec,
  OldTokenAfterRefresh,
  RefreshRefusal
} from './instagram/world.js'

export const DEFAULT_INSTAGRAM_VERSIONS: readonly string[] = ['v24.0', 'v25.0', 'v26.0', 'v27.0']

export interface InstagramEmulatorOptions {
  latencyMs?: number
  /** Versions accepted in /vXX.0/…; unversioned paths are always accepted. */
  versions?: string[]
  /** Default 'keeps-working'. */
  oldTokenAfterRefresh?: OldTokenAfterRefresh
  /** Whether refresh_access_token takes the token from Authorization: Bearer too; default true. */
  refreshAcceptsBearer?: boolean
  /** Default 'explicit'. */
  refreshRefusal?: RefreshRefusal
  /** Meta's wall clock in epoch milliseconds (advanceClock adds to it); default the real one. */
  clock?: () => number
}

export class InstagramEmulator extends MetaEmulator<InstagramWorld> {
  private readonly versions: readonly string[]

  private constructor(options: InstagramEmulatorOptions) {
    super(new InstagramWorld(options.clock), options.latencyMs)
    this.versions = options.versions ?? DEFAULT_INSTAGRAM_VERSIONS
    this.world.oldTokenAfterRefresh = options.oldTokenAfterRefresh ?? 'keeps-working'
    this.world.refreshAcceptsBearer = options.refreshAcceptsBearer ?? true
    this.world.refreshRefusal = options.refreshRefusal ?? 'explicit'
  }

  static start(options: InstagramEmulatorOptions = {}): Promise<InstagramEmulator> {
    return new InstagramEmulator(options).listen()
  }

  protected handle(request: ParsedRequest): JsonResponse {
    return handleInstagramRequest(this.world, this.versions, request)
  }

  /** After a refresh, does the old token keep working until its own expiry (default), or stop at once? Unverified. */
  get oldTokenAfterRefresh(): OldTokenAfterRefresh {
    return this.world.oldTokenAfterRefresh
  }

  set oldTokenAfterRefresh(value: OldTokenAfterRefresh) {
    this.world.oldTokenAfterRefresh = value
  }

  /** Whether refresh_access_token takes the token from Authorization: Bearer as well as access_token. Unverified. */
  get refreshAcceptsBearer(): boolean {
    return this.world.refreshAcceptsBearer
  }

  set refreshAcceptsBearer(value: boolean) {
    this.world.refreshAcceptsBearer = value
  }

  /** When true, a refresh hands back the same string with 60 new days (as the Graph API sometimes does). */
  get refreshReturnsSameToken(): boolean {
    return this.world.refreshReturnsSameToken
  }

  set refreshReturnsSameToken(value: boolean) {
    this.world.refreshReturnsSameToken = value
  }

  /**
   * How a refresh of a short-lived or less than 24-hour-old token is refused: 'explicit' (code 100
   * with the emulator's own words) or 'unsupported-request' (the generic answer seen in the wild).
   */
  get refreshRefusal(): RefreshRefusal {
    return this.world.refreshRefusal
  }

  set refreshRefusal(value: RefreshRefusal) {
    this.world.refreshRefusal = value
  }

  /** An Instagram professional account: `userId` is what /me calls user_id; `id` the app-scoped id (random by default). */
  addAccount(account: { userId: string; username: string; id?: string }): InstagramAccount {
    return { ...this.world.addAccount(account) }
  }

  /** A token of the account (added on the fly when unknown); long-lived by default, with instagram_business_basic. */
  issueToken(spec: IssueSpec): string {
    return this.world.issueToken(spec)
  }

  /** The live record: tests may read it (or tamper with it). */
  token(value: string): InstagramTokenRecord | undefined {
    return this.world.tokens.get(value)
  }

  /** Known, not invalidated or replaced, not expired at now(). */
  isUsable(value: string): boolean {
    return this.world.isUsable(value)
  }

  /** Every token ever issued (the leak scan looks for each of them). */
  allTokens(): InstagramTokenRecord[] {
    return [...this.world.tokens.values()]
  }

  /** The person changed their password (or Meta reset the session): the token fails with 190/460. */
  invalidateToken(value: string): void {
    const token = this.world.tokens.get(value)
    if (!token) throw new Error('instagram emulator: invalidateToken of an unknown token')
    token.invalidated = true
  }
}
