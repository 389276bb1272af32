// readSettings called directly: each rule between the inputs, with the message a user reads. No
// emulator is needed: nothing here makes a request.
import { describe, expect, test } from '@jest/globals'
import { cliFlags } from '../src/input-naming.js'
import { InvalidInputs, readSettings, type Settings } from '../src/settings.js'

const ADMIN = 'EAAadmin0000000000000000000000000000'
const TOKEN = 'EAAcurrent000000000000000000000000000'
const PREVIOUS = 'EAAprevious00000000000000000000000000'

const BASE: Record<string, string> = {
  'app-id': '1234567890',
  'app-secret': 'app-secret-value-0000000000',
  token: TOKEN,
  'secret-name': 'META_TOKEN',
  'github-token': 'github_pat_00000000000000000000000000',
  repositories: 'octo/app'
}

function settings(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): Settings {
  return readSettings((name) => inputs[name] ?? '', env)
}

function problems(inputs: Record<string, string>, naming = undefined): string[] {
  try {
    readSettings((name) => inputs[name] ?? '', {}, naming)
  } catch (error) {
    if (!(error instanceof InvalidInputs)) throw error
    return error.message.split('\n  - ').slice(1)
  }
  throw new Error('readSettings accepted the inputs')
}

describe('the strategies', () => {
  test('refresh: every input of the Meta side read into the settings', () => {
    const read = settings({ ...BASE, scopes: 'ads_read, pages_show_list', 'rotate-before': '14d' })
    expect(read).toMatchObject({
      strategy: 'refresh',
      app: { id: '1234567890', graphApiVersion: expect.stringMatching(/^v\d+\.0$/) as unknown },
      token: TOKEN,
      scopes: ['ads_read', 'pages_show_list'],
      rotateBeforeSeconds: 14 * 86_400,
      revoke: 'auto',
      dryRun: false
    })
  })

  test('generate needs a system user, an admin token and scopes, and takes page secrets (page tokens of the system user)', () => {
    expect(problems({ ...BASE, strategy: 'generate', token: '', 'page-secrets': '123=PAGE_TOKEN' })).toEqual([
      "'system-user-id': required with strategy: generate when 'token' is empty: the app-scoped id of the system user the token is for (debug_token's user_id for one of its tokens).",
      "'admin-token': required with strategy: generate (a Business Manager admin or system user token).",
      "'scopes': required with strategy: generate (the permissions of the new token)."
    ])
  })

  test('generate never takes the admin token as the token it replaces, nor revokes it as the previous one', () => {
    const found = problems({
      ...BASE,
      strategy: 'generate',
      'system-user-id': '100',
      'admin-token': ADMIN,
      scopes: 'ads_read',
      token: ADMIN,
      'previous-secret-name': 'META_TOKEN_OLD',
      'previous-token': ADMIN
    })
    expect(found).toContainEqual(expect.stringContaining("'token': is the same token as 'admin-token'"))
    expect(found).toContainEqual("'previous-token': is the same token as 'admin-token', which is never revoked.")
  })

  test("instagram refuses what only Graph tokens have, and says the app's inputs go unused", () => {
    expect(problems({ ...BASE, strategy: 'instagram', revoke: 'true', scopes: 'ads_read' })).toEqual([
      "'revoke': 'true' is impossible with strategy: instagram: Instagram has no revoke endpoint. Use auto or false.",
      "'scopes': does not apply to Instagram Login tokens: their permissions cannot be read. Remove it."
    ])
    expect(settings({ ...BASE, strategy: 'instagram', 'app-secret': '' }).warnings).toEqual([
      expect.stringContaining("'app-id' and 'app-secret' are not used with strategy: instagram")
    ])
  })

  test('install-app belongs to generate', () => {
    expect(problems({ ...BASE, 'install-app': 'true' })).toEqual(["'install-app': only applies to strategy: generate."])
    expect(problems({ ...BASE, token: '', 'install-app': 'true' })).toContain(
      "'install-app': needs 'system-user-id', or the system user's current token in 'token' (and 'admin-token')."
    )
  })
})

