import { randomBytes, randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import cookieParser from 'cookie-parser'
import express from 'express'
import type { Express, NextFunction, Request, Response } from 'express'
import { authErrorHandler, signToken, verifyToken } from 'express-jwt-gate'
import { SECRET } from './tokens'

/**
 * A small server that follows the wire contract of the package's refresh and logout
 * endpoints (issue 14), written here from the contract alone so that the client is
 * tested against the protocol rather than against one implementation of it:
 *
 * - `POST /auth/refresh`, JSON only (the CSRF defence), `{"grant_type":"refresh_token"}`
 *   with the refresh token in the body or, in cookie mode, in an HttpOnly cookie. 200 with
 *   an RFC 6749 §5.1 body; 400 `invalid_grant` with a `code`; 503 with `Retry-After`.
 *   Refresh tokens rotate, and a second use of one revokes its whole family.
 * - `POST /auth/logout`: same body, revokes the family, 200 even for an unknown token.
 * - `/api/*`: Bearer access tokens; 401 `invalid_token` JSON with a `code`
 *   (`token_expired`, `token_stale`, …) and a `WWW-Authenticate` challenge.
 *
 * Knobs let a test make tokens stale, fail or slow the refresh, and move the server's
 * clock; counters and a request log say what the network carried.
 */

/** One request as the server saw it. */
export interface SeenRequest {
  method: string
  path: string
  /** The `Authorization` header, if any. */
  authorization: string | undefined
  contentType: string | undefined
  /** The parsed JSON body of `/auth/*` requests. */
  body: unknown
  /** Whether the refresh-token cookie came along. */
  cookie: boolean
}

export interface AuthServerOptions {
  /** Keep refresh tokens in an HttpOnly cookie and leave them out of JSON bodies. */
  cookieMode?: boolean
  /** Access token lifetime in seconds. Default 600. */
  accessTtl?: number
  /** Add routes (a test page, static files) before the API's. */
  routes?: (app: Express) => void
}

/** What the tests can change while the server runs. */
export interface Knobs {
  /** Answer every refresh with this failure instead. */
  failRefresh: { status: number; error?: string; code?: string; retryAfter?: number } | undefined
  /** Answer refreshes with 200 and this body instead of tokens. */
  refreshBody: unknown
  /** Milliseconds to hold each refresh answer, to widen the window for concurrent callers. */
  refreshDelayMs: number
  /** Every access token is stale, even one issued just now. */
  alwaysStale: boolean
}

export interface AuthServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly knobs: Knobs
  /** Requests per path, e.g. `counts['/auth/refresh']`. */
  readonly counts: Record<string, number>
  readonly seen: SeenRequest[]
  /** Every access token issued so far answers 401 `token_stale` (claims changed). */
  makeStale(): void
  /** Move the server's clock forward, in seconds: tokens expire by it. */
  advance(seconds: number): void
  /** Start a session for `sub`, as a login route would, in either response shape. */
  issue(sub?: string, shape?: 'rfc6749' | 'camel'): Record<string, unknown>
  /** How many requests went to `path`. */
  count(path: string): number
  close(): Promise<void>
}

const REFRESH_COOKIE = 'refresh_token'

interface Family {
  sub: string
  /** The one refresh token of the family still valid; older ones count as reuse. */
  current: string
  revoked: boolean
}

