import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { RevocationState, slotOf } from '../../lib/sessions/revocations'

const id = () => randomBytes(16).toString('base64url')

describe('RevocationState', () => {
  test('a long random life of revocations and sweeps agrees with a plain model', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('token' as const), key: fc.nat(300), until: fc.nat(1000) }),
            fc.record({
              op: fc.constant('session' as const),
              key: fc.nat(300),
              until: fc.nat(1000),
            }),
            fc.record({ op: fc.constant('sweep' as const), now: fc.nat(1000) }),
          ),
          { minLength: 200, maxLength: 2000 },
        ),
        (steps) => {
          const state = new RevocationState(0)
          const model = new Map<string, number>()
          const keyOf = (n: number) => `k${n}`
          for (const step of steps) {
            if (step.op === 'sweep') {
              state.sweep(step.now)
              // The state drops expired entries from the oldest until one is live: the
              // model keeps whatever the state may still hold, so only "kept" is checked
              // for entries not yet expired.
              for (const [key, until] of model) if (until <= step.now) model.delete(key)
            } else {
              const key = keyOf(step.key)
              state.apply(
                step.op === 'token'
                  ? { kind: 'token', jti: key, until: step.until }
                  : { kind: 'session', sid: key, until: step.until },
              )
              model.set(key, Math.max(model.get(key) ?? 0, step.until))
            }
            // Never a false "not revoked": what the model holds, the state refuses.
            for (const key of model.keys()) {
              const verdict = state.verdict({ sub: 's', sid: 'none', jti: key, ist: 1 })
              if (verdict !== 'revoked') return false
            }
          }
          return true
        },
      ),
      { numRuns: 30 },
    )
  })

  test('30,000 revocations: each is found, and 30,000 others are not', () => {
    const state = new RevocationState(0)
    const revoked = Array.from({ length: 30_000 }, id)
    for (const jti of revoked) state.apply({ kind: 'token', jti, until: 1 })
    for (const jti of revoked) {
      expect(state.verdict({ sub: 's', sid: id(), jti, ist: 1 })).toBe('revoked')
    }
    let refused = 0
    for (let i = 0; i < 30_000; i++) {
      if (state.verdict({ sub: 's', sid: id(), jti: id(), ist: 1 }) !== 'ok') refused++
    }
    expect(refused).toBe(0)
    state.sweep(1)
    expect(state.size).toBe(0)
    expect(state.verdict({ sub: 's', sid: id(), jti: revoked[0] as string, ist: 1 })).toBe('ok')
  })

  test('ids that share a filter slot are each found until each is swept', () => {
    // The slot is the ids' last five characters, so these ten share one.
    const twins = Array.from({ length: 10 }, (_, i) => `twin${i}-AAAAA`)
    expect(new Set(twins.map(slotOf)).size).toBe(1)
    const state = new RevocationState(0)
    twins.forEach((jti, i) => state.apply({ kind: 'token', jti, until: i + 1 }))
    // A renewal of the last one, to the same expiry.
    state.apply({ kind: 'token', jti: twins[9] as string, until: 10 })
    const verdictOf = (jti: string) => state.verdict({ sub: 's', sid: id(), jti, ist: 1 })
    for (let now = 1; now <= 10; now++) {
      state.sweep(now)
      twins.forEach((jti, i) => expect(verdictOf(jti)).toBe(i + 1 > now ? 'revoked' : 'ok'))
    }
    state.apply({ kind: 'session', sid: 'late-AAAAA', until: 20 })
    expect(state.verdict({ sub: 's', sid: 'late-AAAAA', jti: id(), ist: 1 })).toBe('revoked')
  })

  test('a slot past 255 ids stays full, and every id of it is still found', () => {
    const crowd = Array.from({ length: 256 }, (_, i) => `crowd${i}-BBBBB`)
    const state = new RevocationState(0)
    crowd.forEach((jti, i) => state.apply({ kind: 'token', jti, until: i + 1 }))
    const verdicts = () => crowd.map((jti) => state.verdict({ sub: 's', sid: id(), jti, ist: 1 }))
    expect(verdicts().every((verdict) => verdict === 'revoked')).toBe(true)
    // A count that went on from 255 would have wrapped to 0 at the 256th id, or would
    // now, with 255 swept and one id still held.
    state.sweep(255)
    expect(verdicts()).toEqual(crowd.map((_, i) => (i + 1 > 255 ? 'revoked' : 'ok')))
  })

  test('subjects: revoked beats stale; a later cutoff moves it, an earlier one does not', () => {
    const state = new RevocationState(10)
    state.apply({ kind: 'claims', sub: 'bob', stamp: 50, until: 100 })
    state.apply({ kind: 'subject', sub: 'bob', stamp: 30, until: 100 })
    state.apply({ kind: 'subject', sub: 'bob', stamp: 20, until: 100 })
    const at = (ist: number) => state.verdict({ sub: 'bob', sid: 'x', jti: 'y', ist })
    expect([at(5), at(30), at(31), at(50), at(51)]).toEqual([
      'revoked',
      'revoked',
      'stale',
      'stale',
      'ok',
    ])
  })
})
