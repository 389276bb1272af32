// The destinations input, line by line: every form, its own secret and grace slot, and each malformed
// line refused with its number before anything happens. Called directly, without emulators.
import { describe, expect, test } from '@jest/globals'
import { parseDestinations, type LineDefaults } from '../src/github/destinations-input.js'
import { readSettings } from '../src/settings.js'
import { RotationError } from '../src/rotation-error.js'

function parsed(text: string, defaults: LineDefaults = { secretName: 'META_TOKEN' }) {
  const problems: string[] = []
  const destinations = parseDestinations(text, defaults, (p) => problems.push(p))
  return { destinations, problems }
}

function problemsOf(text: string, defaults?: LineDefaults): string[] {
  return parsed(text, defaults).problems
}

describe('each form of line', () => {
  test('repository, environment, organization, Dependabot and Codespaces, in the order given', () => {
    const { destinations, problems } = parsed(
      [
        'repo octo/app',
        '  # a comment, and a blank line below',
        '',
        'environment octo/app production',
        'environment octo/app "prod eu" as META_TOKEN_EU',
        'organization octo visibility=selected repositories=app,octo/api',
        'dependabot octo/app',
        'dependabot organization octo visibility=all',
        'codespaces octo/app',
        'codespaces organization octo',
        'codespaces user repositories=octo/app,someone/tool'
      ].join('\n')
    )
    expect(problems).toEqual([])
    expect(destinations.map((d) => [d.kind, d.secretType, d.target, d.environment ?? '', d.secretName])).toEqual([
      ['repository', 'actions', 'octo/app', '', 'META_TOKEN'],
      ['environment', 'actions', 'octo/app', 'production', 'META_TOKEN'],
      ['environment', 'actions', 'octo/app', 'prod eu', 'META_TOKEN_EU'],
      ['organization', 'actions', 'octo', '', 'META_TOKEN'],
      ['repository', 'dependabot', 'octo/app', '', 'META_TOKEN'],
      ['organization', 'dependabot', 'octo', '', 'META_TOKEN'],
      ['repository', 'codespaces', 'octo/app', '', 'META_TOKEN'],
      ['organization', 'codespaces', 'octo', '', 'META_TOKEN'],
      ['user', 'codespaces', 'user', '', 'META_TOKEN']
    ])
    expect(destinations[3]).toMatchObject({ visibility: 'selected', selectedRepositories: ['app', 'api'] })
    expect(destinations[5]).toMatchObject({ visibility: 'all', selectedRepositories: [] })
    expect(destinations[7]).toMatchObject({ visibility: 'private' })
    expect(destinations[8]).toMatchObject({
      route: '/user/codespaces/secrets',
      selectedRepositories: ['octo/app', 'someone/tool']
    })
    expect(destinations[2]?.params).toEqual({ owner: 'octo', repo: 'app', environment_name: 'prod eu' })
  })

  test('repositories= says visibility selected; its own secret, grace slot and pages per line', () => {
    const { destinations, problems } = parsed(
      [
        'organization octo repositories=app as meta_token_org',
        'environment octo/app staging as META_TOKEN_STAGING previous=META_TOKEN_STAGING_OLD pages=false',
        'repo octo/api'
      ].join('\n'),
      { secretName: 'META_TOKEN', previousSecretName: 'META_TOKEN_OLD' }
    )
    expect(problems).toEqual([])
    expect(destinations.map((d) => [d.secretName, d.previousSecretName, d.pages])).toEqual([
      ['META_TOKEN_ORG', 'META_TOKEN_OLD', true],
      ['META_TOKEN_STAGING', 'META_TOKEN_STAGING_OLD', false],
      ['META_TOKEN', 'META_TOKEN_OLD', true]
    ])
    expect(destinations[0]).toMatchObject({ visibility: 'selected', selectedRepositories: ['app'] })
  })

  test('the same repository twice with two secret names is two destinations', () => {
    const { destinations, problems } = parsed('repo octo/app\nrepo octo/app as META_TOKEN_COPY')
    expect(problems).toEqual([])
    expect(destinations).toHaveLength(2)
  })
})

