import { setupError } from './errors'

/**
 * The HMAC algorithms of RFC 7518 §3.2.
 *
 * @example
 * ```ts
 * import type { HmacAlgorithm } from 'express-jwt-gate'
 * const alg: HmacAlgorithm = 'HS256'
 * ```
 */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512'

/**
 * The public-key signature algorithms of RFC 7518 §3.3–3.5 and RFC 8037 (`EdDSA`
 * with Ed25519 only): verification needs only the public key.
 *
 * @example
 * ```ts
 * import type { AsymmetricAlgorithm } from 'express-jwt-gate'
 * const alg: AsymmetricAlgorithm = 'ES256'
 * ```
 */
export type AsymmetricAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA'

/**
 * Every signature algorithm this package can be configured with. `none` is not one
 * of them, whatever the options say.
 *
 * @example
 * ```ts
 * import type { Algorithm } from 'express-jwt-gate'
 * const allowed: Algorithm[] = ['HS256', 'ES256']
 * ```
 */
export type Algorithm = HmacAlgorithm | AsymmetricAlgorithm

/** The hashes the algorithms use. */
export type Hash = 'sha256' | 'sha384' | 'sha512'

/** What each public-key algorithm needs from its key, and how it signs. */
export interface AsymmetricSpec {
  /** `KeyObject.asymmetricKeyType` the key must have. */
  readonly keyType: 'rsa' | 'ec' | 'ed25519'
  /** The digest; `null` for EdDSA, which hashes internally. */
  readonly hash: Hash | null
  /** RSASSA-PSS rather than PKCS #1 v1.5. */
  readonly pss: boolean
  /** For ECDSA: the curve as Node names it, as JWK names it, and `r‖s` length in bytes. */
  readonly curve?: { readonly node: string; readonly jwk: string; readonly signatureLength: number }
}

const rsa = (hash: Hash, pss: boolean): AsymmetricSpec => ({ keyType: 'rsa', hash, pss })
const ec = (hash: Hash, node: string, jwk: string, signatureLength: number): AsymmetricSpec => ({
  keyType: 'ec',
  hash,
  pss: false,
  curve: { node, jwk, signatureLength },
})

export const HMAC_HASH: Readonly<Record<HmacAlgorithm, Hash>> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
}

export const ASYMMETRIC: Readonly<Record<AsymmetricAlgorithm, AsymmetricSpec>> = {
  RS256: rsa('sha256', false),
  RS384: rsa('sha384', false),
  RS512: rsa('sha512', false),
  PS256: rsa('sha256', true),
  PS384: rsa('sha384', true),
  PS512: rsa('sha512', true),
  // RFC 7518 §3.4: the curve is fixed by the algorithm, and r and s are each
  // ceil(bits / 8) bytes: 32, 48 and 66 (P-521 is 521 bits, not 512).
  ES256: ec('sha256', 'prime256v1', 'P-256', 64),
  ES384: ec('sha384', 'secp384r1', 'P-384', 96),
  ES512: ec('sha512', 'secp521r1', 'P-521', 132),
  EdDSA: { keyType: 'ed25519', hash: null, pss: false },
}

/** For messages: every algorithm name, in order. */
export const ALGORITHM_NAMES = [...Object.keys(HMAC_HASH), ...Object.keys(ASYMMETRIC)].join(', ')

/** True for the names of the algorithms this package implements. */
export function isAlgorithm(value: unknown): value is Algorithm {
  return isHmacAlgorithm(value) || isAsymmetricAlgorithm(value)
}

export function isHmacAlgorithm(value: unknown): value is HmacAlgorithm {
  return typeof value === 'string' && Object.hasOwn(HMAC_HASH, value)
}

export function isAsymmetricAlgorithm(value: unknown): value is AsymmetricAlgorithm {
  return typeof value === 'string' && Object.hasOwn(ASYMMETRIC, value)
}

/** A TypeError message for a value that names no algorithm we implement. */
export function unsupportedAlgorithm(value: unknown): string {
  return `unsupported algorithm ${JSON.stringify(value)}; use one of ${ALGORITHM_NAMES}`
}

/**
 * `value` as an algorithm this package implements, or a setup error about `option`
 * (with `prefix` in front of its message) that says which exist; `none`, in any case, is named as never
 * accepted rather than merely unknown.
 */
export function readAlgorithm(value: unknown, option: string, prefix = ''): Algorithm {
  if (typeof value === 'string' && value.toLowerCase() === 'none') {
    throw setupError(
      option,
      `${prefix}algorithm 'none' is never accepted: an unsigned token proves nothing`,
    )
  }
  if (!isAlgorithm(value)) throw setupError(option, prefix + unsupportedAlgorithm(value))
  return value
}
