import { KeyObject } from 'node:crypto'
import { fail, setupError } from './errors'
import { createMac, type HmacHash, type Mac } from './hmac'

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
 * Every signature algorithm this package can be configured with. `none` is not one
 * of them, whatever the options say.
 *
 * @example
 * ```ts
 * import type { Algorithm } from 'express-jwt-gate'
 * const allowed: Algorithm[] = ['HS256']
 * ```
 */
export type Algorithm = HmacAlgorithm

interface HmacSpec {
  readonly hash: HmacHash
  /** RFC 7518 §3.2: a key at least as long as the hash output. */
  readonly minBytes: number
}

const HMAC: Readonly<Record<string, HmacSpec>> = {
  HS256: { hash: 'sha256', minBytes: 32 },
  HS384: { hash: 'sha384', minBytes: 48 },
  HS512: { hash: 'sha512', minBytes: 64 },
}

/** True for the names of the algorithms this package implements. */
export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && Object.hasOwn(HMAC, value)
}

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
  /** Every algorithm some key accepts: the allowlist. */
  readonly algorithms: readonly Algorithm[]
  /** The one key for this header; throws a 401 failure when there is none. */
  resolve(header: Readonly<Record<string, unknown>>): VerificationKey
}

/**
 * The bytes of an HMAC secret, checked: present, not an asymmetric key and not PEM
 * text. A public key used as an HMAC secret is the classic algorithm-confusion
 * attack (RFC 8725 §2.1), so it is refused here rather than trusted to chance.
 */
export function secretBytes(secret: unknown, option = 'secret'): Buffer {
  let bytes: Buffer
  if (typeof secret === 'string') {
    bytes = Buffer.from(secret, 'utf8')
  } else if (secret instanceof KeyObject) {
    if (secret.type !== 'secret') {
      throw setupError(
        `${option} is a ${secret.type} key; an asymmetric key can never be an HMAC secret`,
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
      `${option} looks like a PEM key; an HMAC secret must be random bytes (use generateSecret()), never a public or private key`,
    )
  }
  return bytes
}

/** Refuse a secret shorter than the hash output of `alg` (RFC 7518 §3.2). */
function hmacSpec(bytes: Buffer, alg: Algorithm, option: string): HmacSpec {
  const spec = HMAC[alg] as HmacSpec
  if (bytes.length < spec.minBytes) {
    throw setupError(
      `${option} must be at least ${spec.minBytes} bytes for ${alg} (got ${bytes.length}); generate one with generateSecret(${spec.minBytes})`,
    )
  }
  return spec
}

/** Prepare an HMAC key for verification under one algorithm. */
function hmacVerificationKey(bytes: Buffer, alg: Algorithm, option: string): VerificationKey {
  const mac = createMac(hmacSpec(bytes, alg, option).hash, bytes)
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

/**
 * Turn the configured secret and allowlist into key material, once, at setup.
 * The same secret serves every allowed HMAC algorithm, each with its own length rule.
 */
export function createKeyResolver(
  secret: unknown,
  algorithms: readonly Algorithm[],
  option = 'secret',
): KeyResolver {
  const bytes = secretBytes(secret, option)
  const byAlg = new Map<string, VerificationKey>()
  for (const alg of algorithms) byAlg.set(alg, hmacVerificationKey(bytes, alg, option))
  return {
    algorithms,
    resolve(header) {
      const key = byAlg.get(header.alg as string)
      if (key === undefined) fail('algorithm_not_allowed', 'algorithm not allowed')
      return key
    },
  }
}

/** The last secret signed with, and its prepared MACs: most programs sign with one. */
let lastSecret: unknown
let lastBytes: Buffer | undefined
let lastMacs = new Map<Algorithm, Mac>()

/**
 * A signing key for `secret` under `alg`. Preparing an HMAC key costs about as much
 * as using it, so the last secret's keys are kept. Strings and `KeyObject`s are
 * immutable and matched by identity; bytes are matched by content, since the
 * caller may have changed them in place.
 */
export function signingKey(secret: unknown, alg: Algorithm, kid: string | undefined): SigningKey {
  const sameSecret =
    secret instanceof Uint8Array
      ? lastSecret instanceof Uint8Array && (lastBytes as Buffer).equals(secret)
      : secret === lastSecret && lastBytes !== undefined
  if (!sameSecret) {
    lastBytes = secretBytes(secret)
    lastSecret = secret
    lastMacs = new Map()
  }
  let mac = lastMacs.get(alg)
  if (mac === undefined) {
    const bytes = lastBytes as Buffer
    mac = createMac(hmacSpec(bytes, alg, 'secret').hash, bytes)
    lastMacs.set(alg, mac)
  }
  return { alg, kid, sign: mac }
}
