/**
 * The example API, on sessions: log in for an access token and a refresh token, use the
 * features the token licenses, refresh it, log out; an admin changes what a user has
 * licensed and the user's next token shows it. `GET /` is a demo page that tells the
 * story in a browser. Run it with `npm start`; try it with the curl lines it prints.
 */
import express from 'express'
import type { ErrorRequestHandler, Express, RequestHandler } from 'express'
import {
  authErrorHandler,
  createSessions,
  generateSecret,
  memoryStore,
  requireFeature,
} from 'express-jwt-gate'
import type { RefreshCookieOptions, RefreshHandler, Sessions, SessionStore } from 'express-jwt-gate'
import { adminRoutes } from './demo/admin'
import { demoPage, securityHeaders } from './demo/page'
import { createUserTable, type UserTable } from './demo/users'
import { listen } from './listen'
import { storeOnRedis } from './redis'

export { DEMO_USERS } from './demo/users'

/** Options of {@link createApp}, for tests. */
export interface AppOptions {
  /** The clock, in milliseconds: the sessions sign, verify and expire by it. */
  now?: () => number
  /** Where the sessions live: this process's memory by default, Redis for several instances. */
  store?: SessionStore
}

/**
 * The page's refresh token lives in an HttpOnly cookie that only the page's own token
 * endpoints receive. `Secure` even on `http://127.0.0.1`: Chromium and Firefox count
 * loopback as a secure context and keep Secure cookies from it (the browser test
 * checks this), so the example runs exactly as it would behind HTTPS.
 */
const BROWSER_COOKIE: RefreshCookieOptions = { path: '/browser', secure: true }

/** Errors that are not authentication errors: a bad JSON body, or a bug. */
const jsonErrors: ErrorRequestHandler = (
  err: { status?: number; type?: string },
  _req,
  res,
  next,
) => {
  if (res.headersSent) return next(err)
  if (err.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid_json', error_description: 'body is not valid JSON' })
  } else {
    res.status(500).json({ error: 'server_error', error_description: 'something went wrong' })
  }
}

/** `POST` `{"username": "alice"}`: a new session, answered by `refresh` as a refresh is. */
function loginRoute(users: UserTable, sessions: Sessions, refresh: RefreshHandler): RequestHandler {
  return async (req, res) => {
    const username: unknown = (req.body as { username?: unknown } | undefined)?.username
    if (typeof username !== 'string') {
      res
        .status(400)
        .json({ error: 'invalid_request', error_description: 'send {"username": "alice"}' })
      return
    }
    // A real app checks a password (or a passkey) here.
    if (users.features(username) === undefined) {
      res.status(401).json({ error: 'unknown_user', error_description: 'try alice or bob' })
      return
    }
    refresh.send(res, await sessions.issue(username))
  }
}

/** The whole API for one secret. A weak secret throws here, with the package's message. */
export function createApp(secret: string, options: AppOptions = {}): Express {
  const users = createUserTable()
  const sessions = createSessions({
    secret,
    // By default one process only, and a restart logs everyone out: see docs/sessions.md.
    store: options.store ?? memoryStore(options.now === undefined ? {} : { now: options.now }),
    claims: users.claims,
  })

  const app = express()
  // For whoever runs the app: `await app.locals.sessions.ready()` before listening.
  app.locals.sessions = sessions
  app.disable('x-powered-by')
  app.use(securityHeaders())
  app.use(demoPage())
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' })
  })
  app.use(express.json())

  // For curl, scripts and native apps: both tokens in the JSON body.
  const refresh = sessions.refreshHandler()
  app.post('/login', loginRoute(users, sessions, refresh))
  app.post('/token', refresh)
  app.post('/logout', sessions.logoutHandler())

  // For the page: the refresh token in the cookie, out of reach of any script.
  const browserRefresh = sessions.refreshHandler({ cookie: BROWSER_COOKIE })
  app.post('/browser/login', loginRoute(users, sessions, browserRefresh))
  app.post('/browser/token', browserRefresh)
  app.post('/browser/logout', sessions.logoutHandler({ cookie: BROWSER_COOKIE }))

  // Everything below needs a valid access token of a live session.
  app.use(sessions.authenticate())
  app.get('/me', (req, res) => {
    res.json(req.user)
  })
  app.get('/todos', requireFeature('todos'), (_req, res) => {
    res.json([{ id: 1, title: 'Try express-jwt-gate', done: true }])
  })
  app.get('/calendar', requireFeature('calendar'), (_req, res) => {
    res.json([{ date: '2026-12-01', title: 'Rotate the JWT secret' }])
  })
  app.get('/invoices', requireFeature('invoicing'), (_req, res) => {
    res.json([{ id: 'INV-1', amount: 120 }])
  })
  app.use(adminRoutes(users, sessions))

  app.use(authErrorHandler())
  app.use(jsonErrors)
  return app
}

