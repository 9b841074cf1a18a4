/**
 * The registered claims of RFC 7519 §4.1, as this package reads them. Time claims
 * are NumericDate: seconds since the epoch.
 *
 * @example
 * ```ts
 * import type { JwtClaims } from 'express-jwt-gate'
 * const claims: JwtClaims = { sub: 'alice', exp: 1_900_000_000 }
 * ```
 */
export interface JwtClaims {
  /** Issuer. */
  iss?: string
  /** Subject. */
  sub?: string
  /** Audience: one string or several. */
  aud?: string | string[]
  /** Expiration time (seconds). */
  exp?: number
  /** Not before (seconds). */
  nbf?: number
  /** Issued at (seconds). */
  iat?: number
  /** Token id. */
  jti?: string
}

/**
 * A payload whose own claims are not described: the registered claims plus anything.
 * The default type parameter of {@link verifyToken} and {@link createVerifier}.
 *
 * @example
 * ```ts
 * import type { JwtPayload } from 'express-jwt-gate'
 * const payload: JwtPayload = { userId: 1001, exp: 1_900_000_000 }
 * ```
 */
export interface JwtPayload extends JwtClaims {
  [claim: string]: unknown
}

/**
 * The JOSE header of a token. Only `alg`, `kid` and `crit` are ever acted on;
 * `jwk`, `jku`, `x5u` and `x5c` are never used to find a key.
 *
 * @example
 * ```ts
 * import { decodeToken } from 'express-jwt-gate'
 * import type { JwtHeader } from 'express-jwt-gate'
 * const header: JwtHeader = decodeToken(token).header
 * ```
 */
export interface JwtHeader {
  alg: string
  typ?: string
  kid?: string
  [parameter: string]: unknown
}

/**
 * The verified payload as route handlers see it on `req.user`. By default every
 * claim is `unknown` except the registered ones, `licensedFeatures` (`string[]`) and
 * `scope` (`string`). Describe your own claims by augmenting this one interface; no
 * casts are needed in handlers afterwards. It lives on `Express.User`, the same type
 * `@types/passport` gives `req.user`, so the two coexist in one program.
 *
 * @example
 * ```ts
 * declare module 'express-jwt-gate' {
 *   interface JwtUser {
 *     userId: number
 *   }
 * }
 * app.get('/me', (req, res) => res.json({ id: req.user?.userId })) // number | undefined
 * ```
 */
export interface JwtUser extends JwtClaims {
  /** The features a token licenses, read by `requireFeature` and `requireAnyFeature`. */
  licensedFeatures?: string[]
  /** OAuth scopes, space-separated, read by `requireScope`. */
  scope?: string
  [claim: string]: unknown
}

declare global {
  // Express's own types declare these interfaces in the global `Express` namespace for
  // exactly this kind of merging.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends JwtUser {}
    interface Request {
      /** The verified token payload, set by `jwtAuth` (with the default `requestProperty`). */
      user?: User | undefined
    }
  }
}
