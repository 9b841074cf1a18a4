/**
 * The contract between the sessions and a store: what `memoryStore()` and
 * `redisStore()` implement, and what one shared test suite holds them both to. The
 * memory store is the reference model. Types, and the two rules every store shares: how
 * long an ended session is remembered, and one `createSessions` per store.
 *
 * Everything a store keeps about a refresh token is a hash of it: a copy of the store
 * yields no usable token. Times are milliseconds on the store's clock; issue stamps are
 * microsecond-scale numbers that only grow (see {@link SessionBackend.createSession}).
 */

import { setupError } from '../core/errors'

/**
 * How long a store remembers a session after it ended (logout, reuse, expiry): a
 * refresh token presented in that time is answered for what it is (`session_revoked`,
 * `refresh_token_expired`); later, as an unknown token (`refresh_token_invalid`). So a
 * store holds the sessions used in the last idle timeout, not every login of the last
 * lifetime.
 */
export const FORGET_ENDED_AFTER_MS = 86_400_000

/**
 * What the sessions tell a store when they attach to it: every duration, in seconds.
 * A store keeps each revocation for `accessTokenLifetime + clockTolerance`, the
 * longest any token it refuses can still be valid, and each session for at most
 * `refreshTokenLifetime`.
 *
 * @example
 * ```ts
 * import type { StoreSettings } from 'express-jwt-gate'
 * const settings: StoreSettings = {
 *   accessTokenLifetime: 900,
 *   clockTolerance: 0,
 *   refreshTokenLifetime: 2_592_000,
 *   refreshIdleTimeout: 604_800,
 *   reuseGrace: 10,
 * }
 * ```
 */
export interface StoreSettings {
  /** How long an access token lives: a revocation need not outlast it. */
  readonly accessTokenLifetime: number
  /** The verifiers' leeway, which an expired token may still pass by: revocations keep it too. */
  readonly clockTolerance: number
  /** How long a session lives from login, however much it is used. */
  readonly refreshTokenLifetime: number
  /** How long a session may go unused before it ends. */
  readonly refreshIdleTimeout: number
  /** How long a just-retired refresh token still rotates instead of counting as reuse. */
  readonly reuseGrace: number
}

/**
 * A session store as `memoryStore()` or `redisStore()` returns it: a description,
 * attached once to the `createSessions` it is given to.
 *
 * @example
 * ```ts
 * import { createSessions, memoryStore } from 'express-jwt-gate'
 * import type { SessionStore } from 'express-jwt-gate'
 * const store: SessionStore = memoryStore()
 * const sessions = createSessions({ secret, store })
 * ```
 */
export interface SessionStore {
  /** What kind of store this is, for messages: `'memory'`, `'redis'`. */
  readonly kind: string
  /** Called once, by `createSessions`; a second call throws. */
  attach(settings: StoreSettings): SessionBackend
}

/**
 * The claims of a verified access token that revocation looks at.
 *
 * @example
 * ```ts
 * import type { AccessTokenFacts } from 'express-jwt-gate'
 * const facts: AccessTokenFacts = { sub: 'bob', sid: 'Zm9v…', jti: 'YmFy…', ist: 1_800_000_000_000_001 }
 * ```
 */
export interface AccessTokenFacts {
  /** The subject: `revokeSubject` and `claimsChanged` refuse by it. */
  readonly sub: string
  /** The session the token was issued for: ending the session refuses it. */
  readonly sid: string
  /** The token's id: `revokeToken` refuses by it. */
  readonly jti: string
  /** The issue stamp (the `ist` claim). */
  readonly ist: number
}

/**
 * The revocation check's answer for one access token.
 *
 * - `ok`: nothing refuses it.
 * - `revoked`: logged out, revoked one by one, its session ended, or its subject
 *   revoked everywhere; or issued before the store can vouch for (a restarted memory
 *   store, say). Log in again.
 * - `stale`: issued before `claimsChanged`: refresh, and the new token carries the
 *   new claims.
 * - `unavailable`: the store cannot show that its state is current; answer 503.
 *
 * @example
 * ```ts
 * import type { RevocationVerdict } from 'express-jwt-gate'
 * const mustLogIn = (verdict: RevocationVerdict) => verdict === 'revoked'
 * ```
 */
export type RevocationVerdict = 'ok' | 'revoked' | 'stale' | 'unavailable'

/**
 * What a refresh found, decided atomically by the store.
 *
 * - `rotated`: the token was a current one (or the previous one, presented again within
 *   the grace period): `next` is now a current token of the session.
 * - `reused`: a retired token of the session; the store has ended the session.
 * - `expired`: past the session's absolute lifetime or its idle timeout.
 * - `revoked`: the session was ended (logout, reuse, its subject revoked or gone).
 * - `invalid`: no such session, or the token does not belong to it.
 *
 * @example
 * ```ts
 * import type { RotateOutcome } from 'express-jwt-gate'
 * const ok = (outcome: RotateOutcome) => outcome.status === 'rotated'
 * ```
 */
export type RotateOutcome =
  | {
      /** The presented token was current (or within the grace period) and is now retired. */
      readonly status: 'rotated'
      /** The session's subject, for the new access token's claims. */
      readonly sub: string
      /** The issue stamp for the access token issued with `next`. */
      readonly stamp: number
      /** When the session ends unless used again (ms): the nearer of idle and absolute expiry. */
      readonly refreshExpiresAt: number
    }
  | {
      /** A retired token came back: the store has already ended the session. */
      readonly status: 'reused'
      /** The session's subject, for `onReuse`. */
      readonly sub: string
    }
  | {
      /** No live session to rotate; see the list above for each. */
      readonly status: 'expired' | 'revoked' | 'invalid'
    }

