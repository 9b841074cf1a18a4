import type { ErrorRequestHandler } from 'express'
import express from 'express'
import request from 'supertest'
import { z } from 'zod'
import {
  authErrorHandler,
  createSessions,
  jwtAuth,
  memoryStore,
  requireFeature,
  signToken,
  type JwtAuthError,
  type Sessions,
} from 'express-jwt-gate'
import { EXPRESS_VERSIONS, failOnUnhandledRejections } from '../../helpers/apps'
import { thrown } from '../../helpers/tokens'
import { failingStore, SESSION_SECRET, testClock, testSessions, type TestClock } from '../helpers'

failOnUnhandledRejections()

describe.each(EXPRESS_VERSIONS)('%s', (_name, express) => {
  let clock: TestClock
  let sessions: Sessions
  beforeEach(() => {
    clock = testClock()
    ;({ sessions } = testSessions(clock))
  })
  afterEach(() => sessions.close())

  function app(options: Parameters<Sessions['authenticate']>[0] = {}, own: Sessions = sessions) {
    const a = express()
    const seen: { users: unknown[] } = { users: [] }
    a.use(own.authenticate(options))
    a.get('/invoices', requireFeature('invoicing'), (_req, res) => res.json([]))
    a.get('/', (req, res) => {
      seen.users.push(req.user ?? (req as unknown as { auth?: unknown }).auth)
      res.json({ sub: req.user?.sub ?? null })
    })
    const recordUser: ErrorRequestHandler = (err, req, _res, next) => {
      // What a later error handler sees of the refused request.
      seen.users.push(req.user)
      next(err)
    }
    a.use(recordUser)
    a.use(authErrorHandler())
    return { a, seen }
  }

  test('every refusal names the realm and reaches onFailure; the user is gone from req', async () => {
    const failures: string[] = []
    const { a, seen } = app({
      realm: 'api',
      onFailure: (err: JwtAuthError) => void failures.push(err.code),
    })
    const bob = await sessions.issue('bob')
    const revoked = await sessions.issue('alice')
    await sessions.revokeSubject('alice')
    await sessions.claimsChanged('bob')
    const stale = await request(a).get('/').set('Authorization', `Bearer ${bob.accessToken}`)
    expect(stale.status).toBe(401)
    expect(stale.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="token stale: refresh it for the current claims"',
    )
    const gone = await request(a).get('/').set('Authorization', `Bearer ${revoked.accessToken}`)
    expect(gone.body.code).toBe('token_revoked')
    const missing = await request(a).get('/')
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="api"')
    expect(failures).toEqual(['token_stale', 'token_revoked', 'credentials_missing'])
    expect(seen.users).toEqual([undefined, undefined, undefined])
  })

  test('accepted tokens reach the guards, which name the same realm', async () => {
    const { a } = app({ realm: 'api' })
    const alice = await sessions.issue('alice')
    const bob = await sessions.issue('bob')
    expect(
      (await request(a).get('/invoices').set('Authorization', `Bearer ${alice.accessToken}`))
        .status,
    ).toBe(200)
    const refused = await request(a)
      .get('/invoices')
      .set('Authorization', `Bearer ${bob.accessToken}`)
    expect(refused.status).toBe(403)
    expect(refused.headers['www-authenticate']).toMatch(
      /^Bearer realm="api", error="insufficient_scope"/,
    )
  })

  test('credentialsRequired: false lets the absence through, and still checks what comes', async () => {
    const { a } = app({ credentialsRequired: false })
    expect((await request(a).get('/')).body).toEqual({ sub: null })
    const tokens = await sessions.issue('bob')
    await sessions.logout(tokens.refreshToken)
    expect(
      (await request(a).get('/').set('Authorization', `Bearer ${tokens.accessToken}`)).status,
    ).toBe(401)
  })

  test('requestProperty: the check reads the payload where it was put', async () => {
    const { a, seen } = app({ requestProperty: 'auth' })
    const tokens = await sessions.issue('bob')
    expect(
      (await request(a).get('/').set('Authorization', `Bearer ${tokens.accessToken}`)).status,
    ).toBe(200)
    expect(seen.users[0]).toMatchObject({ sub: 'bob' })
    await sessions.revokeToken(seen.users[0] as { jti: string })
    expect(
      (await request(a).get('/').set('Authorization', `Bearer ${tokens.accessToken}`)).body.code,
    ).toBe('token_revoked')
  })

  test('a valid token that is not a session token is refused: claim_missing names the claim', async () => {
    const { a } = app()
    const plain = signToken({ sub: 'bob' }, SESSION_SECRET, { currentDate: new Date(clock.now()) })
    const res = await request(a).get('/').set('Authorization', `Bearer ${plain}`)
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({
      code: 'claim_missing',
      error_description: 'sid claim is required',
    })
    const wrongType = signToken({ sub: 'bob', sid: 's', jti: 'j', ist: 'soon' }, SESSION_SECRET, {
      currentDate: new Date(clock.now()),
    })
    const bad = await request(a).get('/').set('Authorization', `Bearer ${wrongType}`)
    expect(bad.body).toMatchObject({
      code: 'claim_invalid',
      error_description: 'ist claim is invalid',
    })
  })

  test('the plain jwtAuth accepts a session token statelessly, revoked or not', async () => {
    const tokens = await sessions.issue('bob')
    await sessions.logout(tokens.refreshToken)
    const a = express()
    a.use(jwtAuth(SESSION_SECRET, { currentDate: new Date(clock.now()) }))
    a.get('/', (req, res) => res.json({ sub: req.user?.sub }))
    expect(
      (await request(a).get('/').set('Authorization', `Bearer ${tokens.accessToken}`)).body,
    ).toEqual({ sub: 'bob' })
  })

  test('access tokens expire by the store clock', async () => {
    const { a } = app()
    const tokens = await sessions.issue('bob')
    clock.advance(899_000)
    expect(
      (await request(a).get('/').set('Authorization', `Bearer ${tokens.accessToken}`)).status,
    ).toBe(200)
    clock.advance(1_000)
    const expired = await request(a).get('/').set('Authorization', `Bearer ${tokens.accessToken}`)
    expect(expired.body.code).toBe('token_expired')
  })

  test('503 revocation_unavailable goes through onFailure too, without a challenge', async () => {
    const failures: string[] = []
    const own = createSessions({
      secret: SESSION_SECRET,
      store: failingStore(memoryStore({ now: clock.now }), { check: true }),
    })
    const { a } = app(
      { realm: 'api', onFailure: (err: JwtAuthError) => void failures.push(err.code) },
      own,
    )
    const tokens = await own.issue('bob')
    const res = await request(a).get('/').set('Authorization', `Bearer ${tokens.accessToken}`)
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('3')
    expect(res.headers['www-authenticate']).toBeUndefined()
    expect(failures).toEqual(['revocation_unavailable'])
    await own.close()
  })

  test('verification options belong to createSessions, not authenticate', () => {
    expect(thrown(() => sessions.authenticate({ audience: 'api' } as never))).toMatchObject({
      option: 'audience',
      message: expect.stringMatching(
        /^express-jwt-gate: authenticate: unknown option "audience"; /,
      ),
    })
  })
})

