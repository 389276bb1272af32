// An API base URL given as an input: every request path and every token travels over it.
import type { InputName } from '../contract.js'
import { hasControlCharacters } from '../outside-text.js'
import { quote, type Problem } from './input-reading.js'

export function apiUrl(input: InputName, value: string, problem: Problem): string {
  // URL drops tabs and line breaks wherever they stand (and trims the rest): '.\t.' would become '..'.
  if (/\s/.test(value) || hasControlCharacters(value)) {
    problem(input, 'must not contain spaces, tabs, line breaks or control characters.')
    return value
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    problem(input, `${quote(value)} is not a URL.`)
    return value
  }
  // *.localhost is loopback by definition (RFC 6761), as 127.0.0.1 and [::1] are.
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost')
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    problem(input, `${quote(value)} must use https (plain http only on localhost): tokens travel over it.`)
  }
  // A bare `?` or `#` leaves URL.search empty but still changes every request path built on it.
  if (value.includes('?') || value.includes('#') || url.username || url.password) {
    problem(input, 'must not carry a query, fragment or credentials.')
  }
  // URL resolves them away (written %2e too, and after a \, which it reads as /), so the text as
  // given is what is checked.
  const path = value
    .replace(/\\/g, '/')
    .replace(/^[a-z]+:\/\/[^/]*/i, '')
    .replace(/%2e/gi, '.')
  if (/\/\.{1,2}(\/|$)/.test(path)) problem(input, "must not contain '.' or '..' path segments.")
  return value.replace(/\/+$/, '')
}
