// The runner's clock of a test whose waits move GitHub's clock on too: workflow runs progress on
// GitHub's clock, so a deploy run goes on while the action waits for it, and no test waits for real.
import type { GitHubEmulator } from '../../emulators/github-emulator.js'
import { testClock } from './world.js'

export function linkedClock(github: GitHubEmulator): ReturnType<typeof testClock> {
  const clock = testClock()
  const wait = clock.sleep.bind(clock)
  clock.sleep = async (ms: number) => {
    github.advanceClock(ms)
    await wait(ms)
  }
  return clock
}
