// Shared by the GitHub emulator's tests: a started emulator with two organizations' repositories and
// a token allowed to write every kind of secret, and a small client that calls it over HTTP.
import sodium from 'libsodium-wrappers'
import { GitHubEmulator, type GitHubEmulatorOptions } from '../../emulators/github-emulator.js'

export const TOKEN = 'github_pat_writer'

export interface Reply {
  status: number
  body: Record<string, unknown>
  headers: Headers
}

export async function startGitHub(options?: GitHubEmulatorOptions): Promise<GitHubEmulator> {
  const github = await GitHubEmulator.start(options)
  github.addOrganization('octo')
  github.addRepository('octo/app', { id: 101, environments: ['prod/eu'] })
  github.addRepository('octo/web', { id: 102 })
  github.addRepository('other/lib', { id: 201 })
  github.addToken(TOKEN, {
    permissions: {
      secrets: 'write',
      environments: 'write',
      organization_secrets: 'write',
      dependabot_secrets: 'write',
      organization_dependabot_secrets: 'write'
    }
  })
  return github
}

export function api(github: GitHubEmulator) {
  async function call(
    method: string,
    path: string,
    options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {}
  ): Promise<Reply> {
    const token = options.token === undefined ? TOKEN : options.token
    const response = await fetch(github.url + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body ? { 'content-type': 'application/json' } : {}),
        ...options.headers
      },
      body: options.body ? JSON.stringify(options.body) : undefined
    })
    const text = await response.text()
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: response.headers
    }
  }

  /** Seals a value with the public key served at `{secretsPath}/public-key`, as a client does. */
  async function sealed(secretsPath: string, value: string, token?: string) {
    const key = await call('GET', `${secretsPath}/public-key`, { token })
    expect(key.status).toBe(200)
    const publicKey = sodium.from_base64(String(key.body.key), sodium.base64_variants.ORIGINAL)
    const encrypted = sodium.crypto_box_seal(value, publicKey)
    return {
      encrypted_value: sodium.to_base64(encrypted, sodium.base64_variants.ORIGINAL),
      key_id: String(key.body.key_id)
    }
  }

  return { call, sealed }
}
