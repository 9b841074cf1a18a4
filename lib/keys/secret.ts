import {
  createPrivateKey,
  createPublicKey,
  KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto'
import type { HmacAlgorithm } from '../core/algorithms'
import { setupError } from '../core/errors'

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

/**
 * The length rules of HMAC secrets, in one place: the library, the command-line tool
 * and the docs all read them from here. RFC 7518 §3.2 asks for a key at least as long
 * as the hash output; {@link generateSecret} makes that many random bytes (its text
 * is longer still, and the text is the key).
 */
export const SECRET_BYTES = {
  /** The shortest key each algorithm accepts. */
  minimum: { HS256: 32, HS384: 48, HS512: 64 } as const satisfies Record<HmacAlgorithm, number>,
  /** What {@link generateSecret} makes by default, and the most it makes. */
  generated: { default: 32, max: 1024 },
} as const

/** How to make a secret strong enough for `alg`, for messages. */
export function secretHint(alg: HmacAlgorithm = 'HS256'): string {
  const bytes = SECRET_BYTES.minimum[alg]
  return bytes === SECRET_BYTES.generated.default
    ? 'generateSecret() or `npx jwt-gate secret`'
    : `generateSecret(${bytes}) or \`npx jwt-gate secret --bytes ${bytes}\``
}

/**
 * A new random HMAC secret: `bytes` random bytes from `crypto.randomBytes` (32 to
 * 1024; default 32), as base64url text. The text itself is the secret (its UTF-8
 * bytes are the key), so the default gives a 43-character secret for HS256. For HS384
 * and HS512 make as many random bytes as the hash is long: `generateSecret(48)` and
 * `generateSecret(64)`.
 *
 * @example
 * ```ts
 * import { generateSecret } from 'express-jwt-gate'
 * const secret = generateSecret() // store it in JWT_SECRET, never in the code
 * ```
 */
export function generateSecret(bytes: number = SECRET_BYTES.generated.default): string {
  const { minimum, generated } = SECRET_BYTES
  if (!Number.isSafeInteger(bytes) || bytes < minimum.HS256 || bytes > generated.max) {
    throw setupError(
      'bytes',
      `generateSecret needs a whole number of bytes from ${minimum.HS256} to ${generated.max}`,
    )
  }
  return randomBytes(bytes).toString('base64url')
}

const ASYMMETRIC_HINT =
  "to verify RS*, PS*, ES* or EdDSA tokens with it, name its algorithm (algorithms: ['ES256'], or alg in a key ring entry)"

/**
 * The bytes of an HMAC secret, checked: present, not empty, and not a key. A public
 * key used as an HMAC secret is the classic algorithm-confusion attack (RFC 8725
 * §2.1): anyone who holds the public key could then sign. So every common spelling of
 * a key is refused here rather than trusted to chance (see {@link keySpelling}).
 */
export function secretBytes(secret: unknown, option = 'secret'): Buffer {
  let bytes: Buffer
  if (typeof secret === 'string') {
    bytes = Buffer.from(secret, 'utf8')
  } else if (secret instanceof KeyObject) {
    if (secret.type !== 'secret') {
      throw setupError(
        option,
        `${option} is a ${secret.type} key; an asymmetric key can never be an HMAC secret: ${ASYMMETRIC_HINT}`,
      )
    }
    bytes = secret.export()
  } else if (secret instanceof Uint8Array) {
    // A copy: the caller may reuse or zero their buffer after setup.
    bytes = Buffer.from(secret)
  } else if (secret === undefined || secret === null) {
    throw setupError(
      option,
      `${option} is missing; pass at least 32 random bytes, from ${secretHint()}`,
    )
  } else {
    throw setupError(
      option,
      `${option} must be a string, a Buffer/Uint8Array or a secret KeyObject`,
    )
  }
  if (bytes.length === 0) {
    throw setupError(
      option,
      `${option} is empty; pass at least 32 random bytes, from ${secretHint()}`,
    )
  }
  const spelling = keySpelling(bytes)
  if (spelling !== undefined) {
    throw setupError(
      option,
      `${option} looks like ${spelling}; an HMAC secret must be random bytes (use ${secretHint()}), never a public or private key: ${ASYMMETRIC_HINT}`,
    )
  }
  return bytes
}

/** Refuse a secret shorter than the hash output of `alg` (RFC 7518 §3.2). */
export function checkSecretLength(bytes: Buffer, alg: HmacAlgorithm, option: string): void {
  const minBytes = SECRET_BYTES.minimum[alg]
  if (bytes.length < minBytes) {
    throw setupError(
      option,
      `${option} must be at least ${minBytes} bytes for ${alg} (got ${bytes.length}); make one with ${secretHint(alg)}`,
    )
  }
}

/** OpenSSH's one-line public keys (`ssh-ed25519 AAAA… comment`), certificates included. */
const OPENSSH_PUBLIC_KEY =
  /^(?:ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|(?:sk-)?[a-z0-9-]+@openssh\.com)[ \t]+AAAA[A-Za-z0-9+/]/

/** Base64 or base64url text, in one line or wrapped (the body of a PEM file without its armour). */
const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/

/**
 * What kind of key `bytes` spells, or `undefined` when it spells none: PEM (any
 * label, anywhere), RFC 4716 SSH2 text, an OpenSSH public key line, DER as raw bytes,
 * the same DER as base64 without the PEM armour (one line or wrapped at any width),
 * and JWK or JWK Set JSON (with any whitespace around it).
 */
export function keySpelling(bytes: Buffer): string | undefined {
  if (bytes.includes('-----BEGIN ')) return 'a PEM key'
  if (bytes.includes('---- BEGIN SSH2 ')) return 'an SSH2 public key'
  if (isDer(bytes)) return 'a DER-encoded key'
  const text = bytes.toString('utf8').trim()
  if (OPENSSH_PUBLIC_KEY.test(text)) return 'an OpenSSH public key'
  if (text.startsWith('{')) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return undefined
    }
    if (typeof value !== 'object' || value === null) return undefined
    if (Object.hasOwn(value, 'kty')) return 'a JWK'
    if (Array.isArray((value as { keys?: unknown }).keys)) return 'a JWK Set'
    return undefined
  }
  const compact = text.replace(/\s+/g, '')
  if (compact.length >= 40 && BASE64_TEXT.test(compact)) {
    const decoded = Buffer.from(compact, /[-_]/.test(compact) ? 'base64url' : 'base64')
    if (isDer(decoded)) return 'a base64-encoded DER key'
  }
  return undefined
}

/** Does `bytes` parse as a DER public key, private key or certificate? */
function isDer(bytes: Buffer): boolean {
  // Every DER key and certificate is an ASN.1 SEQUENCE (0x30).
  if (bytes[0] !== 0x30) return false
  const attempts = [
    () => createPublicKey({ key: bytes, format: 'der', type: 'spki' }),
    () => createPublicKey({ key: bytes, format: 'der', type: 'pkcs1' }),
    () => createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' }),
    () => createPrivateKey({ key: bytes, format: 'der', type: 'pkcs1' }),
    () => createPrivateKey({ key: bytes, format: 'der', type: 'sec1' }),
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
