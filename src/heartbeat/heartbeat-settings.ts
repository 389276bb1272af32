// The heartbeat inputs. heartbeat-url is a credential (its path is the check's key): a problem with it
// is described, never echoed.
import { Input, type InputName } from '../contract.js'
import { hasControlCharacters } from '../outside-text.js'
import type { HeartbeatSettings } from './heartbeat.js'

type Problem = (input: InputName, text: string) => void

/** `true` / `false` as GitHub writes booleans (True, TRUE…); undefined when empty; 'invalid' otherwise. */
export function booleanInput(text: string): boolean | undefined | 'invalid' {
  if (!text) return undefined
  if (/^(true|false)$/i.test(text) && (text === text.toLowerCase() || /^(True|False|TRUE|FALSE)$/.test(text)))
    return /^t/i.test(text)
  return 'invalid'
}

/** A dry run pings nothing: it is a check, not a run the monitoring service should count. */
export function readHeartbeatSettings(
  read: (name: string) => string,
  problem: Problem,
  dryRun: boolean,
  name: (input: InputName) => string = (input) => `'${input}'`
): HeartbeatSettings {
  const text = read(Input.HeartbeatUrl).trim()
  const startText = read(Input.HeartbeatStart).trim()
  const start = booleanInput(startText)
  if (start === 'invalid') problem(Input.HeartbeatStart, 'is not a boolean: use true or false.')
  else if (start && !text) problem(Input.HeartbeatStart, `only applies with ${name(Input.HeartbeatUrl)}.`)
  const url = text ? pingUrl(text, problem) : undefined
  return { url: dryRun ? undefined : url, start: start === true }
}

/** The ping URL without a trailing slash, or undefined (with a problem) when it cannot be one. */
function pingUrl(text: string, problem: Problem): string | undefined {
  const refuse = (why: string): undefined => {
    problem(Input.HeartbeatUrl, `${why} (the URL itself is not shown: it holds the check's key).`)
    return undefined
  }
  if (/\s/.test(text) || hasControlCharacters(text)) return refuse('must not contain spaces or control characters')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return refuse("is not a URL; use the check's ping URL, e.g. https://hc-ping.com/<uuid>")
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return refuse('must use https (plain http only on localhost): the key travels in it')
  }
  if (text.includes('?') || text.includes('#') || url.username || url.password) {
    return refuse('must not carry a query, fragment or user name: /start and /fail are appended to it')
  }
  if (/\/\.{1,2}(\/|$)/.test(url.pathname) || url.pathname.replace(/\/+$/, '') === '') {
    return refuse("must be a check's ping URL, with the check in its path")
  }
  return text.replace(/\/+$/, '')
}
