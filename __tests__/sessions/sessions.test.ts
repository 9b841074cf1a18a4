import { generateKeyPairSync } from 'node:crypto'
import express from 'express'
import request from 'supertest'
import {
  authErrorHandler,
  createSessions,
  decodeToken,
  JwtSetupError,
  memoryStore,
  RefreshTokenError,
  ServiceUnavailableError,
  verifyToken,
  type ReuseEvent,
  type Sessions,
} from 'express-jwt-gate'
import { thrown } from '../helpers/tokens'
import {
  failingStore,
  recordingStore,
  rejection,
  SESSION_SECRET,
  testClock,
  testSessions,
  type TestClock,
} from './helpers'

/** What an API behind `sessions.authenticate()` answers for `token`: a status and a code. */
async function access(
  sessions: Sessions,
  token: string,
): Promise<{ status: number; code?: string }> {
  const app = express()
  app.use(sessions.authenticate())
  app.get('/', (req, res) => res.json({ sub: req.user?.sub }))
  app.use(authErrorHandler())
  const res = await request(app).get('/').set('Authorization', `Bearer ${token}`)
  return res.status === 200 ? { status: 200 } : { status: res.status, code: res.body.code }
}

const OK = { status: 200 }
const REVOKED = { status: 401, code: 'token_revoked' }
const STALE = { status: 401, code: 'token_stale' }

let clock: TestClock
let sessions: Sessions
let db: ReturnType<typeof testSessions>['db']
beforeEach(() => {
  clock = testClock()
  ;({ sessions, db } = testSessions(clock))
})
afterEach(() => sessions.close())

describe('issue', () => {
  test('a login: an access token with the session claims and a refresh token', async () => {
    const tokens = await sessions.issue('bob')
    expect(tokens).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshExpiresIn: 7 * 86400,
    })
    const { header, payload } = decodeToken(tokens.accessToken)
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' })
    const iat = Math.floor(clock.now() / 1000)
    expect(payload).toEqual({
      licensedFeatures: ['todos'],
      sub: 'bob',
      sid: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      ist: expect.any(Number),
      iat,
      exp: iat + 900,
    })
    // Stateless verification works too, without the revocation check.
    const at = { currentDate: new Date(clock.now()) }
    expect(verifyToken(tokens.accessToken, SESSION_SECRET, at).sub).toBe('bob')
    await expect(access(sessions, tokens.accessToken)).resolves.toEqual(OK)
  })

  test('a refresh token is opaque, not a JWT, with 256 random bits that rotate', async () => {
    const { refreshToken } = await sessions.issue('bob')
    const [sid, family, secret] = refreshToken.split('.')
    expect(refreshToken.split('.')).toHaveLength(3)
    expect(Buffer.from(secret as string, 'base64url')).toHaveLength(32)
    expect(Buffer.from(family as string, 'base64url')).toHaveLength(16)
    expect(thrown(() => decodeToken(refreshToken)).code).toBe('token_malformed')
    const rotated = (await sessions.refresh(refreshToken)).refreshToken
    expect(rotated.split('.').slice(0, 2)).toEqual([sid, family])
    expect(rotated.split('.')[2]).not.toBe(secret)
  })

  test('the store sees only hashes: never a refresh token or any part of one', async () => {
    const { store, recorded } = recordingStore(memoryStore({ now: clock.now }))
    const own = createSessions({ secret: SESSION_SECRET, store })
    const first = await own.issue('bob')
    const second = await own.refresh(first.refreshToken)
    await own.logout(second.refreshToken)
    const seen = recorded.calls.join('\n')
    for (const token of [first.refreshToken, second.refreshToken]) {
      const [, family, secret] = token.split('.')
      expect(seen).not.toContain(family)
      expect(seen).not.toContain(secret)
    }
    expect(recorded.calls.map((call) => call.split(' ')[0])).toEqual(
      expect.arrayContaining(['createSession', 'peek', 'rotate', 'endSession']),
    )
    await own.close()
  })

  test('claims(sub) returning null refuses the login; setting a reserved claim is a mistake', async () => {
    expect(await rejection(sessions.issue('nobody'))).toMatchObject({ code: 'subject_unknown' })
    const own = createSessions({ secret: SESSION_SECRET, claims: () => ({ sub: 'mallory' }) })
    const err = await rejection(own.issue('bob'))
    expect(err).toBeInstanceOf(JwtSetupError)
    expect(err).toMatchObject({
      option: 'claims',
      message:
        'express-jwt-gate: claims(sub) returned "sub", which the sessions set themselves; leave it out',
    })
    const notObject = createSessions({ secret: SESSION_SECRET, claims: () => 'x' as never })
    expect(await rejection(notObject.issue('bob'))).toMatchObject({ option: 'claims' })
    await own.close()
    await notObject.close()
  })

  test('a subject must be a non-empty string', async () => {
    expect(await rejection(sessions.issue(''))).toBeInstanceOf(JwtSetupError)
    expect(await rejection(sessions.revokeSubject(5 as never))).toBeInstanceOf(JwtSetupError)
  })
})

