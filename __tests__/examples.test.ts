import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import express from 'express'
import type { Express } from 'express'
import request from 'supertest'
import { decodeToken, signToken } from 'express-jwt-gate'
import * as cookieExample from '../examples/cookie'
import * as customClaim from '../examples/custom-claim'
import { CLIENT_BUNDLE, CONTENT_SECURITY_POLICY } from '../examples/demo/page'
import * as optionalAuth from '../examples/optional-auth'
import * as typedClaims from '../examples/typed-claims'
import type * as QuickStart from '../examples/quick-start'
import { app, createApp, curlLines, DEMO_USERS } from '../examples/server'
import { bobBuysInvoicing, REUSE_GRACE_SECONDS, stolenRefreshToken } from '../examples/walkthrough'
import { testClock, type TestClock } from './sessions/helpers'
import { b64, SECRET } from './helpers/tokens'

const root = join(__dirname, '..')
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }

interface Tokens {
  access_token: string
  refresh_token: string
}

/** Log in through the JSON endpoint: both tokens in the body. */
async function login(username: string, on: Express = app): Promise<Tokens> {
  const res = await request(on).post('/login').send({ username })
  expect(res.status).toBe(200)
  return res.body as Tokens
}

/** supertest types bodies as `any`; these take what a body holds and insist on a string. */
const text = (value: unknown): string => {
  expect(typeof value).toBe('string')
  return value as string
}

const bearer = (token: unknown) => ({ Authorization: `Bearer ${text(token)}` })

/** `POST /token`, form-encoded (RFC 6749 §6). */
const refreshWith = (on: Express, refreshToken: unknown) =>
  request(on)
    .post('/token')
    .type('form')
    .send({ grant_type: 'refresh_token', refresh_token: text(refreshToken) })

const grant = (on: Express, admin: string, user: string, body: unknown) =>
  request(on)
    .post(`/admin/users/${user}/features`)
    .set(bearer(admin))
    .send(body as object)

const featuresOf = (token: unknown) => decodeToken(text(token)).payload.licensedFeatures

/** The cookies a response sets, by name: the value and the attributes after it. */
function cookiesOf(res: request.Response): Record<string, { value: string; attributes: string }> {
  const lines = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []
  return Object.fromEntries(
    lines.map((line) => {
      const [pair = '', ...attributes] = line.split('; ')
      const at = pair.indexOf('=')
      return [pair.slice(0, at), { value: pair.slice(at + 1), attributes: attributes.join('; ') }]
    }),
  )
}

