import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto'
import {
  isHmacAlgorithm,
  readAlgorithm,
  type Algorithm,
  type AsymmetricAlgorithm,
} from '../core/algorithms'
import { setupError } from '../core/errors'
import type { AsymmetricKey } from '../keys/asymmetric'
import type { KeyRing } from '../keys/ring'
import { generateSecret, type Secret } from '../keys/secret'

/**
 * A random HMAC secret made once per process: 64 random bytes, long enough for HS256,
 * HS384 and HS512. Give it to the app under test (`jwtAuth(testSecret)`); the token
 * helpers sign with it unless told otherwise. Never use it outside tests.
 *
 * @example
 * ```ts
 * import { testSecret } from 'express-jwt-gate/testing'
 * const app = createApp({ secret: testSecret })
 * ```
 */
export const testSecret: string = generateSecret(64)

/**
 * A key pair made for tests, bound to one algorithm: the app verifies with
 * `publicKey`, the token helpers sign with `privateKey`.
 *
 * @example
 * ```ts
 * import { testKeyPair, type TestKeyPair } from 'express-jwt-gate/testing'
 * const pair: TestKeyPair = testKeyPair('ES256')
 * app.use(jwtAuth(pair.publicKey, { algorithms: [pair.alg] }))
 * ```
 */
export interface TestKeyPair {
  /** The one algorithm the pair serves: pass it to the app's `algorithms`, which never guesses. */
  readonly alg: AsymmetricAlgorithm
  /** `test-` and the algorithm: a `kid` for a key ring or a JWK Set, if you want one. */
  readonly kid: string
  /** What the app under test verifies with: give it this, as production gets its public key. */
  readonly publicKey: KeyObject
  /** What the token helpers sign with; a test rarely needs it itself. */
  readonly privateKey: KeyObject
}

/**
 * What the token helpers take as `key`: the key the app verifies with. A secret or a
 * secret key ring signs as it is. A public key made by {@link testKeyPair} (as a
 * `KeyObject`, PEM text or a JWK), or the pair itself, signs with the matching
 * private half. A private key signs as it is, with `alg`.
 *
 * @example
 * ```ts
 * import { mintToken, testKeyPair, type TestKey } from 'express-jwt-gate/testing'
 * const key: TestKey = testKeyPair('EdDSA').publicKey
 * const token = mintToken({ sub: 'alice' }, { key })
 * ```
 */
export type TestKey = Secret | AsymmetricKey | KeyRing | TestKeyPair

const pairs = new Map<string, TestKeyPair>()
/** Every pair made here, by its public key's DER, to find the private half of a public key. */
const byPublicKey = new Map<string, TestKeyPair>()

const CURVES = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' } as const

function generate(alg: AsymmetricAlgorithm): { publicKey: KeyObject; privateKey: KeyObject } {
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519')
  if (alg.startsWith('ES')) {
    return generateKeyPairSync('ec', { namedCurve: CURVES[alg as keyof typeof CURVES] })
  }
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
}

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' }).toString('base64')

/** A pair for `alg`, made the first time it is asked for (RSA takes a moment) and kept. */
function pairFor(alg: AsymmetricAlgorithm, slot: 'test' | 'other'): TestKeyPair {
  const id = `${slot}:${alg}`
  let pair = pairs.get(id)
  if (pair === undefined) {
    pair = Object.freeze({ alg, kid: `${slot}-${alg}`, ...generate(alg) })
    pairs.set(id, pair)
    byPublicKey.set(spki(pair.publicKey), pair)
  }
  return pair
}

function readAsymmetricAlgorithm(alg: unknown, option: string): AsymmetricAlgorithm {
  const checked = readAlgorithm(alg, option)
  if (isHmacAlgorithm(checked)) {
    throw setupError(option, `testKeyPair makes public-key pairs; for ${checked} use testSecret`)
  }
  return checked
}

/**
 * The test key pair for a public-key algorithm (`RS256`, `PS256`, `ES256`, `EdDSA`,
 * …): made once per process, the first time it is asked for, and the same pair on
 * every later call. Each algorithm has its own pair.
 *
 * @example
 * ```ts
 * import { mintToken, testKeyPair } from 'express-jwt-gate/testing'
 * const { publicKey } = testKeyPair('RS256')
 * app.use(jwtAuth(publicKey, { algorithms: ['RS256'] }))
 * const token = mintToken({ sub: 'alice' }, { key: publicKey })
 * ```
 */
export function testKeyPair(alg: AsymmetricAlgorithm): TestKeyPair {
  return pairFor(readAsymmetricAlgorithm(alg, 'alg'), 'test')
}

