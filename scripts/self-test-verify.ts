// `node build/scripts/self-test-verify.js`: the last step of .github/workflows/self-test.yml.
// Checks the outputs of the `uses: ./` step (passed in as environment variables, never through
// an expression in the script) and what the emulators started by emulators-serve.ts now hold.
//   ROTATED, REVOKED, EXPIRES_AT, TOKEN_TYPE, SECRETS   the step's outputs
//   EMULATOR_VERIFY_URL                                 GET it for the fixture's verification
// Exits 0 only when the token was rotated, stored in every repository and the old one revoked.
import type { FixtureVerification } from './emulators-serve.js'

interface Check {
  ok: boolean
  what: string
}

export function checkOutputs(env: NodeJS.ProcessEnv): Check[] {
  let secrets: Array<{ status?: string }> = []
  try {
    secrets = JSON.parse(env.SECRETS ?? '') as Array<{ status?: string }>
  } catch {
    // reported below
  }
  return [
    { ok: env.ROTATED === 'true', what: `output rotated is 'true' (got '${env.ROTATED ?? ''}')` },
    { ok: env.REVOKED === 'true', what: `output revoked is 'true' (got '${env.REVOKED ?? ''}')` },
    {
      ok: !Number.isNaN(Date.parse(env.EXPIRES_AT ?? '')),
      what: `output expires-at is an ISO 8601 date (got '${env.EXPIRES_AT ?? ''}')`
    },
    {
      ok: env.TOKEN_TYPE === 'system-user',
      what: `output token-type is 'system-user' (got '${env.TOKEN_TYPE ?? ''}')`
    },
    {
      ok: secrets.length === 2 && secrets.every((s) => s.status === 'created' || s.status === 'updated'),
      what: `output secrets lists 2 destinations, each created or updated (got ${secrets.length})`
    }
  ]
}

export function checkFixture(verification: FixtureVerification): Check[] {
  return [
    ...verification.repositories.map((r) => ({
      ok: r.holdsNewToken && r.allEqual,
      what: `${r.repository}: ${verification.secretName} holds the new token`
    })),
    { ok: verification.newTokenUsable, what: 'the new token is usable at Meta (Graph emulator)' },
    { ok: verification.oldTokenRevoked, what: 'the old token is revoked' },
    { ok: verification.ok, what: 'the fixture reports ok' }
  ]
}

async function main(): Promise<boolean> {
  const url = process.env.EMULATOR_VERIFY_URL
  if (!url)
    throw new Error(
      'EMULATOR_VERIFY_URL is not set: run emulators-serve.js first and load its file into the environment'
    )
  const response = await fetch(url)
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`)
  const verification = (await response.json()) as FixtureVerification
  const checks = [...checkOutputs(process.env), ...checkFixture(verification)]
  for (const check of checks) console.log(`${check.ok ? '✔' : '✘'} ${check.what}`)
  const failed = checks.filter((check) => !check.ok).length
  console.log(
    failed === 0 ? 'PASS: rotated, stored in both repositories, old token revoked.' : `FAIL: ${failed} check(s) failed.`
  )
  return failed === 0
}

main().then(
  (passed) => {
    process.exitCode = passed ? 0 : 1
  },
  (error: unknown) => {
    console.error(`FAIL: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
)