const runDirectly = require.main === module

function secretFromEnvironment(): string {
  const fromEnv = process.env.JWT_SECRET
  if (fromEnv !== undefined) return fromEnv
  if (runDirectly)
    console.log('JWT_SECRET is not set: using a fresh secret; tokens will not survive a restart.')
  return generateSecret()
}

function buildApp(): Express {
  try {
    return createApp(secretFromEnvironment())
  } catch (err) {
    if (!runDirectly) throw err
    // A clear one-line reason, not a stack trace: this is a configuration mistake.
    console.error((err as Error).message)
    process.exit(1)
  }
}

export const app = buildApp()

/** The session flow as shell lines, for the URL the server got. */
export function curlLines(url: string): string[] {
  const json = `-H 'Content-Type: application/json'`
  return [
    `field() { node -pe "JSON.parse(require('fs').readFileSync(0, 'utf8')).$1"; }`,
    `LOGIN=$(curl -s -X POST ${url}/login ${json} -d '{"username":"bob"}')`,
    `ACCESS=$(echo "$LOGIN" | field access_token); REFRESH=$(echo "$LOGIN" | field refresh_token)`,
    `curl -s -w '\\n' ${url}/me -H "Authorization: Bearer $ACCESS"`,
    `curl -s -i -w '\\n' ${url}/invoices -H "Authorization: Bearer $ACCESS"`,
    `NEXT=$(curl -s -X POST ${url}/token -d grant_type=refresh_token -d "refresh_token=$REFRESH")`,
    `ACCESS=$(echo "$NEXT" | field access_token); REFRESH=$(echo "$NEXT" | field refresh_token)`,
    `curl -s -w '\\n' -X POST ${url}/logout -d "token=$REFRESH"`,
    `curl -s -w '\\n' ${url}/me -H "Authorization: Bearer $ACCESS"`,
  ]
}

/** With REDIS_URL: the same API with its sessions on Redis, once its mirror is current. */
async function appOnRedis(url: string): Promise<Express> {
  const secret = process.env.JWT_SECRET
  // A secret of its own would make every other instance refuse this one's tokens.
  if (secret === undefined) throw new Error('set JWT_SECRET: every instance needs the same one')
  const onRedis = createApp(secret, { store: await storeOnRedis(url) })
  await (onRedis.locals.sessions as Sessions).ready()
  return onRedis
}

if (runDirectly && process.env.REDIS_URL !== undefined) {
  appOnRedis(process.env.REDIS_URL).then(
    (onRedis) =>
      listen(onRedis, (url) => {
        console.log(`Sessions live in Redis: every instance on it honours a logout on any.`)
        for (const line of curlLines(url)) console.log(`  ${line}`)
      }),
    (err: unknown) => {
      console.error(`cannot start on Redis: ${(err as Error).message}`)
      process.exit(1)
    },
  )
} else if (runDirectly) {
  listen(app, (url) => {
    console.log(`Open ${url}/ for the demo page, a JWT's story in your browser.`)
    console.log('Sessions live in this process: a restart logs everyone out.')
    console.log('Or try the session flow with curl: log in as bob (he has only "todos"),')
    console.log('call the API, refresh, log out, and see the old token refused:')
    for (const line of curlLines(url)) console.log(`  ${line}`)
  })
}
