/**
 * Random interleavings of login, refresh (with the current, the previous or an older
 * token), logout, and the three revocations, with the clock moving, against a small
 * reference model of the rules. After every step, every access token ever issued is
 * checked through the real `authenticate()` middleware: no revoked token is ever
 * accepted, and no live one is ever refused.
 */
import type { Request, RequestHandler, Response } from 'express'
import fc from 'fast-check'
import { createSessions, memoryStore, type IssuedTokens, type Sessions } from 'express-jwt-gate'
import { SESSION_SECRET, testClock } from './helpers'

const LIFETIME = 120 // seconds an access token lives
const GRACE = 10 // seconds

type Step =
  | { op: 'login'; sub: number }
  | { op: 'refresh'; session: number; which: 'current' | 'previous' | 'older' | 'sibling' }
  | { op: 'logout'; session: number }
  | { op: 'revokeToken'; token: number }
  | { op: 'revokeSubject'; sub: number }
  | { op: 'claimsChanged'; sub: number }
  | { op: 'advance'; ms: number }

const SUBJECTS = ['alice', 'bob']

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('login' as const), sub: fc.nat(1) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('refresh' as const),
      session: fc.nat(7),
      which: fc.constantFrom(
        'current' as const,
        'previous' as const,
        'older' as const,
        'sibling' as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('logout' as const), session: fc.nat(7) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('revokeToken' as const), token: fc.nat(30) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('revokeSubject' as const), sub: fc.nat(1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('claimsChanged' as const), sub: fc.nat(1) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      ms: fc.oneof(
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 1000, max: 30_000 }),
        // Either side of the grace period's end, where an off-by-one would show.
        fc.constantFrom(GRACE * 1000 - 1, GRACE * 1000, GRACE * 1000 + 1, GRACE * 1500),
      ),
    }),
  },
)

/** The model of one session. */
interface ModelSession {
  sub: string
  live: boolean
  /** Refresh tokens usable now. */
  current: string[]
  previous: { token: string; at: number } | undefined
  /** Every token ever handed out for it, for "older" and "sibling" picks. */
  all: string[]
}

/** The model of one access token. */
interface ModelToken {
  token: string
  sub: string
  session: ModelSession
  exp: number
  revoked: boolean
  stale: boolean
}

/** What the real middleware answers for a token: `ok` or the refusal's code. */
function verdictOf(authenticate: RequestHandler, token: string): string {
  let verdict = 'pending'
  const value = `Bearer ${token}`
  const req = { headers: { authorization: value }, rawHeaders: ['Authorization', value] }
  authenticate(req as unknown as Request, {} as Response, (error?: unknown) => {
    verdict = error === undefined ? 'ok' : (error as { code: string }).code
  })
  return verdict
}

async function run(steps: readonly Step[]): Promise<void> {
  const clock = testClock()
  const sessions: Sessions = createSessions({
    secret: SESSION_SECRET,
    store: memoryStore({ now: clock.now }),
    accessTokenLifetime: LIFETIME,
    reuseGrace: GRACE,
  })
  const authenticate = sessions.authenticate()
  const model: ModelSession[] = []
  const tokens: ModelToken[] = []

  const keep = (session: ModelSession, issued: IssuedTokens) => {
    tokens.push({
      token: issued.accessToken,
      sub: session.sub,
      session,
      exp: Math.floor(clock.now() / 1000) + LIFETIME,
      revoked: false,
      stale: false,
    })
  }
  const endSession = (session: ModelSession) => {
    session.live = false
    session.current = []
    session.previous = undefined
    for (const t of tokens) if (t.session === session) t.revoked = true
  }

  for (const s of steps) {
    if (s.op === 'login') {
      const sub = SUBJECTS[s.sub] as string
      const issued = await sessions.issue(sub)
      const session: ModelSession = {
        sub,
        live: true,
        current: [issued.refreshToken],
        previous: undefined,
        all: [issued.refreshToken],
      }
      model.push(session)
      keep(session, issued)
    } else if (s.op === 'refresh') {
      const session = model[s.session % Math.max(model.length, 1)]
      if (session === undefined) continue
      const pick =
        s.which === 'current'
          ? session.current.at(-1)
          : s.which === 'previous'
            ? session.previous?.token
            : s.which === 'sibling'
              ? session.current[0]
              : session.all[0]
      if (pick === undefined) continue
      // The rule, as the model knows it.
      let expected: string
      if (!session.live) expected = 'session_revoked'
      else if (session.current.includes(pick)) expected = 'rotated'
      else if (
        session.previous?.token === pick &&
        clock.now() - session.previous.at <= GRACE * 1000
      ) {
        expected = 'sibling'
      } else expected = 'refresh_token_reused'
      let outcome: string
      let issued: IssuedTokens | undefined
      try {
        issued = await sessions.refresh(pick)
        outcome = expected === 'sibling' ? 'sibling' : 'rotated'
      } catch (err) {
        outcome = (err as { code: string }).code
      }
      expect({ step: s, outcome }).toEqual({ step: s, outcome: expected })
      if (issued !== undefined) {
        if (expected === 'rotated') {
          session.previous = { token: pick, at: clock.now() }
          session.current = [issued.refreshToken]
        } else {
          session.current.push(issued.refreshToken)
        }
        session.all.push(issued.refreshToken)
        keep(session, issued)
      } else if (expected === 'refresh_token_reused') {
        endSession(session)
      }
    } else if (s.op === 'logout') {
      const session = model[s.session % Math.max(model.length, 1)]
      if (session === undefined) continue
      await sessions.logout(session.all.at(-1) as string)
      if (session.live) endSession(session)
    } else if (s.op === 'revokeToken') {
      const target = tokens[s.token % Math.max(tokens.length, 1)]
      if (target === undefined) continue
      const payload = JSON.parse(
        Buffer.from(target.token.split('.')[1] as string, 'base64url').toString(),
      ) as { jti: string; exp: number }
      await sessions.revokeToken(payload)
      target.revoked = true
    } else if (s.op === 'revokeSubject') {
      const sub = SUBJECTS[s.sub] as string
      await sessions.revokeSubject(sub)
      for (const session of model) if (session.sub === sub && session.live) endSession(session)
      for (const t of tokens) if (t.sub === sub) t.revoked = true
    } else if (s.op === 'claimsChanged') {
      const sub = SUBJECTS[s.sub] as string
      await sessions.claimsChanged(sub)
      for (const t of tokens) if (t.sub === sub) t.stale = true
    } else {
      clock.advance(s.ms)
    }

    // Every token ever issued, against the model, after every step.
    const now = clock.now() / 1000
    for (const t of tokens) {
      const expected =
        now >= t.exp
          ? 'token_expired'
          : t.revoked
            ? 'token_revoked'
            : t.stale
              ? 'token_stale'
              : 'ok'
      expect({ step: s, verdict: verdictOf(authenticate, t.token) }).toEqual({
        step: s,
        verdict: expected,
      })
    }
  }
  await sessions.close()
}

test('no revoked token is accepted and no live session is refused, in any order of events', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => run(steps)),
    { numRuns: 300 },
  )
})

test('a fixed story: theft after the owner refreshed ends the session for both', async () => {
  await run([
    { op: 'login', sub: 1 },
    { op: 'refresh', session: 0, which: 'current' },
    { op: 'advance', ms: 11_000 },
    { op: 'refresh', session: 0, which: 'previous' },
    { op: 'refresh', session: 0, which: 'current' },
  ])
})
