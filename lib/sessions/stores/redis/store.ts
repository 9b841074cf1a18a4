import { toSeconds, type Duration } from '../../../core/duration'
import { setupError } from '../../../core/errors'
import {
  optionNames,
  readFunction,
  readOptions,
  readString,
  type OptionList,
} from '../../../core/options'
import {
  storeAttachedOnce,
  type RotateOutcome,
  type SessionBackend,
  type SessionKey,
  type SessionStore,
  type StoreSettings,
} from '../../store'
import {
  redisConnection,
  RedisCommandError,
  type RedisClientLike,
  type RedisConnection,
  type RedisReply,
} from './connection'
import { keyLayout } from './keys'
import { FeedMirror } from './mirror'
import { APPEND, CREATE, CUTOFF, END, MARK_REVOKED, PEEK, ROTATE, STAMP } from './scripts'

/**
 * Options of {@link redisStore}.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { redisStore } from 'express-jwt-gate'
 * import type { RedisStoreOptions } from 'express-jwt-gate'
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const options: RedisStoreOptions = { client, prefix: 'jwt-gate:', maxStaleness: 5 }
 * const store = redisStore(options)
 * ```
 */
export interface RedisStoreOptions {
  /**
   * Your own connected client: node-redis (`redis` 5 or 6) or `ioredis` (5 or 6), of one
   * server, of a Redis Cluster, or through Sentinel.
   */
  client: RedisClientLike
  /** Put in front of every key. Default `'jwt-gate:'`. No braces: they make hash tags. */
  prefix?: string
  /**
   * How long this instance may go without showing that its revocation mirror is current
   * before it refuses (503) rather than guess. Default 5 seconds.
   */
  maxStaleness?: Duration
  /** The bound on every Redis call. Default 1 second. */
  commandTimeout?: Duration
  /**
   * What `authenticate()` does once the mirror is stale: `'refuse'` (the default: 503 with
   * `Retry-After`) or `'accept'` (check against the mirror as it is, choosing availability
   * over strictness: revocations made while Redis is unreachable are not seen). Before the
   * first sync it is 503 either way.
   */
  whenStale?: 'refuse' | 'accept'
  /** The clock, in milliseconds, as `Date.now` (the default); for tests. */
  now?: () => number
}

const OPTION_NAMES = optionNames({
  client: true,
  prefix: true,
  maxStaleness: true,
  commandTimeout: true,
  whenStale: true,
  now: true,
} satisfies OptionList<RedisStoreOptions>)

/** Tokens handed out for one previous token within the grace period, at most. */
const MAX_SIBLINGS = 16

/**
 * A session store in Redis (7.x), for several instances of an API: a logout, a
 * revocation or a claims change on one instance is honoured by every instance within
 * milliseconds, while the per-request check stays local and synchronous.
 *
 * - **Your client**, node-redis or ioredis, through a small structural interface: the
 *   package depends on neither. The store opens one more connection of the same kind
 *   (`duplicate()`) for the blocking read of the revocation feed, and closes it on
 *   `sessions.close()`; your client stays yours.
 * - **Atomic**: rotation, reuse detection and ending a session are Lua scripts, so
 *   concurrent refreshes from any number of instances are safe. A script that arrives
 *   after its caller gave up (`commandTimeout`) does nothing.
 * - **Redis Cluster** too: a subject's keys share a slot; the feed has one of its own,
 *   so there a revocation is written to the feed first and to the state after, which
 *   errs toward refusing if the second write fails.
 * - **Revocations reach every instance in order, with no gaps**: each is appended to a
 *   stream that every instance follows from the last entry it saw (see the mirror).
 * - **Fails closed**: when this instance cannot show its mirror is current within
 *   `maxStaleness`, `authenticate()` answers 503 with `Retry-After` (not 401: clients
 *   would throw valid tokens away), and recovers by itself. Every Redis call is bounded
 *   by `commandTimeout`; a failure is a 503, never a hang or an unhandled rejection.
 * - **Bounded**: every key has a TTL: sessions live at most their lifetime, revocations
 *   the access-token lifetime plus the clock tolerance.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * import { createSessions, redisStore } from 'express-jwt-gate'
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const sessions = createSessions({ secret, claims, store: redisStore({ client, prefix: 'jwt-gate:' }) })
 * await sessions.ready()
 * ```
 */
