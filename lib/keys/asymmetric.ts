import * as crypto from 'node:crypto'
import { ASYMMETRIC, type AsymmetricAlgorithm, type AsymmetricSpec } from '../core/algorithms'
import { setupError } from '../core/errors'
import { importJwk, jwkProblem, type Jwk } from './jwk'
import type { SigningKey, VerificationKey } from '../core/key-contracts'

const { KeyObject } = crypto

/**
 * A key for a public-key algorithm: a `KeyObject`, PEM text (SPKI public key,
 * PKCS #8 / PKCS #1 / SEC1 private key, or an X.509 certificate; as a string or the
 * bytes of a `.pem` file), or a {@link Jwk}. Verification needs only the public key;
 * signing needs the private one.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs'
 * import type { AsymmetricKey } from 'express-jwt-gate'
 * const key: AsymmetricKey = readFileSync('keys/2025-06.public.pem')
 * ```
 */
export type AsymmetricKey = crypto.KeyObject | string | Uint8Array | Jwk

/** RFC 7518 §3.3 and §3.5, RFC 8725 §3.5: shorter RSA keys are refused. */
const MIN_RSA_BITS = 2048

/** A key's type as people name it, with its article: `an RSA`, `a P-256`, `an Ed25519`, … */
function describe(key: crypto.KeyObject): string {
  const type = key.asymmetricKeyType
  if (type === 'rsa') return 'an RSA'
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve
    const spec = Object.values(ASYMMETRIC).find((s) => s.curve?.node === curve)
    return spec?.curve === undefined ? `an EC ${String(curve)}` : `a ${spec.curve.jwk}`
  }
  if (type === 'ed25519') return 'an Ed25519'
  if (type === 'ed448') return 'an Ed448'
  return `a ${String(type)}`
}

/** What `alg` needs, as people name it. */
function wants(spec: AsymmetricSpec): string {
  if (spec.keyType === 'rsa') return `an RSA key of at least ${MIN_RSA_BITS} bits`
  if (spec.curve !== undefined) return `a ${spec.curve.jwk} key`
  return 'an Ed25519 key'
}

/**
 * Why `key` cannot serve `alg`, or `undefined` when it can: the key type, the curve
 * (fixed by the algorithm for ECDSA) and the RSA modulus size are all checked here,
 * once, so the per-token path never looks at the key again.
 */
export function keyProblem(key: crypto.KeyObject, alg: AsymmetricAlgorithm): string | undefined {
  const spec = ASYMMETRIC[alg]
  if (key.asymmetricKeyType === 'rsa-pss' && spec.keyType === 'rsa') {
    return `is an RSA-PSS-restricted key; ${alg} needs a plain RSA key (rsaEncryption)`
  }
  if (key.asymmetricKeyType !== spec.keyType) {
    return `is ${describe(key)} key, but ${alg} needs ${wants(spec)}`
  }
  if (spec.keyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
    if (bits < MIN_RSA_BITS)
      return `is a ${bits}-bit RSA key; ${alg} needs at least ${MIN_RSA_BITS} bits`
  }
  if (spec.curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== spec.curve.node) {
    return `is ${describe(key)} key, but ${alg} needs ${spec.curve.jwk}`
  }
  return undefined
}

/** The algorithms a key could serve, in the order of RFC 7518. */
export function algorithmsForKey(key: crypto.KeyObject): AsymmetricAlgorithm[] {
  return (Object.keys(ASYMMETRIC) as AsymmetricAlgorithm[]).filter(
    (alg) => keyProblem(key, alg) === undefined,
  )
}

/** A PEM key, parsed; a PEM that holds only a public key, refused for signing. */
function fromPem(text: string, type: 'public' | 'private', what: string): crypto.KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
    throw setupError(
      what,
      `${what} is an encrypted private key; decrypt it once at startup with crypto.createPrivateKey({ key, passphrase }) and pass the KeyObject`,
    )
  }
  try {
    return type === 'public' ? crypto.createPublicKey(text) : crypto.createPrivateKey(text)
  } catch {
    // Say which: a public key where a private one is needed, or no key at all.
    let isPublic = false
    try {
      isPublic = crypto.createPublicKey(text).type === 'public'
    } catch {
      // not a key in any form
    }
    throw setupError(
      what,
      isPublic
        ? `${what} is a public key; signing needs the private key`
        : `${what} is not a PEM key or certificate that Node can read`,
    )
  }
}

/**
 * Turn a configured key into a checked `KeyObject` for `alg`: the public key to
 * verify (a private key is accepted and only its public part kept), the private key
 * to sign. Throws a setup `TypeError` that names `what` and says how to fix it.
 */
