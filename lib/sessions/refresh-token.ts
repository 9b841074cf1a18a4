import { createHash, randomBytes } from 'node:crypto'
import { RefreshTokenError } from '../core/errors'

/**
 * A refresh token is opaque to the client and never a JWT:
 * `<session id>.<family secret>.<token secret>`.
 *
 * - The **token secret** (256 random bits) is what rotates: each refresh hands out a
 *   new one and retires the one presented.
 * - The **family secret** (128 random bits) is the same in every refresh token of a
 *   session. It proves that a presented token belongs to the session, so that a
 *   retired token is told apart from a made-up one: anyone who has seen an access token
 *   knows the session id, and must not be able to end the session with it.
 *
 * The store keeps both only as hashes (SHA-256, truncated to 128 bits: the inputs are
 * random, so that is 128 bits against guessing), so a copy of the store yields no
 * usable token.
 */
export interface RefreshToken {
  readonly sid: string
  readonly family: string
  readonly secret: string
}

/** A session id: what stores make, base64url-safe, never holding the `.` separator. */
const SESSION_ID = /^[A-Za-z0-9_-]{8,64}$/
const FAMILY = /^[A-Za-z0-9_-]{22}$/
const SECRET = /^[A-Za-z0-9_-]{43}$/

/** The longest refresh token this package makes, with room to spare. */
export const MAX_REFRESH_TOKEN_LENGTH = 256

/** A new random family secret and token secret (the session id comes from the store). */
export function newSecrets(): { family: string; secret: string } {
  return { family: randomText(16), secret: randomText(32) }
}

/** A new token secret for a rotation. */
export function newSecret(): string {
  return randomText(32)
}

/** `bytes` random bytes as base64url. */
export function randomText(bytes: number): string {
  return randomBytes(bytes).toString('base64url')
}

export function formatRefreshToken(token: RefreshToken): string {
  return `${token.sid}.${token.family}.${token.secret}`
}

/** The hash a store keeps for a secret: 128 bits of SHA-256, as base64url. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, 22)
}

const invalid = (message: string): RefreshTokenError =>
  new RefreshTokenError({ code: 'refresh_token_invalid', message })

/**
 * The parts of a refresh token, or `refresh_token_invalid`. A JWT here (an access
 * token sent where a refresh token belongs) gets a message that says so.
 */
export function parseRefreshToken(value: unknown): RefreshToken {
  if (typeof value !== 'string' || value === '') throw invalid('refresh token must be a string')
  if (value.length > MAX_REFRESH_TOKEN_LENGTH) throw invalid('refresh token is malformed')
  const parts = value.split('.')
  const [sid = '', family = '', secret = ''] = parts
  if (parts.length === 3 && SESSION_ID.test(sid) && FAMILY.test(family) && SECRET.test(secret)) {
    return { sid, family, secret }
  }
  if (parts.length === 3 && sid.startsWith('eyJ')) {
    throw invalid('this is an access token (a JWT), not a refresh token')
  }
  throw invalid('refresh token is malformed')
}

/** A session id a store may hand out. */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID.test(value)
}