export function redisStore(options: RedisStoreOptions): SessionStore {
  const o = readOptions<RedisStoreOptions>(options, OPTION_NAMES, 'redisStore')
  if (o.client === undefined) {
    throw setupError(
      'client',
      'redisStore needs your connected Redis client: redisStore({ client })',
    )
  }
  let connection: RedisConnection
  try {
    connection = redisConnection(o.client)
  } catch (error) {
    throw setupError('client', (error as Error).message.replace(/^express-jwt-gate: /, ''))
  }
  const prefix = o.prefix === undefined ? 'jwt-gate:' : readString(o.prefix, 'prefix')
  if (/[{}]/.test(prefix)) {
    throw setupError('prefix', 'prefix must not hold { or }: they would make it a hash tag')
  }
  const seconds = (value: unknown, name: string, fallback: number) => {
    const result = value === undefined ? fallback : toSeconds(value, name)
    if (result <= 0) throw setupError(name, `${name} must be more than 0 seconds`)
    return result
  }
  const maxStaleness = seconds(o.maxStaleness, 'maxStaleness', 5) * 1000
  const commandTimeout = seconds(o.commandTimeout, 'commandTimeout', 1) * 1000
  const whenStale = o.whenStale ?? 'refuse'
  if (whenStale !== 'refuse' && whenStale !== 'accept') {
    throw setupError('whenStale', "whenStale must be 'refuse' or 'accept'")
  }
  const now = readFunction<() => number>(o.now, 'now') ?? Date.now
  const backendOptions = { prefix, maxStaleness, commandTimeout, whenStale, now }
  return storeAttachedOnce('redis', (settings) =>
    redisBackend(connection, settings, backendOptions),
  )
}

interface BackendOptions {
  readonly prefix: string
  readonly maxStaleness: number
  readonly commandTimeout: number
  readonly whenStale: 'refuse' | 'accept'
  readonly now: () => number
}

/** A reply as a list of strings (what every script here returns). */
function strings(reply: RedisReply): string[] {
  return Array.isArray(reply) ? reply.map((item) => String(item)) : [String(reply)]
}

