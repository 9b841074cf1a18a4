import type { RequestHandler } from 'express'
import type { JwtPayload } from '../../core/types'
import { createLifecycle, type IssuedTokens, type SessionsOptions } from '../lifecycle'
import { authenticate, type AuthenticateOptions } from './authenticate'
import {
  logoutHandler,
  refreshHandler,
  type RefreshHandler,
  type TokenEndpointOptions,
} from './token-endpoint'

/**
 * What {@link createSessions} returns: the whole life of a token, over one store.
 *
 * @example
 * ```ts
 * import { createSessions } from 'express-jwt-gate'
 * import type { Sessions } from 'express-jwt-gate'
 * const sessions: Sessions = createSessions({ secret: process.env.JWT_SECRET! })
 * ```
 */
export interface Sessions {
  /** Log `sub` in: a new session, its first access token and refresh token. */
  issue(sub: string): Promise<IssuedTokens>
  /**
   * Rotate a refresh token: the same shape, with a new refresh token and the subject's
   * current claims. Rejects with a `RefreshTokenError` carrying the code the refresh
   * handler answers with, or a `ServiceUnavailableError` (503) when the store or your
   * claims source fails.
   */
  refresh(refreshToken: string): Promise<IssuedTokens>
  /**
   * End the session of a refresh token: its refresh tokens and its access tokens. A
   * token unknown or already ended is no error (RFC 7009); only a store failure rejects.
   */
  logout(refreshToken: string): Promise<void>
  /** Refuse one access token (by its `jti`) until it expires. */
  revokeToken(payload: JwtPayload): Promise<void>
  /** Log `sub` out everywhere: every session, and every access token issued so far. */
  revokeSubject(sub: string): Promise<void>
  /**
   * The claims of `sub` changed: its access tokens issued so far are refused as
   * `token_stale`, its sessions live on, and the next refresh carries the new claims.
   */
  claimsChanged(sub: string): Promise<void>
  /** `jwtAuth` with the revocation check built in. */
  authenticate(options?: AuthenticateOptions): RequestHandler
  /** The refresh endpoint, for `POST`: RFC 6749 §6 in, §5.1 and §5.2 out. */
  refreshHandler(options?: TokenEndpointOptions): RefreshHandler
  /** The logout endpoint, for `POST` (RFC 7009): always 200 unless the store fails. */
  logoutHandler(options?: TokenEndpointOptions): RequestHandler
  /** Resolves once the store's revocation state is current (at once for the memory store). */
  ready(): Promise<void>
  /** Stop the store's timers and connections (not your own Redis client). */
  close(): Promise<void>
}

/**
 * Sessions for stateless tokens: refresh-token rotation with reuse detection (RFC 9700
 * §4.14.2), logout, revocation of one token or of everything a subject holds, and
 * claims that change before a token expires, over one store (`memoryStore()` by
 * default, `redisStore()` for several instances).
 *
 * Access tokens are ordinary JWTs signed with `secret`: `sub`, `iat`, `exp`, a random
 * `jti`, the session id `sid`, an issue stamp `ist` (a number that orders issue events
 * strictly, within one second too, so "revoked before" is exact), and your `claims`.
 * They verify with the plain `jwtAuth` too, without the revocation check.
 * Refresh tokens are opaque, random, and stored only as hashes.
 *
 * Options are checked here: a mistake throws a `JwtSetupError` now.
 *
 * @example
 * ```ts
 * import { createSessions, memoryStore } from 'express-jwt-gate'
 * const sessions = createSessions({
 *   secret: process.env.JWT_SECRET!,
 *   store: memoryStore(),
 *   claims: async (sub) => ({ licensedFeatures: await featuresOf(sub) }),
 * })
 * app.post('/token', sessions.refreshHandler())
 * app.post('/logout', sessions.logoutHandler())
 * app.use(sessions.authenticate())
 * ```
 */
export function createSessions(options: SessionsOptions): Sessions {
  const lifecycle = createLifecycle(options)
  return {
    issue: (sub) => lifecycle.issue(sub),
    refresh: (refreshToken) => lifecycle.refresh(refreshToken),
    logout: (refreshToken) => lifecycle.logout(refreshToken),
    revokeToken: (payload) => lifecycle.revokeToken(payload),
    revokeSubject: (sub) => lifecycle.revokeSubject(sub),
    claimsChanged: (sub) => lifecycle.claimsChanged(sub),
    authenticate: (authOptions) => authenticate(lifecycle, authOptions),
    refreshHandler: (endpointOptions) => refreshHandler(lifecycle, endpointOptions),
    logoutHandler: (endpointOptions) => logoutHandler(lifecycle, endpointOptions),
    ready: () => lifecycle.ready(),
    close: () => lifecycle.close(),
  }
}
