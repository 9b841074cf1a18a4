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
  /** The algorithm the token names; it must be one the verifier allows, compared exactly. */
  alg: string
  /** The media type: `JWT` in the tokens this package signs; never checked, as RFC 7519 makes it optional. */
  typ?: string
  /** The id of the signing key: it chooses among the keys configured (a ring, a JWK Set), never adds one. */
  kid?: string
  [parameter: string]: unknown
}
