import { encodeBase64url } from './core/base64url'
import { toSeconds, type Duration } from './core/duration'
import { setupError } from './core/errors'
import type { Algorithm } from './core/algorithms'
import { signingKeyFor, type KeySource } from './keys/source'
import {
  readDate,
  readOptions,
  readPositiveInteger,
  readString,
  readStringList,
} from './core/options'
import { DEFAULT_MAX_TOKEN_LENGTH } from './verify'

/**
 * Options of {@link signToken}. Durations are seconds (a number) or a duration
 * string such as `'15m'`, relative to now.
 *
 * @example
 * ```ts
 * import type { SignOptions } from 'express-jwt-gate'
 * const options: SignOptions = { expiresIn: '15m', audience: 'api', subject: 'alice' }
 * ```
 */
export interface SignOptions {
  /**
   * The algorithm the key is for. Default `'HS256'`. A private key needs its
   * algorithm named here (`'RS256'`, `'ES256'`, `'EdDSA'`, …). With a key ring the
   * ring's first key decides; if given too, it must agree.
   */
  algorithm?: Algorithm
  /** Lifetime: sets `exp`. Default 15 minutes; `null` (explicitly) for no `exp`. */
  expiresIn?: Duration | null
  /** Sets `nbf` this long after now. */
  notBefore?: Duration
  /** Sets `iss`. */
  issuer?: string
  /** Sets `aud`. */
  audience?: string | readonly string[]
  /** Sets `sub`. */
  subject?: string
  /** Sets `jti`. */
  jwtId?: string
  /** Sets the `kid` header parameter. With a key ring, the first key's `kid` is written; if given too, it must agree. */
  keyId?: string
  /** A fixed "now", for tests. */
  currentDate?: Date
  /** Refuse to produce a token longer than this many bytes. Default 8192, as verification. */
  maxTokenLength?: number
}

export const SIGN_OPTION_NAMES: ReadonlySet<string> = new Set([
  'algorithm',
  'expiresIn',
  'notBefore',
  'issuer',
  'audience',
  'subject',
  'jwtId',
  'keyId',
  'currentDate',
  'maxTokenLength',
])

/** The default token lifetime: 15 minutes. */
const DEFAULT_EXPIRES_IN = 900

/** Each claim-setting option and the claim it sets. */
const OPTION_CLAIMS = [
  ['expiresIn', 'exp'],
  ['notBefore', 'nbf'],
  ['issuer', 'iss'],
  ['audience', 'aud'],
  ['subject', 'sub'],
  ['jwtId', 'jti'],
] as const

/** Header segments by algorithm and key id: the same few, over and over. */
const headerSegments = new Map<string, string>()

function headerSegment(alg: Algorithm, kid: string | undefined): string {
  const cacheKey = kid === undefined ? alg : `${alg}.${kid}`
  let segment = headerSegments.get(cacheKey)
  if (segment === undefined) {
    const header = kid === undefined ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid }
    segment = encodeBase64url(JSON.stringify(header))
    if (headerSegments.size >= 64) headerSegments.clear()
    headerSegments.set(cacheKey, segment)
  }
  return segment
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * The payload's own time claims must already be NumericDates, and no value anywhere in
 * it may be a non-finite number: `JSON.stringify` would silently write `null` for it.
 */
function checkPayloadValues(payload: Record<string, unknown>): void {
  for (const name of Object.keys(payload)) {
    const value = payload[name]
    if ((name === 'exp' || name === 'nbf' || name === 'iat') && typeof value !== 'number') {
      throw setupError(`payload.${name} must be a number of seconds since the epoch`)
    }
    const where = nonFinitePath(value, 1)
    if (where !== undefined) throw setupError(`payload.${name}${where} is not a finite number`)
  }
}

/** Deeper than any sane payload; a cycle (the usual reason to get here) hits it too. */
const MAX_PAYLOAD_DEPTH = 64

/**
 * Where in `value` a NaN or ±Infinity is (`''` for `value` itself, `[2].score` inside
 * it), or `undefined`. Walks arrays and plain objects, which is what `JSON.stringify`
 * writes as such; the path is built only on the way back from a find, since signing
 * is a hot path and almost every payload is clean.
 */
function nonFinitePath(value: unknown, depth: number): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : ''
  if (typeof value !== 'object' || value === null) return undefined
  if (depth >= MAX_PAYLOAD_DEPTH) {
    throw setupError(
      `payload is nested more than ${MAX_PAYLOAD_DEPTH} levels deep, or refers to itself`,
    )
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const where = nonFinitePath(value[i], depth + 1)
      if (where !== undefined) return `[${i}]${where}`
    }
  } else if (isPlainObject(value)) {
    for (const name of Object.keys(value)) {
      const where = nonFinitePath(value[name], depth + 1)
      if (where !== undefined) return `.${name}${where}`
    }
  }
  return undefined
}