describe('examples/server.ts: the example API', () => {
  test('GET /health needs no token', async () => {
    const res = await request(app).get('/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok' })
  })

  test('POST /login starts a session: a 15-minute access token and a refresh token', async () => {
    const res = await request(app).post('/login').send({ username: 'alice' })
    expect(res.status).toBe(200)
    expect(res.headers).toMatchObject(NO_STORE)
    expect(res.headers['set-cookie']).toBeUndefined()
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^[\w-]+\.[\w-]{22}\.[\w-]{43}$/),
    })
    const me = await request(app).get('/me').set(bearer(res.body.access_token))
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({
      sub: 'alice',
      licensedFeatures: ['todos', 'calendar', 'invoicing', 'admin'],
      sid: expect.any(String),
      jti: expect.any(String),
    })
    expect(me.body.exp - me.body.iat).toBe(900)
  })

  test.each([
    ['an unknown user', { username: 'mallory' }, 401, 'unknown_user'],
    ['an inherited name', { username: 'constructor' }, 401, 'unknown_user'],
    ['no username', {}, 400, 'invalid_request'],
    ['a non-string username', { username: ['alice'] }, 400, 'invalid_request'],
  ])('POST /login and /browser/login with %s: a JSON error', async (_name, body, status, error) => {
    for (const path of ['/login', '/browser/login']) {
      const res = await request(app).post(path).send(body)
      expect(res.status).toBe(status)
      expect(res.headers['content-type']).toMatch(/json/)
      expect(res.body.error).toBe(error)
      expect(res.headers['set-cookie']).toBeUndefined()
    }
  })

  test('POST /login with no body, or a body that is not JSON, is a 400 JSON error', async () => {
    const empty = await request(app).post('/login')
    expect(empty.status).toBe(400)
    expect(empty.body.error).toBe('invalid_request')
    const broken = await request(app)
      .post('/login')
      .set('Content-Type', 'application/json')
      .send('{"username":')
    expect(broken.status).toBe(400)
    expect(broken.body).toEqual({
      error: 'invalid_json',
      error_description: 'body is not valid JSON',
    })
  })

  test('each route requires its feature: 403 insufficient_scope names it', async () => {
    const alice = bearer((await login('alice')).access_token)
    const bob = bearer((await login('bob')).access_token)
    for (const route of ['/todos', '/calendar', '/invoices']) {
      expect((await request(app).get(route).set(alice)).status).toBe(200)
    }
    expect((await request(app).get('/todos').set(bob)).status).toBe(200)
    for (const [route, feature] of [
      ['/calendar', 'calendar'],
      ['/invoices', 'invoicing'],
    ]) {
      const res = await request(app)
        .get(route as string)
        .set(bob)
      expect(res.status).toBe(403)
      expect(res.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'feature not licensed',
        code: 'feature_missing',
      })
      expect(res.headers['www-authenticate']).toBe(
        `Bearer error="insufficient_scope", error_description="feature not licensed", scope="${feature}"`,
      )
    }
  })

  test('tampering: bob adds a feature to his payload, keeps the signature, and is refused', async () => {
    const { access_token: token } = await login('bob')
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      licensedFeatures: string[]
    }
    expect(claims.licensedFeatures).toEqual(['todos'])
    const forged = `${header}.${b64({ ...claims, licensedFeatures: ['todos', 'extraPremiumFeature', 'invoicing'] })}.${signature}`
    for (const route of ['/me', '/invoices']) {
      const res = await request(app).get(route).set(bearer(forged))
      expect(res.status).toBe(401)
      expect(res.body).toEqual({
        error: 'invalid_token',
        error_description: 'signature invalid',
        code: 'signature_invalid',
      })
      expect(res.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="signature invalid"',
      )
    }
  })

  test('no token: 401 with a bare challenge and a JSON body', async () => {
    const res = await request(app).get('/me')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
    expect(res.body.code).toBe('credentials_missing')
  })

  test('a token signed with the secret but of no session is refused: sessions vouch for their own', async () => {
    const own = createApp(SECRET)
    const plain = signToken({ sub: 'alice', licensedFeatures: ['todos'] }, SECRET)
    const res = await request(own).get('/todos').set(bearer(plain))
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('claim_missing')
  })

  test('an access token expires after 15 minutes; a refresh gives a new one', async () => {
    const clock = testClock()
    const own = createApp(SECRET, { now: clock.now })
    const tokens = await login('bob', own)
    clock.advance(900_000)
    const expired = await request(own).get('/todos').set(bearer(tokens.access_token))
    expect(expired.status).toBe(401)
    expect(expired.body.code).toBe('token_expired')
    const refreshed = await refreshWith(own, tokens.refresh_token)
    expect(refreshed.status).toBe(200)
    expect((await request(own).get('/todos').set(bearer(refreshed.body.access_token))).status).toBe(
      200,
    )
  })

  test('POST /token: form or JSON; the refresh token rotates; errors are RFC 6749 §5.2', async () => {
    const first = await login('bob')
    const form = await refreshWith(app, first.refresh_token)
    expect(form.status).toBe(200)
    expect(form.headers).toMatchObject(NO_STORE)
    expect(form.body.refresh_token).not.toBe(first.refresh_token)
    const json = await request(app)
      .post('/token')
      .send({ grant_type: 'refresh_token', refresh_token: form.body.refresh_token })
    expect(json.status).toBe(200)
    expect(json.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
      refresh_token: expect.any(String),
    })
    const garbage = await refreshWith(app, 'garbage')
    expect(garbage.status).toBe(400)
    expect(garbage.body).toEqual({
      error: 'invalid_grant',
      error_description: 'refresh token is malformed',
      code: 'refresh_token_invalid',
    })
  })

  test('POST /logout ends the session: its refresh and access tokens are refused', async () => {
    const tokens = await login('bob')
    const res = await request(app)
      .post('/logout')
      .type('form')
      .send({ token: tokens.refresh_token })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({})
    const me = await request(app).get('/me').set(bearer(tokens.access_token))
    expect(me.status).toBe(401)
    expect(me.body.code).toBe('token_revoked')
    const refreshed = await refreshWith(app, tokens.refresh_token)
    expect(refreshed.status).toBe(400)
    expect(refreshed.body.code).toBe('session_revoked')
  })

  test('createApp refuses a short secret with the package message', () => {
    expect(() => createApp('short')).toThrow(
      'express-jwt-gate: secret must be at least 32 bytes for HS256',
    )
  })

  test('the users start as documented, and each app has a table of its own', async () => {
    expect(DEMO_USERS).toEqual({
      alice: ['todos', 'calendar', 'invoicing', 'admin'],
      bob: ['todos'],
    })
    const changed = createApp(SECRET)
    const admin = (await login('alice', changed)).access_token
    expect((await grant(changed, admin, 'bob', { grant: 'calendar' })).status).toBe(200)
    const untouched = createApp(SECRET)
    const bob = (await login('bob', untouched)).access_token
    expect(featuresOf(bob)).toEqual(['todos'])
  })
})