describe('refresh: rotation with reuse detection', () => {
  test('rotates, and the new access token carries the current claims', async () => {
    const first = await sessions.issue('bob')
    db.users.set('bob', ['todos', 'invoicing'])
    clock.advance(60_000)
    const second = await sessions.refresh(first.refreshToken)
    expect(decodeToken(second.accessToken).payload).toMatchObject({
      sub: 'bob',
      sid: decodeToken(first.accessToken).payload.sid,
      licensedFeatures: ['todos', 'invoicing'],
    })
    expect(second.refreshToken).not.toBe(first.refreshToken)
    await expect(access(sessions, second.accessToken)).resolves.toEqual(OK)
  })

  test('a retired token after the grace: reuse, the whole session ends, onReuse is told', async () => {
    const events: ReuseEvent[] = []
    ;({ sessions } = testSessions(clock, { onReuse: (event) => void events.push(event) }))
    const first = await sessions.issue('bob')
    const second = await sessions.refresh(first.refreshToken)
    clock.advance(11_000)
    const err = await rejection(sessions.refresh(first.refreshToken))
    expect(err).toBeInstanceOf(RefreshTokenError)
    expect(err).toMatchObject({ code: 'refresh_token_reused', status: 400, error: 'invalid_grant' })
    expect(events).toEqual([
      { sub: 'bob', sid: decodeToken(first.accessToken).payload.sid, at: new Date(clock.now()) },
    ])
    expect(JSON.stringify(events)).not.toContain(first.refreshToken.split('.')[2])
    // The thief's and the owner's tokens alike: every refresh token and access token of it.
    expect(await rejection(sessions.refresh(second.refreshToken))).toMatchObject({
      code: 'session_revoked',
    })
    await expect(access(sessions, first.accessToken)).resolves.toEqual(REVOKED)
    await expect(access(sessions, second.accessToken)).resolves.toEqual(REVOKED)
  })

  test('within the grace, the previous token again gives a new pair of the same session', async () => {
    const first = await sessions.issue('bob')
    const lost = await sessions.refresh(first.refreshToken)
    clock.advance(9_000)
    const retry = await sessions.refresh(first.refreshToken)
    expect(decodeToken(retry.accessToken).payload.sid).toBe(
      decodeToken(lost.accessToken).payload.sid,
    )
    await expect(sessions.refresh(retry.refreshToken)).resolves.toMatchObject({
      tokenType: 'Bearer',
    })
  })

  test('N concurrent refreshes with one token: none fails, none ends the session', async () => {
    const first = await sessions.issue('bob')
    const results = await Promise.all(
      Array.from({ length: 8 }, () => sessions.refresh(first.refreshToken)),
    )
    expect(new Set(results.map((r) => r.refreshToken)).size).toBe(8)
    // The client keeps whichever it got last; it works.
    await expect(
      sessions.refresh((results[5] as { refreshToken: string }).refreshToken),
    ).resolves.toMatchObject({
      tokenType: 'Bearer',
    })
    for (const result of results)
      await expect(access(sessions, result.accessToken)).resolves.toEqual(OK)
  })

  test.each([
    ['garbage', 'not a token', 'refresh token is malformed'],
    [
      'an access token',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2ln',
      'this is an access token (a JWT), not a refresh token',
    ],
    ['a number', 42, 'refresh token must be a string'],
    ['a huge string', 'x'.repeat(100_000), 'refresh token is malformed'],
  ])('%s is refresh_token_invalid', async (_name, token, message) => {
    const err = await rejection(sessions.refresh(token as string))
    expect(err).toMatchObject({ code: 'refresh_token_invalid', message })
  })

  test('a made-up token for a real session id is invalid and ends nothing', async () => {
    const real = await sessions.issue('bob')
    const [sid] = real.refreshToken.split('.')
    const forged = `${sid}.${'A'.repeat(22)}.${'B'.repeat(43)}`
    expect(await rejection(sessions.refresh(forged))).toMatchObject({
      code: 'refresh_token_invalid',
    })
    await sessions.logout(forged)
    await expect(sessions.refresh(real.refreshToken)).resolves.toMatchObject({
      tokenType: 'Bearer',
    })
  })

  test('idle and absolute expiry', async () => {
    const idle = await sessions.issue('bob')
    clock.advance(7 * 86400_000)
    expect(await rejection(sessions.refresh(idle.refreshToken))).toMatchObject({
      code: 'refresh_token_expired',
    })
    let used = await sessions.issue('bob')
    for (let day = 1; day < 30; day++) {
      clock.advance(86400_000)
      used = await sessions.refresh(used.refreshToken)
    }
    expect(used.refreshExpiresIn).toBe(86400)
    clock.advance(86400_000)
    expect(await rejection(sessions.refresh(used.refreshToken))).toMatchObject({
      code: 'refresh_token_expired',
    })
  })

  test('claims(sub) null: subject_unknown, and the session ends', async () => {
    const tokens = await sessions.issue('bob')
    db.users.delete('bob')
    expect(await rejection(sessions.refresh(tokens.refreshToken))).toMatchObject({
      code: 'subject_unknown',
      error: 'invalid_grant',
    })
    db.users.set('bob', ['todos'])
    expect(await rejection(sessions.refresh(tokens.refreshToken))).toMatchObject({
      code: 'session_revoked',
    })
    await expect(access(sessions, tokens.accessToken)).resolves.toEqual(REVOKED)
  })

  test('claims(sub) throwing: 503, and the session stays as it was', async () => {
    const failing = { on: true }
    ;({ sessions } = testSessions(clock, {
      claims: () => {
        if (failing.on) throw new Error('database down')
        return { licensedFeatures: [] }
      },
    }))
    failing.on = false
    const tokens = await sessions.issue('bob')
    failing.on = true
    const err = await rejection(sessions.refresh(tokens.refreshToken))
    expect(err).toBeInstanceOf(ServiceUnavailableError)
    expect(err).toMatchObject({
      code: 'claims_unavailable',
      status: 503,
      headers: { 'Retry-After': '1' },
    })
    failing.on = false
    clock.advance(60_000) // well past the grace: the same token is still the current one
    await expect(sessions.refresh(tokens.refreshToken)).resolves.toMatchObject({
      tokenType: 'Bearer',
    })
  })
})