/** A second pair for `alg`, never handed out: it signs the wrong-key tokens. */
export function otherKeyPair(alg: AsymmetricAlgorithm): TestKeyPair {
  return pairFor(alg, 'other')
}

/** A second secret, never handed out: it signs the wrong-key tokens for HMAC apps. */
export const otherSecret: string = generateSecret(64)

/** One key of what the app verifies with, made ready to sign. */
export interface SigningPlan {
  /** What signs: a secret or a private key. */
  readonly key: Secret | AsymmetricKey
  readonly alg: Algorithm
  /** The `kid` to write, for a ring. */
  readonly kid: string | undefined
  /** The pair it came from, when the app verifies with a test pair's public key. */
  readonly pair: TestKeyPair | undefined
}

function isPair(key: unknown): key is TestKeyPair {
  return (
    typeof key === 'object' &&
    key !== null &&
    (key as TestKeyPair).publicKey instanceof KeyObject &&
    (key as TestKeyPair).privateKey instanceof KeyObject
  )
}

/** A public key (or the public part of a private one) as a KeyObject, or `undefined` for a secret. */
function publicPart(key: unknown): KeyObject | undefined {
  try {
    if (key instanceof KeyObject) {
      if (key.type === 'secret') return undefined
      return key.type === 'public' ? key : createPublicKey(key)
    }
    if (typeof key === 'string' || key instanceof Uint8Array) {
      const text = typeof key === 'string' ? key : Buffer.from(key).toString('utf8')
      return text.includes('-----BEGIN ') ? createPublicKey(text) : undefined
    }
    if (typeof key === 'object' && key !== null && Object.hasOwn(key, 'kty')) {
      return createPublicKey({ key: key as never, format: 'jwk' })
    }
  } catch (cause) {
    throw setupError('key', `key is not a key Node can read (${(cause as Error).message})`)
  }
  return undefined
}

function isPrivate(key: unknown): boolean {
  if (key instanceof KeyObject) return key.type === 'private'
  if (typeof key === 'string' || key instanceof Uint8Array) {
    const text = typeof key === 'string' ? key : Buffer.from(key).toString('utf8')
    return text.includes('PRIVATE KEY-----')
  }
  return typeof key === 'object' && key !== null && Object.hasOwn(key, 'd')
}

/**
 * How to sign for an app that verifies with `key`: see {@link TestKey}. `alg`, when
 * given, must agree with what the key is for.
 */
export function signingPlan(key: unknown, alg: Algorithm | undefined, where: string): SigningPlan {
  if (Array.isArray(key)) {
    const first: unknown = key[0]
    if (typeof first !== 'object' || first === null) {
      throw setupError('key', `${where}: a key ring needs at least one key`)
    }
    const entry = first as { kid?: unknown; key?: unknown; alg?: unknown }
    if (typeof entry.kid !== 'string')
      throw setupError('key', `${where}: each ring key needs a kid`)
    const ringAlg = readAlgorithm(entry.alg, 'key')
    if (alg !== undefined && alg !== ringAlg) {
      throw setupError(
        'alg',
        `${where}: the ring's first key is bound to ${ringAlg}; alg ${alg} contradicts it`,
      )
    }
    return { ...signingPlan(entry.key, ringAlg, where), kid: entry.kid }
  }
  if (isPair(key)) return fromPair(key, alg, where)
  const publicKey = publicPart(key)
  if (publicKey === undefined) {
    const hmac = alg ?? 'HS256'
    if (!isHmacAlgorithm(hmac)) {
      throw setupError('alg', `${where}: alg ${hmac} needs a public or private key, not a secret`)
    }
    return { key: key as Secret, alg: hmac, kid: undefined, pair: undefined }
  }
  const pair = byPublicKey.get(spki(publicKey))
  if (pair !== undefined) return fromPair(pair, alg, where)
  if (!isPrivate(key)) {
    throw setupError(
      'key',
      `${where}: key is a public key that testKeyPair() did not make, so its private half is unknown; pass the private key (with alg), or verify with a testKeyPair() key`,
    )
  }
  if (alg === undefined || isHmacAlgorithm(alg)) {
    throw setupError('alg', `${where}: a private key needs alg, the algorithm it signs with`)
  }
  return { key: key as AsymmetricKey, alg, kid: undefined, pair: undefined }
}

function fromPair(pair: TestKeyPair, alg: Algorithm | undefined, where: string): SigningPlan {
  if (alg !== undefined && alg !== pair.alg) {
    throw setupError(
      'alg',
      `${where}: the key is the test ${pair.alg} pair; alg ${alg} contradicts it`,
    )
  }
  return { key: pair.privateKey, alg: pair.alg, kid: undefined, pair }
}