/**
 * Sign a payload into a compact JWS (`header.payload.signature`, base64url without
 * padding). Sets `iat` to now and, unless `expiresIn: null` is passed explicitly,
 * `exp` 15 minutes later. The header is `{"alg":…,"typ":"JWT"}`, plus `kid` when
 * `keyId` is given or a key ring is used.
 *
 * The key is an HMAC secret, a private key (with its `algorithm`: `RS256`, `PS256`,
 * `ES256`, `EdDSA`, …) or a {@link KeyRing}, whose first key signs and names itself
 * in `kid`.
 *
 * Throws a `TypeError` for a payload that is not a plain object, a claim given both
 * in the payload and as an option, a non-finite number anywhere in the payload, a
 * payload nested more than 64 levels deep, an unknown duration, a weak
 * secret, a key unfit for the algorithm (a public key, the wrong curve, RSA under
 * 2048 bits), or a token longer than `maxTokenLength`.
 *
 * The payload is readable by anyone who holds the token: never put secrets in it.
 *
 * @example
 * ```ts
 * import { signToken } from 'express-jwt-gate'
 * const token = signToken({ userId: 1001, licensedFeatures: ['invoicing'] }, secret, { expiresIn: '15m' })
 * ```
 */
export function signToken(
  payload: Record<string, unknown>,
  key: KeySource,
  options?: SignOptions,
): string {
  if (!isPlainObject(payload) || Array.isArray(payload)) {
    throw setupError('payload must be a plain object')
  }
  const o = readOptions<SignOptions>(options, SIGN_OPTION_NAMES, 'signToken')
  for (const [option, claim] of OPTION_CLAIMS) {
    if (o[option] !== undefined && Object.hasOwn(payload, claim)) {
      throw setupError(
        `claim ${claim} is given both in the payload and as the ${option} option; pass only one`,
      )
    }
  }
  checkPayloadValues(payload)

  const kid = o.keyId === undefined ? undefined : readString(o.keyId, 'keyId')
  const signer = signingKeyFor(key, o.algorithm, kid)
  const maxTokenLength =
    o.maxTokenLength === undefined
      ? DEFAULT_MAX_TOKEN_LENGTH
      : readPositiveInteger(o.maxTokenLength, 'maxTokenLength')

  const now = Math.floor(
    o.currentDate === undefined ? Date.now() / 1000 : readDate(o.currentDate, 'currentDate'),
  )
  // A spread defines own properties, so a "__proto__" key stays data, never a prototype.
  const claims: Record<string, unknown> = { ...payload }
  if (claims.iat === undefined) claims.iat = now
  if (o.expiresIn === undefined) {
    if (claims.exp === undefined) claims.exp = now + DEFAULT_EXPIRES_IN
  } else if (o.expiresIn !== null) {
    claims.exp = now + toSeconds(o.expiresIn, 'expiresIn', true)
  }
  if (o.notBefore !== undefined) claims.nbf = now + toSeconds(o.notBefore, 'notBefore', true)
  if (o.issuer !== undefined) claims.iss = readString(o.issuer, 'issuer')
  if (o.subject !== undefined) claims.sub = readString(o.subject, 'subject')
  if (o.jwtId !== undefined) claims.jti = readString(o.jwtId, 'jwtId')
  if (o.audience !== undefined) {
    const audience = readStringList(o.audience, 'audience')
    claims.aud = audience.length === 1 ? audience[0] : audience
  }

  let body: string
  try {
    body = JSON.stringify(claims)
  } catch (cause) {
    throw setupError(`payload cannot be serialized as JSON (${(cause as Error).message})`)
  }
  const signingInput = `${headerSegment(signer.alg, signer.kid)}.${encodeBase64url(body)}`
  // Checked before signing too, so an oversize payload costs no signature.
  if (signingInput.length >= maxTokenLength) {
    tooLong(`more than ${signingInput.length}`, maxTokenLength)
  }
  const token = `${signingInput}.${signer.sign(signingInput)}`
  if (token.length > maxTokenLength) tooLong(String(token.length), maxTokenLength)
  return token
}

function tooLong(length: string, maxTokenLength: number): never {
  throw setupError(
    `token would be ${length} bytes, over maxTokenLength (${maxTokenLength}); keep payloads small`,
  )
}
