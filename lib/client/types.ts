/*
 * The same shapes as the server's JwtHeader and JwtPayload, declared again here so the
 * browser entry point depends on no server module, not even for types; a type test
 * checks that the two stay interchangeable.
 */

/**
 * The JOSE header of a token, as {@link decodeToken} returns it: `alg` is always a
 * string, `kid` a string when present. Nothing in it is verified.
 *
 * @example
 * ```ts
 * import { decodeToken } from 'express-jwt-gate/client'
 * import type { JwtHeader } from 'express-jwt-gate/client'
 * const header: JwtHeader = decodeToken(token).header
 * ```
 */
export interface JwtHeader {
  /** The algorithm the token claims it was signed with; only the server's allowlist decides. */
  alg: string
  /** The media type, usually `JWT`; nothing depends on it. */
  typ?: string
  /** The id of the key that signed the token, when the issuer signs with several. */
  kid?: string
  [parameter: string]: unknown
}

/**
 * A token payload whose own claims are not described: the registered claims of
 * RFC 7519 §4.1 plus anything. Time claims are seconds since the epoch. Nothing in it
 * is verified: it says what the token claims, not what is true.
 *
 * @example
 * ```ts
 * import type { JwtPayload } from 'express-jwt-gate/client'
 * const payload: JwtPayload = { sub: 'alice', exp: 1_900_000_000 }
 * ```
 */
export interface JwtPayload {
  /** Issuer: who says they signed the token. */
  iss?: string
  /** Subject: the user (or client) the token is about. */
  sub?: string
  /** Audience: the API, or the APIs, the token is meant for. */
  aud?: string | string[]
  /** Expiration time, in seconds since the epoch, on the server's clock. */
  exp?: number
  /** Not before, in seconds since the epoch. */
  nbf?: number
  /** Issued at, in seconds since the epoch. */
  iat?: number
  /** Token id: what a server revokes one token by. */
  jti?: string
  [claim: string]: unknown
}

/**
 * What {@link decodeToken} returns: the header and the payload, both UNVERIFIED.
 *
 * @example
 * ```ts
 * import type { DecodedToken } from 'express-jwt-gate/client'
 * const who = ({ payload }: DecodedToken) => String(payload.sub)
 * ```
 */
export interface DecodedToken<P extends object = JwtPayload> {
  /** The JOSE header, UNVERIFIED. */
  header: JwtHeader
  /** The claims, UNVERIFIED: what the token says, typed as the caller asks (`P`). */
  payload: P
}
