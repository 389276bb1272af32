// Lets `npm test` and `npm run demo` work on a fresh clone: installs the locked dependencies once.
import { existsSync } from 'node:fs'
import { execSync } from 'node:child_process'

if (!existsSync(new URL('../node_modules/.package-lock.json', import.meta.url))) {
  console.log('Installing the locked dependencies (npm ci)…')
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit', cwd: new URL('..', import.meta.url) })
}
