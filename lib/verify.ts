import { readCacheOptions, TokenCache, type CacheOptions } from './cache'
import { validateClaims, type ClaimRules } from './claims'
import { toSeconds, type Duration } from './duration'
import { fail, setupError } from './errors'
import { decodeJsonObject, splitToken } from './jws'
import {
  createKeyResolver,
  isAlgorithm,
  type Algorithm,
  type KeyResolver,
  type Secret,
  type VerificationKey,
} from './keys'
import { readDate, readOptions, readPositiveInteger, readString, readStringList } from './options'
import type { JwtClaims, JwtHeader, JwtPayload } from './types'

/**
 * Options of {@link verifyToken} and {@link createVerifier}. Every duration is in
 * seconds (a number) or a duration string such as `'15m'`.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from 'express-jwt-gate'
 * const options: VerifyOptions = { audience: 'api', issuer: 'https://auth.example.com', clockTolerance: 5 }
 * ```
 */
export interface VerifyOptions {
  /** Accepted algorithms. Default `['HS256']`. `none` is never accepted. */
  algorithms?: readonly Algorithm[]
  /** Accepted `aud` values; when set, a token must name one of them. */
  audience?: string | readonly string[]
  /** Accepted `iss` values; when set, a token must carry one of them exactly. */
  issuer?: string | readonly string[]
  /** Required `sub`, matched exactly. */
  subject?: string
  /** Leeway for `exp`, `nbf`, `iat` and `maxAge`, in seconds. Default 0. */
  clockTolerance?: Duration
  /** Refuse tokens issued (`iat`) longer ago than this; requires `iat`. */
  maxAge?: Duration
  /** Claims that must be present. Default `['exp']`; `[]` accepts tokens that never expire. */
  requiredClaims?: readonly string[]
  /** Longest token accepted, in bytes, checked before any decoding. Default 8192. */
  maxTokenLength?: number
  /** A fixed "now", for tests. Default: the clock at each verification. */
  currentDate?: Date
  /**
   * Keep verified payloads, keyed by the exact token, in an LRU of `max` entries.
   * Off by default. A hit still checks every claim rule again (a cached token still
   * expires); failures are never cached; cached payloads are deeply frozen.
   */
  cache?: CacheOptions
}

/**
 * A prepared verification function: checks one token and returns its payload, or
 * throws an {@link InvalidTokenError}.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'express-jwt-gate'
 * import type { Verifier } from 'express-jwt-gate'
 * const verify: Verifier<{ userId: number }> = createVerifier(secret)
 * ```
 */
export type Verifier<P extends object = JwtPayload> = (token: string) => P & JwtClaims

/** The option names of the token core, for callers that pass them through. */
export const VERIFY_OPTION_NAMES: ReadonlySet<string> = new Set([
  'algorithms',
  'audience',
  'issuer',
  'subject',
  'clockTolerance',
  'maxAge',
  'requiredClaims',
  'maxTokenLength',
  'currentDate',
  'cache',
])

/** The default limit on token size, for signing and verification alike. */
export const DEFAULT_MAX_TOKEN_LENGTH = 8192

interface VerifierSetup {
  readonly algorithms: readonly Algorithm[]
  readonly rules: ClaimRules
  readonly maxTokenLength: number
  /** Most entries of the verified-token cache; `undefined` when off. */
  readonly cacheMax: number | undefined
}

function readAlgorithms(value: unknown): Algorithm[] {
  if (value === undefined) return ['HS256']
  if (!Array.isArray(value) || value.length === 0) {
    throw setupError(`algorithms must be a non-empty array such as ['HS256']`)
  }
  for (const alg of value) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw setupError(`algorithm 'none' is never accepted: an unsigned token proves nothing`)
    }
    if (!isAlgorithm(alg)) {
      throw setupError(`unsupported algorithm ${JSON.stringify(alg)}; use HS256, HS384 or HS512`)
    }
  }
  return [...new Set(value as Algorithm[])]
}

function readRequiredClaims(value: unknown): string[] {
  if (value === undefined) return ['exp']
  if (!Array.isArray(value)) throw setupError(`requiredClaims must be an array of claim names`)
  return value.map((claim) => readString(claim, 'each requiredClaims entry'))
}

/** Validate every option once, at setup, into the form the per-token path reads. */
function readVerifyOptions(options: unknown, where: string): VerifierSetup {
  const o = readOptions<VerifyOptions>(options, VERIFY_OPTION_NAMES, where)
  const optionalSet = (value: unknown, name: string) =>
    value === undefined ? undefined : new Set(readStringList(value, name))
  return {
    algorithms: readAlgorithms(o.algorithms),
    maxTokenLength:
      o.maxTokenLength === undefined
        ? DEFAULT_MAX_TOKEN_LENGTH
        : readPositiveInteger(o.maxTokenLength, 'maxTokenLength'),
    cacheMax: readCacheOptions(o.cache),
    rules: {
      requiredClaims: readRequiredClaims(o.requiredClaims),
      audience: optionalSet(o.audience, 'audience'),
      issuer: optionalSet(o.issuer, 'issuer'),
      subject: o.subject === undefined ? undefined : readString(o.subject, 'subject'),
      clockTolerance:
        o.clockTolerance === undefined ? 0 : toSeconds(o.clockTolerance, 'clockTolerance'),
      maxAge: o.maxAge === undefined ? undefined : toSeconds(o.maxAge, 'maxAge'),
      now: o.currentDate === undefined ? undefined : readDate(o.currentDate, 'currentDate'),
    },
  }
}

