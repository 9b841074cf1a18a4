import type { BrowserContext } from 'puppeteer-core'
import type * as Gate from 'express-jwt-gate/client'
import type { AuthServer } from '../helpers/auth-server'
import { CLIENT_MODULE_PATH, openPage, startHarness, startPageServer } from '../helpers/browser'
import type { OpenedPage } from '../helpers/browser'

/**
 * The client's own scenarios in a real headless Chromium: the page imports the built
 * dist/client/index.mjs as an ES module, a real Express server answers, and both the
 * page's network (puppeteer's request events) and the server's counters are checked.
 */

/**
 * The page's globals, as the callbacks below use them inside the page. Declared here
 * rather than with the DOM library, which the project's program leaves out so that
 * server code cannot lean on browser types by mistake.
 */
declare const window: {
  gate: typeof Gate
  auth: Gate.AuthClient
  reasons: string[]
  log(line: string): void
}
declare const document: {
  cookie: string
  getElementById(id: string): { textContent: string | null }
}

/** The test page: loads the bundle, shows a log. Nothing on it ever shows a token. */
const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>express-jwt-gate/client in Chromium</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 2rem; max-width: 44rem }
  #status { font-weight: bold } pre { background: #f3f3f3; padding: 1rem; min-height: 6rem }
</style>
<h1>express-jwt-gate/client</h1>
<p>Status: <span id="status">loading…</span></p>
<pre id="log"></pre>
<script type="module">
  import * as gate from '${CLIENT_MODULE_PATH}'
  window.gate = gate
  window.reasons = []
  window.log = (line) => { document.getElementById('log').textContent += line + '\\n' }
  document.getElementById('status').textContent = 'module loaded'
  document.body.dataset.ready = 'yes'