describe('walkthrough (a): bob buys invoicing', () => {
  test('the admin grants it; his token is stale; a refresh carries invoicing; /invoices is 200', async () => {
    const own = createApp(SECRET)
    const bob = await login('bob', own)
    expect(featuresOf(bob.access_token)).toEqual(['todos'])
    expect((await request(own).get('/invoices').set(bearer(bob.access_token))).status).toBe(403)

    const admin = await login('alice', own)
    const granted = await grant(own, admin.access_token, 'bob', { grant: 'invoicing' })
    expect(granted.status).toBe(200)
    expect(granted.body).toEqual({ user: 'bob', licensedFeatures: ['todos', 'invoicing'] })

    // Not expired, correctly signed, and refused: it was issued before the change.
    for (const route of ['/invoices', '/me', '/todos']) {
      const stale = await request(own).get(route).set(bearer(bob.access_token))
      expect(stale.status).toBe(401)
      expect(stale.body).toEqual({
        error: 'invalid_token',
        error_description: 'token stale: refresh it for the current claims',
        code: 'token_stale',
      })
      expect(stale.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="token stale: refresh it for the current claims"',
      )
    }
    // The session lives on: a refresh gives a token with the new claims.
    const refreshed = await refreshWith(own, bob.refresh_token)
    expect(refreshed.status).toBe(200)
    expect(featuresOf(refreshed.body.access_token)).toEqual(['todos', 'invoicing'])
    const invoices = await request(own).get('/invoices').set(bearer(refreshed.body.access_token))
    expect(invoices.status).toBe(200)
    expect(invoices.body).toEqual([{ id: 'INV-1', amount: 120 }])
    // Only bob's tokens went stale: the admin's still works.
    expect((await request(own).get('/invoices').set(bearer(admin.access_token))).status).toBe(200)
  })

  test('taking it back: the next token lacks it and /invoices is 403 again', async () => {
    const own = createApp(SECRET)
    const admin = (await login('alice', own)).access_token
    await grant(own, admin, 'bob', { grant: 'invoicing' })
    const bob = await login('bob', own)
    expect(featuresOf(bob.access_token)).toEqual(['todos', 'invoicing'])
    const revoked = await grant(own, admin, 'bob', { revoke: 'invoicing' })
    expect(revoked.body).toEqual({ user: 'bob', licensedFeatures: ['todos'] })
    const next = await refreshWith(own, bob.refresh_token)
    expect(featuresOf(next.body.access_token)).toEqual(['todos'])
    expect((await request(own).get('/invoices').set(bearer(next.body.access_token))).status).toBe(
      403,
    )
  })
})

describe('walkthrough (b): a stolen refresh token', () => {
  let clock: TestClock
  let own: Express
  beforeEach(() => {
    clock = testClock()
    own = createApp(SECRET, { now: clock.now })
  })

  test('used after the owner refreshed: both refused, and the owner must log in again', async () => {
    const login0 = await login('bob', own)
    const stolen = login0.refresh_token
    const owner = await refreshWith(own, stolen)
    expect(owner.status).toBe(200)
    clock.advance((REUSE_GRACE_SECONDS + 1) * 1000)

    const thief = await refreshWith(own, stolen)
    expect(thief.status).toBe(400)
    expect(thief.headers['set-cookie']).toBeUndefined()
    expect(thief.body).toEqual({
      error: 'invalid_grant',
      error_description: 'refresh token already used: the session is ended',
      code: 'refresh_token_reused',
    })
    const ownerAgain = await refreshWith(own, owner.body.refresh_token)
    expect(ownerAgain.status).toBe(400)
    expect(ownerAgain.body.code).toBe('session_revoked')
    for (const token of [login0.access_token, owner.body.access_token]) {
      const me = await request(own).get('/me').set(bearer(token))
      expect(me.status).toBe(401)
      expect(me.body.code).toBe('token_revoked')
    }
    // Logging in again is a new session, unaffected.
    const fresh = await login('bob', own)
    expect((await request(own).get('/me').set(bearer(fresh.access_token))).status).toBe(200)
  })

  test('within the grace the retired token still refreshes: a retry after a lost answer', async () => {
    const { refresh_token: first } = await login('bob', own)
    expect((await refreshWith(own, first)).status).toBe(200)
    clock.advance(REUSE_GRACE_SECONDS * 1000)
    expect((await refreshWith(own, first)).status).toBe(200)
  })
})

