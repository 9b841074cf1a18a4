import { inspect } from 'node:util'
import request from 'supertest'
import type { ErrorRequestHandler, Request, RequestHandler } from 'express'
import { InvalidTokenError, authErrorHandler, jwtAuth, signToken } from 'express-jwt-gate'
import type { JwtAuthError, JwtAuthOptions } from 'express-jwt-gate'
import { EXPRESS_VERSIONS, failOnUnhandledRejections, rawRequest, traceApp } from '../helpers/apps'
import { b64, SECRET, thrown } from '../helpers/tokens'

const payload = { userId: 1001, licensedFeatures: ['todos'] }
const token = signToken(payload, SECRET)
const bearer = `Bearer ${token}`
const INVALID_TOKEN = /^Bearer error="invalid_token", error_description="[^"]+"$/
/** What console.error prints for its first argument: a string as is, anything else inspected. */
const inspectError = (value: unknown) => (typeof value === 'string' ? value : inspect(value))

failOnUnhandledRejections()

describe.each(EXPRESS_VERSIONS)('jwtAuth on %s', (_version, express) => {
  const app = (options?: Omit<JwtAuthOptions, 'secret'>) =>
    traceApp(express, [jwtAuth(SECRET, options)])

  describe('a valid Bearer token', () => {
    test('attaches the verified payload to req.user and calls the route once', async () => {
      const { app: a, trace } = app()
      const res = await request(a).get('/').set('Authorization', bearer)
      expect(res.status).toBe(200)
      expect(res.body).toEqual({
        user: { ...payload, iat: expect.any(Number), exp: expect.any(Number) },
      })
      expect(trace.handled).toBe(1)
      expect(trace.errors).toEqual([])
    })

    test.each(['bearer', 'BEARER', 'BeArEr'])(
      'the scheme %s is case-insensitive',
      async (scheme) => {
        const res = await request(app().app).get('/').set('Authorization', `${scheme} ${token}`)
        expect(res.status).toBe(200)
      },
    )

    test('several spaces after the scheme and whitespace around the value are accepted', async () => {
      expect(
        (await request(app().app).get('/').set('Authorization', `Bearer    ${token}`)).status,
      ).toBe(200)
      const raw = await rawRequest(
        app().app,
        `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: \t Bearer ${token} \t`,
      )
      expect(raw.status).toBe(200)
    })

    test('the jwtAuth(options) form takes the secret from options.secret', async () => {
      const { app: a } = traceApp(express, [jwtAuth({ secret: SECRET, audience: 'api' })])
      const withAud = signToken(payload, SECRET, { audience: 'api' })
      expect((await request(a).get('/').set('Authorization', `Bearer ${withAud}`)).status).toBe(200)
      expect((await request(a).get('/').set('Authorization', bearer)).status).toBe(401)
    })
  })

  describe('no credentials for this scheme: 401 with a bare challenge (RFC 6750 §3.1)', () => {
    test.each([
      ['no Authorization header', undefined],
      ['Basic credentials', 'Basic dXNlcjpwYXNz'],
      ['another scheme', 'Token abc'],
    ])('%s', async (_name, header) => {
      const { app: a, trace } = app()
      const req = request(a).get('/')
      const res = await (header === undefined ? req : req.set('Authorization', header))
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
      expect(trace.handled).toBe(0)
      expect(trace.errors[0]).toMatchObject({ code: 'credentials_missing', status: 401 })
    })

    test('a token in the query string or the body is never read', async () => {
      const { app: a } = app()
      expect((await request(a).get(`/?access_token=${token}`)).status).toBe(401)
      const res = await request(a).get('/').type('form').send(`access_token=${token}`)
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
    })
  })

  describe('malformed Bearer credentials: 400 invalid_request', () => {
    test.each([
      ['nothing after Bearer', 'Bearer'],
      ['two tokens', `Bearer ${token} ${token}`],
      ['a comma-separated list', `Bearer ${token}, Basic abc`],
      ['a quoted token', `Bearer "${token}"`],
    ])('%s', async (_name, header) => {
      const { app: a, trace } = app()
      const res = await request(a).get('/').set('Authorization', header)
      expect(res.status).toBe(400)
      expect(res.headers['www-authenticate']).toBe(
        'Bearer error="invalid_request", error_description="malformed Bearer credentials"',
      )
      expect(trace.handled).toBe(0)
    })

    test('a tab between scheme and token', async () => {
      const raw = await rawRequest(
        app().app,
        `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer\t${token}`,
      )
      expect(raw.status).toBe(400)
      expect(raw.headers).toContain('error="invalid_request"')
    })

    test('more than one Authorization line, even if the first is valid', async () => {
      const { app: a, trace } = app()
      const raw = await rawRequest(
        a,
        `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}\r\nauthorization: Basic abc`,
      )
      expect(raw.status).toBe(400)
      expect(raw.headers).toContain('error_description="more than one Authorization header"')
      expect(trace.handled).toBe(0)
    })

    test('is still refused when credentials are optional', async () => {
      const res = await request(app({ credentialsRequired: false }).app)
        .get('/')
        .set('Authorization', 'Bearer')
      expect(res.status).toBe(400)
    })
  })

  describe('token failures: 401 invalid_token with a description', () => {
    const [h, , s] = token.split('.')
    test.each([
      ['an expired token', signToken(payload, SECRET, { expiresIn: -1 }), 'token expired'],
      [
        'a tampered payload',
        `${h}.${b64({ ...payload, licensedFeatures: ['todos', 'invoicing'] })}.${s}`,
        'signature invalid',
      ],
      [
        'another key',
        signToken(payload, 'another-secret-another-secret-another-sec'),
        'signature invalid',
      ],
      ['garbage', 'abc', 'token is not three base64url segments'],
      [
        'a token without exp',
        signToken(payload, SECRET, { expiresIn: null }),
        'exp claim is required',
      ],
    ])('%s', async (_name, bad, description) => {
      const { app: a, trace } = app()
      const res = await request(a).get('/').set('Authorization', `Bearer ${bad}`)
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toMatch(INVALID_TOKEN)
      expect(res.headers['www-authenticate']).toContain(`error_description="${description}"`)
      expect(trace.handled).toBe(0)
      expect(trace.errors[0]).toBeInstanceOf(InvalidTokenError)
    })

    test('verification options are applied', async () => {
      const { app: a } = app({ issuer: 'https://auth.example.com' })
      const res = await request(a).get('/').set('Authorization', bearer)
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toContain('error_description="iss claim is required"')
    })

    test("Express's default handler answers correctly with no user code", async () => {
      const a = express()
      a.get('/', jwtAuth(SECRET), (_req, res) => res.send('handler ran'))
      const res = await request(a).get('/').set('Authorization', 'Bearer abc')
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toMatch(INVALID_TOKEN)
      expect(res.text).not.toContain('handler ran')
    })

    // What the quick start says of authErrorHandler: without it, Express's default
    // handler prints every refusal as if it were a crash, and shows the stack outside
    // production. Express skips both only when the app's env is 'test' (Jest's NODE_ENV).
    describe.each(['development', 'production'])('without authErrorHandler, env %s', (env) => {
      const refuse = async (a: ReturnType<typeof express>) => {
        a.set('env', env)
        const log = jest.spyOn(console, 'error').mockImplementation(() => undefined)
        try {
          const res = await request(a).get('/').set('Authorization', 'Bearer abc')
          // Express reports the error to its log on the next turn (setImmediate).
          await new Promise((resolve) => setImmediate(resolve))
          return { res, printed: log.mock.calls.map(([first]) => inspectError(first)) }
        } finally {
          log.mockRestore()
        }
      }

      test("Express's default handler prints every refused request with its stack", async () => {
        const a = express()
        a.get('/', jwtAuth(SECRET), (_req, res) => res.send('handler ran'))
        const { res, printed } = await refuse(a)
        expect(res.status).toBe(401)
        expect(printed).toHaveLength(1)
        expect(printed[0]).toMatch(/^InvalidTokenError: .+\n\s+at /)
        // The HTML answer shows the stack too, unless the env is production.
        if (env === 'production') expect(res.text).toContain('<pre>Unauthorized</pre>')
        else expect(res.text).toMatch(/<pre>InvalidTokenError: .+<br> &nbsp; &nbsp;at /)
      })

      test('authErrorHandler answers with JSON and prints nothing', async () => {
        const a = express()
        a.get('/', jwtAuth(SECRET), (_req, res) => res.send('handler ran'))
        a.use(authErrorHandler())
        const { res, printed } = await refuse(a)
        expect(res.status).toBe(401)
        expect(res.body).toMatchObject({ code: 'token_malformed' })
        expect(printed).toEqual([])
      })
    })
  })

  describe('realm', () => {
    test('is named in every challenge, quoted and escaped', async () => {
      const { app: a } = app({ realm: 'api "v1"' })
      const none = await request(a).get('/')
      expect(none.headers['www-authenticate']).toBe('Bearer realm="api \\"v1\\""')
      const bad = await request(a).get('/').set('Authorization', 'Bearer abc')
      expect(bad.headers['www-authenticate']).toMatch(
        /^Bearer realm="api \\"v1\\"", error="invalid_token"/,
      )
      const malformed = await request(a).get('/').set('Authorization', 'Bearer')
      expect(malformed.headers['www-authenticate']).toMatch(
        /^Bearer realm="api \\"v1\\"", error="invalid_request"/,
      )
    })
  })

  describe('credentialsRequired: false has three outcomes', () => {
    test('no credentials: next() with no user', async () => {
      const { app: a, trace } = app({ credentialsRequired: false })
      const res = await request(a).get('/')
      expect(res.status).toBe(200)
      expect(res.body).toEqual({ user: null })
      expect(trace.handled).toBe(1)
    })
    test('another scheme counts as no credentials', async () => {
      const res = await request(app({ credentialsRequired: false }).app)
        .get('/')
        .set('Authorization', 'Basic abc')
      expect(res.status).toBe(200)
    })
    test('a valid token: user set', async () => {
      const res = await request(app({ credentialsRequired: false }).app)
        .get('/')
        .set('Authorization', bearer)
      expect(res.body.user).toMatchObject(payload)
    })
    test('credentials present but invalid: still 401', async () => {
      const { app: a, trace } = app({ credentialsRequired: false })
      const res = await request(a).get('/').set('Authorization', 'Bearer abc')
      expect(res.status).toBe(401)
      expect(trace.handled).toBe(0)
    })
  })

  describe('getToken', () => {
    const fromCookie = (req: Request) => /(?:^|; )token=([^;]*)/.exec(req.headers.cookie ?? '')?.[1]

    test('replaces header parsing', async () => {
      const { app: a } = app({ getToken: fromCookie })
      expect((await request(a).get('/').set('Cookie', `token=${token}`)).status).toBe(200)
      const headerOnly = await request(a).get('/').set('Authorization', bearer)
      expect(headerOnly.status).toBe(401)
      expect(headerOnly.headers['www-authenticate']).toBe('Bearer')
    })

    test.each([undefined, null, ''])('returning %j means no credentials', async (value) => {
      expect((await request(app({ getToken: () => value }).app).get('/')).status).toBe(401)
      const optional = app({ getToken: () => value, credentialsRequired: false })
      expect((await request(optional.app).get('/')).status).toBe(200)
    })

    test('may be async', async () => {
      const { app: a } = app({ getToken: (req) => Promise.resolve(fromCookie(req)) })
      expect((await request(a).get('/').set('Cookie', `token=${token}`)).status).toBe(200)
      expect((await request(a).get('/').set('Cookie', 'token=abc')).status).toBe(401)
    })

    test('a value that is not a string (a JSON cookie, say) is a malformed token', async () => {
      const { app: a } = app({ getToken: () => ({ j: 1 }) as unknown as string })
      const res = await request(a).get('/')
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toContain('token must be a string')
    })

    test.each([
      [
        'throws',
        () => {
          throw new Error('cookie jar broke')
        },
      ],
      ['rejects', () => Promise.reject(new Error('cookie jar broke'))],
    ])('that %s passes its error to next(err) unchanged', async (_name, getToken) => {
      const { app: a, trace } = app({ getToken })
      const res = await request(a).get('/')
      expect(res.status).toBe(500)
      expect(trace.errors).toHaveLength(1)
      expect((trace.errors[0] as Error).message).toBe('cookie jar broke')
      expect(trace.handled).toBe(0)
    })
  })

  describe('requestProperty', () => {
    test('puts the payload elsewhere', async () => {
      const a = express()
      a.get('/', jwtAuth(SECRET, { requestProperty: 'auth' }), (req, res) => {
        res.json({ auth: (req as unknown as { auth: unknown }).auth, user: req.user ?? null })
      })
      const res = await request(a).get('/').set('Authorization', bearer)
      expect(res.body.user).toBeNull()
      expect(res.body.auth).toMatchObject(payload)
    })

    test('a read-only property (a mistake) reaches next(err) instead of throwing', async () => {
      const lock: RequestHandler = (req, _res, next) => {
        Object.defineProperty(req, 'locked', { value: 'x', writable: false })
        next()
      }
      const { app: a, trace } = traceApp(express, [
        lock,
        jwtAuth(SECRET, { requestProperty: 'locked' }),
      ])
      const res = await request(a).get('/').set('Authorization', bearer)
      expect(res.status).toBe(500)
      expect(trace.errors[0]).toBeInstanceOf(TypeError)
      expect(trace.handled).toBe(0)
    })

    test('attaches the parsed payload itself: own properties, plain prototype', async () => {
      const { app: a, trace } = app()
      await request(a).get('/').set('Authorization', bearer)
      const user = trace.users[0] as object
      expect(Object.getPrototypeOf(user)).toBe(Object.prototype)
      expect(Object.keys(user)).toEqual(['userId', 'licensedFeatures', 'iat', 'exp'])
    })
  })

  describe('isRevoked', () => {
    test.each([
      ['true', () => true],
      ['a truthy value (a row found)', () => ({ jti: 'x' })],
      ['a promise of true', () => Promise.resolve(true)],
    ])('%s refuses with 401 token_revoked', async (_name, isRevoked) => {
      const { app: a, trace } = app({ isRevoked })
      const res = await request(a).get('/').set('Authorization', bearer)
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="token revoked"',
      )
      expect(trace.errors[0]).toMatchObject({ code: 'token_revoked' })
      expect(trace.handled).toBe(0)
    })

    test.each([
      ['false', () => false],
      ['a promise of false', () => Promise.resolve(false)],
    ])('%s lets the request through', async (_name, isRevoked) => {
      expect(
        (await request(app({ isRevoked }).app).get('/').set('Authorization', bearer)).status,
      ).toBe(200)
    })

    test('receives the verified payload and the request', async () => {
      const seen: unknown[] = []
      const { app: a } = app({
        isRevoked: (p, req) => {
          seen.push(p.userId, req.path)
          return false
        },
      })
      await request(a).get('/').set('Authorization', bearer)
      expect(seen).toEqual([1001, '/'])
    })

    test('is not called for tokens that fail verification', async () => {
      const isRevoked = jest.fn(() => false)
      await request(app({ isRevoked }).app).get('/').set('Authorization', 'Bearer abc')
      expect(isRevoked).not.toHaveBeenCalled()
    })

    test.each([
      [
        'throws',
        () => {
          throw new Error('revocation store down')
        },
      ],
      ['rejects', () => Promise.reject(new Error('revocation store down'))],
    ])(
      'that %s never counts as "not revoked": its error goes to next(err)',
      async (_name, isRevoked) => {
        const { app: a, trace } = app({ isRevoked })
        const res = await request(a).get('/').set('Authorization', bearer)
        expect(res.status).toBe(500)
        expect((trace.errors[0] as Error).message).toBe('revocation store down')
        expect(trace.handled).toBe(0)
      },
    )
  })

  describe('onFailure', () => {
    test('sees every refusal with its code, never the token', async () => {
      const seen: JwtAuthError[] = []
      const { app: a } = app({
        onFailure: (err) => seen.push(err),
        isRevoked: (p) => p.userId === 1,
      })
      const revoked = signToken({ userId: 1 }, SECRET)
      await request(a).get('/')
      await request(a).get('/').set('Authorization', 'Bearer')
      await request(a).get('/').set('Authorization', `Bearer ${token}x`)
      await request(a).get('/').set('Authorization', `Bearer ${revoked}`)
      await request(a).get('/').set('Authorization', bearer)
      expect(seen.map((e) => e.code)).toEqual([
        'credentials_missing',
        'request_malformed',
        'signature_invalid',
        'token_revoked',
      ])
      for (const err of seen) {
        const everything = JSON.stringify({ ...err, message: err.message, stack: err.stack })
        expect(everything).not.toContain(token.split('.')[1])
        expect(everything).not.toContain(revoked.split('.')[1])
      }
    })

    test('is not called for a request let through without credentials', async () => {
      const onFailure = jest.fn()
      await request(app({ onFailure, credentialsRequired: false }).app).get('/')
      expect(onFailure).not.toHaveBeenCalled()
    })

    test('that throws passes its own error to next(err)', async () => {
      const { app: a, trace } = app({
        onFailure: () => {
          throw new Error('logger broke')
        },
      })
      const res = await request(a).get('/')
      expect(res.status).toBe(500)
      expect((trace.errors[0] as Error).message).toBe('logger broke')
    })
  })

  describe('authErrorHandler', () => {
    const withHandler = (options?: Omit<JwtAuthOptions, 'secret'>) =>
      traceApp(express, [jwtAuth(SECRET, options)], { errorHandler: authErrorHandler() }).app

    test('renders invalid_token as JSON with status and challenge', async () => {
      const res = await request(withHandler()).get('/').set('Authorization', 'Bearer abc')
      expect(res.status).toBe(401)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      expect(res.headers['www-authenticate']).toMatch(INVALID_TOKEN)
      expect(res.body).toEqual({
        error: 'invalid_token',
        error_description: 'token is not three base64url segments',
        code: 'token_malformed',
      })
    })

    test('renders invalid_request and missing credentials', async () => {
      const malformed = await request(withHandler()).get('/').set('Authorization', 'Bearer')
      expect(malformed.status).toBe(400)
      expect(malformed.body).toEqual({
        error: 'invalid_request',
        error_description: 'malformed Bearer credentials',
        code: 'request_malformed',
      })
      const none = await request(withHandler({ realm: 'x' })).get('/')
      expect(none.status).toBe(401)
      expect(none.headers['www-authenticate']).toBe('Bearer realm="x"')
      expect(none.body).toEqual({
        error_description: 'authentication required',
        code: 'credentials_missing',
      })
    })

    test('passes other errors on untouched', async () => {
      const a = express()
      const boom = new Error('boom')
      a.get('/', () => {
        throw boom
      })
      const seen: unknown[] = []
      a.use(authErrorHandler())
      a.use(((err, _req, res, _next) => {
        seen.push(err)
        res.status(500).send('handled elsewhere')
      }) as ErrorRequestHandler)
      const res = await request(a).get('/')
      expect(res.text).toBe('handled elsewhere')
      expect(seen).toEqual([boom])
    })

    test('leaves a response that has already started to Express', async () => {
      const a = express()
      a.get('/', (_req, res, next) => {
        res.status(200).write('partial')
        next(new InvalidTokenError({ code: 'token_expired', message: 'token expired' }))
      })
      const seen: unknown[] = []
      a.use(authErrorHandler())
      a.use(((err, _req, res, _next) => {
        seen.push(err)
        res.end()
      }) as ErrorRequestHandler)
      const res = await request(a).get('/')
      expect(res.status).toBe(200)
      expect(seen).toHaveLength(1)
    })
  })
})

