import { decodeToken } from './decode'
import { setupError } from './errors'

/** An own claim of the (unverified) payload: never one inherited through the prototype. */
function claimOf(token: string, claim: string): unknown {
  const { payload } = decodeToken(token)
  return Object.hasOwn(payload, claim) ? payload[claim] : undefined
}

/**
 * The features an access token claims to license, for showing or hiding parts of the
 * page. **UNVERIFIED**: the server's `requireFeature` guard makes the decision; this
 * only avoids offering a button the server would refuse. The list is empty unless the
 * claim is an own property holding an array of strings, the same rule the guards
 * apply. Throws {@link TokenDecodeError} for a malformed token.
 *
 * @example
 * ```ts
 * import { tokenFeatures } from 'express-jwt-gate/client'
 * invoiceButton.hidden = !tokenFeatures(accessToken).includes('invoicing')
 * ```
 */
export function tokenFeatures(token: string, claim = 'licensedFeatures'): string[] {
  const value = claimOf(token, claim)
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : []
}

/**
 * When the token says it expires (its `exp` claim), or `undefined` when it has no
 * numeric `exp` (or one beyond what a `Date` can hold). **UNVERIFIED**, and read on the
 * server's clock: good for "session ends at 14:05", not for deciding whether to send
 * the token. Throws {@link TokenDecodeError} for a malformed token.
 *
 * @example
 * ```ts
 * import { tokenExpiresAt } from 'express-jwt-gate/client'
 * status.textContent = `Signed in until ${tokenExpiresAt(accessToken)?.toLocaleTimeString()}`
 * ```
 */
export function tokenExpiresAt(token: string): Date | undefined {
  const exp = claimOf(token, 'exp')
  const date = new Date(typeof exp === 'number' ? exp * 1000 : NaN)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/**
 * Options of {@link isTokenExpired}.
 *
 * @example
 * ```ts
 * import type { ExpiryOptions } from 'express-jwt-gate/client'
 * const options: ExpiryOptions = { skew: 30, now: new Date('2030-01-01T00:00:00Z') }
 * ```
 */
export interface ExpiryOptions {
  /**
   * Seconds by which to count the token as expired early, for clock differences and
   * the time a request takes; negative gives leeway instead. Default 0.
   */
  skew?: number
  /** The current time, as a `Date` or milliseconds since the epoch; default the clock. */
  now?: Date | number
}

/**
 * True once the token's `exp` has passed (`now + skew >= exp`, the server's rule: a
 * token is valid only *before* its `exp`). A token without `exp` never expires by this
 * test; one whose `exp` is not a finite number counts as expired, since the server
 * refuses it. **UNVERIFIED** and on the local clock: use it to schedule, never to trust.
 * Throws {@link TokenDecodeError} for a malformed token.
 *
 * @example
 * ```ts
 * import { isTokenExpired } from 'express-jwt-gate/client'
 * if (isTokenExpired(accessToken, { skew: 30 })) showSessionEndingBanner()
 * ```
 */
export function isTokenExpired(token: string, options: ExpiryOptions = {}): boolean {
  const { skew = 0, now = Date.now() } = options
  const ms = now instanceof Date ? now.getTime() : now
  if (!Number.isFinite(skew) || !Number.isFinite(ms)) {
    throw setupError('isTokenExpired: skew must be seconds, now a Date or milliseconds')
  }
  const exp = claimOf(token, 'exp')
  if (exp === undefined) return false
  return !(typeof exp === 'number' && Number.isFinite(exp)) || ms / 1000 + skew >= exp
}