describe('the walkthroughs as code (examples/walkthrough.ts) against the API on a port', () => {
  let server: Server
  let api: string
  let clock: TestClock
  let seen: string[]
  beforeEach(async () => {
    clock = testClock()
    seen = []
    const outer = express()
    outer.use((req, _res, next) => {
      seen.push(`${req.method} ${req.path}`)
      next()
    })
    outer.use(createApp(SECRET, { now: clock.now }))
    server = outer.listen(0, '127.0.0.1')
    await once(server, 'listening')
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(() => {
    server.closeAllConnections()
    server.close()
  })
  const quiet = () => {}

  test('(a): 403, the grant, token_stale, then one refresh and 200 with invoicing', async () => {
    expect(await bobBuysInvoicing(api, quiet)).toEqual([
      { step: 'bob GET /invoices', status: 403, code: 'feature_missing' },
      { step: 'admin grants bob invoicing', status: 200 },
      { step: 'the old token', status: 401, code: 'token_stale' },
      { step: 'bob GET /invoices', status: 200, features: ['todos', 'invoicing'] },
    ])
    // The client refreshed exactly once, between the stale answer and the retry.
    const last = seen.lastIndexOf('GET /invoices')
    expect(seen.slice(last - 2, last + 1)).toEqual([
      'GET /invoices',
      'POST /token',
      'GET /invoices',
    ])
    expect(seen.filter((line) => line === 'POST /token')).toHaveLength(1)
    expect(seen.filter((line) => line === 'POST /logout')).toHaveLength(2)
  })

  test('(b): the thief and the owner both refused, the owner logged out', async () => {
    const waited: number[] = []
    const steps = await stolenRefreshToken(api, quiet, (seconds) => {
      waited.push(seconds)
      clock.advance(seconds * 1000)
    })
    expect(waited).toEqual([REUSE_GRACE_SECONDS + 1])
    expect(steps).toEqual([
      { step: 'bob refreshes', status: 200 },
      { step: 'the thief refreshes', status: 400, code: 'refresh_token_reused' },
      { step: 'bob refreshes again', status: 400, code: 'session_revoked' },
      { step: "bob's access token", status: 401, code: 'token_revoked' },
    ])
  })

  test('each step is printed as it happens', async () => {
    const lines: string[] = []
    await bobBuysInvoicing(api, (line) => lines.push(line))
    expect(lines.map((line) => JSON.parse(line) as unknown)).toHaveLength(4)
    expect(lines[0]).toBe('{"step":"bob GET /invoices","status":403,"code":"feature_missing"}')
  })
})

describe('the admin route: POST /admin/users/:name/features', () => {
  let own: Express
  let admin: string
  beforeAll(async () => {
    own = createApp(SECRET)
    admin = (await login('alice', own)).access_token
  })

  test('needs a token: 401 with a bare challenge', async () => {
    const res = await request(own).post('/admin/users/bob/features').send({ grant: 'invoicing' })
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('credentials_missing')
  })

  test('needs the admin feature: bob is refused with 403 scope="admin"', async () => {
    const bob = (await login('bob', own)).access_token
    const res = await grant(own, bob, 'bob', { grant: 'invoicing' })
    expect(res.status).toBe(403)
    expect(res.body.code).toBe('feature_missing')
    expect(res.headers['www-authenticate']).toContain('scope="admin"')
    // And nothing changed.
    const next = await login('bob', own)
    expect(featuresOf(next.access_token)).toEqual(['todos'])
  })

  test.each(['mallory', 'constructor', '__proto__', 'toString', 'ALICE', '%20bob'])(
    'no user %j: 404',
    async (name) => {
      const res = await grant(own, admin, name, { grant: 'invoicing' })
      expect(res.status).toBe(404)
      expect(res.body).toEqual({ error: 'user_unknown', error_description: 'no such user' })
    },
  )

  test.each([
    ['no body', undefined],
    ['an empty object', {}],
    ['an unknown feature', { grant: 'extraPremiumFeature' }],
    ['admin itself', { grant: 'admin' }],
    ['a number', { grant: 1 }],
    ['a list', { grant: ['invoicing'] }],
    ['both verbs', { grant: 'invoicing', revoke: 'todos' }],
    ['another verb', { add: 'invoicing' }],
    ['an array body', [{ grant: 'invoicing' }]],
    ['an inherited feature name', { grant: 'constructor' }],
  ])('%s: 400 invalid_request, nothing changed', async (_name, body) => {
    const res = await grant(own, admin, 'bob', body)
    expect(res.status).toBe(400)
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description:
        'send {"grant": feature} or {"revoke": feature}, feature one of todos, calendar, invoicing',
    })
    expect(featuresOf((await login('bob', own)).access_token)).toEqual(['todos'])
  })

  test.each([
    ['application/json', '{"grant":'],
    ['application/json', '{"__proto__":{"grant":"invoicing"}}'],
    ['text/plain', 'grant=invoicing'],
    ['application/x-www-form-urlencoded', 'grant=invoicing'],
  ])('a %s body %j is a 400, never a 5xx', async (type, body) => {
    const res = await request(own)
      .post('/admin/users/bob/features')
      .set(bearer(admin))
      .set('Content-Type', type)
      .send(body)
    expect(res.status).toBe(400)
    expect(res.body.error).toMatch(/^invalid_(json|request)$/)
  })
})

