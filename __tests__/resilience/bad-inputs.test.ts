// Malformed and contradictory inputs: each is rejected with a message that names the input and a fix,
// before any token is minted or written. Input errors are caught before any request at all; what only
// Meta can tell (a token of another app, a token type that cannot be revoked) is caught at [check],
// after debug_token and nothing else. Every run is also leak-scanned (support/world.ts).
import { afterAll, afterEach, beforeEach, expect, test } from '@jest/globals'
import {
  ADMIN_USER,
  APP_ID,
  BUSINESS,
  leakScan,
  runWithInputs,
  startWorld,
  SYSTEM_USER,
  type World
} from '../support/world.js'
import { writeFigures } from './harness.js'

const OTHER_APP = { id: '9876543210', secret: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' }

let world: World
beforeEach(async () => {
  world = await startWorld()
  world.graph.addApp({ id: OTHER_APP.id, secret: OTHER_APP.secret, name: 'Other App' })
  world.graph.addBusiness({ id: BUSINESS, adminUserIds: [ADMIN_USER] })
  world.graph.addSystemUser({ id: SYSTEM_USER, businessId: BUSINESS, installedAppIds: [APP_ID] })
})
afterEach(async () => {
  await world.stop()
})

const tried: string[] = []
const cleanlyRejected: string[] = []
afterAll(() => {
  writeFigures('bad-inputs', {
    tried: tried.length,
    cleanlyRejected: cleanlyRejected.length,
    notCleanlyRejected: tried.filter((name) => !cleanlyRejected.includes(name)),
    leakScan: { ...leakScan }
  })
})

interface BadInput {
  name: string
  /** The inputs, given the world: overrides of world.inputs(). */
  overrides: (w: World) => Record<string, string>
  /** The input the message must name, quoted as the action quotes it. */
  input: string
  /** How the message names the input, when not as 'input' in quotes. */
  named?: RegExp
  /** 'inputs': rejected before any request. 'check': after debug_token only. 'mint': refused by Meta, nothing minted. */
  step?: 'inputs' | 'check' | 'mint'
  /** What the message must say besides the input's name. */
  says?: RegExp
}

const generate = (w: World, extra: Record<string, string> = {}): Record<string, string> => ({
  strategy: 'generate',
  token: '',
  'system-user-id': SYSTEM_USER,
  'admin-token': w.graph.issueToken({
    appId: APP_ID,
    type: 'USER',
    userId: ADMIN_USER,
    scopes: ['business_management']
  }),
  scopes: 'ads_read,business_management',
  ...extra
})
const fixed = (overrides: Record<string, string>) => (): Record<string, string> => overrides
const BIG_TOKEN = `EAA${'x'.repeat(49 * 1024)}`

const CASES: BadInput[] = [
  // Meta side: required, empty, whitespace-only, malformed
  { name: 'app-id empty', overrides: fixed({ 'app-id': '' }), input: 'app-id', says: /required/ },
  { name: 'app-id whitespace-only', overrides: fixed({ 'app-id': ' \n\t ' }), input: 'app-id', says: /required/ },
  {
    name: 'app-id not a number',
    overrides: fixed({ 'app-id': 'my-app' }),
    input: 'app-id',
    says: /app ids are numbers/
  },
  { name: 'app-id a decimal', overrides: fixed({ 'app-id': '1234.5' }), input: 'app-id', says: /not a Meta app id/ },
  { name: 'app-secret empty', overrides: fixed({ 'app-secret': '' }), input: 'app-secret', says: /required/ },
  {
    name: 'app-secret whitespace-only',
    overrides: fixed({ 'app-secret': '   ' }),
    input: 'app-secret',
    says: /required/
  },
  {
    name: 'app-secret with a space inside',
    overrides: fixed({ 'app-secret': 'a1b2c3d4 e5f60718293a4b5c6d7e8f90' }),
    input: 'app-secret',
    says: /spaces/
  },
  {
    name: 'app-secret over 48 KB',
    overrides: fixed({ 'app-secret': 'a'.repeat(49 * 1024) }),
    input: 'app-secret',
    says: /48 KB/
  },
  { name: 'token empty with strategy refresh', overrides: fixed({ token: '' }), input: 'token', says: /required/ },
  { name: 'token whitespace-only', overrides: fixed({ token: ' \n ' }), input: 'token', says: /required/ },
  { name: 'token of 49 KB', overrides: fixed({ token: BIG_TOKEN }), input: 'token', says: /48 KB/ },
  {
    name: 'token with non-ASCII characters',
    overrides: fixed({ token: 'EAAB\u00e9\u00e8\u4e2d\u6587token0000000000' }),
    input: 'token',
    says: /non-ASCII/
  },
  {
    name: 'token with a line break inside',
    overrides: fixed({ token: 'EAABfirst0000000000\nEAABsecond000000000' }),
    input: 'token',
    says: /line breaks/
  },
  { name: 'strategy unknown', overrides: fixed({ strategy: 'rotate' }), input: 'strategy', says: /not one of/ },
  { name: 'strategy in capitals', overrides: fixed({ strategy: 'REFRESH' }), input: 'strategy', says: /not one of/ },
  {
    name: 'system-user-id not a number',
    overrides: (w) => generate(w, { 'system-user-id': 'bot-user' }),
    input: 'system-user-id',
    says: /ids are numbers/
  },
  {
    name: 'admin-token with non-ASCII',
    overrides: (w) => generate(w, { 'admin-token': 'EAAB\u00fcber000000000000' }),
    input: 'admin-token',
    says: /non-ASCII/
  },
  {
    name: 'scopes not permission names',
    overrides: fixed({ scopes: 'Ads-Read' }),
    input: 'scopes',
    says: /not a permission name/
  },
  // A scope missing from the list known here is only a warning (Meta adds permissions): Meta itself
  // refuses a name that does not exist, before minting anything.
  {
    name: 'generate with an unknown scope',
    overrides: (w) => generate(w, { scopes: 'ads_reed' }),
    input: 'scopes',
    step: 'mint',
    says: /ads_reed.*Fix: Meta does not know a permission named in 'scopes'/
  },
  {
    name: 'generate with a scope system users never get',
    overrides: (w) => generate(w, { scopes: 'user_friends' }),
    input: 'scopes',
    step: 'mint',
    says: /user_friends.*Fix: Meta does not know a permission named in 'scopes'/
  },
  {
    name: 'generate without system-user-id',
    overrides: (w) => generate(w, { 'system-user-id': '' }),
    input: 'system-user-id',
    says: /required with strategy: generate/
  },
  {
    name: 'generate without admin-token',
    overrides: (w) => generate(w, { 'admin-token': '' }),
    input: 'admin-token',
    says: /required with strategy: generate/
  },
  {
    name: 'generate without scopes',
    overrides: (w) => generate(w, { scopes: ' , ' }),
    input: 'scopes',
    says: /required with strategy: generate/
  },
  {
    name: 'revoke: true with generate and no token',
    overrides: (w) => generate(w, { revoke: 'true' }),
    input: 'revoke',
    says: /needs the old token/
  },
  {
    name: 'generate with page-secrets naming a page that is not a Graph id',
    overrides: (w) => generate(w, { 'page-secrets': '200000000000001/../oauth/revoke=SHOP' }),
    input: 'page-secrets',
    says: /not PAGE_ID=SECRET_NAME/
  },
  {
    name: 'install-app with strategy refresh',
    overrides: fixed({ 'install-app': 'true', 'system-user-id': SYSTEM_USER }),
    input: 'install-app',
    says: /only applies to strategy: generate/
  },
  {
    name: 'install-app without system-user-id',
    overrides: (w) => generate(w, { 'install-app': 'true', 'system-user-id': '' }),
    input: 'install-app',
    says: /system-user-id/
  },
  // Booleans and enums
  { name: 'dry-run: yes', overrides: fixed({ 'dry-run': 'yes' }), input: 'dry-run', says: /not a boolean/ },
  { name: 'expiring: 1', overrides: fixed({ expiring: '1' }), input: 'expiring', says: /not a boolean/ },
  { name: 'install-app: on', overrides: fixed({ 'install-app': 'on' }), input: 'install-app', says: /not a boolean/ },
  { name: 'revoke: always', overrides: fixed({ revoke: 'always' }), input: 'revoke', says: /not one of/ },
  // Durations
  {
    name: 'rotate-before: 2w',
    overrides: fixed({ 'rotate-before': '2w' }),
    input: 'rotate-before',
    says: /not a duration/
  },
  {
    name: 'rotate-before: -1d',
    overrides: fixed({ 'rotate-before': '-1d' }),
    input: 'rotate-before',
    says: /not a duration/
  },
  {
    name: 'rotate-before: 14 (no unit)',
    overrides: fixed({ 'rotate-before': '14' }),
    input: 'rotate-before',
    says: /not a duration/
  },
  {
    name: 'rotate-before: 0d',
    overrides: fixed({ 'rotate-before': '0d' }),
    input: 'rotate-before',
    says: /not a duration/
  },
  {
    name: 'request-timeout: soon',
    overrides: fixed({ 'request-timeout': 'soon' }),
    input: 'request-timeout',
    says: /not a duration/
  },
  {
    name: 'request-timeout in days',
    overrides: fixed({ 'request-timeout': '1d' }),
    input: 'request-timeout',
    says: /not a duration/
  },
  // Upper bounds: a timer past 2^31 - 1 ms fires at once (Node), a date past year 275760 is no date.
  {
    name: 'request-timeout past the timer limit (35,792m)',
    overrides: fixed({ 'request-timeout': '35792m' }),
    input: 'request-timeout',
    says: /longer than 30m/
  },
  {
    name: 'request-timeout: 31m',
    overrides: fixed({ 'request-timeout': '31m' }),
    input: 'request-timeout',
    says: /longer than 30m/
  },
  {
    name: 'rotate-before: 999999d',
    overrides: fixed({ 'rotate-before': '999999d' }),
    input: 'rotate-before',
    says: /longer than 365d/
  },
  {
    name: 'deploy-timeout past the timer limit (999999m)',
    overrides: fixed({ 'deploy-workflows': '.github/workflows/deploy.yml', 'deploy-timeout': '999999m' }),
    input: 'deploy-timeout',
    says: /outside 1m to 5h/
  },
  // A credential where a name goes: refused, and (the leak scan) never echoed, not even in the title.
  {
    name: 'secret-name holding a Graph token',
    overrides: (w) => ({ 'secret-name': w.graph.issueToken({ appId: APP_ID, type: 'USER', userId: ADMIN_USER }) }),
    input: 'secret-name',
    says: /looks like a token/
  },
  {
    name: 'previous-secret-name holding a Graph token',
    overrides: (w) => ({
      'previous-secret-name': w.graph.issueToken({ appId: APP_ID, type: 'USER', userId: ADMIN_USER })
    }),
    input: 'previous-secret-name',
    says: /looks like a token/
  },
  {
    name: 'secret-name holding the app secret',
    overrides: fixed({ 'secret-name': 'f0e1d2c3b4a5968778695a4b3c2d1e0f' }),
    input: 'secret-name',
    says: /looks like a token/
  },
  {
    name: 'environment holding a Graph token',
    overrides: (w) => ({ environment: w.graph.issueToken({ appId: APP_ID, type: 'USER', userId: ADMIN_USER }) }),
    input: 'environment',
    says: /looks like a token/
  },
  // Concurrency
  {
    name: 'max-concurrency: 0',
    overrides: fixed({ 'max-concurrency': '0' }),
    input: 'max-concurrency',
    says: /1 to 64/
  },
  {
    name: 'max-concurrency: 65',
    overrides: fixed({ 'max-concurrency': '65' }),
    input: 'max-concurrency',
    says: /1 to 64/
  },
  {
    name: 'max-concurrency: abc',
    overrides: fixed({ 'max-concurrency': 'abc' }),
    input: 'max-concurrency',
    says: /1 to 64/
  },
  {
    name: 'max-concurrency: 2.5',
    overrides: fixed({ 'max-concurrency': '2.5' }),
    input: 'max-concurrency',
    says: /whole number/
  },
  // URLs and versions
  {
    name: 'graph-api-url over http to a non-loopback host',
    overrides: fixed({ 'graph-api-url': 'http://graph.example.com' }),
    input: 'graph-api-url',
    says: /must use https/
  },
  {
    name: 'graph-api-url with credentials',
    overrides: fixed({ 'graph-api-url': 'https://user:hunter2pass@graph.example.com' }),
    input: 'graph-api-url',
    says: /credentials/
  },
  {
    name: 'graph-api-url with a query',
    overrides: fixed({ 'graph-api-url': 'https://graph.example.com/?access_token=x' }),
    input: 'graph-api-url',
    says: /query/
  },
  {
    name: 'graph-api-url not a URL',
    overrides: fixed({ 'graph-api-url': 'graph.facebook.com' }),
    input: 'graph-api-url',
    says: /not a URL/
  },
  {
    name: 'github-api-url over http to a non-loopback host',
    overrides: fixed({ 'github-api-url': 'http://github.example.com/api/v3' }),
    input: 'github-api-url',
    says: /must use https/
  },
  {
    name: 'graph-api-version without v',
    overrides: fixed({ 'graph-api-version': '26.0' }),
    input: 'graph-api-version',
    says: /not a Graph API version/
  },
  // Secret names
  { name: 'secret-name empty', overrides: fixed({ 'secret-name': '' }), input: 'secret-name', says: /required/ },
  {
    name: 'secret-name starting with a digit',
    overrides: fixed({ 'secret-name': '1TOKEN' }),
    input: 'secret-name',
    says: /starts with a digit/
  },
  {
    name: 'secret-name reserved GITHUB_ prefix',
    overrides: fixed({ 'secret-name': 'github_meta' }),
    input: 'secret-name',
    says: /reserved/
  },
  {
    name: 'secret-name with a dash',
    overrides: fixed({ 'secret-name': 'META-TOKEN' }),
    input: 'secret-name',
    says: /only letters, digits and underscores/
  },
  {
    name: 'secret-name with a space',
    overrides: fixed({ 'secret-name': 'META TOKEN' }),
    input: 'secret-name',
    says: /only letters, digits and underscores/
  },
  {
    name: 'previous-secret-name invalid',
    overrides: fixed({ 'previous-secret-name': '2PREVIOUS' }),
    input: 'previous-secret-name',
    says: /starts with a digit/
  },
  {
    name: 'previous-secret-name equal to secret-name in another case',
    overrides: fixed({ 'previous-secret-name': 'meta_token' }),
    input: 'previous-secret-name',
    says: /must differ/
  },
  {
    name: 'previous-token without previous-secret-name',
    overrides: (w) => ({ 'previous-token': w.issue('SYSTEM_USER') }),
    input: 'previous-token',
    says: /needs 'previous-secret-name'/
  },
  // destinations
  {
    name: 'destinations: a malformed line, named by its number',
    overrides: fixed({ repositories: '', destinations: 'repo octo/app\n# staging\nenvironment octo/app' }),
    input: 'destinations',
    says: /line 3: is incomplete: the form is 'environment OWNER\/REPO ENVIRONMENT'/
  },
  {
    name: 'destinations: an unknown kind of destination',
    overrides: fixed({ repositories: '', destinations: 'reop octo/app' }),
    input: 'destinations',
    says: /line 1: 'reop' is not a kind of destination; did you mean 'repo'/
  },
  {
    name: 'destinations: not owner/repo',
    overrides: fixed({ repositories: '', destinations: 'repo octo/app\ndependabot octo' }),
    input: 'destinations',
    says: /line 2: 'octo' is not owner\/repo/
  },
  {
    name: 'destinations: visibility selected without repositories',
    overrides: fixed({ repositories: '', destinations: 'organization octo visibility=selected' }),
    input: 'destinations',
    says: /line 1: visibility=selected needs repositories=/
  },
  {
    name: 'destinations: an invalid secret name after as',
    overrides: fixed({ repositories: '', destinations: 'environment octo/app production as GITHUB_TOKEN' }),
    input: 'destinations',
    says: /line 1: 'GITHUB_TOKEN' \(secret\) is not a valid GitHub secret name/
  },
  {
    name: 'destinations: a grace slot equal to its secret',
    overrides: fixed({ repositories: '', destinations: 'repo octo/app previous=meta_token' }),
    input: 'destinations',
    says: /line 1: previous=meta_token must differ/
  },
  {
    name: 'destinations: the same secret twice in one destination',
    overrides: fixed({ repositories: '', destinations: 'repo octo/app\nrepo octo/app' }),
    input: 'destinations',
    says: /line 2: writes META_TOKEN where line 1 writes it too/
  },
  {
    name: 'destinations: a line without a secret and no secret-name',
    overrides: fixed({ repositories: '', 'secret-name': '', destinations: 'repo octo/app as A\nrepo octo/api' }),
    input: 'destinations',
    says: /line 2: names no secret/
  },
  {
    name: 'destinations: a token pasted into a line',
    overrides: (w) => ({ repositories: '', destinations: `repo octo/app as ${w.token}` }),
    input: 'destinations',
    says: /line 1: a word looks like a token or a secret/
  },
  {
    name: 'destinations together with repositories',
    overrides: fixed({ repositories: 'octo/app', destinations: 'repo octo/api' }),
    input: 'repositories',
    says: /is the older form of 'destinations', and both were given/
  },
  {
    name: 'destinations together with environment',
    overrides: fixed({ repositories: '', environment: 'production', destinations: 'repo octo/api' }),
    input: 'environment',
    says: /is the older form of 'destinations'/
  },
  // page-secrets
  {
    name: 'page-secrets: page id not a number',
    overrides: fixed({ 'page-secrets': 'shop=SHOP_TOKEN' }),
    input: 'page-secrets',
    says: /not PAGE_ID=SECRET_NAME/
  },
  {
    name: 'page-secrets: no secret name',
    overrides: fixed({ 'page-secrets': '200000000000001=' }),
    input: 'page-secrets',
    says: /not PAGE_ID=SECRET_NAME/
  },
  {
    name: 'page-secrets: no equals sign',
    overrides: fixed({ 'page-secrets': '200000000000001 SHOP_TOKEN' }),
    input: 'page-secrets',
    says: /not PAGE_ID=SECRET_NAME/
  },
  {
    name: 'page-secrets: invalid secret name',
    overrides: fixed({ 'page-secrets': '200000000000001=SHOP-TOKEN' }),
    input: 'page-secrets',
    says: /not a valid GitHub secret name/
  },
  {
    name: 'page-secrets: a page listed twice',
    overrides: fixed({ 'page-secrets': '200000000000001=SHOP\n200000000000001=SHOP2' }),
    input: 'page-secrets',
    says: /listed twice/
  },
  {
    name: 'page-secrets: two pages, one secret (names differ only in case)',
    overrides: fixed({ 'page-secrets': '200000000000001=PAGE_TOKEN\n200000000000002=page_token' }),
    input: 'page-secrets',
    says: /pages 200000000000001 and 200000000000002 both name the secret 'page_token'/
  },
  {
    name: 'page-secrets: a page secret that is previous-secret-name',
    overrides: fixed({
      'previous-secret-name': 'META_TOKEN_PREVIOUS',
      'page-secrets': '200000000000001=META_TOKEN_PREVIOUS'
    }),
    input: 'page-secrets',
    says: /is also 'previous-secret-name'/
  },
  {
    name: 'page-secrets: the secret-name again',
    overrides: fixed({ 'page-secrets': '200000000000001=meta_token' }),
    input: 'page-secrets',
    says: /also 'secret-name'/
  },
  // Path segments and URLs that would change the request path
  {
    name: "repositories: 'octo/..'",
    overrides: fixed({ repositories: 'octo/..' }),
    input: 'repositories',
    says: /not owner\/repo/
  },
  {
    name: "repositories: 'octo/.'",
    overrides: fixed({ repositories: 'octo/.' }),
    input: 'repositories',
    says: /not owner\/repo/
  },
  {
    name: "environment: '..'",
    overrides: fixed({ environment: '..' }),
    input: 'environment',
    says: /'\.' and '\.\.' are not names/
  },
  {
    name: "environment: '.'",
    overrides: fixed({ environment: '.' }),
    input: 'environment',
    says: /not an environment name/
  },
  {
    name: "environment: 'prod/../x'",
    overrides: fixed({ environment: 'prod/../x' }),
    input: 'environment',
    says: /not an environment name/
  },
  {
    name: "selected-repositories: '..'",
    overrides: fixed({ organization: 'octo', repositories: '', visibility: 'selected', 'selected-repositories': '..' }),
    input: 'selected-repositories',
    says: /not a repository name/
  },
  {
    name: "graph-api-url ending in '?'",
    overrides: (w) => ({ 'graph-api-url': `${w.graph.url}/?` }),
    input: 'graph-api-url',
    says: /query, fragment or credentials/
  },
  {
    name: "graph-api-url ending in '#'",
    overrides: (w) => ({ 'graph-api-url': `${w.graph.url}#` }),
    input: 'graph-api-url',
    says: /query, fragment or credentials/
  },
  {
    name: 'github-api-url with a query',
    overrides: (w) => ({ 'github-api-url': `${w.github.url}?x=1` }),
    input: 'github-api-url',
    says: /query, fragment or credentials/
  },
  {
    name: "github-api-url with a '..' segment",
    overrides: (w) => ({ 'github-api-url': `${w.github.url}/api/../x` }),
    input: 'github-api-url'
  },
  {
    name: "graph-api-url with '..' segments written %2e",
    overrides: (w) => ({ 'graph-api-url': `${w.graph.url}/%2e%2e/%2E%2e/evil` }),
    input: 'graph-api-url',
    says: /path segments/
  },
  {
    name: "github-api-url with a '..' segment half written %2e",
    overrides: (w) => ({ 'github-api-url': `${w.github.url}/api/v3/.%2e/x` }),
    input: 'github-api-url',
    says: /path segments/
  },
  {
    name: "graph-api-url with '..' split by a tab (URL drops it)",
    overrides: (w) => ({ 'graph-api-url': `${w.graph.url}/proxy/.\t./other` }),
    input: 'graph-api-url',
    says: /tabs, line breaks/
  },
  {
    name: "github-api-url with '..' split by a line break",
    overrides: (w) => ({ 'github-api-url': `${w.github.url}/.\n./x` }),
    input: 'github-api-url',
    says: /tabs, line breaks/
  },
  {
    name: "github-api-url with '..' after a backslash (read as /)",
    overrides: () => ({ 'github-api-url': 'https://ghe.example\\..\\x' }),
    input: 'github-api-url',
    says: /path segments/
  },
  // Whose token: with generate, 'token' is never the admin token
  {
    name: 'generate with the admin token as token',
    overrides: (w) => {
      const inputs = generate(w)
      return { ...inputs, token: inputs['admin-token'] as string }
    },
    input: 'token',
    says: /same token as 'admin-token'/
  },
  {
    name: 'previous-token equal to the admin token',
    overrides: (w) => {
      const inputs = generate(w)
      return {
        ...inputs,
        'previous-secret-name': 'META_TOKEN_PREVIOUS',
        'previous-token': inputs['admin-token'] as string
      }
    },
    input: 'previous-token',
    says: /same token as 'admin-token'/
  },
  // strategy: instagram has no revoke, no inspectable expiry, no page tokens
  {
    name: 'instagram with revoke: true',
    overrides: fixed({ strategy: 'instagram', revoke: 'true' }),
    input: 'revoke',
    says: /Instagram has no revoke endpoint/
  },
  {
    name: 'instagram with page-secrets',
    overrides: fixed({ strategy: 'instagram', 'page-secrets': '200000000000001=SHOP' }),
    input: 'page-secrets',
    says: /does not apply to Instagram Login tokens/
  },
  {
    name: 'instagram with scopes',
    overrides: fixed({ strategy: 'instagram', scopes: 'instagram_business_basic' }),
    input: 'scopes',
    says: /does not apply to Instagram Login tokens/
  },
  {
    name: 'instagram with rotate-before',
    overrides: fixed({ strategy: 'instagram', 'rotate-before': '14d' }),
    input: 'rotate-before',
    says: /expiry cannot be read/
  },
  {
    name: 'instagram without a token',
    overrides: fixed({ strategy: 'instagram', token: '' }),
    input: 'token',
    says: /required: pass the current long-lived Instagram User token/
  },
  {
    name: 'instagram-api-url over plain http',
    overrides: fixed({ strategy: 'instagram', 'instagram-api-url': 'http://graph.instagram.com' }),
    input: 'instagram-api-url',
    says: /must use https/
  },
  // GitHub side: destinations and their contradictions
  {
    name: 'github-token empty',
    overrides: fixed({ 'github-token': '' }),
    input: 'github-token',
    says: /GITHUB_TOKEN cannot write secrets/
  },
  {
    name: 'github-token whitespace-only',
    overrides: fixed({ 'github-token': '  ' }),
    input: 'github-token',
    says: /required/
  },
  {
    name: 'github-token with a space inside',
    overrides: fixed({ 'github-token': 'github_pat_11AAAA AAAA0rotator' }),
    input: 'github-token',
    says: /spaces/
  },
  {
    name: 'repositories not owner/repo',
    overrides: fixed({ repositories: 'octo/app\nnot-a-repository' }),
    input: 'repositories',
    says: /not owner\/repo/
  },
  {
    name: 'repositories with a path',
    overrides: fixed({ repositories: 'octo/app/tree/main' }),
    input: 'repositories',
    says: /not owner\/repo/
  },
  {
    name: 'repositories empty outside Actions',
    overrides: fixed({ repositories: '' }),
    input: 'repositories',
    says: /GITHUB_REPOSITORY/
  },
  {
    name: 'organization not a login',
    overrides: fixed({ organization: 'octo_org!' }),
    input: 'organization',
    says: /not an organization login/
  },
  { name: 'secret-type unknown', overrides: fixed({ 'secret-type': 'npm' }), input: 'secret-type', says: /not one of/ },
  {
    name: 'visibility unknown',
    overrides: fixed({ organization: 'octo', visibility: 'public' }),
    input: 'visibility',
    says: /not one of/
  },
  {
    name: 'visibility without organization',
    overrides: fixed({ visibility: 'all' }),
    input: 'visibility',
    says: /set 'organization'/
  },
  {
    name: 'visibility selected without selected-repositories',
    overrides: fixed({ organization: 'octo', repositories: '', visibility: 'selected' }),
    input: 'selected-repositories',
    says: /required with visibility: selected/
  },
  {
    name: 'selected-repositories without visibility selected',
    overrides: fixed({ organization: 'octo', 'selected-repositories': 'app' }),
    input: 'selected-repositories',
    says: /only applies with visibility: selected/
  },
  {
    name: 'selected-repositories of another owner',
    overrides: fixed({
      organization: 'octo',
      repositories: '',
      visibility: 'selected',
      'selected-repositories': 'app, other/api'
    }),
    input: 'selected-repositories',
    says: /not in organization 'octo'/
  },
  {
    name: 'environment with secret-type dependabot',
    overrides: fixed({ environment: 'prod/eu', 'secret-type': 'dependabot' }),
    input: 'environment',
    says: /only Actions secrets/
  },
  {
    name: 'environment with secret-type codespaces',
    overrides: fixed({ environment: 'prod/eu', 'secret-type': 'codespaces' }),
    input: 'secret-type',
    says: /no environments/
  },
  {
    name: 'environment with organization and no repositories',
    overrides: fixed({ environment: 'prod/eu', organization: 'octo', repositories: '' }),
    input: 'environment',
    says: /belong to repositories/
  },
  // Deploy and keep-alive
  {
    name: 'deploy-workflows not a workflow path',
    overrides: fixed({ 'deploy-workflows': 'octo/site/deploy.yml' }),
    input: 'deploy-workflows',
    says: /is not owner\/repo\/\.github\/workflows\/file\.yml@ref/
  },
  {
    name: 'deploy-workflows with a path-changing repository',
    overrides: fixed({ 'deploy-workflows': 'octo/../.github/workflows/deploy.yml' }),
    input: 'deploy-workflows',
    says: /is not owner\/repo/
  },
  {
    name: 'deploy-workflows with a ref carrying ..',
    overrides: fixed({ 'deploy-workflows': 'octo/site/.github/workflows/deploy.yml@main..x' }),
    input: 'deploy-workflows',
    says: /not a branch or tag name/
  },
  {
    name: 'deploy-workflows bare path outside GitHub Actions',
    overrides: fixed({ 'deploy-workflows': '.github/workflows/deploy.yml' }),
    input: 'deploy-workflows',
    says: /no GITHUB_REPOSITORY/
  },
  {
    name: 'deploy-workflows listed twice',
    overrides: fixed({
      'deploy-workflows': 'octo/site/.github/workflows/deploy.yml\nOcto/Site/.github/workflows/deploy.yml'
    }),
    input: 'deploy-workflows',
    says: /listed twice/
  },
  {
    name: 'deploy-timeout not a duration',
    overrides: fixed({ 'deploy-workflows': 'octo/site/.github/workflows/deploy.yml', 'deploy-timeout': 'soon' }),
    input: 'deploy-timeout',
    says: /not a duration/
  },
  {
    name: 'deploy-timeout longer than a job',
    overrides: fixed({ 'deploy-workflows': 'octo/site/.github/workflows/deploy.yml', 'deploy-timeout': '7h' }),
    input: 'deploy-timeout',
    says: /outside 1m to 5h/
  },
  {
    name: 'deploy-timeout without deploy-workflows',
    overrides: fixed({ 'deploy-timeout': '10m' }),
    input: 'deploy-timeout',
    says: /only applies with 'deploy-workflows'/
  },
  {
    name: 'keep-alive not a boolean',
    overrides: fixed({ 'keep-alive': 'yes' }),
    input: 'keep-alive',
    says: /not a boolean/
  },
  // Heartbeat: the URL is a credential, so no problem with it ever echoes it
  {
    name: 'heartbeat-url not a URL',
    overrides: fixed({ 'heartbeat-url': 'hc-ping.com/0c8f6a8e-secret-check-key' }),
    input: 'heartbeat-url',
    says: /is not a URL; use the check's ping URL.*\(the URL itself is not shown/
  },
  {
    name: 'heartbeat-url over plain http',
    overrides: fixed({ 'heartbeat-url': 'http://hc-ping.com/0c8f6a8e-secret-check-key' }),
    input: 'heartbeat-url',
    says: /must use https/
  },
  {
    name: 'heartbeat-url with a query',
    overrides: fixed({ 'heartbeat-url': 'https://hc-ping.com/0c8f6a8e-secret-check-key?create=1' }),
    input: 'heartbeat-url',
    says: /must not carry a query/
  },
  {
    name: 'heartbeat-url without a check',
    overrides: fixed({ 'heartbeat-url': 'https://hc-ping.com/' }),
    input: 'heartbeat-url',
    says: /with the check in its path/
  },
  {
    name: 'heartbeat-url with a line break',
    overrides: fixed({ 'heartbeat-url': 'https://hc-ping.com/0c8f6a8e\n::stop-commands::x' }),
    input: 'heartbeat-url',
    says: /must not contain spaces or control characters/
  },
  {
    name: 'heartbeat-start not a boolean',
    overrides: fixed({ 'heartbeat-url': 'https://hc-ping.com/0c8f6a8e-secret-check-key', 'heartbeat-start': 'yes' }),
    input: 'heartbeat-start',
    says: /not a boolean/
  },
  // lease-wait: a duration from 0 to 6h (no job outlives that), a credential refused unseen
  {
    name: 'lease-wait: soon',
    overrides: fixed({ 'lease-wait': 'soon' }),
    input: 'lease-wait',
    says: /not a duration from 0 to 6h/
  },
  {
    name: "lease-wait past a job's longest run (7h)",
    overrides: fixed({ 'lease-wait': '7h' }),
    input: 'lease-wait',
    says: /not a duration from 0 to 6h/
  },
  {
    name: 'lease-wait in days',
    overrides: fixed({ 'lease-wait': '1d' }),
    input: 'lease-wait',
    says: /not a duration from 0 to 6h/
  },
  {
    name: 'lease-wait holding a Graph token',
    overrides: (w) => ({ 'lease-wait': w.graph.issueToken({ appId: APP_ID, type: 'USER', userId: ADMIN_USER }) }),
    input: 'lease-wait',
    says: /not a duration|looks like a token/
  },
  // expiry-variable: GitHub's rules for variable names (those of secret names), a credential refused unseen
  {
    name: 'expiry-variable with a dash',
    overrides: fixed({ 'expiry-variable': 'META-TOKEN-EXPIRES' }),
    input: 'expiry-variable',
    says: /not a valid GitHub variable name: only letters, digits and underscores/
  },
  {
    name: 'expiry-variable starting with a digit',
    overrides: fixed({ 'expiry-variable': '1_EXPIRES' }),
    input: 'expiry-variable',
    says: /starts with a digit/
  },
  {
    name: 'expiry-variable starting with GITHUB_',
    overrides: fixed({ 'expiry-variable': 'github_token_expires' }),
    input: 'expiry-variable',
    says: /reserved by GitHub/
  },
  {
    name: 'expiry-variable holding a Graph token',
    overrides: (w) => ({ 'expiry-variable': w.graph.issueToken({ appId: APP_ID, type: 'USER', userId: ADMIN_USER }) }),
    input: 'expiry-variable',
    says: /looks like a token/
  },
  {
    name: 'expiry-variable holding the github-token',
    overrides: fixed({ 'expiry-variable': 'ghp_0123456789abcdefABCDEF0123456789abcd' }),
    input: 'expiry-variable',
    says: /looks like a token/
  },
  {
    name: 'heartbeat-start without heartbeat-url',
    overrides: fixed({ 'heartbeat-start': 'true' }),
    input: 'heartbeat-start',
    says: /only applies with 'heartbeat-url'/
  },
  {
    name: 'revoke: after-deploy with strategy instagram',
    overrides: fixed({ strategy: 'instagram', 'app-id': '', 'app-secret': '', revoke: 'after-deploy' }),
    input: 'revoke',
    says: /nothing to hand over/
  },
  {
    name: 'generate-endpoint not one of its values',
    overrides: (w) => generate(w, { 'generate-endpoint': 'bussiness', 'business-id': BUSINESS }),
    input: 'generate-endpoint',
    says: /is not one of 'system-user', 'business'/
  },
  {
    name: 'generate-endpoint: business without business-id',
    overrides: (w) => generate(w, { 'generate-endpoint': 'business' }),
    input: 'business-id',
    says: /required with generate-endpoint: business/
  },
  {
    name: 'business-id not a number',
    overrides: (w) => generate(w, { 'generate-endpoint': 'business', 'business-id': 'acme-corp' }),
    input: 'business-id',
    says: /is not a business id/
  },
  {
    name: 'business-id with the system-user endpoint',
    overrides: (w) => generate(w, { 'business-id': BUSINESS }),
    input: 'business-id',
    says: /only applies to generate-endpoint: business/
  },
  {
    name: 'generate-endpoint: business with strategy refresh',
    overrides: fixed({ 'generate-endpoint': 'business' }),
    input: 'generate-endpoint',
    says: /only applies to strategy: generate/
  },
  {
    name: 'business-id with strategy refresh',
    overrides: fixed({ 'business-id': BUSINESS }),
    input: 'business-id',
    says: /only applies to strategy: generate/
  },
  // What only Meta can tell: caught at [check], after debug_token and nothing else
  {
    name: 'generate with an admin-token of another app',
    overrides: (w) =>
      generate(w, {
        'admin-token': w.graph.issueToken({ appId: OTHER_APP.id, type: 'USER', userId: ADMIN_USER })
      }),
    input: 'admin-token',
    step: 'check',
    says: /belongs to Meta app 9876543210 \(Other App\), not to 'app-id' 1234567890.* Fix: Put a token of app 1234567890/
  },
  {
    name: "generate with a system-user-id that is not the token's user_id",
    overrides: (w) => generate(w, { token: w.token }),
    input: 'system-user-id',
    step: 'check',
    says: /debug_token gives its user_id as 61550000000001\..* Fix: Set system-user-id: 61550000000001/
  },
  {
    name: 'generate with a Business Manager id as system-user-id and no token',
    overrides: (w) => generate(w, { 'system-user-id': w.graph.businessManagerIdOf(SYSTEM_USER) }),
    input: 'system-user-id',
    step: 'mint',
    says: /#100\/33.* Fix: Set 'system-user-id' to the app-scoped id/
  },
  {
    name: 'a token of another app',
    overrides: (w) => ({ token: w.issue('SYSTEM_USER', { appId: OTHER_APP.id }) }),
    input: 'token',
    step: 'check',
    says: /belongs to Meta app 9876543210/
  },
  {
    name: 'generate with a token of another app',
    overrides: (w) => generate(w, { token: w.issue('SYSTEM_USER', { appId: OTHER_APP.id }) }),
    input: 'token',
    step: 'check',
    says: /belongs to app 9876543210/
  },
  {
    name: 'previous-token of another app',
    overrides: (w) => ({
      'previous-secret-name': 'META_TOKEN_PREVIOUS',
      'previous-token': w.issue('SYSTEM_USER', { appId: OTHER_APP.id })
    }),
    input: 'previous-token',
    step: 'check',
    says: /belongs to app 9876543210/
  },
  {
    name: 'revoke: true with a user token',
    overrides: (w) => ({ token: w.issue('USER', { scopes: ['pages_show_list'] }), revoke: 'true' }),
    input: 'revoke',
    named: /revoke: true, but the current token/,
    step: 'check',
    says: /user token/
  },
  {
    name: 'page-secrets naming a page the system user token does not reach',
    overrides: fixed({ 'page-secrets': '200000000000001=SHOP_TOKEN' }),
    input: 'page-secrets',
    step: 'check',
    says: /System user 61550000000001 cannot reach page 200000000000001.*Fix: Assign the page/
  },
  {
    name: 'scopes the current token lacks',
    overrides: fixed({ scopes: 'whatsapp_business_messaging' }),
    input: 'scopes',
    step: 'check',
    says: /lacks the required scope/
  }
]

test('at least 40 bad inputs are tried', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(40)
  expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length)
})