</script>
</html>`

let harness: Awaited<ReturnType<typeof startHarness>>
let bearer: AuthServer
let cookie: AuthServer
let context: BrowserContext
let opened: OpenedPage

beforeAll(async () => {
  harness = await startHarness({ pages: { '/': PAGE } })
  bearer = harness.server
  cookie = await startPageServer({ pages: { '/': PAGE }, cookieMode: true })
})
afterAll(async () => {
  // Each one closed even if another fails to.
  await Promise.allSettled([harness?.close(), cookie?.close()])
})

/** A fresh tab in a fresh cookie jar, with the module loaded. */
async function open(server: AuthServer): Promise<OpenedPage> {
  context = await harness.browser.createBrowserContext()
  opened = await openPage(context, `${server.origin}/`)
  await opened.page.waitForSelector('body[data-ready="yes"]')
  return opened
}
afterEach(async () => {
  await context?.close()
  for (const server of [bearer, cookie]) {
    Object.assign(server.knobs, {
      failRefresh: undefined,
      refreshBody: undefined,
      refreshDelayMs: 0,
      alwaysStale: false,
    })
    server.seen.length = 0
    for (const path of Object.keys(server.counts)) delete server.counts[path]
  }
})

/** In the page: a client for the page's own endpoints, signed in through /auth/login. */
async function signIn({ page }: OpenedPage): Promise<void> {
  await page.evaluate(async () => {
    const auth = window.gate.createAuthClient({
      refreshUrl: '/auth/refresh',
      logoutUrl: '/auth/logout',
      onLoggedOut: (reason) => {
        window.reasons.push(reason)
        window.log(`logged out: ${reason}`)
        document.getElementById('status').textContent = 'logged out'
      },
    })
    const login = await fetch('/auth/login', { method: 'POST' })
    auth.setTokens((await login.json()) as Gate.TokenResponse)
    window.auth = auth
    window.log('signed in')
    document.getElementById('status').textContent = 'signed in'
  })
}

const apiRequests = (page: OpenedPage) => page.requests.filter((r) => r.path === '/api/me')

describe('express-jwt-gate/client in Chromium', () => {
  test('the bundle loads as an ES module and decodes in the page', async () => {
    const page = await open(bearer)
    const decoded = await page.page.evaluate(() => {
      const payload = btoa(String.fromCharCode(...new TextEncoder().encode('{"name":"Zoë 山田"}')))
      const token = `eyJhbGciOiJIUzI1NiJ9.${payload.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.c2ln`
      return window.gate.decodeToken(token).payload
    })
    expect(decoded).toEqual({ name: 'Zoë 山田' })
    expect(page.count(CLIENT_MODULE_PATH)).toBe(1)
    expect(page.errors).toEqual([])
  })

  test('single flight: five requests refused together cause one refresh, then all succeed', async () => {
    const page = await open(bearer)
    await signIn(page)
    bearer.makeStale()
    bearer.knobs.refreshDelayMs = 150
    const statuses = await page.page.evaluate(async () => {
      const all = await Promise.all(
        Array.from({ length: 5 }, () => window.auth.fetch('/api/me').then((r) => r.status)),
      )
      window.log(`five requests: ${all.join(' ')}`)
      return all
    })
    expect(statuses).toEqual([200, 200, 200, 200, 200])
    expect(page.count('/auth/refresh')).toBe(1)
    expect(bearer.count('/auth/refresh')).toBe(1)
    const api = apiRequests(page)
    expect(api).toHaveLength(10)
    const [before, after] = [api.slice(0, 5), api.slice(5)].map(
      (batch) => new Set(batch.map((r) => r.headers.authorization)),
    )
    expect(before?.size).toBe(1)
    expect(after?.size).toBe(1)
    expect([...(after ?? [])][0]).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    expect(after).not.toEqual(before)
    const refresh = page.requests.find((r) => r.path === '/auth/refresh')
    expect(refresh?.headers['content-type']).toBe('application/json')
    expect(JSON.parse(refresh?.postData ?? '')).toMatchObject({ grant_type: 'refresh_token' })
    await page.screenshot('client-single-flight')
    expect(page.errors).toEqual([])
  })

  test('retries once: a retry refused again comes back as is, with no loop', async () => {
    const page = await open(bearer)
    await signIn(page)
    bearer.knobs.alwaysStale = true
    const result = await page.page.evaluate(async () => {
      const res = await window.auth.fetch('/api/me')
      const body = (await res.json()) as { code: string }
      window.log(`stale again: ${res.status} ${body.code}`)
      return { status: res.status, code: body.code, challenge: res.headers.get('www-authenticate') }
    })
    expect(result).toEqual({
      status: 401,
      code: 'token_stale',
      challenge: expect.stringMatching(/^Bearer error="invalid_token"/),
    })
    expect(apiRequests(page)).toHaveLength(2)
    expect(page.count('/auth/refresh')).toBe(1)
    await page.screenshot('client-retry-once')
  })

  test('a refresh refused for good: onLoggedOut once, tokens gone, no more refreshes', async () => {
    const page = await open(bearer)
    await signIn(page)
    bearer.makeStale()
    bearer.knobs.failRefresh = { status: 400, code: 'session_revoked' }
    bearer.knobs.refreshDelayMs = 100
    const result = await page.page.evaluate(async () => {
      const statuses = await Promise.all(
        [1, 2, 3].map(() => window.auth.fetch('/api/me').then((r) => r.status)),
      )
      const later = await window.auth.fetch('/api/me')
      return { statuses, later: later.status, reasons: window.reasons, token: window.auth.token() }
    })
    expect(result).toEqual({
      statuses: [401, 401, 401],
      later: 401,
      reasons: ['session_revoked'],
      token: undefined,
    })
    expect(page.count('/auth/refresh')).toBe(1)
    expect(apiRequests(page).at(-1)?.headers.authorization).toBeUndefined()
    const status = await page.page.evaluate(() => document.getElementById('status').textContent)
    expect(status).toBe('logged out')
    await page.screenshot('client-logged-out')
  })

  test('cookie mode: the HttpOnly refresh cookie survives a reload and refreshes the session', async () => {
    const page = await open(cookie)
    const login = await page.page.evaluate(async () => {
      const res = await fetch('/auth/login', { method: 'POST', credentials: 'include' })
      const body = (await res.json()) as Record<string, unknown>
      return { keys: Object.keys(body).sort(), scriptCookies: document.cookie }
    })
    expect(login.keys).toEqual(['access_token', 'expires_in', 'token_type'])
    expect(login.scriptCookies).not.toContain('refresh_token')
    const jar = await context.cookies()
    expect(jar.find((c) => c.name === 'refresh_token')).toMatchObject({
      httpOnly: true,
      path: '/auth',
      sameSite: 'Strict',
    })

    // A reload loses everything in memory; the cookie stays, out of the script's reach.
    await page.page.reload({ waitUntil: 'load' })
    await page.page.waitForSelector('body[data-ready="yes"]')
    page.requests.length = 0
    const me = await page.page.evaluate(async () => {
      window.auth = window.gate.createAuthClient({
        refreshUrl: '/auth/refresh',
        logoutUrl: '/auth/logout',
        credentials: 'include',
        onLoggedOut: (reason) => void window.reasons.push(reason),
      })
      const res = await window.auth.fetch('/api/me')
      window.log(`after reload: ${res.status}`)
      return res.json()
    })
    expect(me).toEqual({ sub: 'alice', custom: null })
    expect(page.requests.map((r) => r.path)).toEqual(['/auth/refresh', '/api/me'])
    expect(page.requests[0]?.postData).toBe('{"grant_type":"refresh_token"}')
    expect(page.requests[0]?.headers['content-type']).toBe('application/json')
    expect(page.requests[1]?.headers.authorization).toMatch(/^Bearer /)
    expect(cookie.seen.find((r) => r.path === '/auth/refresh')).toMatchObject({
      cookie: true,
      body: { grant_type: 'refresh_token' },
    })
    await page.screenshot('client-cookie-mode')

    // Logout clears the cookie; after another reload the refresh is refused, once.
    await page.page.evaluate(() => window.auth.logout())
    expect((await context.cookies()).some((c) => c.name === 'refresh_token')).toBe(false)
    await page.page.reload({ waitUntil: 'load' })
    await page.page.waitForSelector('body[data-ready="yes"]')
    const after = await page.page.evaluate(async () => {
      const auth = window.gate.createAuthClient({
        refreshUrl: '/auth/refresh',
        credentials: 'include',
        onLoggedOut: (reason) => void window.reasons.push(reason),
      })
      const statuses = [(await auth.fetch('/api/me')).status, (await auth.fetch('/api/me')).status]
      return { statuses, reasons: window.reasons }
    })
    expect(after).toEqual({ statuses: [401, 401], reasons: ['refresh_token_invalid'] })
    expect(page.errors).toEqual([])
  })
})
