import type { RequestHandler } from 'express'
import { toSeconds, type Duration } from '../core/duration'
import { optionNames, readOptions, type OptionList } from '../core/options'
import { exportJwks } from '../keys/jwks'
import type { KeyRing } from '../keys/ring'

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

const OPTION_NAMES = optionNames({ cacheMaxAge: true } satisfies OptionList<JwksHandlerOptions>)

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
  const o = readOptions<JwksHandlerOptions>(options, OPTION_NAMES, 'jwksHandler')
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
