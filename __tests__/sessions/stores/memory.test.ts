import { JwtSetupError, memoryStore } from 'express-jwt-gate'
import { thrown } from '../../helpers/tokens'
import { describeStoreContract, hash, SETTINGS } from '../store-contract'

describeStoreContract('memoryStore', (now) => ({ store: memoryStore({ now }) }))

describe('memoryStore, beyond the contract', () => {
  afterEach(() => {
    jest.useRealTimers()
  })

  test('forgets revocations after the access-token lifetime plus the tolerance, by its sweep', async () => {
    jest.useFakeTimers()
    let clock = Date.UTC(2027, 0, 1)
    const backend = memoryStore({ now: () => clock }).attach(SETTINGS)
    for (let i = 0; i < 1000; i++) await backend.revokeToken(hash(), clock + 3_600_000)
    await backend.revokeSubject('bob')
    await backend.claimsChanged('alice')
    expect(backend.stats().revocations).toBe(1002)
    // Kept for accessTokenLifetime + clockTolerance: 905 s.
    clock += 904_000
    jest.advanceTimersByTime(60_000)
    expect(backend.stats().revocations).toBe(1002)
    clock += 2_000
    jest.advanceTimersByTime(60_000)
    expect(backend.stats().revocations).toBe(0)
    await backend.close()
  })

  test('forgets sessions after their lifetime; the sweep timer never holds the process', async () => {
    jest.useFakeTimers()
    let clock = Date.UTC(2027, 0, 1)
    const backend = memoryStore({ now: () => clock }).attach(SETTINGS)
    for (let i = 0; i < 100; i++) {
      await backend.createSession({ sub: `user-${i}`, family: hash(), token: hash() })
    }
    expect(backend.stats().sessions).toBe(100)
    clock += SETTINGS.refreshTokenLifetime * 1000
    jest.advanceTimersByTime(60_000)
    expect(backend.stats().sessions).toBe(0)
    await backend.close()
    expect(jest.getTimerCount()).toBe(0)
  })

  test('a token issued before a restart is refused by the new store', async () => {
    let clock = Date.UTC(2027, 0, 1)
    const first = memoryStore({ now: () => clock }).attach(SETTINGS)
    const s = await first.createSession({ sub: 'bob', family: hash(), token: hash() })
    await first.close()
    // A restart takes a moment: even one millisecond puts the new store's floor above
    // every stamp the old one gave out (up to a thousand issues in its last millisecond).
    clock += 1
    const second = memoryStore({ now: () => clock }).attach(SETTINGS)
    expect(second.check({ sub: 'bob', sid: s.sid, jti: hash(), ist: s.stamp })).toBe('revoked')
    await second.close()
  })

  test('one store serves one createSessions', () => {
    const store = memoryStore()
    const backend = store.attach(SETTINGS)
    const err = thrown(() => store.attach(SETTINGS))
    expect(err).toBeInstanceOf(JwtSetupError)
    expect(err).toMatchObject({
      option: 'store',
      message:
        'express-jwt-gate: this store is already attached to a createSessions; give each createSessions its own store',
    })
    return backend.close()
  })

  test('options are checked', () => {
    expect(thrown(() => memoryStore({ now: 5 as never }))).toMatchObject({
      option: 'now',
      message: 'express-jwt-gate: now must be a function',
    })
    expect(thrown(() => memoryStore({ clock: Date.now } as never))).toMatchObject({
      option: 'clock',
    })
  })
})

describe('memoryStore holds the sessions of the last idle timeout, not every login', () => {
  afterEach(() => jest.useRealTimers())

  test('an ended session, and an idle one, are forgotten a day after they end', async () => {
    jest.useFakeTimers()
    let clock = Date.UTC(2027, 0, 1)
    const backend = memoryStore({ now: () => clock }).attach(SETTINGS)
    const ended = { family: hash(), token: hash() }
    const endedSession = await backend.createSession({ sub: 'bob', ...ended })
    await backend.endSession({ sid: endedSession.sid, family: ended.family })
    const idle = await backend.createSession({ sub: 'alice', family: hash(), token: hash() })
    void idle
    const used = { family: hash(), token: hash() }
    const usedSession = await backend.createSession({ sub: 'carol', ...used })
    expect(backend.stats().sessions).toBe(3)
    // Within the day, the ended one is still answered as ended.
    clock += 86_400_000 - 1
    jest.advanceTimersByTime(60_000)
    await expect(backend.peek({ sid: endedSession.sid, family: ended.family })).resolves.toEqual({
      status: 'revoked',
    })
    clock += 2
    jest.advanceTimersByTime(60_000)
    expect(backend.stats().sessions).toBe(2)
    // The idle one goes a day after its idle timeout; carol keeps using hers.
    let token = used.token
    for (let day = 1; day <= 8; day++) {
      clock += 86_400_000
      const next = hash()
      await backend.rotate({ sid: usedSession.sid, family: used.family, token, next })
      token = next
      jest.advanceTimersByTime(60_000)
    }
    expect(backend.stats().sessions).toBe(1)
    await backend.close()
  })
})
