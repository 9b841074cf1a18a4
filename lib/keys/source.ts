import {
  isHmacAlgorithm,
  readAlgorithm,
  type Algorithm,
  type AsymmetricAlgorithm,
} from '../core/algorithms'
import { setupError } from '../core/errors'
import type { KeyResolver, SigningKey, VerificationKey } from '../core/key-contracts'
import {
  asymmetricKeyObject,
  asymmetricSigningKey,
  asymmetricVerificationKey,
  type AsymmetricKey,
} from './asymmetric'
import { isRemoteKeySet } from './remote'
import { keyName, readRing, type KeyRing, type RingEntry } from './ring'
import { secretBytes, type Secret } from './secret'
import {
  checkAllowed,
  keyWithoutKid,
  ringAlgorithms,
  selectKey,
  singleKeyAlgorithms,
  type KeyTable,
} from './select'
import { hmacSigningKey, hmacVerificationKey, type KeyUses } from './symmetric'

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

/** A key to verify `alg` with, from an HMAC secret or an asymmetric key. */
function verificationKey(key: unknown, alg: Algorithm, what: string): VerificationKey {
  return isHmacAlgorithm(alg)
    ? hmacVerificationKey(secretBytes(key, what), alg, what)
    : asymmetricVerificationKey(asymmetricKeyObject(key, alg, 'public', what), alg)
}

const boundAlgorithm = (key: VerificationKey) => key.alg

/** A resolver over a ring: see `select.ts` for the rules. */
function ringResolver(
  ring: readonly unknown[],
  algorithms: readonly Algorithm[] | undefined,
): KeyResolver {
  const entries = readRing(ring)
  const allowed = ringAlgorithms(entries, algorithms)
  const prepared = entries.map((entry) => ({
    kid: entry.kid,
    key: verificationKey(entry.key, entry.alg, keyName(entry.kid)),
    isDefault: entry.isDefault,
  }))
  const table: KeyTable<VerificationKey> = {
    byKid: new Map(prepared.map(({ kid, key }) => [kid, key])),
    withoutKid: keyWithoutKid(prepared),
  }
  return {
    resolve(header) {
      checkAllowed(header, allowed)
      return selectKey(header, table, boundAlgorithm)
    },
  }
}

/**
 * Turn the configured key material into a resolver, once, at setup.
 *
 * - A ring: each key bound to its own algorithm, found by `kid`.
 * - One key and only HMAC algorithms (the default is `['HS256']`): the same secret
 *   serves every allowed HMAC algorithm, each with its own length rule; `kid` is not
 *   looked at, since there is only one key.
 * - One key and one public-key algorithm: the key must suit that algorithm. The
 *   algorithm always comes from the options, never from the key's shape.
 */
export function createKeyResolver(
  source: unknown,
  algorithms: readonly Algorithm[] | undefined,
): KeyResolver {
  if (Array.isArray(source)) return ringResolver(source, algorithms)
  const allowed = singleKeyAlgorithms(algorithms)
  const byAlg = new Map<string, VerificationKey>()
  if (allowed.every(isHmacAlgorithm)) {
    const bytes = secretBytes(source)
    for (const alg of allowed) byAlg.set(alg, hmacVerificationKey(bytes, alg, 'secret'))
  } else {
    const alg = allowed[0] as AsymmetricAlgorithm
    byAlg.set(alg, verificationKey(source, alg, 'key'))
  }
  const allowedSet = new Set<string>(allowed)
  return {
    resolve(header) {
      checkAllowed(header, allowedSet)
      return byAlg.get(header.alg) as VerificationKey
    },
  }
}

/**
 * The key to sign with, prepared once. For a ring, its first key and `kid`;
 * `algorithm` and `keyId`, when given too, must agree with that key rather than
 * override it. For one key, `algorithm` (default `HS256`) says what the key is for.
 */
export function createSigningKey(
  source: unknown,
  algorithm: unknown,
  keyId: string | undefined,
  uses: KeyUses = 'many',
): SigningKey {
  if (isRemoteKeySet(source)) {
    throw setupError(
      'key',
      'a remote key set holds only public keys and cannot sign; sign with your private key or key ring',
    )
  }
  if (Array.isArray(source)) {
    const first = readRing(source)[0] as RingEntry
    if (algorithm !== undefined && algorithm !== first.alg) {
      throw setupError(
        'algorithm',
        `algorithm ${JSON.stringify(algorithm)} contradicts the ring's first key, bound to ${first.alg}; leave algorithm out, the ring decides`,
      )
    }
    if (keyId !== undefined && keyId !== first.kid) {
      throw setupError(
        'keyId',
        `keyId ${JSON.stringify(keyId)} contradicts the ring's first key ${JSON.stringify(first.kid)}; leave keyId out, the ring decides`,
      )
    }
    return signingKey(first.key, first.alg, first.kid, keyName(first.kid), uses)
  }
  const alg = algorithm === undefined ? 'HS256' : readAlgorithm(algorithm, 'algorithm')
  return signingKey(source, alg, keyId, isHmacAlgorithm(alg) ? 'secret' : 'key', uses)
}

function signingKey(
  key: unknown,
  alg: Algorithm,
  kid: string | undefined,
  what: string,
  uses: KeyUses,
): SigningKey {
  return isHmacAlgorithm(alg)
    ? hmacSigningKey(secretBytes(key, what), alg, kid, what, uses)
    : asymmetricSigningKey(key, alg, kid, what)
}
