// docs/migrating-from-express-jwt.md, run: the page's ```ts blocks are in this file, and
// each difference it states is checked against express-jwt itself (a devDependency).
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import express from 'express'
import type { ErrorRequestHandler, Express } from 'express'
import { expressjwt } from 'express-jwt'
import jwt from 'jsonwebtoken'
import type { JwtPayload } from 'jsonwebtoken'
import request from 'supertest'
import { authErrorHandler, JwtAuthError, jwtAuth, signToken } from 'express-jwt-gate'
import { SECRET } from '../helpers/tokens'

const secret = SECRET
const page = readFileSync(
  join(__dirname, '..', '..', 'docs', 'migrating-from-express-jwt.md'),
  'utf8',
)
const claims = { sub: 'alice', aud: 'api', iss: 'https://auth.example.com' }
const denied = new Set(['revoked-1'])

/** What an error handler of express-jwt's README sees: its name, status and code. */
const reportError: ErrorRequestHandler = (
  err: { name: string; status?: number; code?: string },
  _req,
  res,
  _next,
) => {
  res.status(err.status ?? 500).json({ name: err.name, code: err.code })
}

/** The app as it was, on express-jwt. */
function before(): Express {
  const app = express()
  app.use(
    expressjwt({
      secret,
      algorithms: ['HS256'],
      audience: 'api',
      issuer: 'https://auth.example.com',
      isRevoked: (_req, token) => denied.has(String((token?.payload as JwtPayload).jti)),
    }),
  )
  app.get('/me', (req, res) => {
    res.json((req as { auth?: unknown }).auth ?? null)
  })
  app.use(reportError)
  return app
}

/** The same app on express-jwt-gate. */
function after(): Express {
  const app = express()
  app.use(
    jwtAuth(secret, {
      audience: 'api',
      issuer: 'https://auth.example.com',
      requestProperty: 'auth',
      isRevoked: (payload) => denied.has(String(payload.jti)),
    }),
  )
  app.get('/me', (req, res) => {
    res.json((req as { auth?: unknown }).auth ?? null)
  })
  app.use(authErrorHandler())
  return app
}

const get = (app: Express, authorization?: string) => {
  const req = request(app).get('/me')
  return authorization === undefined ? req : req.set('Authorization', authorization)
}

const expired = signToken(claims, secret, { currentDate: new Date(Date.now() - 3_600_000) })

test('a valid token: both put the payload on req.auth', async () => {
  const token = signToken(claims, secret)
  const [old, ours] = await Promise.all([
    get(before(), `Bearer ${token}`),
    get(after(), `Bearer ${token}`),
  ])
  expect(old.status).toBe(200)
  expect(ours.status).toBe(200)
  expect(ours.body).toEqual(old.body)
})

describe("the page's table of express-jwt's error codes", () => {
  /** Rows of the form | `old_code` | when | 400 `new_code` |. */
  const rows = [...page.matchAll(/^\| +`(\w+)` +\|[^|]+\| +(\d{3}) `(\w+)` +\|$/gm)].map(
    ([, old, status, code]) => ({ old, status: Number(status), code }),
  )
  const requests: Record<string, string | undefined> = {
    credentials_required: undefined,
    credentials_bad_scheme: 'Basic YWxpY2U6cHc=',
    credentials_bad_format: 'Bearer two tokens',
    revoked_token: `Bearer ${signToken(claims, secret, { jwtId: 'revoked-1' })}`,
  }

  test('lists every code whose answer is one code', () => {
    expect(rows.map((row) => row.old).sort()).toEqual(Object.keys(requests).sort())
  })

  test.each(Object.keys(requests))(
    '%s: express-jwt says so, and this package as the table says',
    async (old) => {
      const row = rows.find((r) => r.old === old)
      const authorization = requests[old]
      const [was, now] = await Promise.all([
        get(before(), authorization),
        get(after(), authorization),
      ])
      expect(was.body).toEqual({ name: 'UnauthorizedError', code: old })
      expect(was.status).toBe(401)
      expect({ status: now.status, code: now.body.code }).toEqual({
        status: row?.status,
        code: row?.code,
      })
    },
  )

  test('invalid_token: one express-jwt code, where this package names the failure', async () => {
    const cases = [
      [expired, 'token_expired'],
      [signToken(claims, `${secret}-other`), 'signature_invalid'],
      [signToken({ ...claims, aud: 'other' }, secret), 'claim_invalid'],
    ] as const
    for (const [token, code] of cases) {
      const [was, now] = await Promise.all([
        get(before(), `Bearer ${token}`),
        get(after(), `Bearer ${token}`),
      ])
      expect(was.body).toEqual({ name: 'UnauthorizedError', code: 'invalid_token' })
      expect(now.body.code).toBe(code)
      expect(page).toContain(`\`${code}\``)
    }
  })
})

