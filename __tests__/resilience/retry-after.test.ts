// retry-after honoured in real seconds: the one place the resilience suites wait for real (the fault
// matrix injects time). Each case runs with the system clock and GitHub's real second; the two wait
// side by side. (A limit on a read takes the same path as on a write; the fault matrix hits every read.)
import { describe, expect, test } from '@jest/globals'
import { runWithInputs } from '../support/world.js'
import {
  armFault,
  FAULTS,
  invariantProblems,
  knownTokens,
  record,
  RESILIENCE_TUNING,
  SCENARIOS,
  stage,
  type Api,
  type FaultKind,
  type Scenario
} from './harness.js'

describe('retry-after honoured in real seconds (no shortened base)', () => {
  const REAL_SECONDS = { graphRetry: RESILIENCE_TUNING.graphRetry, requestTimeoutMs: 2000 }
  const cases: Array<[string, string, Api, string, string]> = [
    [
      'a Graph 429 on the exchange',
      'refresh (system user, 2 repositories)',
      'graph',
      'GET',
      '/v27.0/oauth/access_token'
    ],
    [
      'a GitHub 429 on a write',
      "environment 'prod/eu' secrets",
      'github',
      'PUT',
      '/repos/octo/api/environments/prod%2Feu/secrets/META_TOKEN'
    ]
  ]

  test.concurrent.each(cases)(
    '%s: the retry waits a second, then the rotation completes',
    async (_name, scenarioName, api, method, path) => {
      const scenario = SCENARIOS.find((s) => s.name === scenarioName) as Scenario
      const staged = await stage(scenario)
      const timeline = record(staged.world)
      const fault = FAULTS.find((f) => f.name === 'HTTP 429 retry-after: 1') as FaultKind
      const armed = armFault(staged.world, { index: 0, api, method, path, occurrence: 1 }, fault, false)
      try {
        const before = knownTokens(staged)
        const run = await runWithInputs(staged.inputs, {}, REAL_SECONDS)
        expect(armed.fired()).toBe(true)
        expect(invariantProblems(staged, run, before)).toEqual([])
        expect(run.failed).toBeUndefined()
        const tries = timeline.filter((r) => r.api === api && r.method === method && r.path === path)
        expect(tries).toHaveLength(2)
        expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(950)
      } finally {
        await staged.world.stop()
      }
    },
    15_000
  )
})
