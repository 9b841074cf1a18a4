import { encodeBase64url } from './base64url'
import { setupError } from './errors'
import type { SigningKey } from './key-contracts'
import { isNumericDate, wholeSeconds } from './numeric-date'
import { DEFAULT_EXPIRES_IN, type SignerSetup } from './sign-options'

/**
 * A prepared signing function: turns one payload into a compact JWS.
 *
 * @example
 * ```ts
 * import { createSigner } from 'express-jwt-gate'
 * import type { Signer } from 'express-jwt-gate'
 * const sign: Signer = createSigner(process.env.JWT_SECRET!, { expiresIn: '15m' })
 * const token = sign({ sub: 'alice' })
 * ```
 */
export type Signer = (payload: Record<string, unknown>) => string

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
    if ((name === 'exp' || name === 'nbf' || name === 'iat') && !isNumericDate(value)) {
      throw setupError(
        'payload',
        `payload.${name} must be a finite number of seconds since the epoch`,
      )
    }
    const where = nonFinitePath(value, 1)
    if (where !== undefined) {
      throw setupError('payload', `payload.${name}${where} is not a finite number`)
    }
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
      'payload',
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
 * A signer for one prepared key: the header segment is written once, and each call
 * checks the payload, adds the time claims and the options' claims, and signs.
 */
export function tokenSigner(key: SigningKey, setup: SignerSetup): Signer {
  const header =
    key.kid === undefined
      ? { alg: key.alg, typ: 'JWT' }
      : { alg: key.alg, typ: 'JWT', kid: key.kid }
  const headerSegment = encodeBase64url(JSON.stringify(header))
  const { expiresIn, notBefore, claims: optionClaims, setBy, maxTokenLength } = setup
  const optionClaimNames = Object.keys(setBy)
  return (payload) => {
    if (!isPlainObject(payload) || Array.isArray(payload)) {
      throw setupError('payload', 'payload must be a plain object')
    }
    for (const claim of optionClaimNames) {
      if (Object.hasOwn(payload, claim)) {
        throw setupError(
          'payload',
          `claim ${claim} is given both in the payload and as the ${setBy[claim] as string} option; pass only one`,
        )
      }
    }
    checkPayloadValues(payload)
    const now = wholeSeconds(setup.clock())
    // A spread defines own properties, so a "__proto__" key stays data, never a prototype.
    const claims: Record<string, unknown> = { ...payload }
    if (claims.iat === undefined) claims.iat = now
    if (expiresIn === undefined) {
      if (claims.exp === undefined) claims.exp = now + DEFAULT_EXPIRES_IN
    } else if (expiresIn !== null) {
      claims.exp = now + expiresIn
    }
    if (notBefore !== undefined) claims.nbf = now + notBefore
    Object.assign(claims, optionClaims)

    let body: string
    try {
      body = JSON.stringify(claims)
    } catch (cause) {
      throw setupError(
        'payload',
        `payload cannot be serialized as JSON (${(cause as Error).message})`,
      )
    }
    const signingInput = `${headerSegment}.${encodeBase64url(body)}`
    // Checked before signing too, so an oversize payload costs no signature.
    if (signingInput.length >= maxTokenLength) {
      tooLong(`more than ${signingInput.length}`, maxTokenLength)
    }
    const token = `${signingInput}.${key.sign(signingInput)}`
    if (token.length > maxTokenLength) tooLong(String(token.length), maxTokenLength)
    return token
  }
}

function tooLong(length: string, maxTokenLength: number): never {
  throw setupError(
    'payload',
    `token would be ${length} bytes, over maxTokenLength (${maxTokenLength}); keep payloads small`,
  )
}