test('express-jwt errors carry no challenge; these carry the RFC 6750 one', async () => {
  const [was, now] = await Promise.all([get(before()), get(after())])
  expect(was.headers['www-authenticate']).toBeUndefined()
  expect(now.headers['www-authenticate']).toBe('Bearer')
})

test('a token without exp: express-jwt accepts it, this package refuses it', async () => {
  const forever = signToken(claims, secret, { expiresIn: null })
  const [was, now] = await Promise.all([
    get(before(), `Bearer ${forever}`),
    get(after(), `Bearer ${forever}`),
  ])
  expect(was.status).toBe(200)
  expect(now.body.code).toBe('claim_missing')
})

test('stray bits in an RS256 signature: express-jwt accepts them, this package refuses them', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const token = signToken({ sub: 'alice' }, privateKey, { algorithm: 'RS256' })
  const [header, payload, signature] = token.split('.') as [string, string, string]
  // 342 characters carry 2048 bits and 4 bits to spare: flipping a spare bit spells the
  // same signature another way, which a lenient base64 decoder reads as the same bytes.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = alphabet.indexOf(signature.slice(-1))
  const respelt = `${header}.${payload}.${signature.slice(0, -1)}${alphabet[last ^ 1]}`
  const old = express()
  old.use(expressjwt({ secret: publicKey, algorithms: ['RS256'] }))
  const ours = express()
  ours.use(jwtAuth(publicKey, { algorithms: ['RS256'] }))
  for (const app of [old, ours]) {
    app.get('/me', (_req, res) => res.json('ran'))
    app.use(authErrorHandler(), reportError)
  }
  expect((await get(old, `Bearer ${token}`)).status).toBe(200)
  expect((await get(ours, `Bearer ${token}`)).status).toBe(200)
  expect((await get(old, `Bearer ${respelt}`)).status).toBe(200)
  expect((await get(ours, `Bearer ${respelt}`)).body.code).toBe('token_malformed')
})

test('onExpired: express-jwt lets the expired token in when it returns; here none gets in', async () => {
  const app = express()
  app.use(expressjwt({ secret, algorithms: ['HS256'], onExpired: () => undefined }))
  app.get('/me', (req, res) => {
    res.json((req as { auth?: unknown }).auth ?? null)
  })
  const was = await get(app, `Bearer ${expired}`)
  expect(was.status).toBe(200)
  expect(was.body).toMatchObject({ sub: 'alice' })

  const expiredAnswer: ErrorRequestHandler = (err, _req, res, next) => {
    if (err instanceof JwtAuthError && err.code === 'token_expired') {
      res.status(401).set(err.headers).json({ message: 'session expired: log in again' })
      return
    }
    next(err)
  }
  const ours = express()
  ours.use(jwtAuth(secret))
  ours.get('/me', (req, res) => {
    res.json(req.user)
  })
  ours.use(expiredAnswer, authErrorHandler())
  const now = await get(ours, `Bearer ${expired}`)
  expect(now.status).toBe(401)
  expect(now.body).toEqual({ message: 'session expired: log in again' })
  expect(now.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/)
})

