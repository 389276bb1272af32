import { serveFixture } from '../../scripts/emulators-serve.js'

it('serves the Instagram API emulator next to the Graph and GitHub ones', async () => {
  const fixture = await serveFixture()
  try {
    const { EMULATOR_GRAPH_URL, EMULATOR_GITHUB_URL, EMULATOR_INSTAGRAM_URL } = fixture.variables
    const urls = [EMULATOR_GRAPH_URL, EMULATOR_GITHUB_URL, EMULATOR_INSTAGRAM_URL]
    expect(new Set(urls).size).toBe(3)
    for (const url of urls) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const me = await fetch(`${EMULATOR_INSTAGRAM_URL}/me?fields=user_id,username`)
    expect(me.status).toBe(400)
    expect(((await me.json()) as { error: { code: number } }).error.code).toBe(2500)
  } finally {
    await fixture.stop()
  }
})
