import { optionNames, readFunction, readOptions, type OptionList } from '../../core/options'
import { randomText } from '../refresh-token'
import { RevocationState, type RevocationEvent } from '../revocations'
import { FORGET_ENDED_AFTER_MS, storeAttachedOnce } from '../store'
import type {
  RotateOutcome,
  SessionBackend,
  SessionKey,
  SessionStore,
  StoreSettings,
} from '../store'

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * import { memoryStore } from 'express-jwt-gate'
 * import type { MemoryStoreOptions } from 'express-jwt-gate'
 * let clock = Date.UTC(2027, 0, 1)
 * const options: MemoryStoreOptions = { now: () => clock }
 * const store = memoryStore(options)
 * ```
 */
export interface MemoryStoreOptions {
  /**
   * The clock, in milliseconds, as `Date.now` (the default). Sessions sign and verify
   * their tokens by it too, so a test that moves it moves every time rule.
   */
  now?: () => number
}

const OPTION_NAMES = optionNames({ now: true } satisfies OptionList<MemoryStoreOptions>)

/** How often expired entries are swept, at most. */
const SWEEP_EVERY_MS = 60_000

/** Tokens handed out for one previous token within the grace period, at most. */
const MAX_SIBLINGS = 16

/** Sessions looked at per sweep: a few milliseconds, however many there are. */
const SWEEP_SLICE = 50_000

/** Why a session ended, which decides what its tokens are told afterwards. */
type Ending = 'expired' | 'revoked'

interface MemorySession {
  readonly sub: string
  readonly family: string
  readonly createdStamp: number
  /** Absolute expiry (ms): creation + refresh token lifetime. */
  readonly expiresAt: number
  lastUsedAt: number
  /** Hashes of the refresh tokens that may be used now. */
  current: string[]
  /** The token rotated last, presentable again within the grace period. */
  previous: string | undefined
  previousAt: number
  ended: Ending | undefined
  /** When it ended (ms); `lastUsedAt + idle timeout` says when an unused one does. */
  endedAt: number
}

/**
 * A session store in this process's memory: the reference implementation of the store
 * contract, and the default of `createSessions`.
 *
 * - **One process only.** Several instances of an API each have their own memory, so a
 *   logout on one is unknown to the others: use `redisStore` for more than one.
 * - **A restart logs everyone out**: sessions are gone, and so that no revocation is
 *   forgotten, access tokens issued before the restart are refused too (their issue
 *   stamp predates the store).
 * - **Bounded**: every session and every revocation expires (revocations after the
 *   access-token lifetime plus the clock tolerance, sessions after the refresh token
 *   lifetime), and an unref'd timer sweeps them, so it never keeps the process alive.
 * - **Atomic**: each operation runs to completion without awaiting, so concurrent
 *   refreshes see one another's effects.
 *
 * @example
 * ```ts
 * import { createSessions, memoryStore } from 'express-jwt-gate'
 * const sessions = createSessions({ secret: process.env.JWT_SECRET!, store: memoryStore() })
 * ```
 */
export function memoryStore(options?: MemoryStoreOptions): SessionStore {
  const o = readOptions<MemoryStoreOptions>(options, OPTION_NAMES, 'memoryStore')
  const now = readFunction<() => number>(o.now, 'now') ?? Date.now
  return storeAttachedOnce('memory', (settings) => memoryBackend(settings, now))
}

function memoryBackend(settings: StoreSettings, now: () => number): SessionBackend {
  const ms = (seconds: number) => seconds * 1000
  /** How long a revocation must be kept: the longest a token it refuses stays valid. */
  const window = ms(settings.accessTokenLifetime + settings.clockTolerance)
  const sessions = new Map<string, MemorySession>()
  /** Subjects revoked everywhere, for as long as one of their sessions may live. */
  const revokedSubjects = new Map<string, { stamp: number; until: number }>()
  let lastStamp = 0
  /** Strictly increasing, microseconds from the clock where it allows. */
  const nextStamp = () => (lastStamp = Math.max(Math.floor(now() * 1000), lastStamp + 1))
  const revocations = new RevocationState(nextStamp())

  /** When a session can be forgotten: a day after it ended, or would have (see store.ts). */
  const forgetAt = (session: MemorySession) =>
    Math.min(
      session.expiresAt,
      session.ended === undefined
        ? session.lastUsedAt + ms(settings.refreshIdleTimeout)
        : session.endedAt,
    ) + FORGET_ENDED_AFTER_MS
  // Sessions end at different times (idle, logout), so no order of the map is the order
  // they can go in: each sweep looks at the next slice, and a full pass takes a while.
  let cursor = sessions.entries()
  const sweep = () => {
    const at = now()
    revocations.sweep(at)
    for (let i = 0; i < SWEEP_SLICE; i++) {
      const next = cursor.next()
      if (next.done === true) {
        cursor = sessions.entries()
        break
      }
      const [sid, session] = next.value
      if (at >= forgetAt(session)) sessions.delete(sid)
    }
    for (const [sub, revoked] of revokedSubjects) {
      if (revoked.until > at) break
      revokedSubjects.delete(sub)
    }
  }
  const timer = setInterval(sweep, Math.min(SWEEP_EVERY_MS, Math.max(1000, window)))
  timer.unref()

  const record = (event: RevocationEvent) => revocations.apply(event)

  /**
   * End `session`. A revoked one has its access tokens refused from now on; an expired
   * one has none left that are still valid (they live minutes, sessions days).
   */
  function end(sid: string, session: MemorySession, ending: Ending): void {
    session.ended = ending
    session.endedAt = now()
    session.current = []
    session.previous = undefined
    if (ending === 'revoked') record({ kind: 'session', sid, until: now() + window })
  }

  /** A live session by key, or why there is none; ends one found expired or revoked. */
  function live(key: SessionKey): MemorySession | { status: 'expired' | 'revoked' | 'invalid' } {
    const session = sessions.get(key.sid)
    if (session === undefined || session.family !== key.family) return { status: 'invalid' }
    if (session.ended !== undefined) return { status: session.ended }
    const at = now()
    const revoked = revokedSubjects.get(session.sub)
    if (revoked !== undefined && session.createdStamp <= revoked.stamp) {
      end(key.sid, session, 'revoked')
      return { status: 'revoked' }
    }
    if (at >= session.expiresAt || at >= session.lastUsedAt + ms(settings.refreshIdleTimeout)) {
      end(key.sid, session, 'expired')
      return { status: 'expired' }
    }
    return session
  }

  const refreshExpiresAt = (session: MemorySession) =>
    Math.min(session.expiresAt, session.lastUsedAt + ms(settings.refreshIdleTimeout))

  const isSession = (value: object): value is MemorySession => 'family' in value

  return {
    now,
    ready: () => Promise.resolve(),
    check: (token) => revocations.verdict(token),
    retryAfter: () => 1,

    createSession({ sub, family, token }) {
      let sid = randomText(16)
      while (sessions.has(sid)) sid = randomText(16)
      const at = now()
      const stamp = nextStamp()
      const session: MemorySession = {
        sub,
        family,
        createdStamp: stamp,
        expiresAt: at + ms(settings.refreshTokenLifetime),
        lastUsedAt: at,
        current: [token],
        previous: undefined,
        previousAt: 0,
        ended: undefined,
        endedAt: 0,
      }
      sessions.set(sid, session)
      return Promise.resolve({ sid, stamp, refreshExpiresAt: refreshExpiresAt(session) })
    },

    peek(key) {
      const found = live(key)
      return Promise.resolve(isSession(found) ? { status: 'live' as const, sub: found.sub } : found)
    },

    rotate({ sid, family, token, next }): Promise<RotateOutcome> {
      const found = live({ sid, family })
      if (!isSession(found)) return Promise.resolve(found)
      const session = found
      const at = now()
      if (session.current.includes(token)) {
        session.previous = token
        session.previousAt = at
        session.current = [next]
      } else if (token === session.previous && at - session.previousAt <= ms(settings.reuseGrace)) {
        // A retry after a lost response, or concurrent refreshes with one token: every
        // token handed out for it stays usable until one of them is used.
        session.current.push(next)
        if (session.current.length > MAX_SIBLINGS) session.current.shift()
      } else {
        end(sid, session, 'revoked')
        return Promise.resolve({ status: 'reused', sub: session.sub })
      }
      session.lastUsedAt = at
      return Promise.resolve({
        status: 'rotated',
        sub: session.sub,
        stamp: nextStamp(),
        refreshExpiresAt: refreshExpiresAt(session),
      })
    },

    endSession(key) {
      const found = live(key)
      if (!isSession(found)) return Promise.resolve(false)
      end(key.sid, found, 'revoked')
      return Promise.resolve(true)
    },

    revokeToken(jti, until) {
      record({ kind: 'token', jti, until: Math.min(until, now() + window) })
      return Promise.resolve()
    },

    revokeSubject(sub) {
      const stamp = nextStamp()
      revokedSubjects.delete(sub)
      revokedSubjects.set(sub, { stamp, until: now() + ms(settings.refreshTokenLifetime) })
      record({ kind: 'subject', sub, stamp, until: now() + window })
      return Promise.resolve()
    },

    claimsChanged(sub) {
      record({ kind: 'claims', sub, stamp: nextStamp(), until: now() + window })
      return Promise.resolve()
    },

    stats: () => ({ sessions: sessions.size, revocations: revocations.size }),

    close() {
      clearInterval(timer)
      return Promise.resolve()
    },
  }
}