test('a CORS preflight: express-jwt lets it through, jwtAuth refuses it (no credentials)', async () => {
  const preflight = (app: Express) =>
    request(app)
      .options('/me')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization')
  expect((await preflight(before())).status).toBe(200)
  expect((await preflight(after())).status).toBe(401)
})

test('requestProperty: express-jwt follows a dotted path, this package takes one name', async () => {
  const token = `Bearer ${signToken({ sub: 'alice' }, secret)}`
  const shape = (req: object) => ({
    nested: typeof (req as { session?: { user?: unknown } }).session?.user,
    flat: typeof (req as Record<string, unknown>)['session.user'],
  })
  const old = express()
  old.use(expressjwt({ secret, algorithms: ['HS256'], requestProperty: 'session.user' }))
  old.get('/me', (req, res) => {
    res.json(shape(req))
  })
  const ours = express()
  ours.use(jwtAuth(secret, { requestProperty: 'session.user' }))
  ours.get('/me', (req, res) => {
    res.json(shape(req))
  })
  expect((await get(old, token)).body).toEqual({ nested: 'object', flat: 'undefined' })
  expect((await get(ours, token)).body).toEqual({ nested: 'undefined', flat: 'object' })
})

test('isRevoked: express-jwt passes (req, decoded token), this package (payload, req)', async () => {
  const seen: unknown[] = []
  const token = signToken({ sub: 'alice' }, secret)
  const old = express()
  old.use(
    expressjwt({
      secret,
      algorithms: ['HS256'],
      isRevoked: (req, decoded) => {
        seen.push(typeof req.get, Object.keys(decoded ?? {}).sort())
        return false
      },
    }),
  )
  old.get('/me', (_req, res) => res.end())
  const ours = express()
  ours.use(
    jwtAuth(secret, {
      isRevoked: (payload, req) => {
        seen.push(Object.keys(payload).sort(), typeof req.get)
        return false
      },
    }),
  )
  ours.get('/me', (_req, res) => res.end())
  await get(old, `Bearer ${token}`)
  await get(ours, `Bearer ${token}`)
  expect(seen).toEqual([
    'function',
    ['header', 'payload', 'signature'],
    ['exp', 'iat', 'sub'],
    'function',
  ])
})

test('credentialsRequired: false: both let a request without a token through, and refuse a bad one', async () => {
  const old = express()
  old.use(expressjwt({ secret, algorithms: ['HS256'], credentialsRequired: false }))
  const ours = express()
  ours.use(jwtAuth(secret, { credentialsRequired: false }))
  for (const app of [old, ours]) {
    app.get('/me', (_req, res) => res.json('ran'))
    app.use(reportError)
    expect((await get(app)).status).toBe(200)
    expect((await get(app, 'Basic YWxpY2U6cHc=')).status).toBe(200)
    expect((await get(app, `Bearer ${expired}`)).status).toBe(401)
  }
})

test('a short secret: express-jwt takes it, this package throws at startup', () => {
  expect(() => expressjwt({ secret: 'short', algorithms: ['HS256'] })).not.toThrow()
  expect(() => jwtAuth('short')).toThrow(/at least 32 bytes for HS256/)
})

test('durations: a string without a unit is refused here (jsonwebtoken reads it as ms)', () => {
  expect(() => jwtAuth(secret, { maxAge: '60' as never })).toThrow(/maxAge/)
  expect(() => jwtAuth(secret, { maxAge: '2 days' as never })).toThrow(/maxAge/)
  expect(() => jwtAuth(secret, { maxAge: '2d' })).not.toThrow()
  expect(() => signToken({}, secret, { expiresIn: '60' as never })).toThrow(/expiresIn/)
  const sixtyMs = jwt.decode(jwt.sign({}, secret, { expiresIn: '60' })) as JwtPayload
  expect(sixtyMs.exp).toBeLessThanOrEqual((sixtyMs.iat ?? 0) + 1)
})
