// The destinations input: one destination a line, in GitHub's own words, each line checked before
// anything is minted and every problem named by its line number.
//
//   repo octo/app
//   environment octo/app production as META_TOKEN_PROD previous=META_TOKEN_PROD_OLD
//   organization octo visibility=selected repositories=app,api
//   dependabot octo/app
//   dependabot organization octo
//   codespaces octo/app
//   codespaces user repositories=octo/app,someone/tool
import { closestWords } from '../closest.js'
import { credentialWords } from '../credential-shape.js'
import { echoed } from '../outside-text.js'
import type { SecretType, Visibility } from '../settings.js'
import { environmentNameProblem, isOwnerName, isRepositoryName, isRepositoryShortName } from './github-names.js'
import {
  environmentDestination,
  keyScope,
  organizationDestination,
  repositoryDestination,
  userDestination,
  type Destination,
  type SecretSlots
} from './destinations.js'
import { sameSecretName, secretNameProblem } from './secret-names.js'

/** What a line that names no secret of its own writes (secret-name and previous-secret-name), and whether page-secrets is given. */
export interface LineDefaults {
  secretName?: string
  previousSecretName?: string
  pageSecrets?: boolean
}

/** The form of each line, for the messages. */
export const DESTINATION_FORMS = [
  'repo OWNER/REPO',
  'environment OWNER/REPO ENVIRONMENT',
  'organization ORG [visibility=all|private|selected] [repositories=REPO,…]',
  'dependabot OWNER/REPO',
  'dependabot organization ORG [visibility=…] [repositories=…]',
  'codespaces OWNER/REPO',
  'codespaces organization ORG [visibility=…] [repositories=…]',
  'codespaces user [repositories=OWNER/REPO,…]'
] as const

const OPTIONS = 'as SECRET_NAME, previous=SECRET_NAME, pages=false'
const KINDS = ['repo', 'repository', 'environment', 'organization', 'org', 'dependabot', 'codespaces'] as const
const KEYS = ['visibility', 'repositories', 'previous', 'pages'] as const
const VISIBILITIES: readonly Visibility[] = ['all', 'private', 'selected']
/** More lines than github.com's hourly write limit could ever serve. */
const MAX_LINES = 500

type Problem = (text: string) => void

/**
 * The destinations of the input, in the order given. Every problem goes to `problem` as
 * `line N: …`; a line with a problem yields no destination. A credential-shaped word is never echoed.
 */
export function parseDestinations(text: string, defaults: LineDefaults, problem: Problem): Destination[] {
  const destinations: Destination[] = []
  const lines = text.split(/\r?\n/)
  const meaningful = lines.filter((line) => !ignored(line)).length
  if (meaningful > MAX_LINES) {
    problem(`${meaningful} lines: at most ${MAX_LINES} (github.com allows about 500 writes an hour).`)
    return []
  }
  if (meaningful === 0) {
    problem(`no destination: write one a line, such as 'repo octo/app' or 'environment octo/app production'.`)
    return []
  }
  const taken = new Map<string, number>()
  const pagesAt = new Map<string, number>()
  lines.forEach((line, index) => {
    if (ignored(line)) return
    const number = index + 1
    const say: Problem = (why) => problem(`line ${number}: ${why}`)
    const destination = parseLine(line, defaults, say)
    if (!destination) return
    for (const name of [destination.secretName, destination.previousSecretName]) {
      if (!name) continue
      const key = `${keyScope(destination)} ${name.toUpperCase()}`
      const earlier = taken.get(key)
      if (earlier !== undefined) {
        say(
          `writes ${name} where line ${earlier} writes it too: one secret holds one token. Remove one, or name another secret with 'as'.`
        )
        return
      }
      taken.set(key, number)
    }
    if (defaults.pageSecrets && destination.pages) {
      const earlier = pagesAt.get(keyScope(destination))
      if (earlier !== undefined) {
        say(`writes the page tokens where line ${earlier} writes them too: add pages=false to one of the two.`)
        return
      }
      pagesAt.set(keyScope(destination), number)
    }
    destinations.push(destination)
  })
  return destinations
}

function ignored(line: string): boolean {
  const trimmed = line.trim()
  return trimmed === '' || trimmed.startsWith('#')
}

/** A word as a message shows it: one inert line; a credential-shaped one never. */
function quoted(word: string): string {
  return `'${echoed(word, 60)}'`
}

/** Words split on blanks; a "double-quoted" word may hold blanks (an environment named `prod eu`). */
function wordsOf(line: string): string[] | undefined {
  const words: string[] = []
  const pattern = /"([^"]*)"|(\S+)/g
  for (const match of line.matchAll(pattern)) {
    const word = match[1] ?? match[2] ?? ''
    if (match[2]?.includes('"')) return undefined
    words.push(word)
  }
  return words
}