describe('the browser flow: the refresh token in an HttpOnly cookie', () => {
  const cookieRule = /^Path=\/browser; HttpOnly; Secure; SameSite=Strict; Max-Age=604800$/

  test('login sets the cookie, scoped to /browser; the body has no refresh token', async () => {
    const res = await request(app).post('/browser/login').send({ username: 'bob' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
    })
    const cookie = cookiesOf(res).refresh_token
    expect(cookie?.value).toMatch(/^[\w-]+\.[\w-]{22}\.[\w-]{43}$/)
    expect(cookie?.attributes).toMatch(cookieRule)
  })

  test('refresh with the cookie and a JSON body rotates it; a form is refused (CSRF)', async () => {
    const login0 = await request(app).post('/browser/login').send({ username: 'bob' })
    const first = cookiesOf(login0).refresh_token?.value as string
    const form = await request(app)
      .post('/browser/token')
      .set('Cookie', `refresh_token=${first}`)
      .type('form')
      .send({ grant_type: 'refresh_token' })
    expect(form.status).toBe(400)
    expect(form.body.error_description).toBe(
      'a refresh token from the cookie needs a JSON request (Content-Type: application/json)',
    )
    const json = await request(app)
      .post('/browser/token')
      .set('Cookie', `refresh_token=${first}`)
      .send({ grant_type: 'refresh_token' })
    expect(json.status).toBe(200)
    expect(json.body.refresh_token).toBeUndefined()
    const next = cookiesOf(json).refresh_token
    expect(next?.value).not.toBe(first)
    expect(next?.attributes).toMatch(cookieRule)
  })

  test('logout clears the cookie and ends the session; a copy of it is refused', async () => {
    const login0 = await request(app).post('/browser/login').send({ username: 'bob' })
    const value = cookiesOf(login0).refresh_token?.value as string
    const logout = await request(app)
      .post('/browser/logout')
      .set('Cookie', `refresh_token=${value}`)
      .send({ grant_type: 'refresh_token' })
    expect(logout.status).toBe(200)
    expect(cookiesOf(logout).refresh_token).toEqual({
      value: '',
      attributes: 'Path=/browser; HttpOnly; Secure; SameSite=Strict; Max-Age=0',
    })
    const replay = await request(app)
      .post('/browser/token')
      .set('Cookie', `refresh_token=${value}`)
      .send({ grant_type: 'refresh_token' })
    expect(replay.status).toBe(400)
    expect(replay.body.code).toBe('session_revoked')
    const noCookie = await request(app).post('/browser/token').send({ grant_type: 'refresh_token' })
    expect(noCookie.status).toBe(400)
    expect(noCookie.body.code).toBe('request_malformed')
  })

  test('one session store behind both doors: a cookie session ends through JSON logout too', async () => {
    const login0 = await request(app).post('/browser/login').send({ username: 'alice' })
    const value = cookiesOf(login0).refresh_token?.value as string
    expect((await request(app).post('/logout').send({ token: value })).status).toBe(200)
    const me = await request(app).get('/me').set(bearer(login0.body.access_token))
    expect(me.body.code).toBe('token_revoked')
  })
})

