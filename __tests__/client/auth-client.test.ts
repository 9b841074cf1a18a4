import { createServer } from 'node:net'
import { Readable } from 'node:stream'
import type { AddressInfo, Socket } from 'node:net'
import { createAuthClient } from 'express-jwt-gate/client'
import type { AuthClientOptions, FetchFunction } from 'express-jwt-gate/client'
import { startAuthServer } from '../helpers/auth-server'
import type { AuthServer, AuthServerOptions } from '../helpers/auth-server'

/**
 * The client against a real Express server on a loopback port, through Node's real
 * fetch. Only the clock is the test's: `clock` moves time on the client's side, and
 * `server.advance()` on the server's.
 */

let server: AuthServer
let clock: number
const cleanups: (() => Promise<void>)[] = []

async function serve(options?: AuthServerOptions): Promise<AuthServer> {
  const started = await startAuthServer(options)
  cleanups.push(() => started.close())
  return started
}

beforeEach(async () => {
  clock = Date.now()
  server = await serve()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const url = (path: string) => `${server.origin}${path}`

function client(options: Partial<AuthClientOptions> = {}) {
  return createAuthClient({
    refreshUrl: url('/auth/refresh'),
    logoutUrl: url('/auth/logout'),
    now: () => clock,
    ...options,
  })
}

/** A client holding a fresh session of the server, as after a login. */
function signedIn(options: Partial<AuthClientOptions> = {}) {
  const auth = client(options)
  auth.setTokens(server.issue() as never)
  return auth
}

const refreshes = () => server.count('/auth/refresh')
const apiCalls = () => server.seen.filter((r) => r.path.startsWith('/api/'))

describe('sending the access token', () => {
  test('adds Authorization: Bearer to requests for the refresh endpoint origin', async () => {
    const auth = signedIn()
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ sub: 'alice', custom: null })
    expect(apiCalls()[0]?.authorization).toBe(`Bearer ${auth.token()}`)
    expect(refreshes()).toBe(0)
  })

  test.each([
    ['a plain object', { 'X-Custom': 'kept' }],
    ['a Headers instance', new Headers({ 'X-Custom': 'kept' })],
    ['an array of pairs', [['X-Custom', 'kept']] as [string, string][]],
  ])('keeps the other headers given as %s, and the method and body', async (_form, headers) => {
    const auth = signedIn()
    const res = await auth.fetch(url('/api/echo'), {
      method: 'POST',
      headers: { ...Object.fromEntries(new Headers(headers)), 'Content-Type': 'text/plain' },
      body: 'hello',
    })
    expect(await res.json()).toEqual({ body: 'hello', contentType: 'text/plain', custom: 'kept' })
    const res2 = await auth.fetch(url('/api/me'), { headers })
    expect(await res2.json()).toEqual({ sub: 'alice', custom: 'kept' })
    expect(apiCalls().every((r) => r.authorization === `Bearer ${auth.token()}`)).toBe(true)
  })

  test('keeps the headers and body of a Request object, and init.headers replace them as fetch does', async () => {
    const auth = signedIn()
    const request = new Request(url('/api/echo'), {
      method: 'POST',
      headers: { 'X-Custom': 'from-request', 'Content-Type': 'text/plain' },
      body: 'from a Request',
    })
    expect(await (await auth.fetch(request)).json()).toEqual({
      body: 'from a Request',
      contentType: 'text/plain',
      custom: 'from-request',
    })
    const me = new Request(url('/api/me'), { headers: { 'X-Custom': 'from-request' } })
    const replaced = await auth.fetch(me, { headers: { 'X-Custom': 'from-init' } })
    expect(await replaced.json()).toEqual({ sub: 'alice', custom: 'from-init' })
    expect(apiCalls().map((r) => r.authorization)).toEqual([
      `Bearer ${auth.token()}`,
      `Bearer ${auth.token()}`,
    ])
  })

  test('a request that already has an Authorization header is sent as it is', async () => {
    const auth = signedIn()
    server.makeStale()
    const res = await auth.fetch(url('/api/me'), { headers: { Authorization: 'Bearer other' } })
    expect(res.status).toBe(401)
    expect(apiCalls().map((r) => r.authorization)).toEqual(['Bearer other'])
    expect(refreshes()).toBe(0)
  })

  test('never sends the token to another origin unless origins lists it', async () => {
    const other = await serve()
    const auth = signedIn()
    await auth.fetch(`${other.origin}/api/me`)
    expect(other.seen[0]?.authorization).toBeUndefined()

    const trusting = signedIn({ origins: [server.origin, other.origin] })
    expect((await trusting.fetch(`${other.origin}/auth/login`, { method: 'POST' })).status).toBe(
      200,
    )
    expect(other.seen[1]?.authorization).toBe(`Bearer ${trusting.token()}`)
  })

  test('an unparsable URL goes to fetch untouched, which refuses it', async () => {
    const auth = signedIn()
    await expect(auth.fetch('not a url')).rejects.toMatchObject({ name: 'TypeError' })
    expect(server.seen).toEqual([])
  })

  test('without tokens and without cookie mode it sends no Authorization and does not refresh', async () => {
    const auth = client()
    expect(auth.token()).toBeUndefined()
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(401)
    expect(((await res.json()) as { code: string }).code).toBe('credentials_missing')
    expect(apiCalls()[0]?.authorization).toBeUndefined()
    expect(refreshes()).toBe(0)
  })
})

