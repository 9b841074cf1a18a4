import { readCacheOptions, TokenCache, type CacheOptions } from './core/cache'
import { validateClaims, type ClaimRules } from './core/claims'
import { toSeconds, type Duration } from './core/duration'
import { fail, setupError } from './core/errors'
import { decodeJsonObject, splitToken, type Split } from './core/jws'
import { readAlgorithm, type Algorithm } from './core/algorithms'
import {
  createKeyResolver,
  type KeyResolver,
  type KeySource,
  type VerificationKey,
} from './keys/source'
import { isRemoteKeySet, remoteKeyResolver, type RemoteKeySet } from './keys/remote'
import {
  readDate,
  readOptions,
  readPositiveInteger,
  readString,
  readStringList,
} from './core/options'
import type { JwtClaims, JwtHeader, JwtPayload } from './core/types'

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
  /**
   * Accepted algorithms. `none` is never accepted. With one key: default `['HS256']`;
   * several HMAC algorithms may share a secret, but a public key serves exactly one
   * algorithm, named here. With a key ring: the ring's algorithms, and if given,
   * every key's algorithm must be listed. With a remote key set: restricts which keys
   * are used, and settles the algorithm of keys published without `alg`.
   */
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

/**
 * A prepared verification function for a {@link RemoteKeySet}: finding the key may
 * need a fetch, so it returns a promise of the payload, or rejects with an
 * {@link InvalidTokenError} (`key_set_unavailable` when the set cannot be fetched).
 *
 * @example
 * ```ts
 * import { createVerifier, remoteKeySet } from 'express-jwt-gate'
 * import type { AsyncVerifier } from 'express-jwt-gate'
 * const jwks = remoteKeySet('https://auth.example.com/.well-known/jwks.json')
 * const verify: AsyncVerifier = createVerifier(jwks, { algorithms: ['RS256'] })
 * const claims = await verify(token)
 * ```
 */
export type AsyncVerifier<P extends object = JwtPayload> = (token: string) => Promise<P & JwtClaims>

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
  /** As given; `undefined` when the option was left out (its default depends on the key). */
  readonly algorithms: readonly Algorithm[] | undefined
  readonly rules: ClaimRules
  readonly maxTokenLength: number
  /** Most entries of the verified-token cache; `undefined` when off. */
  readonly cacheMax: number | undefined
}

function readAlgorithms(value: unknown): Algorithm[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.length === 0) {
    throw setupError(`algorithms must be a non-empty array such as ['HS256']`)
  }
  return [...new Set(value.map((alg) => readAlgorithm(alg)))]
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
 * The header rules every key source shares. `crit` is refused in any form: it lists
 * extensions the recipient must understand, and we implement none (RFC 7515
 * §4.1.11). `jwk`, `jku`, `x5u` and `x5c` are ignored: a token never chooses its
 * own key. Whether `alg` and `kid` are acceptable is the key resolver's to say.
 */
function checkHeader(header: Record<string, unknown>): JwtHeader {
  if (Object.hasOwn(header, 'crit'))
    fail('header_invalid', 'crit header parameter is not supported')
  return checkHeaderShape(header)
}

/** What every verifier checks first, before even a cache lookup: a string, not too large. */
function checkSize(token: unknown, maxTokenLength: number): asserts token is string {
  if (typeof token !== 'string') fail('token_malformed', 'token must be a string')
  if (token.length > maxTokenLength) fail('token_too_large', 'token too large')
}

/**
 * A cached payload whose claims still hold, or `undefined` on a miss. A cached token
 * that has expired (or passed maxAge) since can never be valid again: it is dropped,
 * and refused.
 */
function cachedPayload(
  cache: TokenCache<Record<string, unknown>>,
  token: string,
  rules: ClaimRules,
): Record<string, unknown> | undefined {
  const hit = cache.get(token)
  if (hit !== undefined) {
    try {
      validateClaims(hit, rules)
    } catch (error) {
      cache.delete(token)
      throw error
    }
  }
  return hit
}

/** Once the key is found: the signature, and only then the payload and its claims. */
function checkedPayload(
  token: string,
  { firstDot, secondDot }: Split,
  key: VerificationKey,
  rules: ClaimRules,
): Record<string, unknown> {
  if (!key.verify(token, secondDot)) fail('signature_invalid', 'signature invalid')
  const payload = decodeJsonObject(token, firstDot + 1, secondDot, 'payload')
  validateClaims(payload, rules)
  return payload
}

/**
 * A verifier for a local key, ring or secret: synchronous from end to end.
 *
 * Nearly every token a verifier sees has one of a few headers, and the key for a
 * given header text never changes (the keys are fixed at setup), so the header is
 * parsed and its key found once per distinct header text.
 */
