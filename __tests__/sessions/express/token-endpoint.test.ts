import type { Express } from 'express'
import request from 'supertest'
import {
  createSessions,
  JwtSetupError,
  memoryStore,
  type JwtAuthError,
  type Sessions,
} from 'express-jwt-gate'
import { EXPRESS_VERSIONS } from '../../helpers/apps'
import { thrown } from '../../helpers/tokens'
import { failingStore, SESSION_SECRET, testClock, testSessions } from '../helpers'

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }

describe.each(EXPRESS_VERSIONS)('%s', (_name, express) => {
  let sessions: Sessions
  let failures: string[]
  beforeEach(() => {
    ;({ sessions } = testSessions(testClock()))
    failures = []
  })
  afterEach(() => sessions.close())

  /** An app with the endpoints, and optionally a body parser in front of them. */
  function app(
    options: { parser?: 'json' | 'urlencoded' | 'both' | 'none'; cookie?: object | boolean } = {},
  ): Express {
    const a = express()
    const parser = options.parser ?? 'none'
    if (parser === 'json' || parser === 'both') a.use(express.json())
    if (parser === 'urlencoded' || parser === 'both') a.use(express.urlencoded({ extended: false }))
    const onFailure = (error: JwtAuthError) => void failures.push(error.code)
    const endpoint = {
      onFailure,
      ...(options.cookie === undefined ? {} : { cookie: options.cookie }),
    }
    const refresh = sessions.refreshHandler(endpoint)
    a.post('/login', async (_req, res) => refresh.send(res, await sessions.issue('bob')))
    a.post('/token', refresh)
    a.post('/logout', sessions.logoutHandler(endpoint))
    a.get('/token', refresh)
    return a
  }

  describe.each(['none', 'json', 'urlencoded', 'both'] as const)('body parser: %s', (parser) => {
    test('refresh, JSON or form-encoded: RFC 6749 §5.1, no-store', async () => {
      const a = app({ parser })
      const login = await request(a).post('/login')
      for (const send of [
        (t: string) =>
          request(a).post('/token').send({ grant_type: 'refresh_token', refresh_token: t }),
        (t: string) =>
          request(a)
            .post('/token')
            .type('form')
            .send(`grant_type=refresh_token&refresh_token=${t}`),
      ]) {
        const res = await send(login.body.refresh_token as string)
        expect(res.status).toBe(200)
        expect(res.headers).toMatchObject(NO_STORE)
        expect(res.body).toEqual({
          access_token: expect.any(String),
          token_type: 'Bearer',
          expires_in: 900,
          refresh_token: expect.any(String),
        })
      }
    })
  })

  test.each([
    [
      'no grant_type',
      { refresh_token: 'x' },
      'invalid_request',
      'request_malformed',
      'grant_type is required: refresh_token',
    ],
    [
      'another grant',
      { grant_type: 'password', username: 'bob' },
      'unsupported_grant_type',
      'grant_type_unsupported',
      'only grant_type refresh_token is supported',
    ],
    [
      'no refresh_token',
      { grant_type: 'refresh_token' },
      'invalid_request',
      'request_malformed',
      'refresh_token is required',
    ],
    [
      'a refresh_token that is not a string',
      { grant_type: 'refresh_token', refresh_token: ['a', 'b'] },
      'invalid_request',
      'request_malformed',
      'refresh_token must be a string',
    ],
    [
      'a grant_type that is an object',
      { grant_type: { $ne: 1 }, refresh_token: 'x' },
      'invalid_request',
      'request_malformed',
      'grant_type must be a string',
    ],
    [
      'garbage',
      { grant_type: 'refresh_token', refresh_token: 'garbage' },
      'invalid_grant',
      'refresh_token_invalid',
      'refresh token is malformed',
    ],
    [
      'unicode',
      { grant_type: 'refresh_token', refresh_token: 'тест.🙂.𝒳' },
      'invalid_grant',
      'refresh_token_invalid',
      'refresh token is malformed',
    ],
    [
      'a JWT',
      {
        grant_type: 'refresh_token',
        refresh_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2ln',
      },
      'invalid_grant',
      'refresh_token_invalid',
      'this is an access token (a JWT), not a refresh token',
    ],
    [
      'a long token',
      { grant_type: 'refresh_token', refresh_token: 'a'.repeat(5000) },
      'invalid_grant',
      'refresh_token_invalid',
      'refresh token is malformed',
    ],
  ])('%s is 400 %s %s', async (_name, body, error, code, description) => {
    for (const parser of ['none', 'json'] as const) {
      const res = await request(app({ parser })).post('/token').send(body)
      expect(res.status).toBe(400)
      expect(res.headers).toMatchObject(NO_STORE)
      expect(res.headers['www-authenticate']).toBeUndefined()
      expect(res.body).toEqual({ error, error_description: description, code })
    }
    expect(failures).toEqual([code, code])
  })

  test('bodies that are not a JSON object, or too big, are invalid_request, never 5xx', async () => {
    const a = app()
    for (const [type, body] of [
      ['application/json', '[1,2]'],
      ['application/json', 'null'],
      ['application/json', '{"grant_type":'],
      ['text/plain', 'grant_type=refresh_token'],
      [
        'application/json',
        JSON.stringify({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(9000) }),
      ],
    ] as const) {
      const res = await request(a).post('/token').set('Content-Type', type).send(body)
      expect(res.status).toBe(400)
      expect(res.body.code).toBe('request_malformed')
    }
  })

  test('__proto__ and constructor members are plain data, never a prototype', async () => {
    const res = await request(app())
      .post('/token')
      .set('Content-Type', 'application/json')
      .send(
        '{"__proto__":{"grant_type":"refresh_token"},"constructor":{"prototype":{}},"refresh_token":"x"}',
      )
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('request_malformed')
    expect(({} as Record<string, unknown>).grant_type).toBeUndefined()
  })

  test('GET is 405 with Allow: POST', async () => {
    const res = await request(app()).get('/token')
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('POST')
    expect(res.body.code).toBe('request_malformed')
  })

  test('reuse through the endpoint: both tokens refused, the owner must log in again', async () => {
    const a = app({ parser: 'json' })
    const login = await request(a).post('/login')
    const stolen = login.body.refresh_token as string
    const owner = await request(a)
      .post('/token')
      .send({ grant_type: 'refresh_token', refresh_token: stolen })
    const thief = await request(a)
      .post('/token')
      .send({
        grant_type: 'refresh_token',
        refresh_token: `${stolen.slice(0, -1)}${stolen.endsWith('A') ? 'B' : 'A'}`,
      })
    expect(thief.body.code).toBe('refresh_token_reused')
    const ownerAgain = await request(a)
      .post('/token')
      .send({ grant_type: 'refresh_token', refresh_token: owner.body.refresh_token })
    expect(ownerAgain.status).toBe(400)
    expect(ownerAgain.body.code).toBe('session_revoked')
  })

  describe('logout', () => {
    test('ends the session; 200 for an unknown, ended or garbage token (RFC 7009)', async () => {
      const a = app({ parser: 'json' })
      const login = await request(a).post('/login')
      for (const token of [login.body.refresh_token, login.body.refresh_token, 'garbage']) {
        const res = await request(a).post('/logout').send({ token })
        expect(res.status).toBe(200)
        expect(res.headers).toMatchObject(NO_STORE)
        expect(res.body).toEqual({})
      }
      const refresh = await request(a)
        .post('/token')
        .send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token })
      expect(refresh.body.code).toBe('session_revoked')
    })

    test('accepts refresh_token as the name too; no token at all is invalid_request', async () => {
      const a = app()
      const login = await request(a).post('/login')
      expect(
        (await request(a).post('/logout').send({ refresh_token: login.body.refresh_token })).status,
      ).toBe(200)
      const missing = await request(a).post('/logout').send({})
      expect(missing.status).toBe(400)
      expect(missing.body).toEqual({
        error: 'invalid_request',
        error_description: 'token is required',
        code: 'request_malformed',
      })
    })
  })

  describe('cookie mode', () => {
    const cookieOf = (res: request.Response) =>
      (res.headers['set-cookie'] as unknown as string[] | undefined)?.[0]

    test('login and refresh set an HttpOnly, Secure, SameSite=Strict cookie; the body holds no refresh token', async () => {
      const a = app({ cookie: { path: '/', name: 'rt' } })
      const login = await request(a).post('/login')
      expect(login.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
      })
      const cookie = cookieOf(login) as string
      expect(cookie).toMatch(
        /^rt=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=604800$/,
      )
      const value = cookie.split(';')[0] as string
      const refreshed = await request(a)
        .post('/token')
        .set('Cookie', value)
        .send({ grant_type: 'refresh_token' })
      expect(refreshed.status).toBe(200)
      expect(refreshed.body.refresh_token).toBeUndefined()
      expect(cookieOf(refreshed)).not.toContain(value)
    })

    test('a client that sends its refresh token in the body gets the new one in the body', async () => {
      const a = app({ cookie: true, parser: 'json' })
      const { refreshToken } = await sessions.issue('bob')
      const res = await request(a)
        .post('/token')
        .send({ grant_type: 'refresh_token', refresh_token: refreshToken })
      expect(res.status).toBe(200)
      expect(res.body.refresh_token).toEqual(expect.any(String))
      expect(res.headers['set-cookie']).toBeUndefined()
      // The one it got is the one that works next, long after the grace period.
      const next = await request(a)
        .post('/token')
        .send({ grant_type: 'refresh_token', refresh_token: res.body.refresh_token })
      expect(next.status).toBe(200)
    })

    test('CSRF: a cookie-held token needs a JSON request', async () => {
      const a = app({ cookie: true, parser: 'both' })
      const login = await request(a).post('/login')
      const value = (cookieOf(login) as string).split(';')[0] as string
      const form = await request(a)
        .post('/token')
        .set('Cookie', value)
        .type('form')
        .send('grant_type=refresh_token')
      expect(form.status).toBe(400)
      expect(form.body).toEqual({
        error: 'invalid_request',
        error_description:
          'a refresh token from the cookie needs a JSON request (Content-Type: application/json)',
        code: 'request_malformed',
      })
      const logout = await request(a).post('/logout').set('Cookie', value).type('form').send('')
      expect(logout.status).toBe(400)
    })

    test('a refusal for good clears the cookie; logout clears it; no cookie logs out nothing', async () => {
      const a = app({ cookie: { path: '/auth', sameSite: 'Lax', domain: 'example.com' } })
      const login = await request(a).post('/login')
      expect(cookieOf(login)).toMatch(
        /; Path=\/auth; Domain=example.com; HttpOnly; Secure; SameSite=Lax; /,
      )
      const bad = await request(a)
        .post('/token')
        .set('Cookie', 'refresh_token=garbage')
        .send({ grant_type: 'refresh_token' })
      expect(bad.status).toBe(400)
      expect(cookieOf(bad)).toMatch(/^refresh_token=; .*Max-Age=0$/)
      const value = (cookieOf(login) as string).split(';')[0] as string
      const logout = await request(a).post('/logout').set('Cookie', value).send({})
      expect(logout.status).toBe(200)
      expect(cookieOf(logout)).toMatch(/Max-Age=0$/)
      expect((await request(a).post('/logout').send({})).status).toBe(200)
    })

    test.each([
      [{ name: 'a b' }, 'cookie.name'],
      [{ path: 'auth' }, 'cookie.path'],
      [{ sameSite: 'strict' }, 'cookie.sameSite'],
      [{ sameSite: 'None', secure: false }, 'cookie.secure'],
      [{ domain: 'a;b' }, 'cookie.domain'],
      [{ maxAge: 5 }, 'maxAge'],
    ])('a bad cookie option %j throws at setup', (cookie, option) => {
      const err = thrown(() => sessions.refreshHandler({ cookie: cookie as never }))
      expect(err).toBeInstanceOf(JwtSetupError)
      expect((err as JwtSetupError).option).toBe(option)
    })
  })

  test('an onFailure that throws goes to Express, not to the client as a 400', async () => {
    const a = express()
    a.post(
      '/token',
      sessions.refreshHandler({
        onFailure: () => {
          throw new Error('metrics down')
        },
      }),
    )
    const res = await request(a)
      .post('/token')
      .send({ grant_type: 'refresh_token', refresh_token: 'x' })
    expect(res.status).toBe(500)
  })

  test('a store that fails: 503 temporarily_unavailable with Retry-After, and no cookie cleared', async () => {
    const working = await sessions.issue('bob')
    const failing = createSessions({ secret: SESSION_SECRET, store: failingStore(memoryStore()) })
    const a = express()
    a.post('/token', failing.refreshHandler({ cookie: true }))
    a.post('/logout', failing.logoutHandler())
    const res = await request(a)
      .post('/token')
      .set('Cookie', `refresh_token=${working.refreshToken}`)
      .send({ grant_type: 'refresh_token' })
    expect(res.status).toBe(503)
    expect(res.headers['retry-after']).toBe('3')
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'session store unavailable',
      code: 'store_unavailable',
    })
    const logout = await request(a).post('/logout').send({ token: working.refreshToken })
    expect(logout.status).toBe(503)
    await failing.close()
  })
})
