// The public names users' workflows depend on: action.yml, the code and the README must agree.
import { readFileSync } from 'node:fs'
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import {
  DEFAULT_GRAPH_API_URL,
  DEFAULT_GRAPH_API_VERSION,
  DEFAULT_INSTAGRAM_API_URL,
  DEFAULT_MAX_CONCURRENCY,
  Input,
  Output
} from '../src/contract.js'

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as ActionYml
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
// The names INTERFACE.md promises; extensions may be added, never renamed.
const PROMISED_INPUTS = [
  'app-id',
  'app-secret',
  'token',
  'strategy',
  'system-user-id',
  'admin-token',
  'scopes',
  'expiring',
  'install-app',
  'revoke',
  'rotate-before',
  'page-secrets',
  'graph-api-version',
  'graph-api-url',
  'secret-name',
  'repositories',
  'environment',
  'organization',
  'visibility',
  'selected-repositories',
  'secret-type',
  'previous-secret-name',
  'previous-token',
  'github-token',
  'github-api-url',
  'dry-run',
  'instagram-api-url',
  'require-same-assets'
]
const PROMISED_OUTPUTS = [
  'rotated',
  'revoked',
  'expires-at',
  'token-type',
  'scopes',
  'secrets',
  'token',
  'data-access-expires-at'
]

describe('action.yml', () => {
  test('declares exactly the inputs and outputs the code reads and sets, with descriptions', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Input).sort())
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Output).sort())
    for (const entry of [...Object.values(action.inputs), ...Object.values(action.outputs)])
      expect(entry.description.length).toBeGreaterThan(10)
  })

  test('keeps every name the interface promises', () => {
    for (const name of PROMISED_INPUTS) expect(action.inputs).toHaveProperty([name])
    for (const name of PROMISED_OUTPUTS) expect(action.outputs).toHaveProperty([name])
  })

  test('states the defaults the code applies', () => {
    expect(action.inputs['graph-api-version']?.default).toBe(DEFAULT_GRAPH_API_VERSION)
    expect(action.inputs['graph-api-url']?.default).toBe(DEFAULT_GRAPH_API_URL)
    expect(action.inputs['max-concurrency']?.default).toBe(String(DEFAULT_MAX_CONCURRENCY))
    expect(action.inputs.strategy?.default).toBe('refresh')
    expect(action.inputs.revoke?.default).toBe('auto')
    expect(action.inputs.visibility?.default).toBe('private')
    expect(action.inputs['instagram-api-url']?.default).toBe(DEFAULT_INSTAGRAM_API_URL)
    expect(action.inputs['require-same-assets']?.default).toBe('true')
  })

  test('runs the committed bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
  })

  test('every input and output is documented in the README', () => {
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(readme).toMatch(new RegExp(`\\| \`${name}\` +\\|`))
  })
})
