import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import request from 'supertest'
import { signToken } from 'express-jwt-gate'
import * as cookieExample from '../examples/cookie'
import * as customClaim from '../examples/custom-claim'
import * as optionalAuth from '../examples/optional-auth'
import * as typedClaims from '../examples/typed-claims'
import type * as QuickStart from '../examples/quick-start'
import { app, createApp, USERS } from '../examples/server'
import { b64, SECRET } from './helpers/tokens'

async function login(username: string): Promise<string> {
  const res = await request(app).post('/login').send({ username })
  expect(res.status).toBe(200)
  return (res.body as { token: string }).token
}

describe('examples/server.ts: the example API', () => {
  test('GET /health needs no token', async () => {
    const res = await request(app).get('/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok' })
  })

  test('POST /login gives a 15-minute token with the user and features', async () => {
    const res = await request(app).post('/login').send({ username: 'alice' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ token: expect.any(String), expiresIn: 900 })
    const me = await request(app).get('/me').set('Authorization', `Bearer ${res.body.token}`)
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ sub: 'alice', licensedFeatures: [...(USERS.alice ?? [])] })
    expect(me.body.exp - me.body.iat).toBe(900)
  })

  test.each([
    ['an unknown user', { username: 'mallory' }, 401],
    ['an inherited name', { username: 'constructor' }, 401],
    ['no username', {}, 400],
    ['a non-string username', { username: ['alice'] }, 400],
  ])('POST /login with %s is a JSON error', async (_name, body, status) => {
    const res = await request(app).post('/login').send(body)
    expect(res.status).toBe(status)
    expect(res.headers['content-type']).toMatch(/json/)
    expect(res.body.error).toEqual(expect.any(String))
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

  test('each route requires its feature', async () => {
    const alice = `Bearer ${await login('alice')}`
    const bob = `Bearer ${await login('bob')}`
    for (const route of ['/todos', '/calendar', '/invoices']) {
      expect((await request(app).get(route).set('Authorization', alice)).status).toBe(200)
    }
    expect((await request(app).get('/todos').set('Authorization', bob)).status).toBe(200)
    for (const route of ['/calendar', '/invoices']) {
      const res = await request(app).get(route).set('Authorization', bob)
      expect(res.status).toBe(403)
      expect(res.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'feature not licensed',
        code: 'feature_missing',
      })
      expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"')
    }
  })

  test("the seed's attack: bob adds invoicing to his own token and is refused", async () => {
    const token = await login('bob')
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      licensedFeatures: string[]
    }
    expect(claims.licensedFeatures).toEqual(['todos'])
    const forged = `${header}.${b64({ ...claims, licensedFeatures: ['todos', 'invoicing'] })}.${signature}`
    const res = await request(app).get('/invoices').set('Authorization', `Bearer ${forged}`)
    expect(res.status).toBe(401)
    expect(res.body).toEqual({
      error: 'invalid_token',
      error_description: 'signature invalid',
      code: 'signature_invalid',
    })
    expect(res.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="signature invalid"',
    )
  })

  test('no token: 401 with a bare challenge and a JSON body', async () => {
    const res = await request(app).get('/me')
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe('Bearer')
    expect(res.body.code).toBe('credentials_missing')
  })

  test('an expired token is refused', async () => {
    const own = createApp(SECRET)
    const expired = signToken({ sub: 'alice', licensedFeatures: ['todos'] }, SECRET, {
      expiresIn: -1,
    })
    const res = await request(own).get('/todos').set('Authorization', `Bearer ${expired}`)
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('token_expired')
  })

  test('createApp refuses a short secret with the package message', () => {
    expect(() => createApp('short')).toThrow(
      'express-jwt-gate: secret must be at least 32 bytes for HS256',
    )
  })
})

describe('examples/server.ts run directly', () => {
  const run = (env: Record<string, string>) =>
    spawn(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', 'examples/server.ts'],
      {
        cwd: join(__dirname, '..'),
        env: { ...process.env, ...env },
      },
    )

  test('listens on loopback, prints the URL and the curl lines, and serves', async () => {
    const child = run({ PORT: '0' })
    try {
      const output = await new Promise<string>((resolve, reject) => {
        let text = ''
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString()
          if (text.includes('/invoices')) resolve(text)
        })
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${text}`)))
      })
      expect(output).toContain('tokens will not survive a restart')
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string
      expect(url).toBeDefined()
      expect(output.match(/^ {2}(TOKEN=\$\(curl|curl) /gm)).toHaveLength(3)
      const health = await fetch(`${url}/health`)
      expect(await health.json()).toEqual({ status: 'ok' })
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