describe('the demo page', () => {
  test('GET / is the page, under the strict Content Security Policy', async () => {
    const res = await request(app).get('/')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.text).toContain('<script type="module" src="/demo.mjs"></script>')
  })

  test('the API answers carry the policy too', async () => {
    const res = await request(app).get('/me')
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY)
  })

  test('the page has no inline script, no inline style, no event-handler attributes', () => {
    const html = readFileSync(join(root, 'examples', 'public', 'index.html'), 'utf8')
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
    expect(scripts).toHaveLength(1)
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/[\w.]+"/)
      expect(body).toBe('')
    }
    expect(html).not.toMatch(/<style\b/i)
    expect(html).not.toMatch(/\sstyle=/i)
    expect(html).not.toMatch(/\son[a-z]+=/i)
    expect(html).not.toMatch(/(href|src)="(?!\/)/)
  })

  test.each([
    ['/demo.mjs', 'text/javascript; charset=utf-8', 'demo.mjs'],
    ['/demo.css', 'text/css; charset=utf-8', 'demo.css'],
    ['/favicon.svg', 'image/svg+xml', 'favicon.svg'],
  ])('%s is served as %s', async (path, type, file) => {
    const res = await request(app).get(path).buffer(true)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe(type)
    expect(textOf(res)).toBe(readFileSync(join(root, 'examples', 'public', file), 'utf8'))
  })

  test('/client.mjs is the built client bundle, as a JavaScript module', async () => {
    const res = await request(app).get('/client.mjs').buffer(true)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(textOf(res)).toBe(readFileSync(CLIENT_BUNDLE, 'utf8'))
    expect(textOf(res)).toContain('function createAuthClient(')
  })

  test.each([
    '/tsconfig.json',
    '/client.d.mts',
    '/index.html',
    '/../server.ts',
    '/public/demo.mjs',
  ])('nothing else is served: %s', async (path) => {
    const res = await request(app).get(path)
    expect(res.status).toBe(401)
    expect(res.headers['content-type']).toMatch(/json/)
  })
})

/** The body as text: superagent keeps `text` for text/* types and a Buffer for the rest. */
const textOf = (res: request.Response) =>
  res.text === undefined ? Buffer.from(res.body as Buffer).toString('utf8') : res.text

describe('examples/server.ts run directly', () => {
  const run = (env: Record<string, string>) =>
    spawn(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', 'examples/server.ts'],
      { cwd: root, env: { ...process.env, ...env } },
    )

  /** Start it on a free port; resolves with everything it printed once it is listening. */
  function started(child: ReturnType<typeof run>): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      let text = ''
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString()
        if (text.includes('/logout')) setTimeout(() => resolve(text), 50)
      })
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)))
    })
  }

  test('listens on loopback, prints the page URL and the curl lines, which work as printed', async () => {
    const child = run({ PORT: '0' })
    try {
      const output = await started(child)
      expect(output).toContain('tokens will not survive a restart')
      expect(output).toContain('a restart logs everyone out')
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string
      expect(url).toBeDefined()
      expect(output).toContain(`Open ${url}/ for the demo page`)
      const lines = output
        .split('\n')
        .filter((line) => line.startsWith('  '))
        .map((line) => line.slice(2))
      expect(lines).toEqual(curlLines(url))
      expect(lines.filter((line) => /^(\w+=\$\()?curl /.test(line))).toHaveLength(6)

      // The lines, run as a user would paste them: login, call, refresh, logout, refused.
      const shell = spawn('bash', ['-c', lines.join('\n')])
      let out = ''
      shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      const [code] = (await once(shell, 'exit')) as [number]
      expect(code).toBe(0)
      const answers = out.trim().split('\n')
      expect(JSON.parse(answers[0] as string)).toMatchObject({
        sub: 'bob',
        licensedFeatures: ['todos'],
      })
      expect(out).toMatch(/^HTTP\/1\.1 403 Forbidden\r?$/m)
      expect(out).toContain('"code":"feature_missing"')
      expect(answers.at(-2)).toBe('{}')
      expect(JSON.parse(answers.at(-1) as string)).toMatchObject({ code: 'token_revoked' })

      const page = await fetch(`${url}/`)
      expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    } finally {
      child.kill()
    }
  }, 30_000)

  test('a too-short JWT_SECRET stops it with the package message, not a stack trace', async () => {
    const child = run({ JWT_SECRET: 'short', PORT: '0' })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise((resolve) => child.on('exit', resolve))
    expect(code).toBe(1)
    expect(stderr.trim()).toBe(
      'express-jwt-gate: secret must be at least 32 bytes for HS256 (got 5); make one with generateSecret() or `npx jwt-gate secret`',
    )
  }, 30_000)
})

