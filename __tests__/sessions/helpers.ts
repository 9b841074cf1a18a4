import {
  createSessions,
  memoryStore,
  type SessionBackend,
  type SessionStore,
  type Sessions,
  type SessionsOptions,
} from 'express-jwt-gate'

export const SESSION_SECRET = 'session-secret-0123456789abcdefghijklmnop'

/** A clock a test moves by hand, in milliseconds, starting just before a second ends. */
export interface TestClock {
  now: () => number
  advance(ms: number): void
  set(ms: number): void
}

export function testClock(start = Date.UTC(2027, 0, 1, 12, 0, 0, 999)): TestClock {
  let at = start
  return {
    now: () => at,
    advance: (ms) => {
      at += ms
    },
    set: (ms) => {
      at = ms
    },
  }
}

/** Every call the sessions made to their store, with its arguments, as JSON. */
export interface Recorded {
  calls: string[]
}

/**
 * A store that passes everything to `inner` and records what it was given, so a test
 * can show that no token ever reaches a store in clear.
 */
export function recordingStore(inner: SessionStore): { store: SessionStore; recorded: Recorded } {
  const recorded: Recorded = { calls: [] }
  const store: SessionStore = {
    kind: inner.kind,
    attach(settings) {
      const backend = inner.attach(settings)
      return new Proxy(backend, {
        get(target, name: keyof SessionBackend) {
          const value: unknown = Reflect.get(target, name)
          if (typeof value !== 'function') return value
          return (...args: unknown[]) => {
            recorded.calls.push(`${String(name)} ${JSON.stringify(args)}`)
            return (value as (...a: unknown[]) => unknown).apply(target, args)
          }
        },
      })
    },
  }
  return { store, recorded }
}

/**
 * A store whose every I/O operation fails (as a Redis that is down), or whose check says
 * `unavailable`, to prove what the sessions answer then.
 */
export function failingStore(
  inner: SessionStore,
  failing: { operations?: boolean; check?: boolean } = { operations: true },
): SessionStore {
  return {
    kind: 'failing',
    attach(settings) {
      const backend = inner.attach(settings)
      const fail = () => Promise.reject(new Error('connection lost'))
      return {
        ...backend,
        now: () => backend.now(),
        ready: () => backend.ready(),
        close: () => backend.close(),
        stats: () => backend.stats(),
        retryAfter: () => 3,
        check: (token) => (failing.check === true ? 'unavailable' : backend.check(token)),
        createSession: failing.operations === true ? fail : (s) => backend.createSession(s),
        peek: failing.operations === true ? fail : (k) => backend.peek(k),
        rotate: failing.operations === true ? fail : (r) => backend.rotate(r),
        endSession: failing.operations === true ? fail : (k) => backend.endSession(k),
        revokeToken: failing.operations === true ? fail : (j, u) => backend.revokeToken(j, u),
        revokeSubject: failing.operations === true ? fail : (s) => backend.revokeSubject(s),
        claimsChanged: failing.operations === true ? fail : (s) => backend.claimsChanged(s),
      }
    },
  }
}

/** Features per user, as a little user database the `claims` source reads. */
export function featureDatabase(initial: Record<string, string[]>) {
  const users = new Map(Object.entries(initial))
  return {
    users,
    claims: (sub: string) => {
      const features = users.get(sub)
      return features === undefined ? null : { licensedFeatures: [...features] }
    },
  }
}

/** Sessions over a memory store on `clock`, with the feature database's claims. */
export function testSessions(
  clock: TestClock,
  options: Partial<SessionsOptions> = {},
): { sessions: Sessions; db: ReturnType<typeof featureDatabase> } {
  const db = featureDatabase({ alice: ['todos', 'calendar', 'invoicing'], bob: ['todos'] })
  const sessions = createSessions({
    secret: SESSION_SECRET,
    store: memoryStore({ now: clock.now }),
    claims: db.claims,
    ...options,
  })
  return { sessions, db }
}

/** What a promise rejected with (failing the test when it resolves). */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection, but the promise resolved')
}