export function asymmetricKeyObject(
  input: unknown,
  alg: AsymmetricAlgorithm,
  type: 'public' | 'private',
  what: string,
): crypto.KeyObject {
  let key: crypto.KeyObject
  if (input instanceof KeyObject) {
    if (input.type === 'secret') {
      throw setupError(
        what,
        `${what} is a secret key; ${alg} needs ${type === 'public' ? 'a public (or private)' : 'a private'} key`,
      )
    }
    key = input
  } else if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8')
    if (!text.includes('-----BEGIN ')) {
      throw setupError(
        what,
        `${what} for ${alg} must be a PEM key or certificate, a KeyObject or a JWK; plain text or bytes are an HMAC secret, which only HS256/384/512 use`,
      )
    }
    key = fromPem(text, type, what)
  } else if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const jwk = input as Record<string, unknown>
    const problem = jwkProblem(jwk, type === 'public' ? 'verify' : 'sign', alg)
    if (problem !== undefined) throw setupError(what, `${what} ${problem}`)
    try {
      key = importJwk(jwk, type)
    } catch (cause) {
      throw setupError(what, `${what} ${(cause as Error).message}`)
    }
  } else if (input === undefined || input === null) {
    throw setupError(what, `${what} is missing; ${alg} needs ${wants(ASYMMETRIC[alg])}`)
  } else {
    throw setupError(what, `${what} for ${alg} must be a KeyObject, PEM text or a JWK`)
  }
  if (type === 'private' && key.type !== 'private') {
    throw setupError(what, `${what} is a public key; signing needs the private key`)
  }
  const problem = keyProblem(key, alg)
  if (problem !== undefined) throw setupError(what, `${what} ${problem}`)
  return type === 'public' && key.type === 'private' ? crypto.createPublicKey(key) : key
}

/** The options of `crypto.sign` / `crypto.verify` for `alg` with `key`. */
function cryptoOptions(
  spec: AsymmetricSpec,
  key: crypto.KeyObject,
): crypto.KeyObject | crypto.SignKeyObjectInput | crypto.VerifyKeyObjectInput {
  if (spec.keyType === 'ec') return { key, dsaEncoding: 'ieee-p1363' }
  if (spec.pss) {
    // RFC 7518 §3.5: the salt is as long as the hash output, for signing and checking.
    return {
      key,
      padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST,
    }
  }
  if (spec.keyType === 'rsa') return { key, padding: crypto.constants.RSA_PKCS1_PADDING }
  return key
}

/** True when `bytes[from, to)` are all zero. */
function isZero(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false
  return true
}

/**
 * Prepare a public key (already checked for `alg`) to verify tokens.
 *
 * The signature must have the exact length the algorithm and key give: the modulus
 * size for RSA, 64 bytes for Ed25519, and for ECDSA the JWS form `r‖s` with each
 * half the size of the curve (RFC 7518 §3.4): a DER-encoded signature, as some
 * libraries produce by mistake, is refused rather than converted. `r = 0` or `s = 0`
 * is refused before the curve maths runs: the "psychic signature" (CVE-2022-21449)
 * made such a signature pass every check in one JDK.
 */
export function asymmetricVerificationKey(
  publicKey: crypto.KeyObject,
  alg: AsymmetricAlgorithm,
): VerificationKey {
  const spec = ASYMMETRIC[alg]
  const options = cryptoOptions(spec, publicKey)
  const length =
    spec.curve?.signatureLength ??
    (spec.keyType === 'rsa'
      ? Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength as number) / 8)
      : 64)
  const half = length / 2
  return {
    alg,
    comparesText: false,
    verify(token, secondDot) {
      const signature = Buffer.from(token.slice(secondDot + 1), 'base64url')
      if (signature.length !== length) return false
      if (
        spec.curve !== undefined &&
        (isZero(signature, 0, half) || isZero(signature, half, length))
      ) {
        return false
      }
      const input = Buffer.from(token.slice(0, secondDot), 'latin1')
      return crypto.verify(spec.hash, input, options, signature)
    },
  }
}

/** Prepare a private key for `alg` to sign tokens; the key is checked and parsed once, here. */
export function asymmetricSigningKey(
  input: unknown,
  alg: AsymmetricAlgorithm,
  kid: string | undefined,
  what: string,
): SigningKey {
  const spec = ASYMMETRIC[alg]
  const options = cryptoOptions(spec, asymmetricKeyObject(input, alg, 'private', what))
  const sign = (signingInput: string) =>
    crypto.sign(spec.hash, Buffer.from(signingInput, 'latin1'), options).toString('base64url')
  return { alg, kid, sign }
}
