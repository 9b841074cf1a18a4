import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { BrowserContext, HTTPRequest, HTTPResponse, Page } from 'puppeteer-core'
import { decodeToken, generateSecret } from 'express-jwt-gate'
import { launchBrowser, SCREENSHOTS, TIMEOUTS } from '../helpers/browser'
import type { LaunchedBrowser } from '../helpers/browser'
import { startServer, stopServer } from '../../scripts/soak/server'
import type { Server } from '../../scripts/soak/server'

/**
 * The demo page (examples/public/, issue 14 §2) walked through step by step in headless
 * Chromium, against the example API started the way `npm start` starts it: its own
 * process, `examples/server.ts` under ts-node, on a port the kernel picks (PORT=0), with
 * the URL read from what it prints. So the page, its strict CSP, the cookie's `Secure`
 * attribute on http://127.0.0.1 and the real bundle are all tested as a user gets them.
 *
 * Each test is one step of the page's story and starts where the previous one ended.
 * Every step checks what the page shows and what the network carried.
 */

/** The page's globals, as the callbacks below use them inside the page (no DOM types here). */
interface PageElement {
  textContent: string | null
  hidden: boolean
  className: string
  dataset: Record<string, string | undefined>
  getAttribute(name: string): string | null
  scrollIntoView(): void
  parentElement: PageElement | null
  scrollTop: number
  scrollHeight: number
}
declare const document: {
  body: PageElement
  cookie: string
  head: { append(node: unknown): void }
  getElementById(id: string): PageElement | null
  querySelectorAll(selector: string): ArrayLike<PageElement>
  createElement(tag: string): { textContent: string }
  addEventListener(type: string, listener: (event: Record<string, string>) => void): void
}
declare const window: {
  getComputedStyle(element: PageElement): { color: string }
  localStorage: { length: number }
  sessionStorage: { length: number }
  violations: string[]
}

/** One request the page sent, and its answer once it came. */
interface Exchange {
  readonly method: string
  readonly url: string
  readonly path: string
  readonly headers: Record<string, string>
  readonly postData: string | undefined
  status?: number
  responseHeaders?: Record<string, string>
  body?: Promise<string>
}

let server: Server
let launched: LaunchedBrowser
let context: BrowserContext
let page: Page
let origin: string
const exchanges: Exchange[] = []
const consoleErrors: string[] = []
const pageErrors: string[] = []

/** What the steps pass on: bob's tokens as the page got them. */
const seen = { firstToken: '', staleToken: '', restoredToken: '', refreshCookie: '' }

beforeAll(async () => {
  server = await startServer('127.0.0.1', generateSecret())
  origin = new URL(server.url).origin
  try {
    launched = await launchBrowser()
    context = await launched.browser.createBrowserContext()
    page = await context.newPage()
    page.setDefaultTimeout(TIMEOUTS.protocolMs)
    page.setDefaultNavigationTimeout(TIMEOUTS.navigationMs)
    await page.setViewport({ width: 1280, height: 900 })
    record(page)
    // Before any of the page's own scripts: collect every CSP violation it reports.
    await page.evaluateOnNewDocument(() => {
      window.violations = []
      document.addEventListener('securitypolicyviolation', (event) => {
        window.violations.push(`${event.violatedDirective} ${event.blockedURI}`)
      })
    })
  } catch (err) {
    await launched?.close()
    await stopServer(server)
    throw err
  }
}, 90_000)

afterAll(async () => {
  // Each one closed even if the other fails to.
  await Promise.allSettled([launched?.close(), server && stopServer(server)])
})

/** Record every request to the API's origin, its answer, and the console's errors. */
function record(on: Page): void {
  const byRequest = new Map<HTTPRequest, Exchange>()
  on.on('request', (request: HTTPRequest) => {
    const url = new URL(request.url())
    if (url.origin !== origin) return
    const exchange: Exchange = {
      method: request.method(),
      url: request.url(),
      path: url.pathname,
      headers: request.headers(),
      postData: request.postData(),
    }
    byRequest.set(request, exchange)
    exchanges.push(exchange)
  })
  on.on('response', (response: HTTPResponse) => {
    const exchange = byRequest.get(response.request())
    if (exchange === undefined) return
    exchange.status = response.status()
    exchange.responseHeaders = response.headers()
    exchange.body = response.text().catch(() => '')
  })
  on.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  on.on('pageerror', (error) => pageErrors.push(String(error)))
}