describe('a malformed line is refused with its number', () => {
  test.each([
    ['repo octo', /^line 1: 'octo' is not owner\/repo\.$/],
    ['repository octo/app extra', /^line 1: 'extra' is one word too many: the form is 'repo OWNER\/REPO'/],
    ['environment octo/app', /^line 1: is incomplete: the form is 'environment OWNER\/REPO ENVIRONMENT'/],
    ['environment octo/app ..', /^line 1: '\.\.' is not an environment name/],
    ['reop octo/app', /^line 1: 'reop' is not a kind of destination; did you mean 'repo'/],
    ['organization -octo-', /^line 1: '-octo-' is not an organization login/],
    ['organization octo visibility=selected', /^line 1: visibility=selected needs repositories=/],
    ['organization octo visibility=public', /^line 1: visibility=public is not one of all, private, selected/],
    ['organization octo visibility=all repositories=app', /^line 1: repositories= applies with visibility=selected/],
    [
      'organization octo repositories=other/app',
      /^line 1: 'other\/app' in repositories= is not in organization 'octo'/
    ],
    ['repo octo/app visibility=all', /^line 1: visibility= applies to organization secrets/],
    ['repo octo/app as', /^line 1: 'as' needs the secret's name/],
    ['repo octo/app as 1TOKEN', /^line 1: '1TOKEN' \(secret\) is not a valid GitHub secret name/],
    ['repo octo/app previous=GITHUB_OLD', /^line 1: 'GITHUB_OLD' \(previous=\) is not a valid GitHub secret name/],
    ['repo octo/app previous=meta_token', /^line 1: previous=meta_token must differ/],
    ['repo octo/app colour=blue', /^line 1: 'colour'= is not an option/],
    ['repo octo/app pages=maybe', /^line 1: pages=maybe is not true or false/],
    ['repo octo/app as A as B', /^line 1: names its secret twice/],
    ['repo octo/app previous=A previous=B', /^line 1: previous= is given twice/],
    ['repo octo/app as A octo/api', /^line 1: 'octo\/api' stands after the options/],
    ['environment octo/app "prod eu', /^line 1: a double quote opens a name and must close it/],
    ['codespaces user repositories=app', /^line 1: 'app' in repositories= is not owner\/repo/],
    ['dependabot user', /^line 1: 'user' is not owner\/repo/],
    ['codespaces', /^line 1: is incomplete: the form is 'codespaces OWNER\/REPO'/]
  ])('%s', (line, expected) => {
    const problems = problemsOf(line)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(expected)
  })

  test('every bad line is named, the good ones pass, the numbers count blank and comment lines', () => {
    const problems = problemsOf(['repo octo/app', '# staging', '', 'environment octo/app', 'repo octo'].join('\n'))
    expect(problems).toEqual([
      expect.stringMatching(/^line 4: is incomplete/),
      expect.stringMatching(/^line 5: 'octo' is not owner\/repo/)
    ])
  })

  test('a line without a secret, when secret-name is empty', () => {
    expect(problemsOf('repo octo/app', {})).toEqual([
      expect.stringMatching(/^line 1: names no secret: add 'as SECRET_NAME'/)
    ])
    expect(problemsOf('repo octo/app as META_TOKEN', {})).toEqual([])
  })

  test('the same secret twice in one destination, and page tokens written twice', () => {
    expect(problemsOf('repo octo/app\nrepo octo/api\nrepo OCTO/APP'.replace('OCTO/APP', 'octo/app'))).toEqual([
      expect.stringMatching(/^line 3: writes META_TOKEN where line 1 writes it too/)
    ])
    expect(problemsOf('repo octo/app\nrepo octo/app as COPY previous=meta_token')).toEqual([
      expect.stringMatching(/^line 2: writes META_TOKEN where line 1 writes it too/)
    ])
    const pages = { secretName: 'META_TOKEN', pageSecrets: true }
    expect(problemsOf('repo octo/app\nrepo octo/app as COPY', pages)).toEqual([
      expect.stringMatching(/^line 2: writes the page tokens where line 1 writes them too: add pages=false/)
    ])
    expect(problemsOf('repo octo/app\nrepo octo/app as COPY pages=false', pages)).toEqual([])
  })

  test('empty of destinations, or more lines than an hour of writes', () => {
    expect(problemsOf('# only a comment\n\n')).toEqual([expect.stringMatching(/^no destination/)])
    expect(problemsOf(Array.from({ length: 501 }, (_, i) => `repo octo/r${i}`).join('\n'))).toEqual([
      expect.stringMatching(/^501 lines: at most 500/)
    ])
  })

  test('a credential-shaped word is refused and never echoed', () => {
    const pat = 'github_pat_11AAAAAAA0rotator0test0token'
    const meta = 'EAABsbCS1iHgBAKZCrotatorZCtestZCtoken'
    const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    for (const line of [
      `repo octo/app as ${meta}`,
      `environment octo/app ${pat}`,
      `${meta}`,
      `organization octo repositories=app,${secret}`,
      `repo octo/app previous=${pat}`
    ]) {
      const problems = problemsOf(line)
      expect(problems).toEqual([expect.stringMatching(/^line 1: a word looks like a token or a secret/)])
      expect(problems.join('')).not.toContain(pat.slice(12))
      expect(problems.join('')).not.toContain(meta.slice(4))
      expect(problems.join('')).not.toContain(secret)
    }
  })

  test('text from a line is echoed as one inert line', () => {
    const [problem] = problemsOf('repo ::stop-commands::x/y')
    expect(problem).toMatch(/^line 1: '::stop-commands::x\/y' is not owner\/repo/)
    const [odd] = problemsOf('\u001b[31mrepo octo/app')
    expect(odd).toMatch(/^line 1: '.*' is not a kind of destination/)
    expect(odd).not.toContain('\u001b')
  })
})

describe('the destinations input among the other inputs', () => {
  const base: Record<string, string> = {
    'app-id': '1234567890',
    'app-secret': 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    token: 'EAAB0current0token',
    'github-token': 'github_pat_11AAAAAAA0rotator0test0token',
    'secret-name': 'META_TOKEN'
  }
  const settings = (inputs: Record<string, string>) =>
    readSettings((name) => ({ ...base, ...inputs })[name] ?? '', { GITHUB_REPOSITORY: 'octo/here' })
  const refused = (inputs: Record<string, string>): string => {
    try {
      settings(inputs)
    } catch (error) {
      if (error instanceof RotationError) return error.message
      throw error
    }
    throw new Error('accepted')
  }

  test('the older inputs are its shorthand: the same destinations', () => {
    const older = settings({ repositories: 'octo/app', environment: 'production', 'previous-secret-name': 'OLD' })
    const listed = settings({ destinations: 'environment octo/app production', 'previous-secret-name': 'OLD' })
    expect(listed.destinations).toEqual(older.destinations)
    expect(settings({}).destinations.map((d) => d.target)).toEqual(['octo/here'])
    const org = settings({ organization: 'octo', visibility: 'selected', 'selected-repositories': 'app' })
    expect(settings({ destinations: 'organization octo visibility=selected repositories=app' }).destinations).toEqual(
      org.destinations
    )
  })

  test('both at once is an input error, before anything is minted', () => {
    for (const input of ['repositories', 'environment', 'organization', 'selected-repositories']) {
      expect(refused({ destinations: 'repo octo/app', [input]: 'octo/app' })).toMatch(
        new RegExp(`'${input}': is the older form of 'destinations', and both were given`)
      )
    }
    expect(refused({ destinations: 'repo octo/app', 'secret-type': 'dependabot' })).toMatch(
      /'secret-type': is the older form/
    )
    // The defaults action.yml fills in are no choice of the user's.
    expect(() =>
      settings({ destinations: 'repo octo/app', visibility: 'private', 'secret-type': 'actions' })
    ).not.toThrow()
  })

  test('secret-name may be empty when every line names its secret; a malformed line names the input and the line', () => {
    const listed = settings({ 'secret-name': '', destinations: 'repo octo/app as A\nrepo octo/api as B' })
    expect(listed.secretName).toBe('A')
    expect(refused({ 'secret-name': '', destinations: 'repo octo/app as A\nrepo octo/api' })).toMatch(
      /'destinations': line 2: names no secret/
    )
    expect(refused({ destinations: 'repo octo/app\nrepo nope' })).toMatch(
      /Invalid input; nothing was minted, written or revoked:\n {2}- 'destinations': line 2: 'nope' is not owner\/repo/
    )
  })

  test('previous-token needs a grace slot somewhere; page secrets need a destination that takes them', () => {
    expect(refused({ destinations: 'repo octo/app', 'previous-token': 'EAAB0previous0token' })).toMatch(
      /'previous-token': needs 'previous-secret-name' \(or previous= on a line of 'destinations'\)/
    )
    expect(() =>
      settings({ destinations: 'repo octo/app previous=OLD', 'previous-token': 'EAAB0previous0token' })
    ).not.toThrow()
    expect(refused({ destinations: 'repo octo/app pages=false', 'page-secrets': '123=PAGE' })).toMatch(
      /no destination takes the page tokens/
    )
    expect(refused({ destinations: 'repo octo/app as PAGE', 'page-secrets': '123=PAGE' })).toMatch(
      /page 123's secret 'PAGE' is also a secret of 'destinations'/
    )
  })
})
