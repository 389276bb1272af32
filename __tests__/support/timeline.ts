// Both emulators' requests in one timeline, in arrival order, for tests that check the order of a run.
import type { LoopbackServer, RecordedRequest } from '../../emulators/loopback-server.js'
import type { World } from './world.js'

export type Api = 'graph' | 'github'

export interface TimedRequest {
  api: Api
  method: string
  path: string
  at: number
}

/**
 * Calls `onRequest` for every request a server receives, synchronously, as it is recorded: before the
 * server looks for a fault to apply. (LoopbackServer pushes each request to `requests`, then, with
 * no latency configured, takes the first matching fault rule in the same tick.)
 */
export function tap(server: LoopbackServer, onRequest: (request: RecordedRequest) => void): void {
  const requests = server.requests
  const push = requests.push.bind(requests)
  requests.push = (...items: RecordedRequest[]): number => {
    for (const item of items) onRequest(item)
    return push(...items)
  }
}

/** Records both emulators' requests into one timeline, in arrival order. */
export function record(world: World): TimedRequest[] {
  const timeline: TimedRequest[] = []
  tap(world.graph.server, (r) => timeline.push({ api: 'graph', method: r.method, path: r.path, at: Date.now() }))
  tap(world.github.server, (r) => timeline.push({ api: 'github', method: r.method, path: r.path, at: Date.now() }))
  return timeline
}