describe('a claims schema with sessions', () => {
  const schema = z.object({ sub: z.string(), licensedFeatures: z.array(z.string()) })

  function appOf(sessions: Sessions) {
    const a = express()
    a.use(sessions.authenticate())
    a.get('/', (req, res) => res.json(req.user ?? null))
    a.use(authErrorHandler())
    return a
  }

  test('beside a claims source: the revocation check reads the raw payload, handlers get the output', async () => {
    const clock = testClock()
    const { sessions } = testSessions(clock, { claimsSchema: schema })
    const tokens = await sessions.issue('bob')
    const res = await request(appOf(sessions))
      .get('/')
      .set('Authorization', `Bearer ${tokens.accessToken}`)
    // zod strips what it does not name: sid, jti and ist were checked before it ran.
    expect(res.body).toEqual({ sub: 'bob', licensedFeatures: ['todos'] })
    await sessions.logout(tokens.refreshToken)
    const revoked = await request(appOf(sessions))
      .get('/')
      .set('Authorization', `Bearer ${tokens.accessToken}`)
    expect(revoked.body.code).toBe('token_revoked')
    await sessions.close()
  })

  test('as claims itself, with no source: a payload it refuses is claim_invalid naming the path', async () => {
    const own = createSessions({ secret: SESSION_SECRET, claims: schema, store: memoryStore() })
    const tokens = await own.issue('bob')
    const res = await request(appOf(own))
      .get('/')
      .set('Authorization', `Bearer ${tokens.accessToken}`)
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ code: 'claim_invalid' })
    expect(res.body.error_description).toMatch(/licensedFeatures/)
    await own.close()
  })

  test('one schema only', () => {
    expect(
      thrown(() =>
        createSessions({ secret: SESSION_SECRET, claims: schema, claimsSchema: schema }),
      ),
    ).toMatchObject({ option: 'claimsSchema' })
  })
})
