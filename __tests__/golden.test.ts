// The golden files: the job summary and the log of each demo case, as the committed bundle writes them
// against the emulators. A changed word is a failing test until `npm run golden:update` rewrites
// docs/screenshots/<case>.md and .log, and the diff is reviewed with the change.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from '@jest/globals'
import { comparable, DEMO_CASES, GOLDEN_DIR, runDemoCases, type CaseRun } from '../scripts/demo-cases.js'

let runs: CaseRun[]
beforeAll(async () => {
  runs = await runDemoCases()
}, 60_000)

function golden(name: string, kind: 'md' | 'log'): string {
  return readFileSync(join(GOLDEN_DIR, `${name}.${kind}`), 'utf8')
}

describe.each(DEMO_CASES.map((demo) => [demo.name, demo] as const))('%s', (name) => {
  const run = (): CaseRun => runs.find((r) => r.demo.name === name) as CaseRun

  test('its job summary is the golden one, word for word (npm run golden:update after a reviewed change)', () => {
    expect(comparable(run().summary)).toBe(comparable(golden(name, 'md')))
  })

  test('its log is the golden one, word for word (npm run golden:update after a reviewed change)', () => {
    expect(comparable(run().log)).toBe(comparable(golden(name, 'log')))
  })
})

test('the placeholders hide only the clock: a changed word, a changed day count still differ', () => {
  const summary = golden('rotated', 'md')
  expect(comparable(summary)).toContain('<time>')
  expect(comparable(summary.replace('Rotated', 'Rotate'))).not.toBe(comparable(summary))
  expect(comparable(summary.replace('(in 60 days)', '(in 59 days)'))).not.toBe(comparable(summary))
})