describe('jwtAuth setup', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['a short secret', () => jwtAuth('short'), /at least 32 bytes for HS256/],
    ['no secret', () => jwtAuth(undefined as unknown as string), /secret is missing/],
    ['options without a secret', () => jwtAuth({} as { secret: string }), /secret is missing/],
    [
      'an unknown option',
      () => jwtAuth(SECRET, { credentialRequired: false } as JwtAuthOptions),
      /unknown option "credentialRequired"/,
    ],
    [
      'an unknown option in the options form',
      () => jwtAuth({ secret: SECRET, algorithm: 'HS256' } as JwtAuthOptions & { secret: string }),
      /unknown option "algorithm"/,
    ],
    [
      'two secrets',
      () => jwtAuth(SECRET, { secret: SECRET } as JwtAuthOptions),
      /pass the secret once/,
    ],
    [
      'both forms at once',
      () => (jwtAuth as (...args: unknown[]) => unknown)({ secret: SECRET }, {}),
      /either \(secret, options\)/,
    ],
    [
      'a bad core option',
      () => jwtAuth(SECRET, { algorithms: ['none' as 'HS256'] }),
      /'none' is never accepted/,
    ],
    [
      'credentialsRequired not boolean',
      () => jwtAuth(SECRET, { credentialsRequired: 'no' as unknown as boolean }),
      /true or false/,
    ],
    [
      'getToken not a function',
      () => jwtAuth(SECRET, { getToken: 'cookie' as never }),
      /getToken must be a function/,
    ],
    [
      'isRevoked not a function',
      () => jwtAuth(SECRET, { isRevoked: true as never }),
      /isRevoked must be a function/,
    ],
    [
      'onFailure not a function',
      () => jwtAuth(SECRET, { onFailure: {} as never }),
      /onFailure must be a function/,
    ],
    [
      'a __proto__ requestProperty',
      () => jwtAuth(SECRET, { requestProperty: '__proto__' }),
      /requestProperty/,
    ],
    ['an empty requestProperty', () => jwtAuth(SECRET, { requestProperty: '' }), /requestProperty/],
    [
      'a realm with a newline',
      () => jwtAuth(SECRET, { realm: 'a\r\nSet-Cookie: x=1' }),
      /realm must be/,
    ],
    ['an empty realm', () => jwtAuth(SECRET, { realm: '' }), /realm must be/],
  ])('%s throws at app.use time with the package prefix', (_name, setup, message) => {
    const err = thrown(setup)
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(/^express-jwt-gate: /)
    expect(err.message).toMatch(message)
  })

  test('never mutates the options object', () => {
    const options = Object.freeze({ audience: 'api', realm: 'x', credentialsRequired: false })
    const copy = { ...options }
    jwtAuth(SECRET, options)
    jwtAuth({ ...options, secret: SECRET })
    expect(options).toEqual(copy)
  })

  test('accepts a Buffer secret as the first argument', () => {
    expect(typeof jwtAuth(Buffer.from(SECRET))).toBe('function')
  })
})
