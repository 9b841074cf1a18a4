import { createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto'
import { HMAC_HASH, type HmacAlgorithm } from '../core/algorithms'
import { setupError } from '../core/errors'
import { createMac, type Mac } from '../core/fast/hmac'
import type { SigningKey, VerificationKey } from './source'

/**
 * An HMAC secret: a string (its UTF-8 bytes are the key), bytes, or a secret `KeyObject`.
 *
 * @example
 * ```ts
 * import { createSecretKey } from 'node:crypto'
 * import type { Secret } from 'express-jwt-gate'
 * const fromEnv: Secret = process.env.JWT_SECRET!
 * const asKey: Secret = createSecretKey(Buffer.from(process.env.JWT_SECRET!, 'utf8'))
 * ```
 */
export type Secret = string | Uint8Array | KeyObject

/** RFC 7518 §3.2: a key at least as long as the hash output. */
const MIN_BYTES: Readonly<Record<HmacAlgorithm, number>> = { HS256: 32, HS384: 48, HS512: 64 }

const ASYMMETRIC_HINT =
  "to verify RS*, PS*, ES* or EdDSA tokens with it, name its algorithm (algorithms: ['ES256'], or alg in a key ring entry)"

/**
 * The bytes of an HMAC secret, checked: present, not an asymmetric key, not PEM text,
 * not a DER-encoded key or certificate and not JWK text. A public key used as an HMAC
 * secret is the classic algorithm-confusion attack (RFC 8725 §2.1): anyone who holds
 * the public key could then sign. So every encoding of a key is refused here rather
 * than trusted to chance.
 */
export function secretBytes(secret: unknown, option = 'secret'): Buffer {
  let bytes: Buffer
  if (typeof secret === 'string') {
    bytes = Buffer.from(secret, 'utf8')
  } else if (secret instanceof KeyObject) {
    if (secret.type !== 'secret') {
      throw setupError(
        `${option} is a ${secret.type} key; an asymmetric key can never be an HMAC secret: ${ASYMMETRIC_HINT}`,
      )
    }
    bytes = secret.export()
  } else if (secret instanceof Uint8Array) {
    // A copy: the caller may reuse or zero their buffer after setup.
    bytes = Buffer.from(secret)
  } else if (secret === undefined || secret === null) {
    throw setupError(
      `${option} is missing; pass at least 32 random bytes, for example generateSecret()`,
    )
  } else {
    throw setupError(`${option} must be a string, a Buffer/Uint8Array or a secret KeyObject`)
  }
  if (bytes.length === 0) {
    throw setupError(
      `${option} is empty; pass at least 32 random bytes, for example generateSecret()`,
    )
  }
  if (bytes.includes('-----BEGIN ')) {
    throw setupError(
      `${option} looks like a PEM key; an HMAC secret must be random bytes (use generateSecret()), never a public or private key: ${ASYMMETRIC_HINT}`,
    )
  }
  if (isEncodedKey(bytes)) {
    throw setupError(
      `${option} is an encoded key (DER or JWK); an HMAC secret must be random bytes (use generateSecret()), never a public or private key: ${ASYMMETRIC_HINT}`,
    )
  }
  return bytes
}

/** Does `bytes` parse as a DER key or certificate, or as JWK text? */
function isEncodedKey(bytes: Buffer): boolean {
  // Every DER key and certificate is an ASN.1 SEQUENCE (0x30); JWK text is an object.
  if (bytes[0] === 0x30) {
    const attempts = [
      () => createPublicKey({ key: bytes, format: 'der', type: 'spki' }),
      () => createPublicKey({ key: bytes, format: 'der', type: 'pkcs1' }),
      () => createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' }),
      () => new X509Certificate(bytes),
    ]
    return attempts.some((parse) => {
      try {
        parse()
        return true
      } catch {
        return false
      }
    })
  }
  if (bytes[0] === 0x7b) {
    try {
      const value: unknown = JSON.parse(bytes.toString('utf8'))
      return typeof value === 'object' && value !== null && Object.hasOwn(value, 'kty')
    } catch {
      return false
    }
  }
  return false
}

/** Refuse a secret shorter than the hash output of `alg` (RFC 7518 §3.2). */
function checkLength(bytes: Buffer, alg: HmacAlgorithm, option: string): void {
  const minBytes = MIN_BYTES[alg]
  if (bytes.length < minBytes) {
    throw setupError(
      `${option} must be at least ${minBytes} bytes for ${alg} (got ${bytes.length}); generate one with generateSecret(${minBytes})`,
    )
  }
}

/** Prepare an HMAC key for verification under one algorithm. */
export function hmacVerificationKey(
  bytes: Buffer,
  alg: HmacAlgorithm,
  option: string,
): VerificationKey {
  checkLength(bytes, alg, option)
  const mac = createMac(HMAC_HASH[alg], bytes)
  return {
    alg,
    verify: (token, secondDot) => macMatches(mac(token.slice(0, secondDot)), token, secondDot + 1),
  }
}

/**
 * Compare our MAC with the signature segment `token[from …]` in constant time: a
 * compare that stops at the first difference tells an attacker, through timing, how
 * much of a forged MAC is right, and lets them build one character at a time. The
 * length is not secret (it is fixed by the algorithm), so it is checked first.
 */
function macMatches(expected: string, token: string, from: number): boolean {
  if (token.length - from !== expected.length) return false
  let diff = 0
  for (let i = 0; i < expected.length; i++)
    diff |= expected.charCodeAt(i) ^ token.charCodeAt(from + i)
  return diff === 0
}

/** The last secret signed with, and its prepared MACs: most programs sign with one. */
let lastSecret: unknown
let lastBytes: Buffer | undefined
let lastMacs = new Map<HmacAlgorithm, Mac>()

/**
 * A signing key for `secret` under `alg`. Preparing an HMAC key costs about as much
 * as using it, so the last secret's keys are kept. Strings and `KeyObject`s are
 * immutable and matched by identity; bytes are matched by content, since the
 * caller may have changed them in place.
 */
export function hmacSigningKey(
  secret: unknown,
  alg: HmacAlgorithm,
  kid: string | undefined,
  option = 'secret',
): SigningKey {
  const sameSecret =
    secret instanceof Uint8Array
      ? lastSecret instanceof Uint8Array && (lastBytes as Buffer).equals(secret)
      : secret === lastSecret && lastBytes !== undefined
  if (!sameSecret) {
    const bytes = secretBytes(secret, option)
    lastBytes = bytes
    lastSecret = secret
    lastMacs = new Map()
  }
  let mac = lastMacs.get(alg)
  if (mac === undefined) {
    const bytes = lastBytes as Buffer
    checkLength(bytes, alg, option)
    mac = createMac(HMAC_HASH[alg], bytes)
    lastMacs.set(alg, mac)
  }
  return { alg, kid, sign: mac }
}
