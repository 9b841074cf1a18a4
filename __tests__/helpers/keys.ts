import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AsymmetricAlgorithm, Jwk } from 'express-jwt-gate'
import { b64, NOW } from './tokens'

export interface Pair {
  publicKey: KeyObject
  privateKey: KeyObject
}

/** Every public-key algorithm, in the order of RFC 7518. */
export const ASYMMETRIC_ALGORITHMS: AsymmetricAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]

export type KeyKind = 'rsa' | 'P-256' | 'P-384' | 'P-521' | 'ed25519'

const pairs = new Map<string, Pair>()

/**
 * A key pair of a kind, generated once per test file (RSA generation is slow) and
 * reused; `n` picks another pair of the same kind.
 */
export function pair(kind: KeyKind, n = 0): Pair {
  const id = `${kind}#${n}`
  let found = pairs.get(id)
  if (found === undefined) {
    found =
      kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : kind === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('ec', { namedCurve: kind })
    pairs.set(id, found)
  }
  return found
}

/** The kind of key each algorithm needs. */
export function kindFor(alg: AsymmetricAlgorithm): KeyKind {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return 'rsa'
  if (alg === 'EdDSA') return 'ed25519'
  return ({ ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const)[alg as 'ES256']
}

export const pairFor = (alg: AsymmetricAlgorithm, n = 0) => pair(kindFor(alg), n)

const HASH = { '256': 'sha256', '384': 'sha384', '512': 'sha512' } as const

export interface SignParts {
  header?: object
  payload?: object
  /** ECDSA only: `der` to produce the wrong (ASN.1) signature encoding. */
  dsaEncoding?: 'der' | 'ieee-p1363'
}

/**
 * Build a token by hand with `crypto.sign`, independently of the code under test.
 * Defaults: header `{ alg }`, a valid payload at {@link NOW}.
 */
export function signWith(
  alg: AsymmetricAlgorithm,
  privateKey: KeyObject,
  parts: SignParts = {},
): string {
  const input = `${b64(parts.header ?? { alg })}.${b64(parts.payload ?? { sub: 'alice', iat: NOW, exp: NOW + 600 })}`
  const hash = alg === 'EdDSA' ? null : HASH[alg.slice(2) as '256']
  const key = alg.startsWith('PS')
    ? {
        key: privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: Number(alg.slice(2)) / 8,
      }
    : alg.startsWith('ES')
      ? { key: privateKey, dsaEncoding: parts.dsaEncoding ?? 'ieee-p1363' }
      : privateKey
  return `${input}.${sign(hash, Buffer.from(input), key).toString('base64url')}`
}

/** A test-only certificate and its private key, from `__tests__/fixtures`. */
export function fixture(name: 'es256-cert' | 'rs256-cert'): {
  cert: string
  privateKeyPem: string
} {
  const dir = join(__dirname, '..', 'fixtures')
  return {
    cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    privateKeyPem: readFileSync(join(dir, `${name}.key.pem`), 'utf8'),
  }
}

/** A key's JWK: Node types it loosely (every member optional), this package needs `kty`. */
export const jwkOf = (key: KeyObject): Jwk => key.export({ format: 'jwk' }) as Jwk
