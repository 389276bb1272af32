// The judgments over the destinations' outcomes, called directly: no emulator, no run. What holds the
// new token, which step failed, what the failure and the notes say.
import { describe, expect, test } from '@jest/globals'
import type { Destination } from '../src/github/destinations.js'
import type { TokenInfo } from '../src/graph/meta-tokens.js'
import { actionInputs, cliFlags } from '../src/input-naming.js'
import {
  failedChecks,
  failedWritesStep,
  failureOf,
  mainWrites,
  mayHoldNew,
  movedOverNote,
  oldTokenStillWorks,
  organizationSecretSuggestions,
  secretPlace,
  storedSomewhere,
  unsettledNote
} from '../src/rotation/outcomes.js'
import type { FailedSecret, SecretOutcome } from '../src/rotation/result.js'

const NOW = new Date('2026-03-01T12:00:00Z')
const repo = (target: string, environment?: string): Destination => ({
  kind: environment ? 'environment' : 'repository',
  secretType: 'actions',
  target,
  ...(environment ? { environment } : {}),
  route: '/repos/{owner}/{repo}/actions/secrets',
  params: { owner: target.split('/')[0] as string, repo: target.split('/')[1] as string },
  secretName: 'META_TOKEN',
  previousSecretName: 'META_TOKEN_PREVIOUS',
  pages: true
})
const written = (target: string, name = 'META_TOKEN'): SecretOutcome => ({
  ...secretPlace(repo(target), name),
  status: 'updated',
  holds: 'new'
})
const failed = (target: string, overrides: Partial<FailedSecret> = {}): FailedSecret => ({
  ...secretPlace(repo(target), 'META_TOKEN'),
  status: 'failed',
  error: `GitHub refused ${target}.`,
  fix: { action: `Give the token access to ${target}.` },
  failedIn: 'store',
  holds: 'old',
  ...overrides
})
const info = (overrides: Partial<TokenInfo> = {}): TokenInfo => ({
  appId: '1',
  kind: 'system-user',
  isValid: true,
  scopes: [],
  grants: [],
  expiresAt: new Date('2026-04-30T12:00:00Z'),
  ...overrides
})

describe('which destinations hold the new token', () => {
  test('only the writes of secret-name count, whatever its case; checked destinations do not', () => {
    const secrets: SecretOutcome[] = [
      written('octo/a', 'META_TOKEN_PREVIOUS'),
      written('octo/a'),
      { ...secretPlace(repo('octo/b'), 'META_TOKEN'), status: 'checked' }
    ]
    expect(mainWrites(secrets, [repo('octo/a'), repo('octo/b')])).toEqual([secrets[1]])
  })

  test("each destination's own secret counts, whatever the others are named", () => {
    const own = (target: string, secretName: string): Destination => ({ ...repo(target), secretName })
    const secrets: SecretOutcome[] = [
      written('octo/a', 'META_TOKEN_A'),
      written('octo/b', 'META_TOKEN_B'),
      written('octo/b', 'META_TOKEN_A')
    ]
    expect(mainWrites(secrets, [own('octo/a', 'meta_token_a'), own('octo/b', 'META_TOKEN_B')])).toEqual([
      secrets[0],
      secrets[1]
    ])
  })

  test('stored somewhere needs a write holding the new token; one that may hold it keeps it alive', () => {
    expect(storedSomewhere([failed('octo/a'), written('octo/b')])).toBe(true)
    expect(storedSomewhere([failed('octo/a', { holds: 'new or old' })])).toBe(false)
    expect(mayHoldNew([failed('octo/a', { holds: 'new or old' })])).toBe(true)
    expect(mayHoldNew([failed('octo/a'), failed('octo/b')])).toBe(false)
  })

  test('an unsettled write of the new token is said once; a refused one is not', () => {
    expect(unsettledNote([failed('octo/a')])).toBeUndefined()
    expect(unsettledNote([failed('octo/a', { holds: 'new or old' }), failed('octo/b', { holds: 'new or old' })])).toBe(
      'A write whose outcome could not be settled may have stored the new token, so the new token was left alive.'
    )
  })

  test('the failed step is confirm only when every failure is a read-back', () => {
    expect(failedWritesStep([failed('octo/a', { failedIn: 'confirm' }), written('octo/b')])).toBe('confirm')
    expect(failedWritesStep([failed('octo/a', { failedIn: 'confirm' }), failed('octo/b')])).toBe('store')
  })
})

describe('the failure of a step', () => {
  const closing = 'Then re-run.'

  test('none failed: no failure', () => {
    expect(failureOf({ step: 'store', secrets: [written('octo/a')], dryRun: false, message: 'x', closing })).toBe(
      undefined
    )
  })

  test('counts the writes, lists each failure with its destination and says each fix once, re-run once', () => {
    const rerun = { action: 'Correct what GitHub names', thenRerun: true }
    const error = failureOf({
      step: 'store',
      secrets: [
        failed('octo/a', { fix: rerun }),
        failed('octo/b', { fix: rerun, environment: 'prod' }),
        failed('octo/c'),
        written('octo/d')
      ],
      dryRun: false,
      message: 'Not every destination holds the new token.',
      closing
    })
    expect(error?.step).toBe('store')
    expect(error?.message).toBe(
      '3 of 4 secret writes failed. Not every destination holds the new token.\n' +
        '  - META_TOKEN in octo/a: GitHub refused octo/a.\n' +
        '  - META_TOKEN in octo/b (prod): GitHub refused octo/b.\n' +
        '  - META_TOKEN in octo/c: GitHub refused octo/c.'
    )
    expect(error?.fix).toBe('Correct what GitHub names. Give the token access to octo/c. Then re-run.')
  })

  test('before minting it is a destination check, and a dry run counts the checked destinations', () => {
    const checked: SecretOutcome = { ...secretPlace(repo('octo/b'), 'META_TOKEN'), status: 'checked' }
    const error = failureOf({
      step: 'prepare',
      secrets: [failed('octo/a', { failedIn: 'prepare' }), checked],
      dryRun: true,
      message: 'Dry run.',
      closing: 'Then run the dry run again.'
    })
    expect(error?.message).toMatch(/^1 of 2 destination checks failed\. Dry run\./)
    const single = failureOf({ step: 'prepare', secrets: [failed('octo/a')], dryRun: false, message: 'M.', closing })
    expect(single?.message).toMatch(/^1 of 1 destination check failed\./)
  })
})

