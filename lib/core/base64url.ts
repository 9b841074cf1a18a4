/**
 * Strict, canonical base64url (RFC 4648 §5, as RFC 7515 §2 uses it): alphabet
 * `A-Z a-z 0-9 - _`, no `=` padding, no whitespace, and zero spare bits.
 *
 * Node's `Buffer.from(s, 'base64url')` silently accepts padding, `+/`, whitespace
 * and non-canonical trailing bits, so several strings decode to the same bytes. A JWS
 * is verified over its exact text, and a lenient decoder makes "the same token"
 * ambiguous, so every spelling but the canonical one is refused.
 */

/** The alphabet, in the order of its 6-bit values: the one definition of it. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** The alphabet as a regular-expression character class, for whole-token patterns. */
export const BASE64URL_CLASS = `[${ALPHABET.replace('-', '\\-')}]`

/** 6-bit value of each base64url character (only valid characters are ever looked up). */
const SEXTET = new Uint8Array(128)
for (let i = 0; i < 64; i++) SEXTET[ALPHABET.charCodeAt(i)] = i

/**
 * True when `text[start, end)`, already known to use only the base64url alphabet, has
 * a length an encoder can produce and a last character with no stray bits set.
 * (A length of 1 mod 4 never occurs; 2 mod 4 leaves 4 spare bits; 3 mod 4 leaves 2.)
 */
export function hasCanonicalTail(text: string, start: number, end: number): boolean {
  const rem = (end - start) & 3
  if (rem === 0) return true
  if (rem === 1) return false
  return ((SEXTET[text.charCodeAt(end - 1)] as number) & (rem === 2 ? 0x0f : 0x03)) === 0
}

/** Encode bytes, or a string's UTF-8 bytes, as base64url without padding. */
export function encodeBase64url(data: string | Uint8Array): string {
  const bytes =
    typeof data === 'string'
      ? Buffer.from(data, 'utf8')
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return bytes.toString('base64url')
}
