import { BASE64URL_CLASS, hasCanonicalTail } from './base64url'
import { fail } from './errors'
import { base64urlWrite, utf8Slice } from './fast/native-buffer'
import { MAX_SCRATCH_BYTES } from './limits'
import type { JwtHeader } from './types'

/** Three non-empty segments of the base64url alphabet, and nothing else. */
const COMPACT_JWS = new RegExp(`^${BASE64URL_CLASS}+\\.${BASE64URL_CLASS}+\\.${BASE64URL_CLASS}+$`)

/** One non-empty segment of the base64url alphabet. */
const SEGMENT = new RegExp(`^${BASE64URL_CLASS}+$`)

/** Positions of the two dots of a compact JWS; refuses every other shape. */
export interface Split {
  readonly firstDot: number
  readonly secondDot: number
}

/**
 * Check the compact serialization: exactly three non-empty, strict base64url segments.
 * Throws `token_malformed`.
 */
export function splitToken(token: string): Split {
  if (!COMPACT_JWS.test(token)) fail('token_malformed', 'token is not three base64url segments')
  const firstDot = token.indexOf('.')
  const secondDot = token.indexOf('.', firstDot + 1)
  if (
    !hasCanonicalTail(token, 0, firstDot) ||
    !hasCanonicalTail(token, firstDot + 1, secondDot) ||
    !hasCanonicalTail(token, secondDot + 1, token.length)
  ) {
    fail('token_malformed', 'token segment is not canonical base64url')
  }
  return { firstDot, secondDot }
}

/**
 * Whether `token[start, end)` is one strict, canonical base64url segment: what
 * {@link splitToken} checks of each segment, for a caller that has already vouched for
 * the other two.
 */
export function isSegment(token: string, start: number, end: number): boolean {
  return SEGMENT.test(token.slice(start, end)) && hasCanonicalTail(token, start, end)
}

/** Reused decode target: safe because decoding is synchronous and never yields. */
let scratch = Buffer.alloc(8192)
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Decode `token[start, end)` (strict base64url, already checked) to a JSON object.
 * Refuses invalid UTF-8, a byte-order mark, anything `JSON.parse` refuses, and any
 * JSON value that is not an object. Duplicate member names resolve as `JSON.parse`
 * does: the last one wins. A `"__proto__"` member stays an own data property.
 */
export function decodeJsonObject(
  token: string,
  start: number,
  end: number,
  part: 'header' | 'payload',
): Record<string, unknown> {
  const needed = ((end - start) * 3) >>> 2
  if (needed > scratch.length && needed <= MAX_SCRATCH_BYTES) scratch = Buffer.alloc(needed)
  const target = needed <= scratch.length ? scratch : Buffer.allocUnsafe(needed)
  const length = base64urlWrite(target, token.slice(start, end), 0)
  const text = utf8Slice(target, 0, length)
  // toString() replaces bad sequences with U+FFFD; only then is the strict (slower)
  // check needed, since the text may also hold a genuine, well-encoded U+FFFD.
  if (text.includes('\uFFFD')) {
    try {
      strictUtf8.decode(target.subarray(0, length))
    } catch {
      fail('token_malformed', `${part} is not valid UTF-8`)
    }
  }
  // toString() keeps a leading byte-order mark; RFC 8259 §8.1 forbids one here.
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
 * The JOSE header rules that do not depend on the key: `alg` must be a string and
 * `kid`, if present, too. What {@link decodeToken} checks, and verification too.
 */
export function checkHeaderShape(header: Record<string, unknown>): JwtHeader {
  if (typeof header.alg !== 'string') {
    fail('header_invalid', 'alg header parameter must be a string')
  }
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    fail('header_invalid', 'kid header parameter must be a string')
  }
  return header as JwtHeader
}

/**
 * The header rules of verification, before any key is chosen. `crit` is refused in
 * any form: it lists extensions the recipient must understand, and we implement none
 * (RFC 7515 §4.1.11). `jwk`, `jku`, `x5u` and `x5c` are ignored: a token never chooses
 * its own key. Whether `alg` and `kid` are acceptable is the key selection's to say.
 */
export function checkHeader(header: Record<string, unknown>): JwtHeader {
  if (Object.hasOwn(header, 'crit'))
    fail('header_invalid', 'crit header parameter is not supported')
  return checkHeaderShape(header)
}
