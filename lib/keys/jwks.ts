import { isHmacAlgorithm } from '../core/algorithms'
import { setupError } from '../core/errors'
import { asymmetricKeyObject } from './asymmetric'
import { exportPublicJwk, type JwkSet } from './jwk'
import { keyName, readRing, type KeyRing } from './ring'

/**
 * The public JWK Set of a key ring: each key's public part with its `kid`, `alg` and
 * `use: "sig"`, in ring order. Private keys give only their public part. A ring
 * holding an HMAC secret is refused with a `TypeError`: a secret is never published.
 *
 * @example
 * ```ts
 * import { exportJwks } from 'express-jwt-gate'
 * const set = exportJwks([{ kid: '2025-06', key: privateKey, alg: 'ES256' }])
 * set.keys[0] // { kty: 'EC', crv: 'P-256', x: '…', y: '…', kid: '2025-06', alg: 'ES256', use: 'sig' }
 * ```
 */
export function exportJwks(ring: KeyRing): JwkSet {
  if (!Array.isArray(ring)) {
    throw setupError(
      'ring',
      'exportJwks and jwksHandler take a key ring: an array of { kid, key, alg }',
    )
  }
  const keys = readRing(ring).map(({ kid, alg, key }) => {
    if (isHmacAlgorithm(alg)) {
      throw setupError(
        keyName(kid),
        `key ${JSON.stringify(kid)} is an ${alg} secret, and a secret is never published; publish a ring of public-key entries only`,
      )
    }
    const publicKey = asymmetricKeyObject(key, alg, 'public', keyName(kid))
    return { ...exportPublicJwk(publicKey), kid, alg, use: 'sig' }
  })
  return { keys }
}