describe('logout and revocation', () => {
  test('logout ends the session: its refresh tokens and its access tokens', async () => {
    const tokens = await sessions.issue('bob')
    const other = await sessions.issue('bob')
    await sessions.logout(tokens.refreshToken)
    expect(await rejection(sessions.refresh(tokens.refreshToken))).toMatchObject({
      code: 'session_revoked',
    })
    await expect(access(sessions, tokens.accessToken)).resolves.toEqual(REVOKED)
    await expect(access(sessions, other.accessToken)).resolves.toEqual(OK)
  })

  test('logging out twice, or with garbage, is no error (RFC 7009)', async () => {
    const tokens = await sessions.issue('bob')
    await sessions.logout(tokens.refreshToken)
    await expect(sessions.logout(tokens.refreshToken)).resolves.toBeUndefined()
    await expect(sessions.logout('garbage')).resolves.toBeUndefined()
    await expect(sessions.logout(undefined as never)).resolves.toBeUndefined()
  })

  test('revokeToken refuses one access token until it expires; the session goes on', async () => {
    const tokens = await sessions.issue('bob')
    await sessions.revokeToken(decodeToken(tokens.accessToken).payload)
    await expect(access(sessions, tokens.accessToken)).resolves.toEqual(REVOKED)
    const next = await sessions.refresh(tokens.refreshToken)
    await expect(access(sessions, next.accessToken)).resolves.toEqual(OK)
    expect(await rejection(sessions.revokeToken({ sub: 'bob' }))).toMatchObject({
      option: 'payload',
    })
  })

  test('revokeSubject: every session and access token so far; a login after is fine', async () => {
    const phone = await sessions.issue('bob')
    const laptop = await sessions.issue('bob')
    const alice = await sessions.issue('alice')
    await sessions.revokeSubject('bob')
    const again = await sessions.issue('bob') // the same millisecond
    for (const tokens of [phone, laptop]) {
      await expect(access(sessions, tokens.accessToken)).resolves.toEqual(REVOKED)
      expect(await rejection(sessions.refresh(tokens.refreshToken))).toMatchObject({
        code: 'session_revoked',
      })
    }
    await expect(access(sessions, again.accessToken)).resolves.toEqual(OK)
    await expect(access(sessions, alice.accessToken)).resolves.toEqual(OK)
  })

  test('claimsChanged: token_stale, then the refresh carries the new claims', async () => {
    const tokens = await sessions.issue('bob')
    db.users.set('bob', ['todos', 'invoicing'])
    await sessions.claimsChanged('bob')
    await expect(access(sessions, tokens.accessToken)).resolves.toEqual(STALE)
    const fresh = await sessions.refresh(tokens.refreshToken)
    expect(decodeToken(fresh.accessToken).payload.licensedFeatures).toEqual(['todos', 'invoicing'])
    await expect(access(sessions, fresh.accessToken)).resolves.toEqual(OK)
  })
})

