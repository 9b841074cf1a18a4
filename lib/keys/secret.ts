import { randomBytes } from 'node:crypto'
import { setupError } from '../core/errors'

/**
 * A new random HMAC secret: `bytes` bytes from `crypto.randomBytes`, as base64url
 * text. The text itself is the secret (its UTF-8 bytes are the key), so the default
 * 32 bytes give a 43-character secret, enough for HS256. For HS384 or HS512, whose
 * keys must be at least 48 or 64 bytes, use `generateSecret(48)` (64 characters).
 *
 * @example
 * ```ts
 * import { generateSecret } from 'express-jwt-gate'
 * const secret = generateSecret() // store it in JWT_SECRET, never in the code
 * ```
 */
export function generateSecret(bytes = 32): string {
  if (!Number.isSafeInteger(bytes) || bytes < 32) {
    throw setupError('generateSecret needs a whole number of at least 32 bytes')
  }
  return randomBytes(bytes).toString('base64url')
}