describe('examples/listen.ts: a server that cannot listen says why, and exits 1', () => {
  /** Run examples/server.ts to its end, 30 s at most, and collect what it printed. */
  async function runToExit(env: Record<string, string>) {
    const child = spawn(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', 'examples/server.ts'],
      {
        cwd: join(__dirname, '..'),
        env: { ...process.env, HOST: '127.0.0.1', JWT_SECRET: SECRET, ...env },
        timeout: 30_000,
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    try {
      const [code] = (await once(child, 'close')) as [number | null]
      return { code, stdout, stderr }
    } finally {
      child.kill()
    }
  }

  test('a port that is taken: one line on stderr, no stack trace, exit code 1', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const { port } = blocker.address() as AddressInfo
    try {
      const result = await runToExit({ PORT: String(port) })
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `express-jwt-gate example: cannot listen on 127.0.0.1:${port}: the port is already in use; stop what holds it, or set PORT to another port (PORT=0 picks a free one)\n`,
      })
    } finally {
      await new Promise((resolve) => blocker.close(resolve))
    }
  }, 35_000)

  test.each(['http', '65536', '3.5', ''])(
    'PORT=%j is refused before listening',
    async (port) => {
      expect(await runToExit({ PORT: port })).toEqual({
        code: 1,
        stdout: '',
        stderr: `express-jwt-gate example: PORT must be a whole number from 0 to 65535 (0 picks a free port); got ${JSON.stringify(port)}\n`,
      })
    },
    35_000,
  )
})

describe('examples/cookie.ts: the token in an HttpOnly cookie', () => {
  test('login sets the cookie; /me reads it; the header is not used', async () => {
    const agent = request.agent(cookieExample.app)
    const login = await agent.post('/login')
    expect(login.headers['set-cookie']?.[0]).toMatch(
      /^token=[\w.-]+; Max-Age=900; .*HttpOnly; SameSite=Strict/,
    )
    const me = await agent.get('/me')
    expect(me.status).toBe(200)
    expect(me.body.sub).toBe('alice')
  })

  test('no cookie, a bad cookie, or a JSON cookie is refused', async () => {
    expect((await request(cookieExample.app).get('/me')).status).toBe(401)
    expect((await request(cookieExample.app).get('/me').set('Cookie', 'token=abc')).body.code).toBe(
      'token_malformed',
    )
    const json = await request(cookieExample.app)
      .get('/me')
      .set('Cookie', 'token=j%3A%7B%22a%22%3A1%7D')
    expect(json.status).toBe(401)
    expect(json.body.code).toBe('credentials_missing')
  })
})

describe('examples/optional-auth.ts: three outcomes', () => {
  const own = optionalAuth.createApp(SECRET)
  test('no credentials: the route runs as a guest', async () => {
    expect((await request(own).get('/greeting')).body).toEqual({ greeting: 'Hello, guest' })
  })
  test('a valid token: the user is set', async () => {
    const token = signToken({ sub: 'alice' }, SECRET)
    expect(
      (await request(own).get('/greeting').set('Authorization', `Bearer ${token}`)).body,
    ).toEqual({
      greeting: 'Hello, alice',
    })
  })
  test('an invalid token: 401, not a guest', async () => {
    const res = await request(own).get('/greeting').set('Authorization', 'Bearer abc')
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('token_malformed')
  })
  test('the exported app works too', async () => {
    expect((await request(optionalAuth.app).get('/greeting')).status).toBe(200)
  })
})

describe('examples/custom-claim.ts: guards over another claim and request property', () => {
  const own = customClaim.createApp(SECRET)
  const as = (permissions: string[]) => `Bearer ${signToken({ permissions }, SECRET)}`

  test('requireFeature reads permissions from req.auth', async () => {
    expect(
      (
        await request(own)
          .get('/reports')
          .set('Authorization', as(['reports:read']))
      ).status,
    ).toBe(200)
    const res = await request(own)
      .delete('/reports/Q4')
      .set('Authorization', as(['reports:read']))
    expect(res.status).toBe(403)
    expect(res.headers['www-authenticate']).toContain('scope="reports:read reports:delete"')
    expect(
      (
        await request(own)
          .delete('/reports/Q4')
          .set('Authorization', as(['reports:read', 'reports:delete']))
      ).status,
    ).toBe(204)
  })

  test('requireAnyFeature takes either', async () => {
    expect(
      (
        await request(own)
          .get('/dashboard')
          .set('Authorization', as(['dashboard']))
      ).status,
    ).toBe(200)
    expect((await request(own).get('/dashboard').set('Authorization', as([]))).status).toBe(403)
  })

  test('licensedFeatures is not read here', async () => {
    const token = signToken({ licensedFeatures: ['reports:read'] }, SECRET)
    expect(
      (await request(own).get('/reports').set('Authorization', `Bearer ${token}`)).status,
    ).toBe(403)
  })

  test('the exported app refuses anonymous requests', async () => {
    expect((await request(customClaim.app).get('/reports')).status).toBe(401)
  })
})