describe('the destination checks before minting', () => {
  const checked: SecretOutcome = { ...secretPlace(repo('octo/b'), 'META_TOKEN'), status: 'checked' }

  test('a dry run with a failed check fails at prepare, and says to run the dry run again', () => {
    const error = failedChecks([failed('octo/a', { failedIn: 'prepare' }), checked], true)
    expect(error?.step).toBe('prepare')
    expect(error?.message).toMatch(/^1 of 2 destination checks failed\. Dry run: some destinations did not pass/)
    expect(error?.fix).toMatch(/Then run the dry run again\.$/)
  })

  test('a real run with no writable destination says nothing was minted, and to re-run', () => {
    const error = failedChecks([failed('octo/a', { failedIn: 'prepare' })], false)
    expect(error?.message).toMatch(/No destination can be written; nothing was minted, written or revoked\./)
    expect(error?.fix).toMatch(/Then re-run\.$/)
  })

  test('every check passed: no failure', () => {
    expect(failedChecks([checked], true)).toBe(undefined)
  })
})

describe('notes', () => {
  const moved = {
    destinations: ['octo/a', 'octo/b', 'octo/c'].map((target) => repo(target)),
    previousTokenGiven: true,
    previous: info(),
    now: NOW,
    naming: actionInputs
  }

  test('the previous slot written where the run failed: the token from previous-token is no longer kept there', () => {
    const note = movedOverNote({
      ...moved,
      secrets: [
        written('octo/a', 'META_TOKEN_PREVIOUS'),
        failed('octo/b'),
        { ...failed('octo/c'), name: 'META_TOKEN_PREVIOUS', failedIn: 'confirm' }
      ]
    })
    expect(note).toMatch(
      /^META_TOKEN_PREVIOUS in octo\/a, octo\/c holds \(or may hold\) the replaced token, so the token from 'previous-token' is no longer kept there\. It was not revoked and stays valid until .*: once no secret holds it, revoke it by hand/
    )
    expect(movedOverNote({ ...moved, naming: cliFlags, secrets: [written('octo/a', 'META_TOKEN_PREVIOUS')] })).toMatch(
      /now holds the replaced token, so the token from META_ROTATOR_PREVIOUS_TOKEN is/
    )
  })

  test('grace slots of their own per destination: each named where it was written', () => {
    const destinations = [repo('octo/a'), { ...repo('octo/b'), previousSecretName: 'META_TOKEN_B_OLD' }]
    const note = movedOverNote({
      ...moved,
      destinations,
      secrets: [
        written('octo/a', 'META_TOKEN_PREVIOUS'),
        written('octo/b', 'META_TOKEN_B_OLD'),
        written('octo/b', 'META_TOKEN_PREVIOUS')
      ]
    })
    expect(note).toMatch(/^META_TOKEN_PREVIOUS in octo\/a, META_TOKEN_B_OLD in octo\/b now hold the replaced token/)
  })

  test('no note without grace mode, without previous-token, for an invalid one, or where the slot was not written', () => {
    const secrets = [written('octo/a', 'META_TOKEN_PREVIOUS')]
    const withoutGrace = moved.destinations.map((d) => ({ ...d, previousSecretName: undefined }))
    expect(movedOverNote({ ...moved, secrets, destinations: withoutGrace })).toBeUndefined()
    expect(movedOverNote({ ...moved, secrets, previousTokenGiven: false })).toBeUndefined()
    expect(movedOverNote({ ...moved, secrets, previous: info({ isValid: false }) })).toBeUndefined()
    expect(movedOverNote({ ...moved, secrets: [failed('octo/a', { name: 'META_TOKEN_PREVIOUS' })] })).toBeUndefined()
  })

  test('a user token cannot be revoked by hand in Business settings: the note ends there', () => {
    const note = movedOverNote({
      ...moved,
      previous: info({ kind: 'user' }),
      secrets: [written('octo/a', 'META_TOKEN_PREVIOUS')]
    })
    expect(note).toMatch(/stays valid until [^>]*\(in 60 days\)\.$/)
  })

  test('the old token keeps working, until its expiry when known', () => {
    expect(oldTokenStillWorks(undefined, NOW)).toBe('The old token was not revoked and keeps working.')
    expect(oldTokenStillWorks(info(), NOW)).toMatch(/^The old token was not revoked and keeps working until 2026-04-30/)
  })

  test('ten repositories of one owner suggest one organization secret; fewer, or an organization secret, do not', () => {
    const many = Array.from({ length: 10 }, (_, i) => repo(`octo/s${i}`))
    expect(organizationSecretSuggestions([...many, repo('other/x')])).toEqual([
      '10 repositories of octo get their own copy: an organization secret (organization: octo, visibility: selected, selected-repositories) is one write instead of 10.'
    ])
    expect(organizationSecretSuggestions(many.slice(1))).toEqual([])
    const organization: Destination = { ...repo('octo'), kind: 'organization', route: '/orgs/{org}/actions/secrets' }
    expect(organizationSecretSuggestions([...many, organization])).toEqual([])
  })
})
