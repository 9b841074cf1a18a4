import { createPublicKey, type KeyObject } from 'node:crypto'
import {
  ASYMMETRIC,
  isAsymmetricAlgorithm,
  isHmacAlgorithm,
  type Algorithm,
  type AsymmetricAlgorithm,
} from '../core/algorithms'
import { setupError } from '../core/errors'
import { algorithmsForKey } from '../keys/asymmetric'
import { importJwk, jwkProblem, type Jwk } from '../keys/jwk'
import { orList, UsageError } from './args'
import { readFileOption, type CliIo } from './io'

/** What a `--key-file` holds, in a form the library takes as a key: PEM text, or a JWK. */
export type KeyFile = string | Jwk

/**
 * The key in the file `--key-file` names: PEM (any key or certificate the library
 * reads; it says what is wrong with the rest) or one JWK as JSON. Nothing here
 * quotes the file: it may hold a private key.
 */
export async function readKeyFile(path: string, io: CliIo): Promise<KeyFile> {
  const text = (await readFileOption('--key-file', path, io)).toString('utf8')
  if (text.includes('-----BEGIN ')) return text
  const json = text.trim()
  if (!json.startsWith('{')) {
    throw new UsageError(
      'the file --key-file names holds neither PEM (a key or a certificate) nor a JWK (JSON); an HMAC secret goes in --secret-file',
    )
  }
  let value: Record<string, unknown>
  try {
    value = JSON.parse(json) as Record<string, unknown>
  } catch {
    // Not the parser's message: it quotes the text, and the text may be a private key.
    throw new UsageError('the file --key-file names is not valid JSON, and not PEM either')
  }
  if (Array.isArray(value.keys)) {
    throw new UsageError(
      'the file --key-file names holds a JWK Set; put the one key you mean in the file, or verify against the whole set with --jwks URL',
    )
  }
  if (typeof value.kty !== 'string') {
    throw new UsageError('the file --key-file names holds JSON that is not a JWK (it has no "kty")')
  }
  return value as Jwk
}

/** The public key in a key file, to list what it suits; `undefined` if it cannot be read. */
function publicKeyOf(key: KeyFile, purpose: 'sign' | 'verify'): KeyObject | undefined {
  if (typeof key !== 'string') {
    // The library's own refusal ('oct' JWK, use "enc", …): no --alg would change it.
    const problem = jwkProblem(key, purpose, undefined)
    if (problem !== undefined) throw setupError('key', `key ${problem}`)
  }
  try {
    return typeof key === 'string' ? createPublicKey(key) : importJwk(key, 'public')
  } catch {
    return undefined
  }
}

/** How to name the algorithm of `key`: what it suits, or every public-key algorithm. */
function candidates(key: KeyFile, purpose: 'sign' | 'verify'): string {
  const publicKey = publicKeyOf(key, purpose)
  const suited = publicKey === undefined ? [] : algorithmsForKey(publicKey)
  if (suited.length === 1) return `this key suits only ${suited[0]}: pass --alg ${suited[0]}`
  if (suited.length > 1) return `this key suits ${orList(suited)}: pass one of them with --alg`
  return `pass its algorithm with --alg: ${orList(Object.keys(ASYMMETRIC))}`
}

/**
 * The one algorithm the key file serves: `--alg`, given once, or else the JWK's own
 * `alg`, which binds the key anyway (RFC 7517 §4.4). Never a guess from the key's
 * type: an RSA key suits six algorithms, and choosing for the user is where
 * algorithm confusion starts. The library then checks that the key suits it (type,
 * curve, RSA size).
 */
export function keyFileAlgorithm(
  key: KeyFile,
  algorithms: readonly Algorithm[],
  purpose: 'sign' | 'verify',
): AsymmetricAlgorithm {
  const secretAlgorithm = algorithms.find(isHmacAlgorithm)
  if (secretAlgorithm !== undefined) {
    throw new UsageError(
      `${secretAlgorithm} uses a shared secret, not a key file: pass the secret with --secret-env NAME or --secret-file PATH`,
    )
  }
  if (algorithms.length > 1) {
    throw new UsageError(
      `--key-file holds one key, and one key serves one algorithm: give --alg once, not ${algorithms.length} times`,
    )
  }
  const alg = algorithms[0] as AsymmetricAlgorithm | undefined
  if (alg !== undefined) return alg
  if (typeof key !== 'string' && isAsymmetricAlgorithm(key.alg)) return key.alg
  throw new UsageError(
    `--alg is required with --key-file: the algorithm is never guessed from the key; ${candidates(key, purpose)}`,
  )
}