function parseLine(line: string, defaults: LineDefaults, problem: Problem): Destination | undefined {
  const words = wordsOf(line.trim())
  if (!words) {
    problem('a double quote opens a name and must close it, as in "prod eu".')
    return undefined
  }
  // Split as a credential hides in a list too (`repositories=app,EAAB…`).
  if (credentialWords(line).length > 0) {
    // Shown by nothing but its position: nothing masks a credential where a name was expected.
    problem(
      'a word looks like a token or a secret, not a name: credentials never go into this input. Remove it (and rotate that credential if this file is shared).'
    )
    return undefined
  }
  const [kindWord = '', ...rest] = words
  const kind = kindWord.toLowerCase()
  if (!(KINDS as readonly string[]).includes(kind)) {
    const close = closestWords(kind, KINDS, 2)
    problem(
      `${quoted(kindWord)} is not a kind of destination${close.length > 0 ? `; did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : '.'} Each line is one of: ${DESTINATION_FORMS.join('; ')}.`
    )
    return undefined
  }
  const parsed = splitOptions(rest, problem)
  if (!parsed) return undefined
  const { positional, options } = parsed
  const slots = secretSlots(options, defaults, problem)
  if (!slots) return undefined
  const placed = place(kind, positional, options, slots, problem)
  if (!placed) return undefined
  for (const key of Object.keys(options.keyed)) {
    if (placed.kind !== 'organization' && placed.kind !== 'user' && (key === 'visibility' || key === 'repositories')) {
      problem(`${key}= applies to organization secrets (and repositories= to 'codespaces user').`)
      return undefined
    }
  }
  return placed
}

interface Options {
  as?: string
  keyed: Partial<Record<(typeof KEYS)[number], string>>
}

function splitOptions(words: string[], problem: Problem): { positional: string[]; options: Options } | undefined {
  const positional: string[] = []
  const options: Options = { keyed: {} }
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string
    if (word.toLowerCase() === 'as') {
      const name = words[i + 1]
      if (name === undefined) {
        problem("'as' needs the secret's name after it, as in 'as META_TOKEN_STAGING'.")
        return undefined
      }
      if (options.as !== undefined) {
        problem("names its secret twice ('as' once a line).")
        return undefined
      }
      options.as = name
      i++
      continue
    }
    const equals = word.indexOf('=')
    if (equals < 0) {
      if (Object.keys(options.keyed).length > 0 || options.as !== undefined) {
        problem(`${quoted(word)} stands after the options: the kind and its names come first, then ${OPTIONS}.`)
        return undefined
      }
      positional.push(word)
      continue
    }
    const key = word.slice(0, equals).toLowerCase()
    const value = word.slice(equals + 1)
    if (!(KEYS as readonly string[]).includes(key)) {
      const close = closestWords(key, KEYS, 2)
      problem(
        `${quoted(key)}= is not an option${close.length > 0 ? `; did you mean ${close.map((c) => `'${c}='`).join(' or ')}?` : ''}. The options are ${OPTIONS}, and for organization secrets visibility= and repositories=.`
      )
      return undefined
    }
    const typed = key as (typeof KEYS)[number]
    if (options.keyed[typed] !== undefined) {
      problem(`${key}= is given twice.`)
      return undefined
    }
    if (!value) {
      problem(`${key}= has no value.`)
      return undefined
    }
    options.keyed[typed] = value
  }
  return { positional, options }
}

function secretSlots(options: Options, defaults: LineDefaults, problem: Problem): SecretSlots | undefined {
  const secretName = options.as ?? defaults.secretName
  if (!secretName) {
    problem("names no secret: add 'as SECRET_NAME' to the line, or set secret-name for every line without one.")
    return undefined
  }
  const previousSecretName = options.keyed.previous ?? defaults.previousSecretName
  for (const [what, name] of [
    ['secret', secretName],
    ['previous=', previousSecretName]
  ] as const) {
    const why = name === undefined ? undefined : secretNameProblem(name)
    if (why) {
      problem(`${quoted(name as string)} (${what}) is not a valid GitHub secret name: ${why}.`)
      return undefined
    }
  }
  if (previousSecretName && sameSecretName(previousSecretName, secretName)) {
    problem(
      `previous=${previousSecretName} must differ from the secret it keeps the replaced token of (${secretName}; names are case-insensitive).`
    )
    return undefined
  }
  const pages = options.keyed.pages?.toLowerCase() ?? 'true'
  if (pages !== 'true' && pages !== 'false') {
    problem(`pages=${echoed(pages, 20)} is not true or false.`)
    return undefined
  }
  return {
    secretName: secretName.toUpperCase(),
    ...(previousSecretName ? { previousSecretName: previousSecretName.toUpperCase() } : {}),
    pages: pages === 'true'
  }
}

function place(
  kind: string,
  positional: string[],
  options: Options,
  slots: SecretSlots,
  problem: Problem
): Destination | undefined {
  const expect = (count: number, form: string): boolean => {
    if (positional.length === count) return true
    problem(
      positional.length < count
        ? `is incomplete: the form is '${form}'.`
        : `${quoted(positional[count] as string)} is one word too many: the form is '${form}' (then ${OPTIONS}).`
    )
    return false
  }
  switch (kind) {
    case 'repo':
    case 'repository':
      if (!expect(1, 'repo OWNER/REPO')) return undefined
      return repository(positional[0] as string, 'actions', slots, problem)
    case 'environment': {
      if (!expect(2, 'environment OWNER/REPO ENVIRONMENT')) return undefined
      const [target, environment] = positional as [string, string]
      if (!repositoryName(target, problem)) return undefined
      const why = environmentNameProblem(environment)
      if (why) {
        problem(`${quoted(environment)} is not an environment name: ${why}.`)
        return undefined
      }
      return environmentDestination(target, environment, slots)
    }
    case 'org':
    case 'organization':
      if (!expect(1, 'organization ORG')) return undefined
      return organization(positional[0] as string, 'actions', options, slots, problem)
    case 'dependabot':
    case 'codespaces': {
      const type = kind
      const [first = ''] = positional
      if (first.toLowerCase() === 'organization' || first.toLowerCase() === 'org') {
        if (!expect(2, `${type} organization ORG`)) return undefined
        return organization(positional[1] as string, type, options, slots, problem)
      }
      if (type === 'codespaces' && first.toLowerCase() === 'user') {
        if (!expect(1, 'codespaces user')) return undefined
        return user(options, slots, problem)
      }
      if (!expect(1, `${type} OWNER/REPO`)) return undefined
      return repository(first, type, slots, problem)
    }
  }
  return undefined
}

function repositoryName(target: string, problem: Problem): boolean {
  if (isRepositoryName(target)) return true
  problem(`${quoted(target)} is not owner/repo.`)
  return false
}

function repository(target: string, type: SecretType, slots: SecretSlots, problem: Problem): Destination | undefined {
  return repositoryName(target, problem) ? repositoryDestination(target, type, slots) : undefined
}

function organization(
  login: string,
  type: SecretType,
  options: Options,
  slots: SecretSlots,
  problem: Problem
): Destination | undefined {
  if (!isOwnerName(login)) {
    problem(`${quoted(login)} is not an organization login (letters, digits and dashes).`)
    return undefined
  }
  const listed = options.keyed.repositories
  const asked = options.keyed.visibility?.toLowerCase()
  if (asked !== undefined && !(VISIBILITIES as readonly string[]).includes(asked)) {
    problem(`visibility=${echoed(asked, 20)} is not one of all, private, selected.`)
    return undefined
  }
  // Naming the repositories says which visibility is meant.
  const visibility = (asked ?? (listed ? 'selected' : 'private')) as Visibility
  if (visibility === 'selected' && !listed) {
    problem(
      'visibility=selected needs repositories=: the repositories that may use the secret (names in the organization, comma-separated).'
    )
    return undefined
  }
  if (visibility !== 'selected' && listed) {
    problem(`repositories= applies with visibility=selected (is ${visibility}).`)
    return undefined
  }
  const selected: string[] = []
  for (const entry of (listed ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const parts = entry.split('/')
    const [owner, name] = parts.length === 2 ? parts : [login, entry]
    if (parts.length > 2 || !name || !isRepositoryShortName(name)) {
      problem(`${quoted(entry)} in repositories= is not a repository name.`)
      return undefined
    }
    if (owner?.toLowerCase() !== login.toLowerCase()) {
      problem(`${quoted(entry)} in repositories= is not in organization ${quoted(login)}.`)
      return undefined
    }
    if (!selected.some((s) => s.toLowerCase() === name.toLowerCase())) selected.push(name)
  }
  return organizationDestination(login, type, visibility, selected, slots)
}

function user(options: Options, slots: SecretSlots, problem: Problem): Destination | undefined {
  const selected: string[] = []
  for (const entry of (options.keyed.repositories ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    if (!isRepositoryName(entry)) {
      problem(
        `${quoted(entry)} in repositories= is not owner/repo (a user's codespaces secret may serve any owner's repositories).`
      )
      return undefined
    }
    if (!selected.some((s) => s.toLowerCase() === entry.toLowerCase())) selected.push(entry)
  }
  return userDestination(selected, slots)
}
