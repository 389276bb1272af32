// This run's page on GitHub, from what the runner sets (GITHUB_SERVER_URL, GITHUB_REPOSITORY,
// GITHUB_RUN_ID): the alert's link, the heartbeat's ping, the lease's holder.

/** Undefined outside GitHub Actions (no repository or run id), or without a server and no fallback. */
export function thisRunUrl(env: NodeJS.ProcessEnv, fallbackServer?: string): string | undefined {
  const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env
  const server = env.GITHUB_SERVER_URL || fallbackServer
  if (!server || !repository || !runId) return undefined
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${runId}`
}
