import type { RequestHandler } from 'express'
import { isHmacAlgorithm } from '../core/algorithms'
import { asymmetricKeyObject } from '../keys/asymmetric'
import { toSeconds, type Duration } from '../core/duration'
import { setupError } from '../core/errors'
import { exportPublicJwk, type JwkSet } from '../keys/jwk'
import { readRing, type KeyRing } from '../keys/source'
import { readOptions } from '../core/options'

/**
 * Options of {@link jwksHandler}.
 *
 * @example
 * ```ts
 * import type { JwksHandlerOptions } from 'express-jwt-gate'
 * const options: JwksHandlerOptions = { cacheMaxAge: '5m' }
 * ```
 */
export interface JwksHandlerOptions {
  /** How long clients may cache the set: the `Cache-Control` max-age. Default 300. */
  cacheMaxAge?: Duration
}

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
    throw setupError('exportJwks and jwksHandler take a key ring: an array of { kid, key, alg }')
  }
  const keys = readRing(ring).map(({ kid, alg, key }) => {
    if (isHmacAlgorithm(alg)) {
      throw setupError(
        `key ${JSON.stringify(kid)} is an ${alg} secret, and a secret is never published; publish a ring of public-key entries only`,
      )
    }
    const publicKey = asymmetricKeyObject(key, alg, 'public', `key ${JSON.stringify(kid)}`)
    return { ...exportPublicJwk(publicKey), kid, alg, use: 'sig' }
  })
  return { keys }
}

/**
 * An Express handler that publishes the public keys of a ring as a JWK Set (RFC 7517
 * §5), for the services that verify your tokens with `remoteKeySet`. The set is
 * built once, here; a bad ring throws a `TypeError` now. It answers `GET` and `HEAD`
 * with `Cache-Control: public, max-age=300` (see `cacheMaxAge`) and passes other
 * methods on. Mount it where clients expect it, usually `/.well-known/jwks.json`.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { jwksHandler } from 'express-jwt-gate'
 * const app = express()
 * app.get('/.well-known/jwks.json', jwksHandler(ring))
 * ```
 */
export function jwksHandler(ring: KeyRing, options?: JwksHandlerOptions): RequestHandler {
  const o = readOptions<JwksHandlerOptions>(options, new Set(['cacheMaxAge']), 'jwksHandler')
  const maxAge = o.cacheMaxAge === undefined ? 300 : toSeconds(o.cacheMaxAge, 'cacheMaxAge')
  const body = Buffer.from(JSON.stringify(exportJwks(ring)))
  const cacheControl = `public, max-age=${Math.floor(maxAge)}`
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next()
      return
    }
    res.statusCode = 200
    res.setHeader('Content-Type', 'application/jwk-set+json')
    res.setHeader('Cache-Control', cacheControl)
    res.setHeader('Content-Length', body.length)
    res.end(req.method === 'HEAD' ? undefined : body)
  }
}
