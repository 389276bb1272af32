// The floor of the design card's stack, bundled with ncc like the action: load @actions/core,
// @actions/github and libsodium-wrappers, await sodium.ready, and nothing else. The benchmark builds
// it into a temp directory and measures the action's cold start against it.
import * as core from '@actions/core'
import * as github from '@actions/github'
import sodium from 'libsodium-wrappers'

// Referenced, so the bundler keeps both packages whole, as the action's bundle does.
if (process.env.MTR_FLOOR_NEVER) {
  core.info(String(github.context.eventName))
  github.getOctokit('never')
}
await sodium.ready
