import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Express } from 'express'
import puppeteer from 'puppeteer-core'
import type { Browser, BrowserContext, HTTPRequest, Page } from 'puppeteer-core'
import { startAuthServer } from './auth-server'
import type { AuthServer, AuthServerOptions } from './auth-server'

/**
 * The real-browser harness: Debian's Chromium driven by puppeteer-core (which never
 * downloads a browser), the conformant auth server of `auth-server.ts` serving pages and
 * the built client, and page helpers that record what the network carried. Suites under
 * `__tests__/browser/` build on it; `npm run test:browser` runs them.
 */

const root = resolve(__dirname, '..', '..')

/** Where screenshots go: ignored by git and Prettier. */
export const SCREENSHOTS = join(root, '.screenshots')

/** The system Chromium: `CHROMIUM_PATH`, else Debian's `chromium` package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/**
 * Flags that work on a closed network: without the background-networking ones Chromium
 * keeps dialing out, and its connections are refused. `--no-sandbox` because CI runs as
 * root. Puppeteer adds `--headless` itself.
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Upper bounds, so that a hung browser fails a test instead of the whole CI run. */
export const TIMEOUTS = { launchMs: 30_000, protocolMs: 20_000, navigationMs: 10_000 }

export interface LaunchedBrowser {
  readonly browser: Browser
  /** Close the browser (killing it if it does not close in time) and remove its profile. */
  close(): Promise<void>
}

/** Start a headless Chromium with a fresh, temporary profile. */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: apt-get install chromium, or set CHROMIUM_PATH`,
    )
  }
  const profile = mkdtempSync(join(tmpdir(), 'jwt-gate-chromium-'))
  let browser: Browser
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      userDataDir: profile,
      args: CHROMIUM_FLAGS,
      timeout: TIMEOUTS.launchMs,
      protocolTimeout: TIMEOUTS.protocolMs,
    })
  } catch (err) {
    rmSync(profile, { recursive: true, force: true })
    throw err
  }
  return {
    browser,
    async close() {
      const child = browser.process()
      let timer: NodeJS.Timeout | undefined
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => resolve(void child?.kill('SIGKILL')), 5_000)
      })
      try {
        await Promise.race([browser.close(), killed])
      } finally {
        clearTimeout(timer)
        rmSync(profile, { recursive: true, force: true })
      }
    },
  }
}

/** The built browser bundle, served as the ES module a page imports. */
export const CLIENT_MODULE_PATH = '/client/index.mjs'

export interface PageServerOptions extends AuthServerOptions {
  /** Pages to serve: path to HTML. */
  pages?: Record<string, string>
}

/**
 * The auth server of `auth-server.ts`, also serving `dist/client/index.mjs` at
 * {@link CLIENT_MODULE_PATH} and the given pages. Build first (`npm run build`).
 */
export async function startPageServer(options: PageServerOptions = {}): Promise<AuthServer> {
  const bundle = join(root, 'dist', 'client', 'index.mjs')
  if (!existsSync(bundle)) throw new Error('dist/client/index.mjs is missing: npm run build')
  const code = readFileSync(bundle, 'utf8')
  const { pages = {}, routes, ...rest } = options
  return startAuthServer({
    ...rest,
    routes: (app: Express) => {
      app.get(CLIENT_MODULE_PATH, (_req, res) => {
        res.type('text/javascript').send(code)
      })
      for (const [path, html] of Object.entries(pages)) {
        app.get(path, (_req, res) => {
          res.type('html').send(html)
        })
      }
      routes?.(app)
    },
  })
}

/** One request the page sent, as puppeteer saw it leave. */
export interface PageRequest {
  method: string
  path: string
  /** The request headers, names in lower case. */
  headers: Record<string, string>
  postData: string | undefined
}

export interface OpenedPage {
  readonly page: Page
  /** Every request the page sent to `origin`, in order. */
  readonly requests: PageRequest[]
  /** Uncaught errors in the page; a healthy run has none. */
  readonly errors: string[]
  /** How many requests went to `path` (the query string ignored). */
  count(path: string): number
  /** Save a full-page screenshot as `.screenshots/<name>.png`; returns its path. */
  screenshot(name: string): Promise<string>
  close(): Promise<void>
}

/**
 * Open `url` in a new tab, recording its requests and its uncaught errors. In a
 * `browser.createBrowserContext()`, a test gets a cookie jar of its own.
 */
export async function openPage(
  browser: Browser | BrowserContext,
  url: string,
): Promise<OpenedPage> {
  const page = await browser.newPage()
  page.setDefaultTimeout(TIMEOUTS.protocolMs)
  page.setDefaultNavigationTimeout(TIMEOUTS.navigationMs)
  const origin = new URL(url).origin
  const requests: PageRequest[] = []
  const errors: string[] = []
  page.on('request', (request: HTTPRequest) => {
    const target = new URL(request.url())
    if (target.origin !== origin) return
    requests.push({
      method: request.method(),
      path: target.pathname,
      headers: request.headers(),
      postData: request.postData(),
    })
  })
  page.on('pageerror', (error) => errors.push(String(error)))
  await page.goto(url, { waitUntil: 'load' })
  return {
    page,
    requests,
    errors,
    count: (path) => requests.filter((r) => r.path === path).length,
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true })
      const path = join(SCREENSHOTS, `${name}.png`)
      await page.screenshot({ path, fullPage: true })
      return path
    },
    close: () => page.close(),
  }
}

/**
 * A page server and a browser, for a suite: start it in `beforeAll`, call `close` in
 * `afterAll`, which closes both even when one of them fails to. A suite that needs
 * several servers (cookie mode and not) uses {@link launchBrowser} and
 * {@link startPageServer} directly.
 */
export async function startHarness(
  options: PageServerOptions = {},
): Promise<{ browser: Browser; server: AuthServer; close(): Promise<void> }> {
  const server = await startPageServer(options)
  let launched: LaunchedBrowser
  try {
    launched = await launchBrowser()
  } catch (err) {
    await server.close()
    throw err
  }
  return {
    browser: launched.browser,
    server,
    async close() {
      try {
        await launched.close()
      } finally {
        await server.close()
      }
    },
  }
}