/** The page itself and its files, which a load or a reload fetches. */
const ASSETS = ['/', '/demo.css', '/demo.mjs', '/client.mjs', '/favicon.svg']
const isAsset = (e: Exchange) => e.method === 'GET' && ASSETS.includes(e.path)

/** The API exchanges from `from` on (not the page's files), as `METHOD /path status`. */
const summary = (from: number) =>
  exchanges
    .slice(from)
    .filter((e) => !isAsset(e))
    .map((e) => `${e.method} ${e.path} ${e.status ?? 'pending'}`)

async function json(exchange: Exchange | undefined): Promise<Record<string, unknown>> {
  expect(exchange?.body).toBeDefined()
  return JSON.parse(await (exchange?.body as Promise<string>)) as Record<string, unknown>
}

/** Click a button and wait until the page has finished what the click started. */
async function click(id: string): Promise<void> {
  const before = await page.evaluate(() => Number(document.body.dataset.actions ?? '0'))
  await page.click(`#${id}`)
  await page.waitForFunction(
    (count: number) => Number(document.body.dataset.actions ?? '0') > count,
    {},
    before,
  )
}

/** The text of an element by id. */
const textOf = (id: string) =>
  page.evaluate((which: string) => document.getElementById(which)?.textContent ?? null, id)

/** Whether an element by id is hidden. */
const hiddenOf = (id: string) =>
  page.evaluate((which: string) => document.getElementById(which)?.hidden ?? null, id)

/** The token the panel shows, joined again from its three coloured parts. */
const shownToken = () =>
  page.evaluate(() =>
    ['jwt-header', 'jwt-payload', 'jwt-signature']
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join('.'),
  )

/** The log's exchanges, as the page shows them. */
const logged = (from = 0) =>
  page.evaluate(
    (start: number) =>
      Array.from(document.querySelectorAll('#wire-log .exchange'))
        .slice(start)
        .map((li) => ({
          actor: li.dataset.actor,
          line: `${li.dataset.method} ${li.dataset.path} ${li.dataset.status} ${li.dataset.code}`,
          text: li.textContent ?? '',
        })),
    from,
  )
const loggedCount = () =>
  page.evaluate(() => document.querySelectorAll('#wire-log .exchange').length)

const refreshCookie = async () =>
  (await context.cookies()).find((cookie) => cookie.name === 'refresh_token')

const screenshot = (name: string) =>
  page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })

