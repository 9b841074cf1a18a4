import { InvalidRequestError } from '../core/errors'

/**
 * `Bearer`, one or more spaces, one b64token (RFC 6750 §2.1), and nothing else but
 * optional whitespace around the whole value. The scheme is case-insensitive
 * (RFC 9110 §11.1); the token's alphabet is not.
 */
const BEARER = /^[ \t]*Bearer +([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i

/** The auth-scheme at the start of a credential: an RFC 9110 token. */
const SCHEME = /^[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)/

/**
 * Read the token from the value of an `Authorization` header.
 *
 * - `undefined`: no credentials for this scheme (no header, an empty one, or another
 *   scheme such as `Basic`); the caller answers 401 with a bare challenge.
 * - a string: the b64token of a well-formed `Bearer` credential.
 * - throws {@link InvalidRequestError} (400 `invalid_request`) for `Bearer` with a
 *   missing or malformed token: nothing after it, a tab, two tokens, a list.
 *
 * `lines` is how many `Authorization` field lines the request had; more than one is
 * ambiguous (Node keeps only the first in `req.headers`) and is refused.
 */
export function parseAuthorization(value: string | undefined, lines = 1): string | undefined {
  if (value === undefined) return undefined
  if (lines > 1) throw new InvalidRequestError({ message: 'more than one Authorization header' })
  const match = BEARER.exec(value)
  if (match !== null) return match[1]
  if (SCHEME.exec(value)?.[1]?.toLowerCase() === 'bearer') {
    throw new InvalidRequestError({ message: 'malformed Bearer credentials' })
  }
  return undefined
}

/**
 * How many `Authorization` field lines a raw header list (`req.rawHeaders`: name,
 * value, name, value, …) holds.
 */
export function countAuthorizationLines(rawHeaders: readonly string[]): number {
  let count = 0
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string
    if (name.length === 13 && name.toLowerCase() === 'authorization') count++
  }
  return count
}
