// What the Graph and Instagram emulators share: a loopback server whose answers carry Meta's clock
// (the Date header), and that clock, which a test can move on.
import { LoopbackServer, type JsonResponse, type ParsedRequest } from './loopback-server.js'
import type { MetaClock } from './meta-clock.js'

export abstract class MetaEmulator<World extends MetaClock> {
  /** The requests log, injectFault and latencyMs. */
  readonly server: LoopbackServer

  protected constructor(
    protected readonly world: World,
    latencyMs: number | undefined
  ) {
    this.server = new LoopbackServer((request) => this.handle(request), {
      latencyMs,
      clock: () => this.world.now() * 1000
    })
  }

  protected abstract handle(request: ParsedRequest): JsonResponse | Promise<JsonResponse>

  protected async listen(): Promise<this> {
    await this.server.start()
    return this
  }

  /** e.g. http://127.0.0.1:PORT, without a version. */
  get url(): string {
    return this.server.url
  }

  stop(): Promise<void> {
    return this.server.stop()
  }

  /** The emulated clock in epoch seconds: the wall clock plus whatever advanceClock added. */
  now(): number {
    return this.world.now()
  }

  advanceClock(seconds: number): void {
    this.world.advanceClock(seconds)
  }
}
