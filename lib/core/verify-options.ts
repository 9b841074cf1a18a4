import { readAlgorithm, type Algorithm } from './algorithms'
import { readCacheOptions, type CacheOptions } from './cache'
import type { ClaimRules } from './claims'
import { toSeconds, type Duration } from './duration'
import { setupError } from './errors'
import { readMaxTokenLength } from './limits'
import { clockOf, internalClock, readDate } from './numeric-date'
import { optionNames, readOptions, readString, readStringList, type OptionList } from './options'
import { readClaimsSchema, type ClaimsCheck, type ClaimsSchema } from './schema'

/**
 * Options of {@link verifyToken} and {@link createVerifier}. Every duration is in
 * seconds (a number) or a duration string such as `'15m'`. The type parameter is the
 * type of `claims`: `VerifyOptions` alone has none, `VerifyOptions<typeof schema>` has
 * that schema.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from 'express-jwt-gate'
 * const options: VerifyOptions = { audience: 'api', issuer: 'https://auth.example.com', clockTolerance: 5 }
 * ```
 */
export interface VerifyOptions<Claims extends ClaimsSchema | undefined = undefined> {
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
  /**
   * A Standard Schema v1 validator (zod, valibot, arktype, …) for the payload, run
   * after the signature and every claim rule above. A payload it refuses is 401
   * `claim_invalid`, naming the path of the first issue; its output (it may
   * transform) is what the verifier returns and `req.user` holds. A schema that
   * validates asynchronously makes the verifier answer with a promise.
   */
  claims?: Claims
}

/** The option names of the token core, tied to {@link VerifyOptions}. */
export const VERIFY_OPTIONS = {
  algorithms: true,
  audience: true,
  issuer: true,
  subject: true,
  clockTolerance: true,
  maxAge: true,
  requiredClaims: true,
  maxTokenLength: true,
  currentDate: true,
  cache: true,
  claims: true,
} as const satisfies OptionList<VerifyOptions<ClaimsSchema>>

/** The same names as a set, for callers that pass them through. */
export const VERIFY_OPTION_NAMES = optionNames(VERIFY_OPTIONS)

/** Every verification option, validated once at setup into what the per-token path reads. */
export interface VerifierSetup {
  /** As given; `undefined` when the option was left out (its default depends on the key). */
  readonly algorithms: readonly Algorithm[] | undefined
  readonly rules: ClaimRules
  readonly maxTokenLength: number
  /** Most entries of the verified-token cache; `undefined` when off. */
  readonly cacheMax: number | undefined
  /** The payload's schema; `undefined` when none is given. */
  readonly claims: ClaimsCheck | undefined
}

function readAlgorithms(value: unknown): Algorithm[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.length === 0) {
    throw setupError('algorithms', `algorithms must be a non-empty array such as ['HS256']`)
  }
  return [...new Set(value.map((alg) => readAlgorithm(alg, 'algorithms')))]
}

function readRequiredClaims(value: unknown): string[] {
  if (value === undefined) return ['exp']
  if (!Array.isArray(value)) {
    throw setupError('requiredClaims', 'requiredClaims must be an array of claim names')
  }
  return value.map((claim) => readString(claim, 'requiredClaims', 'each requiredClaims entry'))
}

/** Validate every option once, at setup, into the form the per-token path reads. */
export function readVerifyOptions(options: unknown, where: string): VerifierSetup {
  const o = readOptions<VerifyOptions<ClaimsSchema>>(options, VERIFY_OPTION_NAMES, where)
  const optionalSet = (value: unknown, name: string) =>
    value === undefined ? undefined : new Set(readStringList(value, name))
  return {
    algorithms: readAlgorithms(o.algorithms),
    maxTokenLength: readMaxTokenLength(o.maxTokenLength),
    cacheMax: readCacheOptions(o.cache),
    claims: readClaimsSchema(o.claims),
    rules: {
      requiredClaims: readRequiredClaims(o.requiredClaims),
      audience: optionalSet(o.audience, 'audience'),
      issuer: optionalSet(o.issuer, 'issuer'),
      subject: o.subject === undefined ? undefined : readString(o.subject, 'subject'),
      clockTolerance:
        o.clockTolerance === undefined ? 0 : toSeconds(o.clockTolerance, 'clockTolerance'),
      maxAge: o.maxAge === undefined ? undefined : toSeconds(o.maxAge, 'maxAge'),
      clock: clockOf(
        o.currentDate === undefined ? undefined : readDate(o.currentDate, 'currentDate'),
        internalClock(options),
      ),
    },
  }
}