describe('the destinations', () => {
  test('the shorthand inputs are one destination list; the calling repository when none is named', () => {
    const read = settings({ ...BASE, repositories: '' }, { GITHUB_REPOSITORY: 'octo/here' })
    expect(read.destinations.map((d) => [d.kind, d.target, d.secretName])).toEqual([
      ['repository', 'octo/here', 'META_TOKEN']
    ])
  })

  test('environments hold only Actions secrets and belong to repositories', () => {
    expect(problems({ ...BASE, environment: 'production', 'secret-type': 'dependabot' })).toEqual([
      "'environment': environments hold only Actions secrets; remove it or set secret-type: actions (is 'dependabot')."
    ])
    expect(problems({ ...BASE, repositories: '', organization: 'octo', environment: 'production' })).toEqual([
      "'environment': environment secrets belong to repositories: add 'repositories', or remove 'environment' to write the organization secret."
    ])
  })

  test('visibility and selected repositories go together, on an organization', () => {
    expect(problems({ ...BASE, repositories: '', organization: 'octo', visibility: 'selected' })).toEqual([
      "'selected-repositories': required with visibility: selected: the repositories that may use the secret."
    ])
    expect(problems({ ...BASE, visibility: 'all' })).toEqual([
      "'visibility': applies to organization secrets: set 'organization' too."
    ])
  })

  test('the destinations input and its older shorthand are one or the other', () => {
    expect(problems({ ...BASE, destinations: 'repo octo/app' })).toEqual([
      expect.stringMatching(/^'repositories': is the older form of 'destinations', and both were given/)
    ])
    // action.yml's defaults are no choice of the user's.
    expect(
      settings({
        ...BASE,
        repositories: '',
        destinations: 'repo octo/app',
        visibility: 'private',
        'secret-type': 'actions'
      }).destinations
    ).toHaveLength(1)
  })
})

describe('the grace slot and page secrets', () => {
  test('previous-secret-name differs from secret-name, whatever the case', () => {
    expect(problems({ ...BASE, 'previous-secret-name': 'meta_token' })).toEqual([
      "'previous-secret-name': must differ from 'secret-name' ('META_TOKEN'; names are case-insensitive)."
    ])
  })

  test('previous-token needs the secret that holds it', () => {
    expect(problems({ ...BASE, 'previous-token': PREVIOUS })).toEqual([
      "'previous-token': needs 'previous-secret-name' (the secret that holds it)."
    ])
  })

  test('a previous token that is the current one is not revoked, and the run says why', () => {
    const read = settings({ ...BASE, 'previous-secret-name': 'META_TOKEN_OLD', 'previous-token': TOKEN })
    expect(read.previousToken).toBeUndefined()
    expect(read.warnings).toEqual([expect.stringContaining("'previous-token' is the same as 'token'")])
    expect(
      settings({ ...BASE, 'previous-secret-name': 'META_TOKEN_OLD', 'previous-token': PREVIOUS }).previousToken
    ).toBe(PREVIOUS)
  })

  test("a page's secret is none of the token's own secrets", () => {
    expect(
      problems({ ...BASE, 'previous-secret-name': 'META_TOKEN_OLD', 'page-secrets': '1=META_TOKEN\n2=meta_token_old' })
    ).toEqual([
      "'page-secrets': page 1's secret 'META_TOKEN' is also 'secret-name': use another name.",
      "'page-secrets': page 2's secret 'meta_token_old' is also 'previous-secret-name': use another name."
    ])
  })

  test('with the destinations input, a page secret may not be a line of its own, and some line must take pages', () => {
    expect(
      problems({
        ...BASE,
        repositories: '',
        destinations: 'repo octo/app as PAGE_TOKEN',
        'page-secrets': '1=PAGE_TOKEN'
      })
    ).toEqual([expect.stringContaining("page 1's secret 'PAGE_TOKEN' is also a secret of 'destinations'")])
    expect(
      problems({ ...BASE, repositories: '', destinations: 'repo octo/app pages=false', 'page-secrets': '1=PAGE_TOKEN' })
    ).toEqual(["'page-secrets': no destination takes the page tokens: every line of 'destinations' says pages=false."])
  })
})

describe('every problem at once, in the words of where it was given', () => {
  test('problems of both sides and the rules are reported together, and the error carries what a failed run reports', () => {
    let thrown: unknown
    try {
      readSettings(
        (name) =>
          ({
            ...BASE,
            'app-id': 'abc',
            'secret-name': 'META TOKEN',
            'heartbeat-url': 'https://hc-ping.com/abc',
            'max-concurrency': '0'
          })[name] ?? ''
      )
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(InvalidInputs)
    const invalid = thrown as InvalidInputs
    expect(invalid.step).toBe('inputs')
    expect(invalid.message.split('\n  - ').slice(1)).toEqual([
      "'app-id': 'abc' is not a Meta app id: app ids are numbers.",
      expect.stringMatching(/^'secret-name': 'META TOKEN' is not a valid GitHub secret name/),
      "'max-concurrency': '0' is not a whole number from 1 to 64."
    ])
    expect(invalid.secretName).toBe('META TOKEN')
    expect(invalid.heartbeat.url).toBe('https://hc-ping.com/abc')
  })

  test('the command line names flags and environment variables', () => {
    expect(problems({ ...BASE, 'app-id': 'abc', 'github-token': '' }, cliFlags as never)).toEqual([
      "--app-id: 'abc' is not a Meta app id: app ids are numbers.",
      expect.stringMatching(/^META_ROTATOR_GITHUB_TOKEN: required: a fine-grained PAT/)
    ])
  })
})
