/**
 * The store contract, as tests: every store runs this suite (the way express-rate-limit
 * tests its stores), and the memory store is the reference model. Each test drives a
 * store through its backend with a controlled clock.
 */
import { randomBytes } from 'node:crypto'
import type { SessionBackend, SessionStore, StoreSettings } from 'express-jwt-gate'

/** A store under test on a clock the test moves (ms), and how to dispose of it. */
export interface StoreUnderTest {
  store: SessionStore
  /** Extra teardown beyond `backend.close()` (a Redis client, say). */
  dispose?: () => Promise<void>
}

export const SETTINGS: StoreSettings = {
  accessTokenLifetime: 900,
  clockTolerance: 5,
  refreshTokenLifetime: 30 * 86400,
  refreshIdleTimeout: 7 * 86400,
  reuseGrace: 10,
}

/** A random hash, as the sessions pass them (22 base64url characters). */
export const hash = (): string => randomBytes(16).toString('base64url')

export function describeStoreContract(
  name: string,
  make: (now: () => number) => Promise<StoreUnderTest> | StoreUnderTest,
): void {
  describe(`${name}: the store contract`, () => {
    let clock: number
    let backend: SessionBackend
    let dispose: (() => Promise<void>) | undefined

    beforeEach(async () => {
      clock = Date.UTC(2027, 0, 1, 12, 0, 0, 999)
      const made = await make(() => clock)
      dispose = made.dispose
      backend = made.store.attach(SETTINGS)
      await backend.ready()
    })
    afterEach(async () => {
      await backend.close()
      await dispose?.()
    })

    /** A new session and its first token, as the sessions make one. */
    async function session(sub = 'bob') {
      const family = hash()
      const token = hash()
      const created = await backend.createSession({ sub, family, token })
      return { sub, family, token, ...created }
    }

    const facts = (sub: string, sid: string, ist: number) => ({ sub, sid, jti: hash(), ist })

    test('reads the clock it was given', () => {
      expect(backend.now()).toBe(clock)
      clock += 1234
      expect(backend.now()).toBe(clock)
    })

    test('a session: its own id, a stamp that only grows, and a refresh expiry', async () => {
      const a = await session()
      const b = await session()
      expect(a.sid).not.toBe(b.sid)
      expect(a.sid).toMatch(/^[A-Za-z0-9_-]{8,64}$/)
      expect(b.stamp).toBeGreaterThan(a.stamp)
      // The nearer of the idle timeout (7 days) and the lifetime (30 days).
      expect(a.refreshExpiresAt).toBe(clock + SETTINGS.refreshIdleTimeout * 1000)
      await expect(backend.peek({ sid: a.sid, family: a.family })).resolves.toEqual({
        status: 'live',
        sub: 'bob',
      })
    })

    test('stamps grow strictly even when the clock stands still or goes back', async () => {
      const stamps: number[] = []
      for (let i = 0; i < 5; i++) stamps.push((await session()).stamp)
      clock -= 60_000
      for (let i = 0; i < 5; i++) stamps.push((await session()).stamp)
      for (let i = 1; i < stamps.length; i++) {
        expect(stamps[i]).toBeGreaterThan(stamps[i - 1] as number)
      }
    })

    test('a wrong family or an unknown session is invalid, and changes nothing', async () => {
      const s = await session()
      const next = hash()
      await expect(backend.peek({ sid: s.sid, family: hash() })).resolves.toEqual({
        status: 'invalid',
      })
      await expect(
        backend.rotate({ sid: s.sid, family: hash(), token: s.token, next }),
      ).resolves.toEqual({ status: 'invalid' })
      await expect(
        backend.rotate({ sid: 'AAAAAAAAAAAAAAAAAAAAAA', family: s.family, token: s.token, next }),
      ).resolves.toEqual({ status: 'invalid' })
      await expect(backend.endSession({ sid: s.sid, family: hash() })).resolves.toBe(false)
      // The session is untouched: its token still rotates.
      await expect(
        backend.rotate({ sid: s.sid, family: s.family, token: s.token, next }),
      ).resolves.toMatchObject({ status: 'rotated', sub: 'bob' })
    })

    test('rotation retires the token presented and makes the next one current', async () => {
      const s = await session()
      const key = { sid: s.sid, family: s.family }
      const second = hash()
      clock += 60_000
      const rotated = await backend.rotate({ ...key, token: s.token, next: second })
      expect(rotated).toMatchObject({ status: 'rotated', sub: 'bob' })
      if (rotated.status !== 'rotated') throw new Error('not rotated')
      expect(rotated.stamp).toBeGreaterThan(s.stamp)
      expect(rotated.refreshExpiresAt).toBe(clock + SETTINGS.refreshIdleTimeout * 1000)
      const third = hash()
      await expect(backend.rotate({ ...key, token: second, next: third })).resolves.toMatchObject({
        status: 'rotated',
      })
    })

    test('the previous token within the grace: a new token beside the ones handed out', async () => {
      const s = await session()
      const key = { sid: s.sid, family: s.family }
      const first = hash()
      await backend.rotate({ ...key, token: s.token, next: first })
      clock += SETTINGS.reuseGrace * 1000 - 1
      const retry = hash()
      await expect(backend.rotate({ ...key, token: s.token, next: retry })).resolves.toMatchObject({
        status: 'rotated',
      })
      // Both are usable until one is used; then the other is retired.
      const third = hash()
      await expect(backend.rotate({ ...key, token: retry, next: third })).resolves.toMatchObject({
        status: 'rotated',
      })
      await expect(backend.rotate({ ...key, token: first, next: hash() })).resolves.toEqual({
        status: 'reused',
        sub: 'bob',
      })
      await expect(backend.peek(key)).resolves.toEqual({ status: 'revoked' })
    })

    test('the previous token after the grace is reuse: the session ends', async () => {
      const s = await session()
      const key = { sid: s.sid, family: s.family }
      const next = hash()
      await backend.rotate({ ...key, token: s.token, next })
      clock += SETTINGS.reuseGrace * 1000 + 1
      await expect(backend.rotate({ ...key, token: s.token, next: hash() })).resolves.toEqual({
        status: 'reused',
        sub: 'bob',
      })
      // Every token of it is refused now, the current one included.
      await expect(backend.rotate({ ...key, token: next, next: hash() })).resolves.toEqual({
        status: 'revoked',
      })
      expect(backend.check(facts('bob', s.sid, s.stamp))).toBe('revoked')
    })

    test('an older token, and a made-up one of the session, are reuse too', async () => {
      const s = await session()
      const key = { sid: s.sid, family: s.family }
      const second = hash()
      const third = hash()
      await backend.rotate({ ...key, token: s.token, next: second })
      await backend.rotate({ ...key, token: second, next: third })
      await expect(backend.rotate({ ...key, token: s.token, next: hash() })).resolves.toEqual({
        status: 'reused',
        sub: 'bob',
      })
      const t = await session()
      await expect(
        backend.rotate({ sid: t.sid, family: t.family, token: hash(), next: hash() }),
      ).resolves.toEqual({ status: 'reused', sub: 'bob' })
    })

    test('concurrent rotations of one token all succeed, and none ends the session', async () => {
      const s = await session()
      const key = { sid: s.sid, family: s.family }
      const nexts = Array.from({ length: 10 }, hash)
      const outcomes = await Promise.all(
        nexts.map((next) => backend.rotate({ ...key, token: s.token, next })),
      )
      for (const outcome of outcomes) expect(outcome).toMatchObject({ status: 'rotated' })
      const stamps = outcomes.map((o) => (o.status === 'rotated' ? o.stamp : 0))
      expect(new Set(stamps).size).toBe(10)
      // Whichever answer the client kept is current.
      await expect(
        backend.rotate({ ...key, token: nexts[7] as string, next: hash() }),
      ).resolves.toMatchObject({ status: 'rotated' })
    })

    test('an idle session expires; a used one lives on, up to its lifetime', async () => {
      const idle = await session()
      let live = await session()
      for (let day = 0; day < 29; day++) {
        clock += 86400_000
        const next = hash()
        const outcome = await backend.rotate({
          sid: live.sid,
          family: live.family,
          token: live.token,
          next,
        })
        expect(outcome).toMatchObject({ status: 'rotated' })
        live = { ...live, token: next }
      }
      await expect(backend.peek({ sid: idle.sid, family: idle.family })).resolves.toEqual({
        status: 'expired',
      })
      clock += 86400_000
      await expect(
        backend.rotate({ sid: live.sid, family: live.family, token: live.token, next: hash() }),
      ).resolves.toEqual({ status: 'expired' })
    })

    test('at the idle timeout exactly, a session has expired', async () => {
      const s = await session()
      clock += SETTINGS.refreshIdleTimeout * 1000
      await expect(
        backend.rotate({ sid: s.sid, family: s.family, token: s.token, next: hash() }),
      ).resolves.toEqual({ status: 'expired' })
    })

    test('ending a session refuses its tokens and its access tokens; twice is no error', async () => {
      const s = await session()
      const key = { sid: s.sid, family: s.family }
      await expect(backend.endSession(key)).resolves.toBe(true)
      await expect(backend.endSession(key)).resolves.toBe(false)
      await expect(backend.rotate({ ...key, token: s.token, next: hash() })).resolves.toEqual({
        status: 'revoked',
      })
      expect(backend.check(facts('bob', s.sid, s.stamp))).toBe('revoked')
      const other = await session()
      expect(backend.check(facts('bob', other.sid, other.stamp))).toBe('ok')
    })

    test('revokeSubject: everything of the subject so far, nothing after, in the same ms', async () => {
      const before = await session('bob')
      const otherSubject = await session('alice')
      await backend.revokeSubject('bob')
      const after = await session('bob')
      expect(backend.check(facts('bob', before.sid, before.stamp))).toBe('revoked')
      expect(backend.check(facts('bob', after.sid, after.stamp))).toBe('ok')
      expect(backend.check(facts('alice', otherSubject.sid, otherSubject.stamp))).toBe('ok')
      await expect(
        backend.rotate({
          sid: before.sid,
          family: before.family,
          token: before.token,
          next: hash(),
        }),
      ).resolves.toEqual({ status: 'revoked' })
      await expect(
        backend.rotate({ sid: after.sid, family: after.family, token: after.token, next: hash() }),
      ).resolves.toMatchObject({ status: 'rotated' })
    })

    test('claimsChanged: tokens so far are stale, sessions live on, new tokens are fine', async () => {
      const s = await session('bob')
      await backend.claimsChanged('bob')
      expect(backend.check(facts('bob', s.sid, s.stamp))).toBe('stale')
      const rotated = await backend.rotate({
        sid: s.sid,
        family: s.family,
        token: s.token,
        next: hash(),
      })
      expect(rotated).toMatchObject({ status: 'rotated' })
      if (rotated.status !== 'rotated') throw new Error('not rotated')
      expect(backend.check(facts('bob', s.sid, rotated.stamp))).toBe('ok')
    })

    test('revoked beats stale', async () => {
      const s = await session('bob')
      await backend.claimsChanged('bob')
      await backend.revokeSubject('bob')
      expect(backend.check(facts('bob', s.sid, s.stamp))).toBe('revoked')
    })

    test('revokeToken refuses one access token of a session, not the others', async () => {
      const s = await session()
      const revoked = facts('bob', s.sid, s.stamp)
      await backend.revokeToken(revoked.jti, clock + 900_000)
      expect(backend.check(revoked)).toBe('revoked')
      expect(backend.check(facts('bob', s.sid, s.stamp))).toBe('ok')
    })

    test('a token stamped before the store began cannot be vouched for', () => {
      expect(backend.check(facts('bob', hash(), 1))).toBe('revoked')
    })

    test('reports what it holds', async () => {
      const s = await session()
      await backend.revokeToken(hash(), clock + 60_000)
      await backend.endSession({ sid: s.sid, family: s.family })
      expect(backend.stats().revocations).toBeGreaterThanOrEqual(2)
      expect(backend.stats().sessions).toBeGreaterThanOrEqual(0)
    })
  })
}