/**
 * The JOSE header rules that do not depend on the key: `alg` must be a string and
 * `kid`, if present, too. Shared with {@link decodeToken}.
 */
export function checkHeaderShape(header: Record<string, unknown>): JwtHeader {
  if (typeof header.alg !== 'string')
    fail('header_invalid', 'alg header parameter must be a string')
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    fail('header_invalid', 'kid header parameter must be a string')
  }
  return header as JwtHeader
}

/**
 * Find the key for a header. `crit` is refused in any form: it lists extensions the
 * recipient must understand, and we implement none (RFC 7515 §4.1.11). `alg` must
 * name an allowed algorithm exactly; `none` never is. `jwk`, `jku`, `x5u` and `x5c`
 * are ignored: a token never chooses its own key.
 */
function keyForHeader(header: Record<string, unknown>, keys: KeyResolver): VerificationKey {
  if (Object.hasOwn(header, 'crit'))
    fail('header_invalid', 'crit header parameter is not supported')
  return keys.resolve(checkHeaderShape(header))
}

/**
 * Prepare a verifier once and use it for every token: all option checks and key
 * preparation happen here, and the returned function does only per-token work.
 * Bad options or a weak secret throw a `TypeError` now, not at the first request.
 *
 * Rules, in order: size; three strict base64url segments; header (`alg` allowed, no
 * `crit`); HMAC of the exact signing input, compared in constant time; payload is a
 * JSON object in valid UTF-8; then the claims. Duplicate member names in the payload
 * resolve as `JSON.parse` does (the last wins).
 *
 * @example
 * ```ts
 * import { createVerifier } from 'express-jwt-gate'
 * const verify = createVerifier<{ userId: number }>(process.env.JWT_SECRET!, { audience: 'api' })
 * const claims = verify(token) // { userId: number } & JwtClaims, or throws InvalidTokenError
 * ```
 */
export function createVerifier<P extends object = JwtPayload>(
  secret: Secret,
  options?: VerifyOptions,
): Verifier<P> {
  const { algorithms, rules, maxTokenLength, cacheMax } = readVerifyOptions(
    options,
    'createVerifier',
  )
  const keys = createKeyResolver(secret, algorithms)
  const cache =
    cacheMax === undefined ? undefined : new TokenCache<Record<string, unknown>>(cacheMax)
  // Nearly every token a verifier sees has one of a few headers, and the key for a
  // given header text never changes, so parsing it again would be wasted work.
  const keyByHeader = new Map<string, VerificationKey>()

  return (token) => {
    if (typeof token !== 'string') fail('token_malformed', 'token must be a string')
    if (token.length > maxTokenLength) fail('token_too_large', 'token too large')
    if (cache !== undefined) {
      const hit = cache.get(token)
      if (hit !== undefined) {
        try {
          validateClaims(hit, rules)
        } catch (error) {
          // Expired (or past maxAge) since it was cached: it can never be valid again.
          cache.delete(token)
          throw error
        }
        return hit as P & JwtClaims
      }
    }
    const { firstDot, secondDot } = splitToken(token)
    const headerSegment = token.slice(0, firstDot)
    let key = keyByHeader.get(headerSegment)
    if (key === undefined) {
      key = keyForHeader(decodeJsonObject(token, 0, firstDot, 'header'), keys)
      if (keyByHeader.size >= 16) keyByHeader.clear()
      keyByHeader.set(headerSegment, key)
    }
    if (!key.verify(token, secondDot)) fail('signature_invalid', 'signature invalid')
    const payload = decodeJsonObject(token, firstDot + 1, secondDot, 'payload')
    validateClaims(payload, rules)
    return (cache === undefined ? payload : cache.set(token, payload)) as P & JwtClaims
  }
}

/**
 * Verify one token and return its payload, or throw an {@link InvalidTokenError}
 * with a stable `code`. The one-call form of {@link createVerifier}; on a hot path,
 * prepare a verifier once instead.
 *
 * @example
 * ```ts
 * import { verifyToken } from 'express-jwt-gate'
 * const claims = verifyToken<{ userId: number }>(token, process.env.JWT_SECRET!)
 * claims.userId // number
 * ```
 */
export function verifyToken<P extends object = JwtPayload>(
  token: string,
  secret: Secret,
  options?: VerifyOptions,
): P & JwtClaims {
  return createVerifier<P>(secret, options)(token)
}