/** RFC 6750 §3 / the package's error body, for a code the package does not produce itself. */
function refuse(res: Response, code: string, description: string): void {
  res
    .status(401)
    .set('WWW-Authenticate', `Bearer error="invalid_token", error_description="${description}"`)
    .json({ error: 'invalid_token', error_description: description, code })
}

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const accessTtl = options.accessTtl ?? 600
  const knobs: Knobs = {
    failRefresh: undefined,
    refreshBody: undefined,
    refreshDelayMs: 0,
    alwaysStale: false,
  }
  const counts: Record<string, number> = {}
  const seen: SeenRequest[] = []
  let version = 1
  let offsetSeconds = 0
  const families = new Map<string, Family>()
  /** Each refresh token ever issued, to its family: reuse is recognized, not "unknown". */
  const tokens = new Map<string, string>()

  const serverNow = () => new Date(Date.now() + offsetSeconds * 1000)

  function mint(
    family: string,
    familyRecord: Family,
    shape: 'rfc6749' | 'camel',
  ): Record<string, unknown> {
    const refreshToken = randomBytes(24).toString('base64url')
    familyRecord.current = refreshToken
    tokens.set(refreshToken, family)
    const accessToken = signToken({ sub: familyRecord.sub, ver: version }, SECRET, {
      expiresIn: accessTtl,
      jwtId: randomUUID(),
      currentDate: serverNow(),
    })
    return shape === 'camel'
      ? {
          accessToken,
          tokenType: 'Bearer',
          expiresIn: accessTtl,
          refreshToken,
          refreshExpiresIn: 86_400,
        }
      : {
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: accessTtl,
          refresh_token: refreshToken,
        }
  }

  function issue(sub = 'alice', shape: 'rfc6749' | 'camel' = 'rfc6749'): Record<string, unknown> {
    const id = randomUUID()
    const family: Family = { sub, current: '', revoked: false }
    families.set(id, family)
    return mint(id, family, shape)
  }

  const app = express()
  app.use(cookieParser())
  app.use(express.json({ type: 'application/json' }))
  app.use((req, _res, next) => {
    counts[req.path] = (counts[req.path] ?? 0) + 1
    seen.push({
      method: req.method,
      path: req.path,
      authorization: req.get('authorization'),
      contentType: req.get('content-type'),
      body: req.path.startsWith('/auth/') ? req.body : undefined,
      cookie: typeof (req.cookies as Record<string, unknown>)[REFRESH_COOKIE] === 'string',
    })
    next()
  })
  options.routes?.(app)

  /** The refresh token of a refresh or logout request, or an answer already sent. */
  function grantOf(req: Request, res: Response): { token: string | undefined } | undefined {
    const body = req.body as Record<string, unknown> | undefined
    if (!req.is('application/json') || body?.grant_type !== 'refresh_token') {
      res
        .status(400)
        .json({ error: 'invalid_request', error_description: 'JSON refresh grant required' })
      return undefined
    }
    const fromCookie = (req.cookies as Record<string, unknown>)[REFRESH_COOKIE]
    const token = typeof body.refresh_token === 'string' ? body.refresh_token : fromCookie
    return { token: typeof token === 'string' ? token : undefined }
  }

  const setCookie = (res: Response, token: string) =>
    res.cookie(REFRESH_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/auth' })

  app.post('/auth/login', (req, res) => {
    const body = req.body as { sub?: string; shape?: 'camel' } | undefined
    const tokens = issue(body?.sub ?? 'alice', body?.shape ?? 'rfc6749')
    if (options.cookieMode) {
      setCookie(res, String(tokens.refresh_token ?? tokens.refreshToken))
      delete tokens.refresh_token
      delete tokens.refreshToken
    }
    res.json(tokens)
  })

  app.post('/auth/refresh', async (req, res) => {
    // The knobs as they were when the request arrived: a test may change them meanwhile.
    const { failRefresh: failure, refreshBody } = knobs
    if (knobs.refreshDelayMs > 0) await new Promise((r) => setTimeout(r, knobs.refreshDelayMs))
    if (failure !== undefined) {
      if (failure.retryAfter !== undefined) res.set('Retry-After', String(failure.retryAfter))
      res.status(failure.status).json({
        error:
          failure.error ?? (failure.status === 400 ? 'invalid_grant' : 'temporarily_unavailable'),
        error_description: 'refused by the test',
        ...(failure.code === undefined ? {} : { code: failure.code }),
      })
      return
    }
    if (refreshBody !== undefined) {
      res.json(refreshBody)
      return
    }
    const grant = grantOf(req, res)
    if (grant === undefined) return
    const id = grant.token === undefined ? undefined : tokens.get(grant.token)
    const family = id === undefined ? undefined : families.get(id)
    let problem: string | undefined
    if (id === undefined || family === undefined) problem = 'refresh_token_invalid'
    else if (family.revoked) problem = 'session_revoked'
    else if (family.current !== grant.token) {
      // A rotated token came back: someone holds a copy. End the whole session.
      family.revoked = true
      problem = 'refresh_token_reused'
    }
    if (problem !== undefined || id === undefined || family === undefined) {
      res.status(400).json({ error: 'invalid_grant', error_description: 'refused', code: problem })
      return
    }
    const fresh = mint(id, family, 'rfc6749')
    if (options.cookieMode) {
      setCookie(res, fresh.refresh_token as string)
      delete fresh.refresh_token
    }
    res.set('Cache-Control', 'no-store').json(fresh)
  })

  app.post('/auth/logout', (req, res) => {
    const grant = grantOf(req, res)
    if (grant === undefined) return
    const id = grant.token === undefined ? undefined : tokens.get(grant.token)
    const family = id === undefined ? undefined : families.get(id)
    if (family !== undefined) family.revoked = true
    if (options.cookieMode) res.clearCookie(REFRESH_COOKIE, { path: '/auth' })
    res.json({ ok: true })
  })

  // `?delay=ms` holds a request before it is authenticated, so that its 401 comes late.
  app.use('/api', (req, _res, next) => {
    const delay = Number(req.query.delay)
    if (delay > 0) setTimeout(next, delay)
    else next()
  })
  app.use('/api', (req, res, next) => {
    const header = req.get('authorization')
    const match = header === undefined ? null : /^Bearer (\S+)$/.exec(header)
    if (match === null) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({
        error_description: 'authentication required',
        code: 'credentials_missing',
      })
      return
    }
    try {
      const claims = verifyToken(match[1] as string, SECRET, { currentDate: serverNow() })
      if (knobs.alwaysStale || Number(claims.ver) < version) {
        refuse(res, 'token_stale', 'token stale')
        return
      }
      res.locals.sub = claims.sub
      next()
    } catch (err) {
      next(err)
    }
  })
  app.get('/api/me', (req, res) => {
    res.json({ sub: res.locals.sub as string, custom: req.get('x-custom') ?? null })
  })
  app.post('/api/echo', express.text({ type: '*/*' }), (req, res) => {
    res.json({
      body: req.body as string,
      contentType: req.get('content-type') ?? null,
      custom: req.get('x-custom') ?? null,
    })
  })
  // A token that verification refused: token_expired and the rest, as the package renders them.
  app.use(authErrorHandler())
  // express.json() refuses a body that is not JSON with a 400 of its own.
  app.use((err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.status === 400)
      res.status(400).json({ error: 'invalid_request', error_description: 'bad JSON' })
    else res.status(500).json({ error: 'server_error' })
  })

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const { port } = server.address() as AddressInfo

  return {
    origin: `http://127.0.0.1:${port}`,
    knobs,
    counts,
    seen,
    makeStale: () => void version++,
    advance: (seconds) => void (offsetSeconds += seconds),
    issue,
    count: (path) => counts[path] ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}
