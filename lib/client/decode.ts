import { fail } from './errors'
import type { DecodedToken, JwtHeader, JwtPayload } from './types'

/** Three non-empty segments of the base64url alphabet, and nothing else (no `=`, no `+/`). */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/

// Fatal: a lenient decoder turns bad bytes into U+FFFD, and the server refuses them.
// ignoreBOM keeps a leading byte-order mark in the text, so that it can be refused too.
const utf8 = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * The bytes of a segment, as a binary string, or `token_malformed` unless the segment is
 * canonical base64url. `atob` alone is forgiving (it drops stray tail bits), so the bytes
 * are encoded again: only the one canonical spelling of them reads back identical, and
 * a length of 1 mod 4 never decodes at all.
 */
function binary(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/')
  let bytes = ''
  try {
    bytes = atob(base64)
  } catch {
    // Handled below: the empty string never encodes to a non-empty segment.
  }
  if (btoa(bytes).replace(/=+$/, '') !== base64) {
    fail('token_malformed', 'token segment is not canonical base64url')
  }
  return bytes
}

/** The JSON object in a segment's bytes: strict UTF-8, no byte-order mark, an object only. */
function jsonObject(bytes: string, part: 'header' | 'payload'): Record<string, unknown> {
  let text: string
  try {
    text = utf8.decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)))
  } catch {
    fail('token_malformed', `${part} is not valid UTF-8`)
  }
  if (text.charCodeAt(0) === 0xfeff)
    fail('token_malformed', `${part} starts with a byte-order mark`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    fail('token_malformed', `${part} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('token_malformed', `${part} is not a JSON object`)
  }
  return value as Record<string, unknown>
}

/**
 * Read a token's header and payload **WITHOUT VERIFYING ANYTHING**. Anyone can write a
 * token with any payload: use the result to show a name or to schedule a refresh, never
 * to decide what the user may do; only the server, which checks the signature, decides
 * that.
 *
 * It is as strict as the server's `decodeToken` and refuses the same strings with the
 * same {@link TokenDecodeError} code: exactly three non-empty segments of canonical
 * base64url (no padding, no `+` or `/`, no stray bits), strict UTF-8 without a
 * byte-order mark, JSON objects only, `alg` a string and `kid` a string if present. A
 * `"__proto__"` member stays an own data property. The type parameter is a cast, not a
 * check.
 *
 * @example
 * ```ts
 * import { decodeToken } from 'express-jwt-gate/client'
 * const { payload } = decodeToken<{ name?: string }>(accessToken)
 * greeting.textContent = `Hello, ${payload.name ?? 'there'}` // display only
 * ```
 */
export function decodeToken<P extends object = JwtPayload>(token: string): DecodedToken<P> {
  if (typeof token !== 'string') fail('token_malformed', 'token must be a string')
  if (!COMPACT_JWS.test(token)) fail('token_malformed', 'token is not three base64url segments')
  // Every segment is checked before any is parsed, in the server's order, so that a
  // token broken in two places fails with the same code on both sides.
  const [header, payload] = token.split('.').map(binary) as [string, string]
  const decoded = jsonObject(header, 'header')
  if (typeof decoded.alg !== 'string')
    fail('header_invalid', 'alg header parameter must be a string')
  if (decoded.kid !== undefined && typeof decoded.kid !== 'string') {
    fail('header_invalid', 'kid header parameter must be a string')
  }
  return { header: decoded as JwtHeader, payload: jsonObject(payload, 'payload') as P }
}
