import { setupError } from './errors'

/**
 * A successful access token response (RFC 6749 §5.1), as the server's refresh endpoint
 * sends it. In cookie mode it has no `refresh_token`: that one lives in an HttpOnly
 * cookie.
 *
 * @example
 * ```ts
 * import type { TokenResponse } from 'express-jwt-gate/client'
 * const body: TokenResponse = { access_token: 'eyJ…', token_type: 'Bearer', expires_in: 900 }
 * ```
 */
export interface TokenResponse {
  /** The access token the client sends as `Authorization: Bearer`. */
  access_token: string
  /** `Bearer`, in any case (RFC 6749 §5.1); any other type is refused, never sent. */
  token_type: string
  /** Seconds the access token lives, from the moment the response was sent. */
  expires_in?: number
  /** The next refresh token; absent in cookie mode, where the server keeps it in a cookie. */
  refresh_token?: string
}

/**
 * The same tokens in the camelCase shape that the server's `sessions.issue()` returns,
 * for a login route that hands them to the page as they are.
 *
 * @example
 * ```ts
 * import type { IssuedTokens } from 'express-jwt-gate/client'
 * const issued: IssuedTokens = { accessToken: 'eyJ…', tokenType: 'Bearer', expiresIn: 900 }
 * ```
 */
export interface IssuedTokens {
  /** The access token the client sends as `Authorization: Bearer`. */
  accessToken: string
  /** `Bearer`, in any case; any other type is refused, never sent. */
  tokenType: string
  /** Seconds the access token lives. */
  expiresIn?: number
  /** The refresh token; leave it out when the server keeps it in an HttpOnly cookie. */
  refreshToken?: string
  /** Seconds the refresh token lives; accepted, and left to the server to enforce. */
  refreshExpiresIn?: number
}

/** The parts of a token response the client keeps. */
export interface ReadTokens {
  readonly accessToken: string
  readonly refreshToken: string | undefined
  /** Seconds, or `undefined` when the response does not say. */
  readonly expiresIn: number | undefined
}

/**
 * Read either shape, refusing anything else with a TypeError that shows the shape
 * expected. `token_type` is compared case-insensitively (RFC 6749 §5.1); only Bearer
 * tokens are sent as `Authorization: Bearer`.
 */
export function readTokens(response: unknown): ReadTokens {
  const r = (typeof response === 'object' && response) as Record<string, unknown>
  const snake = r && Object.hasOwn(r, 'access_token')
  const [accessToken, type, expiresIn, refreshToken] = (
    snake
      ? ['access_token', 'token_type', 'expires_in', 'refresh_token']
      : ['accessToken', 'tokenType', 'expiresIn', 'refreshToken']
  ).map((name) => r && r[name])
  if (
    typeof accessToken !== 'string' ||
    accessToken === '' ||
    typeof type !== 'string' ||
    type.toLowerCase() !== 'bearer' ||
    !(expiresIn === undefined || (typeof expiresIn === 'number' && expiresIn >= 0)) ||
    !(refreshToken === undefined || (typeof refreshToken === 'string' && refreshToken !== ''))
  ) {
    throw setupError(
      "setTokens needs { access_token, token_type: 'Bearer', expires_in? } or its camelCase",
    )
  }
  return { accessToken, refreshToken, expiresIn }
}