describe('the same-second edge', () => {
  // Each case puts the events at a different place relative to a second boundary:
  // the access tokens' iat (whole seconds) cannot order them, the issue stamp does.
  test.each([
    ['just before a second ends', Date.UTC(2027, 0, 1, 0, 0, 0, 999)],
    ['exactly on a second', Date.UTC(2027, 0, 1, 0, 0, 1, 0)],
    ['mid-second', Date.UTC(2027, 0, 1, 0, 0, 1, 500)],
  ])('%s: tokens before revokeSubject/claimsChanged refused, after accepted', async (_name, at) => {
    clock.set(at)
    const before = await sessions.issue('bob')
    await sessions.claimsChanged('bob')
    const between = await sessions.issue('bob')
    await sessions.revokeSubject('bob')
    const after = await sessions.issue('bob')
    clock.advance(1) // across the boundary, where one exists
    const later = await sessions.issue('bob')
    expect(decodeToken(before.accessToken).payload.iat).toBe(
      decodeToken(after.accessToken).payload.iat,
    )
    await expect(access(sessions, before.accessToken)).resolves.toEqual(REVOKED)
    await expect(access(sessions, between.accessToken)).resolves.toEqual(REVOKED)
    await expect(access(sessions, after.accessToken)).resolves.toEqual(OK)
    await expect(access(sessions, later.accessToken)).resolves.toEqual(OK)
  })

  test('claimsChanged alone: stale before, fine after, in one millisecond', async () => {
    const before = await sessions.issue('bob')
    await sessions.claimsChanged('bob')
    const after = await sessions.issue('bob')
    await expect(access(sessions, before.accessToken)).resolves.toEqual(STALE)
    await expect(access(sessions, after.accessToken)).resolves.toEqual(OK)
  })
})

describe('a failing store: 503, never a guess', () => {
  test('every operation rejects with store_unavailable and Retry-After', async () => {
    const failing = createSessions({
      secret: SESSION_SECRET,
      store: failingStore(memoryStore({ now: clock.now })),
    })
    const valid = (await sessions.issue('bob')).refreshToken
    for (const operation of [
      () => failing.issue('bob'),
      () => failing.refresh(valid),
      () => failing.logout(valid),
      () => failing.revokeToken({ jti: 'x', exp: 1 }),
      () => failing.revokeSubject('bob'),
      () => failing.claimsChanged('bob'),
    ]) {
      const err = await rejection(operation())
      expect(err).toBeInstanceOf(ServiceUnavailableError)
      expect(err).toMatchObject({
        code: 'store_unavailable',
        status: 503,
        headers: { 'Retry-After': '3' },
        message: 'session store unavailable',
      })
      expect((err.cause as Error).message).toBe('connection lost')
    }
    await failing.close()
  })

  test('a check that cannot vouch for its state answers 503 revocation_unavailable', async () => {
    const own = createSessions({
      secret: SESSION_SECRET,
      store: failingStore(memoryStore({ now: clock.now }), { check: true }),
    })
    const tokens = await own.issue('bob')
    const app = express()
    app.use(own.authenticate())
    app.get('/', (_req, res) => res.json({}))
    app.use(authErrorHandler())
    const res = await request(app).get('/').set('Authorization', `Bearer ${tokens.accessToken}`)
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('3')
    expect(res.headers['www-authenticate']).toBeUndefined()
    expect(res.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'revocation state unavailable',
      code: 'revocation_unavailable',
    })
    await own.close()
  })
})

