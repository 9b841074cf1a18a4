import {
  isAlgorithm,
  isHmacAlgorithm,
  readAlgorithm,
  unsupportedAlgorithm,
  type Algorithm,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
} from '../core/algorithms'
import {
  asymmetricKeyObject,
  asymmetricSigningKey,
  asymmetricVerificationKey,
  type AsymmetricKey,
} from './asymmetric'
import { fail, setupError } from '../core/errors'
import { isRemoteKeySet } from './remote'
import { hmacSigningKey, hmacVerificationKey, secretBytes, type Secret } from './symmetric'

/**
 * One key of a {@link KeyRing}: its key id, the key, and the one algorithm it is
 * bound to. `default: true` marks the key that verifies tokens without a `kid`.
 *
 * @example
 * ```ts
 * import type { RingKey } from 'express-jwt-gate'
 * const current: RingKey = { kid: '2025-06', key: process.env.JWT_SECRET!, alg: 'HS256' }
 * ```
 */
export type RingKey =
  | { kid: string; alg: HmacAlgorithm; key: Secret; default?: boolean }
  | { kid: string; alg: AsymmetricAlgorithm; key: AsymmetricKey; default?: boolean }

/**
 * Several keys, each with its `kid` and bound to one algorithm: the first signs,
 * and every one verifies the tokens that name its `kid`. Rotate by adding the new
 * key in front and removing the old one once its last token has expired.
 *
 * @example
 * ```ts
 * import type { KeyRing } from 'express-jwt-gate'
 * const ring: KeyRing = [
 *   { kid: '2025-06', key: process.env.JWT_SECRET!, alg: 'HS256' },
 *   { kid: '2025-01', key: process.env.JWT_OLD_SECRET!, alg: 'HS256', default: true },
 * ]
 * ```
 */
export type KeyRing = readonly RingKey[]

/**
 * Whatever signs or verifies tokens locally: an HMAC {@link Secret}, an
 * {@link AsymmetricKey} (its algorithm named in the options) or a {@link KeyRing}.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'express-jwt-gate'
 * import type { KeySource } from 'express-jwt-gate'
 * const keys: KeySource = process.env.JWT_SECRET!
 * const verify = createVerifier(keys)
 * ```
 */
export type KeySource = Secret | AsymmetricKey | KeyRing

/** A key prepared for one algorithm, ready to check one token's signature. */
export interface VerificationKey {
  readonly alg: Algorithm
  /** Does `token[secondDot + 1 …]` sign `token[0, secondDot)`? */
  verify(token: string, secondDot: number): boolean
}

/** A key prepared for one algorithm, ready to sign. */
export interface SigningKey {
  readonly alg: Algorithm
  readonly kid: string | undefined
  sign(signingInput: string): string
}

/** Chooses the key for a token from its header, never by trying several keys. */
export interface KeyResolver {
  /** The one key for this header; throws a 401 failure when there is none. */
  resolve(header: Readonly<Record<string, unknown>>): VerificationKey
}

/** A ring entry, checked: what {@link readRing} returns. */
export interface RingEntry {
  readonly kid: string
  readonly alg: Algorithm
  readonly key: unknown
  readonly isDefault: boolean
}

/** The `kid` text of setup messages. */
const keyName = (kid: string) => `key ${JSON.stringify(kid)}`

const RING_KEY_PROPERTIES: ReadonlySet<string> = new Set(['kid', 'key', 'alg', 'default'])

/**
 * Check a key ring's shape (not yet its key material): a non-empty array of
 * `{ kid, key, alg, default? }` with distinct, non-empty `kid`s, a supported `alg`
 * each and at most one default. A misspelt property (`algorithm`, `isDefault`) is
 * refused rather than ignored.
 */
export function readRing(ring: readonly unknown[]): RingEntry[] {
  if (ring.length === 0) throw setupError('a key ring must hold at least one key')
  const kids = new Set<string>()
  let defaults = 0
  return ring.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw setupError(`key ring entry ${i} must be an object { kid, key, alg }`)
    }
    const entry = item as Record<string, unknown>
    for (const name of Object.keys(entry)) {
      if (!RING_KEY_PROPERTIES.has(name)) {
        throw setupError(
          `key ring entry ${i}: unknown property ${JSON.stringify(name)}; an entry has kid, key, alg and optionally default`,
        )
      }
    }
    const { kid, alg } = entry
    if (typeof kid !== 'string' || kid === '') {
      throw setupError(`key ring entry ${i} needs a kid: a non-empty string naming the key`)
    }
    if (kids.has(kid)) {
      throw setupError(`key ring holds kid ${JSON.stringify(kid)} twice; every kid must be unique`)
    }
    kids.add(kid)
    readAlgorithm(alg, `${keyName(kid)}: `)
    if (entry.default !== undefined && typeof entry.default !== 'boolean') {
      throw setupError(`key ${JSON.stringify(kid)}: default must be true or false`)
    }
    if (entry.default === true && ++defaults > 1) {
      throw setupError('key ring marks more than one key as default; at most one may be')
    }
    // A JWK may carry its own kid; a ring that names it otherwise contradicts it.
    const jwkKid = (entry.key as { kid?: unknown } | null | undefined)?.kid
    if (jwkKid !== undefined && jwkKid !== kid) {
      throw setupError(
        `key ring entry ${JSON.stringify(kid)} holds a JWK whose kid is ${JSON.stringify(jwkKid)}; the two must agree`,
      )
    }
    return { kid, alg: alg as Algorithm, key: entry.key, isDefault: entry.default === true }
  })
}