describe('examples/quick-start.ts: the README quick start', () => {
  // It reads JWT_SECRET when loaded, as the README shows, so load it with one set.
  let quickStart: typeof QuickStart
  beforeAll(() => {
    process.env.JWT_SECRET = SECRET
    jest.isolateModules(() => {
      quickStart = jest.requireActual<typeof QuickStart>('../examples/quick-start')
    })
    delete process.env.JWT_SECRET
  })

  test('login, then /me and the guarded /invoices', async () => {
    const { app: qs } = quickStart
    const login = await request(qs).post('/login')
    expect(login.status).toBe(200)
    const auth = `Bearer ${login.body.token}`
    const me = await request(qs).get('/me').set('Authorization', auth)
    expect(me.body).toMatchObject({ userId: 1001, licensedFeatures: ['invoicing'] })
    expect(me.body.exp - me.body.iat).toBe(900)
    expect((await request(qs).get('/invoices').set('Authorization', auth)).body).toEqual({
      owner: 1001,
      invoices: [],
    })
  })

  test('without a token: 401 JSON from authErrorHandler', async () => {
    const res = await request(quickStart.app).get('/invoices')
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('credentials_missing')
  })

  test('a token without the feature: 403', async () => {
    const token = signToken({ userId: 2, licensedFeatures: [] }, SECRET)
    const res = await request(quickStart.app)
      .get('/invoices')
      .set('Authorization', `Bearer ${token}`)
    expect(res.status).toBe(403)
  })
})

describe('examples/typed-claims.ts: a zod schema for the payload', () => {
  const own = typedClaims.createApp(SECRET)
  const as = (claims: Record<string, unknown>) => `Bearer ${signToken(claims, SECRET)}`

  test('a matching payload reaches the route as the schema output', async () => {
    const res = await request(own)
      .get('/tenant')
      .set('Authorization', as({ sub: 'alice', tenantId: 't-1', roles: ['admin'] }))
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ tenant: 't-1', admin: true })
    const member = await request(own)
      .get('/tenant')
      .set('Authorization', as({ sub: 'bob', tenantId: 't-2' }))
    expect(member.body).toEqual({ tenant: 't-2', admin: false })
  })

  test('a payload that does not match is 401 claim_invalid, naming the claim', async () => {
    const res = await request(own)
      .get('/tenant')
      .set('Authorization', as({ sub: 'alice', tenantId: 'acme' }))
    expect(res.status).toBe(401)
    expect(res.body).toEqual({
      error: 'invalid_token',
      error_description: 'tenantId claim is invalid',
      code: 'claim_invalid',
    })
  })

  test('its module-level app runs with a generated secret', async () => {
    expect((await request(typedClaims.app).get('/tenant')).status).toBe(401)
  })
})

describe('the admin route: POST /admin/users/:name/logout', () => {
  test('logs a user out everywhere; only an admin may; an unknown user is 404', async () => {
    const own = createApp(SECRET)
    const admin = (await login('alice', own)).access_token
    const phone = await login('bob', own)
    const laptop = await login('bob', own)
    const refused = await request(own)
      .post('/admin/users/bob/logout')
      .set(bearer(phone.access_token))
    expect(refused.status).toBe(403)
    const unknown = await request(own).post('/admin/users/mallory/logout').set(bearer(admin))
    expect(unknown.status).toBe(404)
    const done = await request(own).post('/admin/users/bob/logout').set(bearer(admin))
    expect(done.body).toEqual({ user: 'bob', loggedOut: true })
    for (const tokens of [phone, laptop]) {
      const me = await request(own).get('/me').set(bearer(tokens.access_token))
      expect(me.body.code).toBe('token_revoked')
      const refresh = await refreshWith(own, tokens.refresh_token)
      expect(refresh.body.code).toBe('session_revoked')
    }
    expect((await request(own).get('/me').set(bearer(admin))).status).toBe(200)
  })
})