function redisBackend(
  connection: RedisConnection,
  settings: StoreSettings,
  options: BackendOptions,
): SessionBackend {
  const { commandTimeout, now } = options
  const keys = keyLayout(options.prefix)
  const ms = (s: number) => Math.round(s * 1000)
  const window = ms(settings.accessTokenLifetime + settings.clockTolerance)
  const idle = ms(settings.refreshIdleTimeout)
  const lifetime = ms(settings.refreshTokenLifetime)
  const mirror = new FeedMirror(connection, {
    keys,
    window,
    maxStaleness: options.maxStaleness,
    commandTimeout,
    whenStale: options.whenStale,
    now,
  })

  /** Before the first sync the epoch's floor is unknown: wait for it, within the bound. */
  async function synced(): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RedisCommandError('redis_timeout', 'SYNC', 'not synced in time')),
        commandTimeout,
      )
    })
    try {
      await Promise.race([mirror.ready(), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** A script's deadline in server time: half the bound, so a late reply cannot mislead. */
  const deadline = () => String(Math.floor(mirror.serverNow() + commandTimeout / 2))

  const run = (script: typeof CREATE, keyList: string[], args: (string | number)[]) =>
    connection.script(script, keyList, args.map(String), commandTimeout)

  function keysOf(sid: string): { session: string; subject: string } {
    const found = keys.keysOf(sid)
    // A session id of another store's making cannot name a session here.
    return (
      found ?? { session: `${options.prefix}{none}:s:none`, subject: `${options.prefix}{none}:u` }
    )
  }

  const { cluster } = connection
  /** On a cluster, the keys of one slot only: the feed is appended to on its own. */
  const withFeed = (slotKeys: string[]) => (cluster ? slotKeys : [...slotKeys, keys.feed])

  /** One feed entry, ahead of the state it stands for (see scripts.ts). */
  const appendToFeed = (kind: string, value: string, stamp: number, until: number) =>
    run(APPEND, [keys.feed], [kind, value, stamp, until, mirror.minId(), window])

  /** A script's reply; `late` (it ran after its deadline, so did nothing) is a timeout. */
  function lateOrStatus(reply: RedisReply): string[] {
    const parts = strings(reply)
    if (parts[0] === 'late') {
      throw new RedisCommandError('redis_timeout', 'EVALSHA', 'ran after its deadline')
    }
    return parts
  }

  return {
    now,
    ready: () => mirror.ready(),
    check: (token) => mirror.verdict(token),
    retryAfter: () => Math.max(1, Math.ceil(options.maxStaleness / 5000)),
    stats: () => ({ sessions: 0, revocations: mirror.size }),

    async createSession({ sub, family, token }) {
      await synced()
      const tag = keys.tagOf(sub)
      for (;;) {
        const sid = keys.newSessionId(tag)
        const { session, subject } = keysOf(sid)
        const parts = lateOrStatus(
          await run(
            CREATE,
            [session, subject],
            [deadline(), now(), mirror.floor, sub, family, token, lifetime, idle, lifetime],
          ),
        )
        if (parts[0] === 'exists') continue
        return { sid, stamp: Number(parts[1]), refreshExpiresAt: Number(parts[2]) }
      }
    },

    async peek(key: SessionKey) {
      const { session, subject } = keysOf(key.sid)
      const parts = strings(await run(PEEK, [session, subject], [key.family, now(), idle]))
      if (parts[0] === 'live') return { status: 'live' as const, sub: parts[1] as string }
      return { status: parts[0] as 'expired' | 'revoked' | 'invalid' }
    },

    async rotate({ sid, family, token, next }): Promise<RotateOutcome> {
      await synced()
      const { session, subject } = keysOf(sid)
      const at = now()
      const parts = lateOrStatus(
        await run(ROTATE, withFeed([session, subject]), [
          deadline(),
          at,
          mirror.floor,
          family,
          token,
          next,
          ms(settings.reuseGrace),
          idle,
          window,
          mirror.minId(),
          MAX_SIBLINGS,
          sid,
        ]),
      )
      if (parts[0] === 'rotated') {
        return {
          status: 'rotated',
          sub: parts[1] as string,
          stamp: Number(parts[2]),
          refreshExpiresAt: Number(parts[3]),
        }
      }
      if (parts[0] === 'reuse') {
        // A cluster's reuse: nothing changed yet. The feed first, then the session.
        await appendToFeed('session', sid, 0, at + window)
        mirror.apply({ kind: 'session', sid, until: at + window })
        await run(END, [session, subject], [family, at, idle])
        return { status: 'reused', sub: parts[1] as string }
      }
      if (parts[0] === 'reused') {
        mirror.apply({ kind: 'session', sid, until: at + window })
        return { status: 'reused', sub: parts[1] as string }
      }
      return { status: parts[0] as 'expired' | 'revoked' | 'invalid' }
    },

    async endSession(key) {
      const { session, subject } = keysOf(key.sid)
      const at = now()
      if (cluster) {
        // Only a live session of this family gets a feed entry: a made-up token must not
        // grow every instance's mirror.
        const found = strings(await run(PEEK, [session, subject], [key.family, at, idle]))
        if (found[0] !== 'live') return false
        await appendToFeed('session', key.sid, 0, at + window)
        mirror.apply({ kind: 'session', sid: key.sid, until: at + window })
        await run(END, [session, subject], [key.family, at, idle])
        return true
      }
      const ended = await run(
        END,
        [session, subject, keys.feed],
        [key.family, at, idle, key.sid, window, mirror.minId()],
      )
      if (ended !== 1) return false
      mirror.apply({ kind: 'session', sid: key.sid, until: at + window })
      return true
    },

    async revokeToken(jti, until) {
      const capped = Math.min(until, now() + window)
      await appendToFeed('token', jti, 0, capped)
      mirror.apply({ kind: 'token', jti, until: capped })
    },

    async revokeSubject(sub) {
      await cutoff(sub, 'subject')
    },

    async claimsChanged(sub) {
      await cutoff(sub, 'claims')
    },

    close: () => mirror.close(),
  }

  async function cutoff(sub: string, kind: 'subject' | 'claims'): Promise<void> {
    await synced()
    const at = now()
    const subject = keys.subjectKey(keys.tagOf(sub))
    if (cluster) {
      // The stamp, the feed entry, then the mark: until the mark, the subject's sessions
      // can still refresh, but every token they held so far is refused everywhere.
      const stamp = Number(await run(STAMP, [subject], [at, mirror.floor, lifetime]))
      await appendToFeed(kind, sub, stamp, at + window)
      mirror.apply({ kind, sub, stamp, until: at + window })
      if (kind === 'subject') await run(MARK_REVOKED, [subject], [stamp, lifetime])
      return
    }
    const stamp = Number(
      await run(
        CUTOFF,
        [subject, keys.feed],
        [at, mirror.floor, lifetime, sub, window, mirror.minId(), kind],
      ),
    )
    mirror.apply({ kind, sub, stamp, until: at + window })
  }
}