describe('setTokens', () => {
  test('takes the RFC 6749 shape and refreshes with its refresh_token', async () => {
    const auth = client()
    const issued = server.issue('bob', 'rfc6749')
    auth.setTokens(issued as never)
    expect(auth.token()).toBe(issued.access_token)
    server.makeStale()
    expect((await auth.fetch(url('/api/me'))).status).toBe(200)
    const refresh = server.seen.find((r) => r.path === '/auth/refresh')
    expect(refresh?.body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
    })
    expect(refresh?.contentType).toMatch(/^application\/json/)
  })

  test('takes the camelCase shape of sessions.issue() and refreshes with its refreshToken', async () => {
    const auth = client()
    const issued = server.issue('carol', 'camel')
    auth.setTokens(issued as never)
    expect(auth.token()).toBe(issued.accessToken)
    server.makeStale()
    const res = await auth.fetch(url('/api/me'))
    expect(await res.json()).toEqual({ sub: 'carol', custom: null })
    expect(server.seen.find((r) => r.path === '/auth/refresh')?.body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: issued.refreshToken,
    })
  })

  test('a new session does not inherit the refresh token of the previous one', async () => {
    const auth = signedIn()
    const { access_token } = server.issue()
    auth.setTokens({ access_token: access_token as string, token_type: 'bearer', expires_in: 60 })
    server.makeStale()
    expect((await auth.fetch(url('/api/me'))).status).toBe(401)
    expect(refreshes()).toBe(0)
  })
})