test.each(CASES)('$name: rejected, naming the input and a fix, before anything is minted or written', async (bad) => {
  tried.push(bad.name)
  const step = bad.step ?? 'inputs'
  const inputs = world.inputs(bad.overrides(world))
  const tokensBefore = world.graph.allTokens().length
  const run = await runWithInputs(inputs)

  expect(run.failed).toBeDefined()
  const failed = run.failed as string
  expect(failed).toMatch(new RegExp(`^\\[${step}\\] `))
  if (bad.named) expect(failed).toMatch(bad.named)
  else expect(failed).toContain(`'${bad.input}'`)
  if (bad.says) expect(failed).toMatch(bad.says)
  expect(failed).toMatch(/ Fix: \S/)
  expect(run.outputs['failed-step']).toBe(step)
  expect(run.outputs.rotated ?? 'false').toBe('false')
  expect(run.outputs.token ?? '').toBe('')

  // Nothing minted, nothing written, nothing revoked.
  const graphPaths = world.graph.server.requests.map((r) => `${r.method} ${r.path}`)
  const minting = graphPaths.filter((p) =>
    /oauth\/access_token$|\/access_tokens$|\/applications$|oauth\/revoke$/.test(p)
  )
  // A Meta refusal at mint is one generate call, answered with an error.
  expect(minting).toEqual(step === 'mint' ? [expect.stringMatching(/^POST .*\/access_tokens$/)] : [])
  expect(world.github.server.requests.filter((r) => r.method !== 'GET')).toEqual([])
  // Counted, not listed: a failing test must not print a token either.
  expect(world.graph.allTokens().length).toBe(tokensBefore)
  expect(world.graph.allTokens().filter((t) => t.revoked).length).toBe(0)
  if (step === 'mint') {
    // Refused by Meta after the destinations were checked: nothing on either side changed.
    expect(world.github.server.requests.every((r) => r.method === 'GET')).toBe(true)
  } else if (step === 'inputs') {
    // Caught before any request at all.
    expect(graphPaths).toEqual([])
    expect(world.github.server.requests).toEqual([])
  } else {
    // Only Meta knows: debug_token (and, for page-secrets, the reads of the pages), nothing else on either side.
    expect(graphPaths.length).toBeGreaterThan(0)
    for (const path of graphPaths) expect(path).toMatch(/^GET \/v\d+\.\d+\/(debug_token|me\/accounts|\d+)$/)
    expect(world.github.server.requests).toEqual([])
  }
  cleanlyRejected.push(bad.name)
})
