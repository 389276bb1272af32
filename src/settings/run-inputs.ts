// How the run itself behaves: dry run, the deploys and the heartbeat around it, timeouts, concurrency.
import { DEFAULT_MAX_CONCURRENCY, DEFAULT_REQUEST_TIMEOUT_SECONDS, Input } from '../contract.js'
import { readDeploySettings, type DeploySettings } from '../deploy/deploy-settings.js'
import { parseDurationSeconds } from '../duration.js'
import type { HeartbeatSettings } from '../heartbeat/heartbeat.js'
import { readHeartbeatSettings } from '../heartbeat/heartbeat-settings.js'
import { readExpiryVariable } from '../expiry-variable/expiry-variable-name.js'
import { quote, type InputReading } from './input-reading.js'

/** A request that has not answered in 30 minutes will not; also far below Node's timer limit (2^31 - 1 ms). */
const MAX_REQUEST_TIMEOUT_SECONDS = 30 * 60

export interface RunInputs {
  dryRun: boolean
  deploy: DeploySettings
  heartbeat: HeartbeatSettings
  /** expiry-variable: the Actions variable that records the token's expiry in each destination's scope. */
  expiryVariable?: string
  requestTimeoutMs: number
  maxConcurrency: number
  /** lease-wait: take the secret's lease before minting and wait at most this long for another run's; undefined: no lease. */
  leaseWaitSeconds?: number
}

export function readRunInputs(inputs: InputReading, env: NodeJS.ProcessEnv): RunInputs {
  const dryRun = inputs.bool(Input.DryRun, false)
  const deploy = readDeploySettings(inputs.raw, env, inputs.naming, inputs.problem)
  const heartbeat = readHeartbeatSettings(inputs.raw, inputs.problem, dryRun, inputs.naming.name)
  const expiryVariable = readExpiryVariable(inputs.optional(Input.ExpiryVariable), (why) =>
    inputs.problem(Input.ExpiryVariable, why)
  )
  const requestTimeoutMs = readRequestTimeoutSeconds(inputs) * 1000
  const concurrency = inputs.optional(Input.MaxConcurrency)
  const maxConcurrency = concurrency === undefined ? DEFAULT_MAX_CONCURRENCY : Number(concurrency)
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1 || maxConcurrency > 64) {
    inputs.problem(Input.MaxConcurrency, `${quote(concurrency)} is not a whole number from 1 to 64.`)
  }
  const leaseWaitSeconds = readLeaseWait(inputs)
  return {
    dryRun,
    deploy,
    heartbeat,
    ...(expiryVariable ? { expiryVariable } : {}),
    requestTimeoutMs,
    maxConcurrency,
    ...(leaseWaitSeconds !== undefined ? { leaseWaitSeconds } : {})
  }
}

/** No job on a GitHub-hosted runner lasts longer, so no lease is held longer. */
const MAX_LEASE_WAIT_SECONDS = 6 * 3600

function readLeaseWait(inputs: InputReading): number | undefined {
  const wait = inputs.optional(Input.LeaseWait)
  if (wait === undefined) return undefined
  const seconds = wait.trim() === '0' ? 0 : parseDurationSeconds(wait, 'smh')
  if (seconds === undefined || seconds > MAX_LEASE_WAIT_SECONDS) {
    inputs.problem(
      Input.LeaseWait,
      `${quote(wait)} is not a duration from 0 to 6h such as 10m or 90s (0: fail at once while another run holds the lease).`
    )
  }
  return seconds
}

function readRequestTimeoutSeconds(inputs: InputReading): number {
  const timeout = inputs.optional(Input.RequestTimeout)
  if (timeout === undefined) return DEFAULT_REQUEST_TIMEOUT_SECONDS
  const seconds = parseDurationSeconds(timeout, 'sm')
  if (seconds === undefined) {
    inputs.problem(Input.RequestTimeout, `${quote(timeout)} is not a duration such as 30s or 2m.`)
  } else if (seconds > MAX_REQUEST_TIMEOUT_SECONDS) {
    inputs.problem(
      Input.RequestTimeout,
      `${quote(timeout)} is longer than 30m: a request that has not answered in 30 minutes will not, and the run would wait for nothing (a timer past about 24 days even fires at once).`
    )
  }
  return seconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS
}