describe('proactive refresh', () => {
  test('refreshes before sending once the token is within refreshBefore of expiring', async () => {
    const auth = signedIn({ refreshBefore: 30 })
    const first = auth.token()
    clock += (600 - 31) * 1000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(0)
    clock += 2000
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(200)
    expect(refreshes()).toBe(1)
    expect(auth.token()).not.toBe(first)
    // The refresh went first: the API never saw the old token after it.
    expect(server.seen.map((r) => r.path)).toEqual(['/api/me', '/auth/refresh', '/api/me'])
    expect(apiCalls()[1]?.authorization).toBe(`Bearer ${auth.token()}`)
  })

  test('refreshBefore defaults to 30 seconds', async () => {
    const auth = signedIn()
    clock += (600 - 31) * 1000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(0)
    clock += 2000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(1)
  })

  test('counts expiry from when the response arrived, on the client clock, whatever exp says', async () => {
    // The client clock is a day behind the server's: exp would say "expired long ago".
    clock -= 86_400_000
    const auth = signedIn()
    await auth.fetch(url('/api/me'))
    clock += 500_000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(0)
    clock += 80_000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(1)
  })

  test('never refreshes earlier than half the lifetime of a short-lived token', async () => {
    const auth = client({ refreshBefore: 300 })
    const { access_token, refresh_token } = server.issue()
    auth.setTokens({
      access_token: access_token as string,
      token_type: 'Bearer',
      expires_in: 20,
      refresh_token: refresh_token as string,
    })
    await auth.fetch(url('/api/me'))
    clock += 9_000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(0)
    clock += 2_000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(1)
  })

  test("falls back to the token's exp when the response has no expires_in", async () => {
    const auth = client()
    const { access_token, refresh_token } = server.issue()
    auth.setTokens({
      access_token: access_token as string,
      token_type: 'Bearer',
      refresh_token: refresh_token as string,
    })
    clock += 560_000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(0)
    clock += 20_000
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(1)
  })

  test('a JWT with neither expires_in nor exp is refreshed only when the API refuses it', async () => {
    const auth = client()
    const noExp = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.e30.c2ln`
    auth.setTokens({ access_token: noExp, token_type: 'Bearer', refresh_token: 'x' })
    clock += 365 * 86_400_000
    expect((await auth.fetch(url('/api/me'))).status).toBe(401)
    expect(refreshes()).toBe(0)
  })

  test('an opaque token without expires_in is refreshed only when the API refuses it', async () => {
    const auth = client()
    auth.setTokens({ access_token: 'opaque', token_type: 'Bearer', refresh_token: 'x' })
    clock += 365 * 86_400_000
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(401) // not a JWT: the API answers token_malformed, not stale
    expect(refreshes()).toBe(0)
  })
})

describe('a 401 the refresh can cure', () => {
  test('token_stale: one refresh, one retry with the new token', async () => {
    const auth = signedIn()
    const before = auth.token()
    server.makeStale()
    const res = await auth.fetch(url('/api/me'), { headers: { 'X-Custom': 'kept' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ sub: 'alice', custom: 'kept' })
    expect(refreshes()).toBe(1)
    expect(apiCalls().map((r) => r.authorization)).toEqual([
      `Bearer ${before}`,
      `Bearer ${auth.token()}`,
    ])
  })

  test('token_expired by the server clock: one refresh, one retry', async () => {
    const auth = signedIn()
    server.advance(601)
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(200)
    expect(refreshes()).toBe(1)
    expect(apiCalls()).toHaveLength(2)
  })

  test('replays a POST body and a Request object on the retry', async () => {
    const auth = signedIn()
    server.makeStale()
    const res = await auth.fetch(url('/api/echo'), {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'once more',
    })
    expect(await res.json()).toEqual({ body: 'once more', contentType: 'text/plain', custom: null })
    server.makeStale()
    const request = new Request(url('/api/echo'), { method: 'POST', body: 'in a Request' })
    const res2 = await auth.fetch(request)
    expect(((await res2.json()) as { body: string }).body).toBe('in a Request')
    expect(refreshes()).toBe(2)
    expect(apiCalls()).toHaveLength(4)
  })

  test('a retry that is refused again is returned as it is, with no second refresh', async () => {
    const auth = signedIn()
    server.knobs.alwaysStale = true
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/)
    expect(await res.json()).toMatchObject({ error: 'invalid_token', code: 'token_stale' })
    expect(refreshes()).toBe(1)
    expect(apiCalls()).toHaveLength(2)
  })

  test.each([
    ['token_revoked', 401],
    ['feature_missing', 403],
  ])('other refusals (%s) are returned without a refresh', async (code, status) => {
    server = await serve({
      routes: (app) =>
        app.get('/api/refuse', (_req, res) => {
          res.status(status).json({ error: 'x', code })
        }),
    })
    const auth = signedIn()
    const res = await auth.fetch(url('/api/refuse'))
    expect(res.status).toBe(status)
    expect(await res.json()).toEqual({ error: 'x', code })
    expect(refreshes()).toBe(0)
  })

  test('a 401 whose body is not JSON is returned without a refresh', async () => {
    server = await serve({
      routes: (app) => app.get('/api/html', (_req, res) => void res.status(401).send('<p>no</p>')),
    })
    const auth = signedIn()
    const res = await auth.fetch(url('/api/html'))
    expect(await res.text()).toBe('<p>no</p>')
    expect(refreshes()).toBe(0)
  })

  test('a streamed body is not replayed: the 401 comes back, the token is refreshed for next time', async () => {
    const auth = signedIn()
    const before = auth.token()
    server.makeStale()
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'))
        controller.close()
      },
    })
    // Fetch sends a stream body only with duplex: 'half'.
    const init = { method: 'POST', body, duplex: 'half' as const }
    const res = await auth.fetch(url('/api/echo'), init)
    expect(res.status).toBe(401)
    expect(refreshes()).toBe(1)
    expect(apiCalls()).toHaveLength(1)
    expect(auth.token()).not.toBe(before)
    expect((await auth.fetch(url('/api/me'))).status).toBe(200)
  })

  test('an async iterable body is not replayed either; body: null is', async () => {
    const auth = signedIn()
    server.makeStale()
    // A Node stream: async-iterable, but no getReader.
    const chunks = Readable.from([Buffer.from('iterated')])
    const init = { method: 'POST', body: chunks, duplex: 'half' } as unknown as RequestInit
    expect((await auth.fetch(url('/api/echo'), init)).status).toBe(401)
    expect(apiCalls()).toHaveLength(1)
    server.makeStale()
    expect((await auth.fetch(url('/api/me'), { body: null })).status).toBe(200)
    expect(apiCalls()).toHaveLength(3)
  })
})

describe('single flight', () => {
  test('N requests refused together cause exactly one refresh, and all succeed', async () => {
    const auth = signedIn()
    server.makeStale()
    server.knobs.refreshDelayMs = 100
    const responses = await Promise.all(Array.from({ length: 8 }, () => auth.fetch(url('/api/me'))))
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200))
    expect(refreshes()).toBe(1)
    expect(apiCalls()).toHaveLength(16)
    const retried = new Set(
      apiCalls()
        .slice(8)
        .map((r) => r.authorization),
    )
    expect(retried).toEqual(new Set([`Bearer ${auth.token()}`]))
  })

  test('a refusal that arrives after the refresh finished uses its token instead of refreshing again', async () => {
    const auth = signedIn()
    server.makeStale()
    const slow = auth.fetch(url('/api/me?delay=150'))
    const fast = await auth.fetch(url('/api/me'))
    expect(fast.status).toBe(200)
    expect(refreshes()).toBe(1)
    expect((await slow).status).toBe(200)
    expect(refreshes()).toBe(1)
  })

  test('N requests that all need a proactive refresh share one too', async () => {
    const auth = signedIn()
    clock += 599_000
    server.knobs.refreshDelayMs = 50
    await Promise.all(Array.from({ length: 5 }, () => auth.fetch(url('/api/me'))))
    expect(refreshes()).toBe(1)
    expect(apiCalls()).toHaveLength(5)
  })
})

describe('a refresh refused for good', () => {
  test('forgets the tokens, calls onLoggedOut once with the code, and hands back the 401s', async () => {
    const reasons: string[] = []
    const auth = signedIn({ onLoggedOut: (reason) => reasons.push(reason) })
    server.makeStale()
    server.knobs.failRefresh = { status: 400, code: 'session_revoked' }
    server.knobs.refreshDelayMs = 50
    const responses = await Promise.all(Array.from({ length: 4 }, () => auth.fetch(url('/api/me'))))
    expect(responses.map((r) => r.status)).toEqual([401, 401, 401, 401])
    expect(await responses[0]?.json()).toMatchObject({ code: 'token_stale' })
    expect(reasons).toEqual(['session_revoked'])
    expect(auth.token()).toBeUndefined()
    expect(refreshes()).toBe(1)

    // Logged out: later requests go without a token, and nothing loops.
    const later = await auth.fetch(url('/api/me'))
    expect(((await later.json()) as { code: string }).code).toBe('credentials_missing')
    expect(apiCalls().at(-1)?.authorization).toBeUndefined()
    expect(refreshes()).toBe(1)
    expect(reasons).toHaveLength(1)
  })

  test('a rotated refresh token used twice: the second holder is logged out with refresh_token_reused', async () => {
    const session = server.issue()
    const reasons: string[] = []
    const first = client()
    const copy = client({ onLoggedOut: (reason) => reasons.push(reason) })
    first.setTokens(session as never)
    copy.setTokens(session as never)
    server.makeStale()
    expect((await first.fetch(url('/api/me'))).status).toBe(200)
    expect((await copy.fetch(url('/api/me'))).status).toBe(401)
    expect(reasons).toEqual(['refresh_token_reused'])
    // The reuse ended the whole session, the first holder's too.
    server.makeStale()
    expect((await first.fetch(url('/api/me'))).status).toBe(401)
  })

  test.each([
    [{ status: 400, error: 'invalid_request' }, 'invalid_request'],
    [{ status: 404, error: 7 as unknown as string }, 'http_404'],
  ])('the reason falls back to error, then to the status: %j', async (failure, reason) => {
    const reasons: string[] = []
    const auth = signedIn({ onLoggedOut: (r) => reasons.push(r) })
    server.makeStale()
    server.knobs.failRefresh = failure
    await auth.fetch(url('/api/me'))
    expect(reasons).toEqual([reason])
  })

  test('a refusal whose body is not JSON gives the status as the reason', async () => {
    server = await serve({
      routes: (app) => app.post('/auth/refresh', (_req, res) => void res.status(403).send('no')),
    })
    const reasons: string[] = []
    const auth = signedIn({ onLoggedOut: (r) => reasons.push(r) })
    server.makeStale()
    expect((await auth.fetch(url('/api/me'))).status).toBe(401)
    expect(reasons).toEqual(['http_403'])
  })

  test('works without an onLoggedOut callback', async () => {
    const auth = signedIn()
    server.makeStale()
    server.knobs.failRefresh = { status: 400, code: 'refresh_token_expired' }
    expect((await auth.fetch(url('/api/me'))).status).toBe(401)
    expect(auth.token()).toBeUndefined()
  })

  test('setTokens starts a new session after it', async () => {
    const auth = signedIn()
    server.makeStale()
    server.knobs.failRefresh = { status: 400, code: 'session_revoked' }
    await auth.fetch(url('/api/me'))
    server.knobs.failRefresh = undefined
    auth.setTokens(server.issue() as never)
    expect((await auth.fetch(url('/api/me'))).status).toBe(200)
  })
})

describe('a transient refresh failure', () => {
  test.each([
    ['503 with Retry-After', { status: 503, retryAfter: 5 }],
    ['500', { status: 500 }],
    ['429', { status: 429 }],
    ['408', { status: 408 }],
  ])('%s: keeps the tokens, no onLoggedOut, the original 401 back', async (_name, failure) => {
    const reasons: string[] = []
    const auth = signedIn({ onLoggedOut: (r) => reasons.push(r) })
    const token = auth.token()
    server.makeStale()
    server.knobs.failRefresh = failure
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ code: 'token_stale' })
    expect(auth.token()).toBe(token)
    expect(reasons).toEqual([])
    expect(refreshes()).toBe(1)
    expect(apiCalls()).toHaveLength(1)

    // Once the server is back, the next request refreshes and succeeds.
    server.knobs.failRefresh = undefined
    expect((await auth.fetch(url('/api/me'))).status).toBe(200)
    expect(refreshes()).toBe(2)
  })

  test('a network error is transient too', async () => {
    const closed = await freePort()
    const reasons: string[] = []
    const auth = signedIn({
      refreshUrl: `http://127.0.0.1:${closed}/auth/refresh`,
      origins: [server.origin],
      onLoggedOut: (r) => reasons.push(r),
    })
    const token = auth.token()
    server.makeStale()
    expect((await auth.fetch(url('/api/me'))).status).toBe(401)
    expect(auth.token()).toBe(token)
    expect(reasons).toEqual([])
  })

  test('a refresh or logout endpoint that never answers is given up after 10 s, as a network error', async () => {
    // Accepts connections and never says a word.
    const sockets = new Set<Socket>()
    const silent = createServer((socket) => sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    })
    const hanging = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`
    // The client's 10 s, asked for and then shortened, so the test need not wait them out.
    const asked: number[] = []
    const timeout = AbortSignal.timeout.bind(AbortSignal)
    const spy = jest.spyOn(AbortSignal, 'timeout').mockImplementation((ms) => {
      asked.push(ms)
      return timeout(100)
    })
    try {
      const reasons: string[] = []
      const auth = signedIn({
        refreshUrl: `${hanging}/auth/refresh`,
        logoutUrl: `${hanging}/auth/logout`,
        origins: [server.origin],
        onLoggedOut: (r) => reasons.push(r),
      })
      const token = auth.token()
      server.makeStale()
      const res = await auth.fetch(url('/api/me'))
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ code: 'token_stale' })
      expect(auth.token()).toBe(token)
      expect(reasons).toEqual([])
      await auth.logout()
      expect(auth.token()).toBeUndefined()
      expect(asked).toEqual([10_000, 10_000])
    } finally {
      spy.mockRestore()
    }
  })

  test('a 200 that is not a token response is transient', async () => {
    const auth = signedIn()
    const token = auth.token()
    server.makeStale()
    server.knobs.refreshBody = { access_token: 'x', token_type: 'MAC' }
    expect((await auth.fetch(url('/api/me'))).status).toBe(401)
    expect(auth.token()).toBe(token)
  })

  test('a failed proactive refresh still sends the current token', async () => {
    const auth = signedIn()
    const token = auth.token()
    clock += 590_000
    server.knobs.failRefresh = { status: 503 }
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(200)
    expect(apiCalls()[0]?.authorization).toBe(`Bearer ${token}`)
  })
})

describe('cookie mode', () => {
  /**
   * Node's fetch keeps no cookies; a browser does. This jar around the real fetch plays
   * the browser's part for `credentials: 'include'` (the browser suite does it for real).
   */
  function cookieJar(): { fetch: FetchFunction; cookies: Map<string, string> } {
    const cookies = new Map<string, string>()
    const fetchWithJar: FetchFunction = async (input, init) => {
      const headers = new Headers(init?.headers)
      if (init?.credentials === 'include' && cookies.size > 0) {
        headers.set('Cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '))
      }
      const res = await fetch(input, { ...init, headers })
      for (const line of res.headers.getSetCookie()) {
        const [pair = ''] = line.split(';')
        const [name = '', value = ''] = pair.split('=')
        if (value === '') cookies.delete(name)
        else cookies.set(name, value)
      }
      return res
    }
    return { fetch: fetchWithJar, cookies }
  }

  beforeEach(async () => {
    server = await serve({ cookieMode: true })
  })

  test('with no token in memory it refreshes first, with an empty grant and the cookie', async () => {
    const jar = cookieJar()
    await jar.fetch(url('/auth/login'), { method: 'POST', credentials: 'include' })
    expect(jar.cookies.has('refresh_token')).toBe(true)
    server.seen.length = 0

    // A page reload: a new client, nothing in memory, the HttpOnly cookie in the browser.
    const auth = client({ credentials: 'include', fetch: jar.fetch })
    const res = await auth.fetch(url('/api/me'))
    expect(res.status).toBe(200)
    expect(server.seen.map((r) => r.path)).toEqual(['/auth/refresh', '/api/me'])
    const refresh = server.seen[0]
    expect(refresh?.body).toEqual({ grant_type: 'refresh_token' })
    expect(refresh?.contentType).toMatch(/^application\/json/)
    expect(refresh?.cookie).toBe(true)
    expect(server.seen[1]?.authorization).toBe(`Bearer ${auth.token()}`)
  })

  test('setTokens without a refresh token still refreshes through the cookie', async () => {
    const jar = cookieJar()
    const login = await jar.fetch(url('/auth/login'), {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ shape: 'camel' }),
    })
    const body = (await login.json()) as Record<string, unknown>
    expect(body).not.toHaveProperty('refreshToken')
    const auth = client({ credentials: 'include', fetch: jar.fetch })
    auth.setTokens(body as never)
    server.makeStale()
    expect((await auth.fetch(url('/api/me'))).status).toBe(200)
    expect(server.seen.filter((r) => r.path === '/auth/refresh').map((r) => r.body)).toEqual([
      { grant_type: 'refresh_token' },
    ])
  })

  test('with no cookie the first refresh is refused: onLoggedOut once, then no more refreshes', async () => {
    const reasons: string[] = []
    const auth = client({ credentials: 'include', onLoggedOut: (r) => reasons.push(r) })
    const responses = await Promise.all([auth.fetch(url('/api/me')), auth.fetch(url('/api/me'))])
    expect(responses.map((r) => r.status)).toEqual([401, 401])
    expect(reasons).toEqual(['refresh_token_invalid'])
    await auth.fetch(url('/api/me'))
    expect(refreshes()).toBe(1)
  })

  test('logout clears the cookie on the server side and in the jar', async () => {
    const jar = cookieJar()
    await jar.fetch(url('/auth/login'), { method: 'POST', credentials: 'include' })
    const auth = client({ credentials: 'include', fetch: jar.fetch })
    expect((await auth.fetch(url('/api/me'))).status).toBe(200)
    await auth.logout()
    expect(jar.cookies.has('refresh_token')).toBe(false)
    expect(server.seen.at(-1)).toMatchObject({
      path: '/auth/logout',
      body: { grant_type: 'refresh_token' },
      cookie: true,
    })
    expect(auth.token()).toBeUndefined()
  })
})

describe('logout', () => {
  test('posts the refresh token to logoutUrl, forgets the tokens, and the session is over', async () => {
    const session = server.issue()
    const auth = client()
    auth.setTokens(session as never)
    await auth.logout()
    expect(auth.token()).toBeUndefined()
    expect(server.seen.at(-1)).toMatchObject({
      method: 'POST',
      path: '/auth/logout',
      body: { grant_type: 'refresh_token', refresh_token: session.refresh_token },
      contentType: expect.stringMatching(/^application\/json/),
    })
    // The server revoked the session: the same refresh token no longer works.
    const again = client()
    again.setTokens(session as never)
    server.makeStale()
    expect((await again.fetch(url('/api/me'))).status).toBe(401)
    // And the logged-out client sends no token, refreshes nothing.
    await auth.fetch(url('/api/me'))
    expect(apiCalls().at(-1)?.authorization).toBeUndefined()
    expect(refreshes()).toBe(1)
  })

  test('is best effort: an unreachable logoutUrl still resolves and forgets the tokens', async () => {
    const auth = signedIn({ logoutUrl: `http://127.0.0.1:${await freePort()}/auth/logout` })
    await expect(auth.logout()).resolves.toBeUndefined()
    expect(auth.token()).toBeUndefined()
  })

  test('without logoutUrl it only forgets the tokens', async () => {
    const auth = createAuthClient({ refreshUrl: url('/auth/refresh') })
    auth.setTokens(server.issue() as never)
    await auth.logout()
    expect(auth.token()).toBeUndefined()
    expect(server.seen).toEqual([])
  })

  test('waits for a refresh under way and logs out with the rotated token', async () => {
    const auth = signedIn()
    server.makeStale()
    server.knobs.refreshDelayMs = 100
    const request = auth.fetch(url('/api/me'))
    await refreshArrived()
    await auth.logout()
    expect(auth.token()).toBeUndefined()
    const refreshBody = server.seen.find((r) => r.path === '/auth/refresh')?.body
    const logoutBody = server.seen.find((r) => r.path === '/auth/logout')?.body
    expect(logoutBody).not.toEqual(refreshBody) // the newer refresh token
    expect((await request).status).toBe(200)
  })
})