/** A key to verify `alg` with, from an HMAC secret or an asymmetric key. */
function verificationKey(key: unknown, alg: Algorithm, what: string): VerificationKey {
  return isHmacAlgorithm(alg)
    ? hmacVerificationKey(secretBytes(key, what), alg, what)
    : asymmetricVerificationKey(asymmetricKeyObject(key, alg, 'public', what), alg)
}

/**
 * A resolver over a ring: the token's `kid` selects one key (a token without `kid`
 * gets the only key, or the default one), and the token's `alg` must be that key's.
 * `allowed`, when the options give it, must allow every key's algorithm: a ring that
 * holds a key the configuration says it never accepts is a mistake to report now.
 */
function ringResolver(
  ring: readonly unknown[],
  allowed: readonly Algorithm[] | undefined,
): KeyResolver {
  const entries = readRing(ring)
  const byKid = new Map<string, VerificationKey>()
  let fallback: VerificationKey | undefined
  for (const entry of entries) {
    if (allowed !== undefined && !allowed.includes(entry.alg)) {
      throw setupError(
        `${keyName(entry.kid)} is bound to ${entry.alg}, which the algorithms option does not allow; remove the key or add ${entry.alg}`,
      )
    }
    const key = verificationKey(entry.key, entry.alg, keyName(entry.kid))
    byKid.set(entry.kid, key)
    if (entry.isDefault || entries.length === 1) fallback = key
  }
  const algorithms = new Set(entries.map((entry) => entry.alg))
  return {
    resolve(header) {
      const alg = header.alg as string
      if (!algorithms.has(alg as Algorithm)) fail('algorithm_not_allowed', 'algorithm not allowed')
      const kid = header.kid as string | undefined
      const key = kid === undefined ? fallback : byKid.get(kid)
      if (key === undefined) {
        fail(
          'key_unknown',
          kid === undefined ? 'token has no kid and no key is the default' : 'key unknown',
        )
      }
      if (key.alg !== alg) fail('algorithm_not_allowed', 'algorithm does not match the key')
      return key
    },
  }
}

/**
 * Turn the configured key material into a resolver, once, at setup.
 *
 * - A ring: see {@link ringResolver}.
 * - One key and only HMAC algorithms (the default is `['HS256']`): the same secret
 *   serves every allowed HMAC algorithm, each with its own length rule.
 * - One key and one public-key algorithm: the key must suit that algorithm. The
 *   algorithm always comes from the options, never from the key's shape.
 */
export function createKeyResolver(
  source: unknown,
  algorithms: readonly Algorithm[] | undefined,
): KeyResolver {
  if (Array.isArray(source)) return ringResolver(source, algorithms)
  const allowed = algorithms ?? ['HS256']
  const byAlg = new Map<string, VerificationKey>()
  if (allowed.every(isHmacAlgorithm)) {
    const bytes = secretBytes(source)
    for (const alg of allowed) byAlg.set(alg, hmacVerificationKey(bytes, alg, 'secret'))
  } else if (allowed.length === 1) {
    const alg = allowed[0] as AsymmetricAlgorithm
    byAlg.set(alg, verificationKey(source, alg, 'key'))
  } else {
    throw setupError(
      `one key is bound to one algorithm, but algorithms lists ${allowed.join(', ')}; name the key's algorithm only, or pass a key ring with one entry per key`,
    )
  }
  return {
    resolve(header) {
      const key = byAlg.get(header.alg as string)
      if (key === undefined) fail('algorithm_not_allowed', 'algorithm not allowed')
      return key
    },
  }
}

/**
 * The key to sign with. For a ring, its first key and `kid`; `algorithm` and
 * `keyId`, when given too, must agree with that key rather than override it. For
 * one key, `algorithm` (default `HS256`) says what the key is for.
 */
export function signingKeyFor(
  source: unknown,
  algorithm: unknown,
  keyId: string | undefined,
): SigningKey {
  if (isRemoteKeySet(source)) {
    throw setupError(
      'a remote key set holds only public keys and cannot sign; sign with your private key or key ring',
    )
  }
  if (Array.isArray(source)) {
    const first = readRing(source)[0] as RingEntry
    if (algorithm !== undefined && algorithm !== first.alg) {
      throw setupError(
        `algorithm ${JSON.stringify(algorithm)} contradicts the ring's first key, bound to ${first.alg}; leave algorithm out, the ring decides`,
      )
    }
    if (keyId !== undefined && keyId !== first.kid) {
      throw setupError(
        `keyId ${JSON.stringify(keyId)} contradicts the ring's first key ${JSON.stringify(first.kid)}; leave keyId out, the ring decides`,
      )
    }
    return signingKey(first.key, first.alg, first.kid, keyName(first.kid))
  }
  const alg = algorithm ?? 'HS256'
  if (!isAlgorithm(alg)) throw setupError(unsupportedAlgorithm(alg))
  return signingKey(source, alg, keyId, isHmacAlgorithm(alg) ? 'secret' : 'key')
}

function signingKey(
  key: unknown,
  alg: Algorithm,
  kid: string | undefined,
  what: string,
): SigningKey {
  return isHmacAlgorithm(alg)
    ? hmacSigningKey(key, alg, kid, what)
    : asymmetricSigningKey(key, alg, kid, what)
}