describe('the demo page in Chromium, against `npm start`', () => {
  test('it loads under the strict CSP, with the real bundle, and finds no session to restore', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.goto(`${origin}/`, { waitUntil: 'load' })
    await page.waitForSelector('body[data-ready="yes"]')
    const document0 = exchanges.find((e) => e.path === '/')
    expect(document0?.responseHeaders?.['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
    const bundle = exchanges.find((e) => e.path === '/client.mjs')
    expect(bundle?.status).toBe(200)
    expect(bundle?.responseHeaders?.['content-type']).toBe('text/javascript; charset=utf-8')
    expect(await bundle?.body).toContain('function createAuthClient(')
    expect(exchanges.filter(isAsset).map((e) => `${e.path} ${e.status}`)).toEqual(
      expect.arrayContaining(['/ 200', '/demo.css 200', '/demo.mjs 200', '/client.mjs 200']),
    )
    // The page cannot see an HttpOnly cookie, so it asks: the client starts with a
    // refresh, refused (no cookie), and sends the request without a token.
    expect(summary(0)).toEqual(['POST /browser/token 400', 'GET /me 401'])
    expect(await textOf('session-status')).toBe('Not signed in.')
    expect(await hiddenOf('token-view')).toBe(true)
  })

  test('log in as bob: the token in three colours, decoded, with iat and exp as dates', async () => {
    const from = exchanges.length
    await click('login-bob')
    expect(summary(from)).toEqual(['POST /browser/login 200'])
    const login = exchanges[from] as Exchange
    expect(login.headers['content-type']).toBe('application/json')
    expect(login.postData).toBe('{"username":"bob"}')
    const body = await json(login)
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type'])
    // Max-Age is the 7-day idle timeout, rounded down: a millisecond may pass meanwhile.
    expect(login.responseHeaders?.['set-cookie']).toMatch(
      /^refresh_token=[\w-]+\.[\w-]{22}\.[\w-]{43}; Path=\/browser; HttpOnly; Secure; SameSite=Strict; Max-Age=(604800|604799)$/,
    )
    // Chromium keeps a Secure cookie from http://127.0.0.1 (loopback counts as secure),
    // and no script can read it.
    expect(await refreshCookie()).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/browser',
    })
    expect(await page.evaluate(() => document.cookie)).toBe('')

    const token = body.access_token as string
    seen.firstToken = token
    expect(await shownToken()).toBe(token)
    const decoded = decodeToken(token)
    expect(JSON.parse((await textOf('decoded-header')) as string)).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    })
    expect(JSON.parse((await textOf('decoded-payload')) as string)).toEqual(decoded.payload)
    const times = await page.evaluate(() =>
      ['token-iat', 'token-exp'].map((id) => document.getElementById(id)?.getAttribute('datetime')),
    )
    const { iat, exp } = decoded.payload as { iat: number; exp: number }
    expect(times).toEqual([new Date(iat * 1000).toISOString(), new Date(exp * 1000).toISOString()])
    expect(exp - iat).toBe(900)
    const colours = await page.evaluate(() =>
      ['jwt-header', 'jwt-payload', 'jwt-signature'].map((id) => {
        const part = document.getElementById(id)
        return part === null ? '' : window.getComputedStyle(part).color
      }),
    )
    expect(new Set(colours).size).toBe(3)
    expect(await textOf('token-features')).toBe('todos')
    expect(await textOf('session-status')).toBe('Signed in as bob.')
    await screenshot('demo-1-login')
  })

  test('call the API: /todos 200, /calendar and /invoices 403 with their challenge shown', async () => {
    const from = exchanges.length
    const fromLog = await loggedCount()
    for (const route of ['todos', 'calendar', 'invoices']) await click(`call-${route}`)
    expect(summary(from)).toEqual(['GET /todos 200', 'GET /calendar 403', 'GET /invoices 403'])
    for (const exchange of exchanges.slice(from)) {
      expect(exchange.headers.authorization).toBe(`Bearer ${seen.firstToken}`)
    }
    const entries = await logged(fromLog)
    expect(entries.map((e) => e.line)).toEqual([
      'GET /todos 200 ',
      'GET /calendar 403 feature_missing',
      'GET /invoices 403 feature_missing',
    ])
    expect(entries[2]?.text).toContain(
      'WWW-Authenticate: Bearer error="insufficient_scope", error_description="feature not licensed", scope="invoicing"',
    )
    expect(await textOf('api-status')).toBe('/invoices: 403 feature_missing.')
  })

  test('tamper: extraPremiumFeature in the payload, the signature kept, 401 signature_invalid', async () => {
    const from = exchanges.length
    await click('tamper')
    expect(summary(from)).toEqual(['GET /me 401'])
    const sent = (exchanges[from]?.headers.authorization ?? '').replace(/^Bearer /, '')
    const [header, payload, signature] = sent.split('.')
    const original = seen.firstToken.split('.')
    expect([header, signature]).toEqual([original[0], original[2]])
    expect(payload).not.toBe(original[1])
    expect(decodeToken(sent).payload).toEqual({
      ...decodeToken(seen.firstToken).payload,
      licensedFeatures: ['todos', 'extraPremiumFeature'],
    })
    expect(await json(exchanges[from])).toMatchObject({ code: 'signature_invalid' })
    expect(await hiddenOf('forged-view')).toBe(false)
    expect(await textOf('forged-payload')).toBe(payload)
    expect(await textOf('forged-signature')).toBe(signature)
    expect(await textOf('tamper-status')).toMatch(/^401 signature_invalid: /)
    // The page's own token is untouched.
    expect(await shownToken()).toBe(seen.firstToken)
  })

  test('admin grants bob invoicing: one stale 401, one refresh by the client, then 200', async () => {
    let from = exchanges.length
    await click('admin-open')
    expect(summary(from)).toEqual(['POST /login 200'])
    const adminLogin = exchanges[from] as Exchange
    expect(adminLogin.responseHeaders?.['set-cookie']).toBeUndefined()
    const adminToken = (await json(adminLogin)).access_token as string
    expect(decodeToken(adminToken).payload).toMatchObject({ sub: 'alice' })

    from = exchanges.length
    await page.select('#admin-user', 'bob')
    await page.select('#admin-feature', 'invoicing')
    await click('admin-grant')
    expect(summary(from)).toEqual(['POST /admin/users/bob/features 200'])
    const change = exchanges[from] as Exchange
    expect(change.headers.authorization).toBe(`Bearer ${adminToken}`)
    expect(change.postData).toBe('{"grant":"invoicing"}')
    expect(await json(change)).toEqual({ user: 'bob', licensedFeatures: ['todos', 'invoicing'] })
    expect(await textOf('admin-status')).toMatch(/^bob now has todos, invoicing\. /)

    const cookieBefore = (await refreshCookie())?.value
    from = exchanges.length
    const fromLog = await loggedCount()
    await click('call-invoices')
    // Exactly one refresh, between the stale answer and the retry.
    expect(summary(from)).toEqual([
      'GET /invoices 401',
      'POST /browser/token 200',
      'GET /invoices 200',
    ])
    const [stale, refresh, retry] = exchanges.slice(from) as [Exchange, Exchange, Exchange]
    expect(await json(stale)).toMatchObject({ code: 'token_stale' })
    expect(stale.headers.authorization).toBe(`Bearer ${seen.firstToken}`)
    expect(refresh.postData).toBe('{"grant_type":"refresh_token"}')
    expect(refresh.headers['content-type']).toBe('application/json')
    // The browser sent the cookie (without it the answer is 400), and got a new one.
    expect(refresh.responseHeaders?.['set-cookie']).toMatch(
      /^refresh_token=[\w-]+\.[\w-]+\.[\w-]+; /,
    )
    const renewed = (await json(refresh)).access_token as string
    expect(retry.headers.authorization).toBe(`Bearer ${renewed}`)
    expect(decodeToken(renewed).payload).toMatchObject({
      sub: 'bob',
      licensedFeatures: ['todos', 'invoicing'],
    })
    // The refresh token rotated, in the cookie.
    expect((await refreshCookie())?.value).not.toBe(cookieBefore)

    expect((await logged(fromLog)).map((e) => e.line)).toEqual([
      'GET /invoices 401 token_stale',
      'POST /browser/token 200 ',
      'GET /invoices 200 ',
    ])
    expect(await shownToken()).toBe(renewed)
    expect(await textOf('token-features')).toBe('todosinvoicing')
    const added = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#token-features .added')).map((e) => e.textContent),
    )
    expect(added).toEqual(['invoicing'])
    expect(await textOf('token-note')).toBe(
      'A new token: the client refreshed once, by itself, and retried. It now licenses invoicing.',
    )
    expect(await textOf('api-status')).toBe('/invoices: 200 OK (after one refresh).')
    seen.staleToken = seen.firstToken
    seen.firstToken = renewed
    await screenshot('demo-2-claims-changed')
    // The picture for the docs: the new token decoded, the log of the refresh beside it.
    await page.setViewport({ width: 1280, height: 800 })
    await page.evaluate(() => {
      document.getElementById('token-title')?.scrollIntoView()
      const log = document.getElementById('wire-log')?.parentElement
      if (log) log.scrollTop = log.scrollHeight
    })
    await page.screenshot({ path: join(SCREENSHOTS, 'demo.png') })
    await page.setViewport({ width: 1280, height: 900 })
  })

  test('a reload keeps the session: the cookie survives, one refresh gives a new token', async () => {
    const from = exchanges.length
    await page.reload({ waitUntil: 'load' })
    await page.waitForSelector('body[data-ready="yes"]')
    expect(summary(from)).toEqual(['POST /browser/token 200', 'GET /me 200'])
    const restored = await shownToken()
    expect(restored).not.toBe(seen.firstToken)
    expect(decodeToken(restored).payload).toMatchObject({
      sub: 'bob',
      licensedFeatures: ['todos', 'invoicing'],
    })
    expect(await textOf('session-status')).toBe(
      'Signed in as bob (session restored from the cookie).',
    )
    seen.restoredToken = restored
  })

  test('log out: the cookie cleared, the old tokens refused', async () => {
    seen.refreshCookie = (await refreshCookie())?.value ?? ''
    expect(seen.refreshCookie).not.toBe('')
    let from = exchanges.length
    await click('logout')
    expect(summary(from)).toEqual(['POST /browser/logout 200'])
    const logout = exchanges[from] as Exchange
    expect(logout.postData).toBe('{"grant_type":"refresh_token"}')
    expect(logout.responseHeaders?.['set-cookie']).toBe(
      'refresh_token=; Path=/browser; HttpOnly; Secure; SameSite=Strict; Max-Age=0',
    )
    expect(await refreshCookie()).toBeUndefined()
    expect(await hiddenOf('token-view')).toBe(true)
    expect(await textOf('session-status')).toBe('Not signed in.')

    from = exchanges.length
    await click('replay')
    expect(summary(from)).toEqual(['GET /me 401', 'POST /browser/token 400'])
    expect(exchanges[from]?.headers.authorization).toBe(`Bearer ${seen.restoredToken}`)
    expect(await json(exchanges[from])).toMatchObject({ code: 'token_revoked' })
    // No cookie left to send: the refresh endpoint finds no token at all.
    expect(await json(exchanges[from + 1])).toMatchObject({
      code: 'request_malformed',
      error_description: 'refresh_token is required',
    })
    expect(await textOf('logout-status')).toMatch(/^Old access token: 401 token_revoked\. /)
    await screenshot('demo-3-logged-out')

    // A copy of the cookie taken before the logout is refused too: the session is over.
    const replayed = await fetch(`${origin}/browser/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Cookie: `refresh_token=${seen.refreshCookie}`,
      },
      body: JSON.stringify({ grant_type: 'refresh_token' }),
    })
    expect(replayed.status).toBe(400)
    expect(await replayed.json()).toMatchObject({ code: 'session_revoked' })
    // And so is the token that went stale earlier, now for a better reason.
    const stale = await fetch(`${origin}/me`, {
      headers: { Authorization: `Bearer ${seen.staleToken}` },
    })
    expect(await stale.json()).toMatchObject({ code: 'token_revoked' })
  })

  test('over the whole walk: no token in a URL or in storage, no CSP violation, no error', async () => {
    const tokens = [seen.staleToken, seen.firstToken, seen.restoredToken, seen.refreshCookie]
    expect(tokens.every((token) => token.length > 40)).toBe(true)
    for (const exchange of exchanges) {
      expect(exchange.url).not.toMatch(/eyJ|[\w-]{22}\.[\w-]{43}/)
      for (const token of tokens) expect(exchange.url).not.toContain(token)
    }
    expect(exchanges.every((e) => !e.url.includes('?'))).toBe(true)
    expect(
      await page.evaluate(() => [window.localStorage.length, window.sessionStorage.length]),
    ).toEqual([0, 0])
    expect(await page.evaluate(() => window.violations)).toEqual([])
    expect(pageErrors).toEqual([])
    // Chromium logs each 4xx answer as an error; those are the story. Nothing else is.
    const refusals = exchanges.filter((e) => (e.status ?? 0) >= 400)
    expect(consoleErrors).toHaveLength(refusals.length)
    for (const message of consoleErrors) {
      expect(message).toMatch(
        /^Failed to load resource: the server responded with a status of 4\d\d \(/,
      )
    }
  })

  test('the violation listener works: an inline script injected now is refused and reported', async () => {
    const ran = await page.evaluate(() => {
      const script = document.createElement('script')
      script.textContent = 'document.body.dataset.inline = "ran"'
      document.head.append(script)
      return new Promise((resolve) => setTimeout(() => resolve(document.body.dataset.inline), 100))
    })
    expect(ran).toBeUndefined()
    expect(await page.evaluate(() => window.violations)).toEqual(['script-src-elem inline'])
  })
})