/**
 * A session as the sessions layer names it to the store: its id and the hash of the
 * family secret that every refresh token of the session carries.
 *
 * @example
 * ```ts
 * import type { SessionKey } from 'express-jwt-gate'
 * const key: SessionKey = { sid: 'c2Vzc2lvbg', family: 'ZmFtaWx5' }
 * ```
 */
export interface SessionKey {
  /** The session id the store chose; it is also in every access token, so it proves nothing alone. */
  readonly sid: string
  /**
   * The hash of the family secret, which only the session's refresh tokens hold: it tells
   * a retired token of the session from a made-up one that merely knows the `sid`.
   */
  readonly family: string
}

/**
 * A store attached to one `createSessions`. Every method but {@link check} may do I/O;
 * each either resolves or rejects within the store's own bound (a timeout), never
 * hangs, and a rejection means "unknown", which the sessions answer with 503.
 *
 * @example
 * ```ts
 * import type { SessionBackend } from 'express-jwt-gate'
 * const live = (backend: SessionBackend) => backend.check({ sub, sid, jti, ist }) === 'ok'
 * ```
 */
export interface SessionBackend {
  /** Now, in milliseconds, on the store's clock: what sessions sign and verify by. */
  now(): number
  /** Resolves once the revocation state is current (at once for a local store). */
  ready(): Promise<void>
  /** The revocation verdict for a verified access token: synchronous, no I/O. */
  check(token: AccessTokenFacts): RevocationVerdict
  /** Seconds a client should wait after `check` answered `unavailable`. */
  retryAfter(): number
  /**
   * A new session for `sub`, with `token` (a hash) as its one current refresh token.
   * Resolves to the session id the store chose, the issue stamp of its first access
   * token (larger than every stamp the store has given out for `sub`, and than every
   * revocation stamp of `sub`), and when the session ends unless used (ms).
   */
  createSession(session: {
    /** The subject who logged in. */
    readonly sub: string
    /** The hash of the session's family secret (see {@link SessionKey}). */
    readonly family: string
    /** The hash of the first refresh token's secret. */
    readonly token: string
  }): Promise<{
    /** The new session's id, chosen by the store: base64url, 8 to 64 characters. */
    readonly sid: string
    /** The issue stamp of the session's first access token (its `ist` claim). */
    readonly stamp: number
    /** When the session ends unless used (ms): the nearer of idle and absolute expiry. */
    readonly refreshExpiresAt: number
  }>
  /** The subject of a live session, or why there is none (read-only). */
  peek(session: SessionKey): Promise<
    | {
        /** The session can be used. */
        readonly status: 'live'
        /** Its subject. */
        readonly sub: string
      }
    | {
        /** Why there is no live session, as for {@link RotateOutcome}. */
        readonly status: 'expired' | 'revoked' | 'invalid'
      }
  >
  /**
   * Refresh: retire `token` and make `next` current, atomically, as
   * {@link RotateOutcome} says. A token presented again within `reuseGrace` of its
   * rotation adds `next` beside the tokens already handed out for it.
   */
  rotate(
    rotation: SessionKey & { readonly token: string; readonly next: string },
  ): Promise<RotateOutcome>
  /**
   * End a session (logout, or its subject is gone): every refresh token of it is
   * refused from now on, and so is every access token of it. Resolves `false` when
   * there was no live session to end.
   */
  endSession(session: SessionKey): Promise<boolean>
  /** Refuse one access token until `until` (ms). */
  revokeToken(jti: string, until: number): Promise<void>
  /** Refuse every access token of `sub` issued so far, and end every session of `sub`. */
  revokeSubject(sub: string): Promise<void>
  /** Refuse every access token of `sub` issued so far as stale; sessions live on. */
  claimsChanged(sub: string): Promise<void>
  /** What the store holds in this process, for monitoring and tests. */
  stats(): StoreStats
  /** Stop timers and connections the store made; the user's own clients stay open. */
  close(): Promise<void>
}

/**
 * What a store holds in this process: sessions (0 for a store that keeps them
 * elsewhere) and revocation entries in the local state the per-request check reads.
 *
 * @example
 * ```ts
 * import type { StoreStats } from 'express-jwt-gate'
 * const report = ({ sessions, revocations }: StoreStats) => `${sessions} sessions, ${revocations} revocations`
 * ```
 */
export interface StoreStats {
  /** Sessions held in this process; 0 for a store that keeps them elsewhere (Redis). */
  readonly sessions: number
  /** Revocation entries the per-request check reads locally: its memory cost. */
  readonly revocations: number
}

/**
 * A store whose backend `make` builds when `createSessions` attaches it. A store serves
 * one `createSessions`: a second attach throws, since two sets of settings over one
 * state would disagree on every lifetime.
 *
 * @example
 * ```ts
 * const store = storeAttachedOnce('memory', (settings) => memoryBackend(settings, now))
 * ```
 */
export function storeAttachedOnce(
  kind: string,
  make: (settings: StoreSettings) => SessionBackend,
): SessionStore {
  let attached = false
  return {
    kind,
    attach(settings) {
      if (attached) {
        throw setupError(
          'store',
          'this store is already attached to a createSessions; give each createSessions its own store',
        )
      }
      attached = true
      return make(settings)
    },
  }
}