function localVerifier(keys: KeyResolver, setup: VerifierSetup): Verifier<JwtPayload> {
  const { rules, maxTokenLength, cacheMax } = setup
  const cache =
    cacheMax === undefined ? undefined : new TokenCache<Record<string, unknown>>(cacheMax)
  const keyByHeader = new Map<string, VerificationKey>()
  return (token) => {
    checkSize(token, maxTokenLength)
    if (cache !== undefined) {
      const hit = cachedPayload(cache, token, rules)
      if (hit !== undefined) return hit
    }
    const parts = splitToken(token)
    const headerSegment = token.slice(0, parts.firstDot)
    let key = keyByHeader.get(headerSegment)
    if (key === undefined) {
      key = keys.resolve(checkHeader(decodeJsonObject(token, 0, parts.firstDot, 'header')))
      if (keyByHeader.size >= 16) keyByHeader.clear()
      keyByHeader.set(headerSegment, key)
    }
    const payload = checkedPayload(token, parts, key, rules)
    return cache === undefined ? payload : cache.set(token, payload)
  }
}

/**
 * A verifier for a remote key set. The set's keys change when it is fetched again,
 * so no header is memoized to a key: each token's key is looked up in the set as it
 * is now. Everything after the lookup is synchronous, as for a local key.
 *
 * A cached payload is only as good as the key that verified it, and a provider may
 * withdraw a key: so the cache starts empty again whenever the set is fetched anew,
 * and a set too old to use (its provider unreachable) serves no cached token either.
 */
function remoteVerifier(set: RemoteKeySet, setup: VerifierSetup): AsyncVerifier<JwtPayload> {
  const { rules, maxTokenLength, cacheMax } = setup
  const keys = remoteKeyResolver(set, setup.algorithms)
  let cache: TokenCache<Record<string, unknown>> | undefined
  let cachedFor: unknown
  return async (token) => {
    checkSize(token, maxTokenLength)
    let entries: TokenCache<Record<string, unknown>> | undefined
    if (cacheMax !== undefined) {
      const current = await keys.current()
      if (cache === undefined || current !== cachedFor) {
        cache = new TokenCache<Record<string, unknown>>(cacheMax)
        cachedFor = current
      }
      // Kept for this token: if the set is fetched anew while its key is found, the
      // payload lands in this cache, which the next call discards; never in a newer one.
      entries = cache
      const hit = cachedPayload(entries, token, rules)
      if (hit !== undefined) return hit
    }
    const parts = splitToken(token)
    const header = checkHeader(decodeJsonObject(token, 0, parts.firstDot, 'header'))
    const payload = checkedPayload(token, parts, await keys.resolve(header), rules)
    return entries === undefined ? payload : entries.set(token, payload)
  }
}

/**
 * Prepare a verifier once and use it for every token: all option checks and key
 * preparation happen here, and the returned function does only per-token work.
 * Bad options or a weak or unsuitable key throw a `TypeError` now, not at the first
 * request.
 *
 * The key is a secret, a public key (its algorithm named in `algorithms`), a
 * {@link KeyRing}, or a {@link RemoteKeySet}. With a remote set the verifier returns
 * a promise; with anything else it is synchronous.
 *
 * Rules, in order: size; three strict base64url segments; header (no `crit`; `alg`
 * allowed and, with a ring or a set, the key named by `kid` bound to exactly that
 * `alg`); the signature over the exact signing input; payload is a JSON object in
 * valid UTF-8; then the claims. Duplicate member names in the payload resolve as
 * `JSON.parse` does (the last wins).
 *
 * @example
 * ```ts
 * import { createVerifier } from 'express-jwt-gate'
 * const verify = createVerifier<{ userId: number }>(process.env.JWT_SECRET!, { audience: 'api' })
 * const claims = verify(token) // { userId: number } & JwtClaims, or throws InvalidTokenError
 * ```
 */
export function createVerifier<P extends object = JwtPayload>(
  keys: RemoteKeySet,
  options?: VerifyOptions,
): AsyncVerifier<P>
export function createVerifier<P extends object = JwtPayload>(
  keys: KeySource,
  options?: VerifyOptions,
): Verifier<P>
export function createVerifier<P extends object = JwtPayload>(
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions,
): Verifier<P> | AsyncVerifier<P>
export function createVerifier<P extends object = JwtPayload>(
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions,
): Verifier<P> | AsyncVerifier<P> {
  const setup = readVerifyOptions(options, 'createVerifier')
  if (isRemoteKeySet(keys)) return remoteVerifier(keys, setup) as AsyncVerifier<P>
  return localVerifier(createKeyResolver(keys, setup.algorithms), setup) as Verifier<P>
}

/**
 * Verify one token and return its payload, or throw an {@link InvalidTokenError}
 * with a stable `code`. The one-call form of {@link createVerifier}; on a hot path,
 * prepare a verifier once instead. With a {@link RemoteKeySet} it returns a promise.
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
  keys: RemoteKeySet,
  options?: VerifyOptions,
): Promise<P & JwtClaims>
export function verifyToken<P extends object = JwtPayload>(
  token: string,
  keys: KeySource,
  options?: VerifyOptions,
): P & JwtClaims
export function verifyToken<P extends object = JwtPayload>(
  token: string,
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions,
): (P & JwtClaims) | Promise<P & JwtClaims>
export function verifyToken<P extends object = JwtPayload>(
  token: string,
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions,
): (P & JwtClaims) | Promise<P & JwtClaims> {
  return createVerifier<P>(keys, options)(token)
}