/**
 * Until a refresh has reached the server (where `refreshDelayMs` holds it): a fixed
 * sleep raced the API call before it when the machine was busy.
 */
async function refreshArrived(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (server.seen.some((r) => r.path === '/auth/refresh')) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error('no refresh reached the server within 2 s')
}

describe('races with setTokens', () => {
  test('setTokens during a refresh wins over the refresh result', async () => {
    const auth = signedIn()
    server.makeStale()
    server.knobs.refreshDelayMs = 100
    const request = auth.fetch(url('/api/me'))
    await refreshArrived()
    const next = server.issue('dave')
    auth.setTokens(next as never)
    expect((await request).status).toBe(200)
    expect(auth.token()).toBe(next.access_token)
  })

  test('a refresh refused after setTokens replaced the session logs nobody out', async () => {
    const reasons: string[] = []
    const auth = signedIn({ onLoggedOut: (r) => reasons.push(r) })
    server.makeStale()
    server.knobs.refreshDelayMs = 100
    server.knobs.failRefresh = { status: 400, code: 'session_revoked' }
    const request = auth.fetch(url('/api/me'))
    await refreshArrived()
    server.knobs.failRefresh = undefined
    const next = server.issue()
    auth.setTokens(next as never)
    await request
    expect(reasons).toEqual([])
    expect(auth.token()).toBe(next.access_token)
  })
})

describe('relative URLs in a page', () => {
  const original = Object.getOwnPropertyDescriptor(globalThis, 'location')
  afterEach(() => {
    if (original) Object.defineProperty(globalThis, 'location', original)
    else delete (globalThis as { location?: unknown }).location
  })

  test('resolve against the page, as in a browser', async () => {
    Object.defineProperty(globalThis, 'location', {
      value: { href: `${server.origin}/app/page.html` },
      configurable: true,
    })
    const auth = createAuthClient({ refreshUrl: '/auth/refresh', now: () => clock })
    auth.setTokens(server.issue() as never)
    server.makeStale()
    // Node's fetch has no page to resolve against: the test hands it absolute URLs.
    expect((await auth.fetch(url('/api/me'))).status).toBe(200)
    expect(refreshes()).toBe(1)
  })
})

/** A loopback port with nothing listening on it. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}