describe('options', () => {
  test.each([
    [
      'no secret',
      {},
      'secret',
      'express-jwt-gate: createSessions needs a secret: the key access tokens are signed with',
    ],
    ['a weak secret', { secret: 'short' }, 'secret', expect.stringContaining('at least 32 bytes')],
    [
      'an unknown option',
      { secret: SESSION_SECRET, acessTokenLifetime: 60 },
      'acessTokenLifetime',
      expect.stringContaining('unknown option'),
    ],
    [
      'a fixed date',
      { secret: SESSION_SECRET, currentDate: new Date() },
      'currentDate',
      expect.stringContaining('unknown option'),
    ],
    [
      'a bad duration',
      { secret: SESSION_SECRET, reuseGrace: '10' },
      'reuseGrace',
      expect.stringContaining('unknown duration'),
    ],
    [
      'a zero lifetime',
      { secret: SESSION_SECRET, accessTokenLifetime: 0 },
      'accessTokenLifetime',
      'express-jwt-gate: accessTokenLifetime must be more than 0 seconds',
    ],
    [
      'idle longer than the lifetime',
      { secret: SESSION_SECRET, refreshIdleTimeout: '31d' },
      'refreshIdleTimeout',
      'express-jwt-gate: refreshIdleTimeout must not exceed refreshTokenLifetime',
    ],
    [
      'access tokens outliving sessions',
      { secret: SESSION_SECRET, accessTokenLifetime: '8d' },
      'accessTokenLifetime',
      expect.stringContaining('must be shorter than refreshIdleTimeout'),
    ],
    [
      'claims not a function',
      { secret: SESSION_SECRET, claims: {} },
      'claims',
      'express-jwt-gate: claims must be a function',
    ],
    [
      'a store of another kind',
      { secret: SESSION_SECRET, store: {} },
      'store',
      'express-jwt-gate: store must be made by memoryStore() or redisStore({ client })',
    ],
  ])('%s throws at setup', (_name, options, option, message) => {
    const err = thrown(() => createSessions(options as never))
    expect(err).toBeInstanceOf(JwtSetupError)
    expect(err).toMatchObject({ option, message })
  })

  test('a private key signs, with its algorithm from algorithms; issuer and audience are set', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const own = createSessions({
      secret: privateKey,
      algorithms: ['ES256'],
      issuer: ['https://api.example.com', 'https://old.example.com'],
      audience: 'api',
      store: memoryStore({ now: clock.now }),
    })
    const tokens = await own.issue('bob')
    expect(decodeToken(tokens.accessToken)).toMatchObject({
      header: { alg: 'ES256' },
      payload: { iss: 'https://api.example.com', aud: 'api' },
    })
    await expect(access(own, tokens.accessToken)).resolves.toEqual(OK)
    await own.close()
  })
})

describe('the README example', () => {
  const featuresOf = (sub: string) => Promise.resolve(sub === 'bob' ? ['todos'] : [])
  function asWritten(): Sessions {
    const sessions = createSessions({
      secret: process.env.JWT_SECRET!,
      store: memoryStore(),
      claims: async (sub) => ({ licensedFeatures: await featuresOf(sub) }),
    })
    return sessions
  }
  test('runs as written', async () => {
    process.env.JWT_SECRET = SESSION_SECRET
    const sessions = asWritten()
    const tokens = await sessions.issue('bob')
    expect(decodeToken(tokens.accessToken).payload.licensedFeatures).toEqual(['todos'])
    await sessions.close()
  })
})
