/**
 * For the browser: read a token's claims to decide what to show, and a `fetch` that
 * sends the access token and refreshes it once when it has expired. It imports nothing,
 * not even from the rest of this package, so that no Node module reaches a bundle.
 * Nothing here verifies a token: only the server can.
 *
 * @example
 * ```ts
 * import { createAuthClient, tokenFeatures } from 'express-jwt-gate/client'
 *
 * const auth = createAuthClient({ refreshUrl: '/auth/refresh', credentials: 'include' })
 * const token = auth.token()
 * invoiceButton.hidden = token === undefined || !tokenFeatures(token).includes('invoicing')
 * const invoices = await (await auth.fetch('/api/invoices')).json()
 * ```
 *
 * @packageDocumentation
 * @module express-jwt-gate/client
 */
export { decodeToken } from './decode'
export { isTokenExpired, tokenExpiresAt, tokenFeatures } from './claims'
export { TokenDecodeError } from './errors'
export { createAuthClient } from './auth-client'

export type { AuthClient } from './auth-client'
export type { ExpiryOptions } from './claims'
export type { TokenDecodeErrorCode } from './errors'
export type { AuthClientOptions, FetchFunction } from './options'
export type { IssuedTokens, TokenResponse } from './tokens'
export type { DecodedToken, JwtHeader, JwtPayload } from './types'
