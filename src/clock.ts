// Time as the rotation sees it: the runner's clock and a way to wait. Passed in, so tests move time
// instead of waiting for it.
import { setTimeout as wait } from 'node:timers/promises'

export interface Clock {
  now(): Date
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: async (ms) => {
    await wait(ms)
  }
}
