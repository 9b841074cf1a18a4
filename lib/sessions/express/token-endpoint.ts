import type { Request, RequestHandler, Response } from 'express'
import { JwtAuthError, RefreshTokenError, setupError } from '../../core/errors'
import {
  optionNames,
  readBoolean,
  readFunction,
  readOptions,
  readString,
  type OptionList,
} from '../../core/options'
import type { IssuedTokens, Lifecycle } from '../lifecycle'
import { MAX_REFRESH_TOKEN_LENGTH } from '../refresh-token'

/**
 * Where the refresh token lives for browsers: an `HttpOnly` cookie, which page scripts
 * cannot read. Set on issue (`handler.send`) and on each refresh, cleared on logout and
 * when a refresh is refused for good.
 *
 * The defence against cross-site request forgery: the cookie is `SameSite=Strict`
 * (sent only by pages of the same site) and `Secure` by default, and a request whose
 * refresh token comes from the cookie is refused unless its body is JSON
 * (`Content-Type: application/json`), which an HTML form cannot send and which makes a
 * cross-origin `fetch` wait for a CORS preflight this package never answers.
 *
 * @example
 * ```ts
 * import type { RefreshCookieOptions } from 'express-jwt-gate'
 * const cookie: RefreshCookieOptions = { name: 'refresh_token', path: '/auth' }
 * ```
 */
export interface RefreshCookieOptions {
  /** Default `'refresh_token'`. */
  name?: string
  /** Default `'/'`. Narrow it to where the refresh and logout endpoints live. */
  path?: string
  /** Default `'Strict'`. `'None'` needs `secure`. */
  sameSite?: 'Strict' | 'Lax' | 'None'
  /** Default `true`. Browsers accept `Secure` cookies from `http://localhost` too. */
  secure?: boolean
  /** Default: none (the cookie stays on the host that set it). */
  domain?: string
}

/**
 * Options of `sessions.refreshHandler()` and `sessions.logoutHandler()`.
 *
 * @example
 * ```ts
 * import type { TokenEndpointOptions } from 'express-jwt-gate'
 * const options: TokenEndpointOptions = { cookie: { path: '/auth' }, onFailure: (err) => log(err.code) }
 * ```
 */
export interface TokenEndpointOptions {
  /** Keep the refresh token in an `HttpOnly` cookie (see {@link RefreshCookieOptions}). */
  cookie?: RefreshCookieOptions | boolean
  /** Called with every refusal, for logs and metrics: the error, never a token. */
  onFailure?: (error: JwtAuthError, req: Request) => void
}

/**
 * The refresh endpoint: an Express handler, plus `send(res, tokens)` to answer a login
 * the same way (the RFC 6749 JSON, and the cookie in cookie mode).
 *
 * @example
 * ```ts
 * import type { RefreshHandler } from 'express-jwt-gate'
 * const refresh: RefreshHandler = sessions.refreshHandler()
 * app.post('/token', refresh)
 * app.post('/login', async (req, res) => refresh.send(res, await sessions.issue('alice')))
 * ```
 */
export type RefreshHandler = RequestHandler & {
  /** Answer with `tokens`: `200`, `Cache-Control: no-store`, RFC 6749 §5.1 JSON. */
  send(res: Response, tokens: IssuedTokens): void
}

const OPTION_NAMES = optionNames({
  cookie: true,
  onFailure: true,
} satisfies OptionList<TokenEndpointOptions>)

const COOKIE_OPTION_NAMES = optionNames({
  name: true,
  path: true,
  sameSite: true,
  secure: true,
  domain: true,
} satisfies OptionList<RefreshCookieOptions>)

/** A token request is a few hundred bytes; refuse to read more. */
const MAX_BODY_BYTES = 8192

/** RFC 6265 cookie-name and cookie-value characters we allow in configured names and paths. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const COOKIE_ATTRIBUTE = /^[\x21-\x3a\x3c-\x7e]+$/

interface Cookie {
  readonly name: string
  /** The attributes after `name=value`, without `Max-Age`. */
  readonly attributes: string
}

function readCookie(value: unknown): Cookie | undefined {
  if (value === undefined || value === false) return undefined
  const o =
    value === true ? {} : readOptions<RefreshCookieOptions>(value, COOKIE_OPTION_NAMES, 'cookie')
  const name = o.name === undefined ? 'refresh_token' : readString(o.name, 'cookie.name')
  if (!COOKIE_NAME.test(name))
    throw setupError(
      'cookie.name',
      'cookie.name must be a cookie name token, such as refresh_token',
    )
  const path = o.path === undefined ? '/' : readString(o.path, 'cookie.path')
  if (!COOKIE_ATTRIBUTE.test(path) || !path.startsWith('/')) {
    throw setupError('cookie.path', "cookie.path must be a path such as '/' or '/auth'")
  }
  const sameSite = o.sameSite ?? 'Strict'
  if (sameSite !== 'Strict' && sameSite !== 'Lax' && sameSite !== 'None') {
    throw setupError('cookie.sameSite', "cookie.sameSite must be 'Strict', 'Lax' or 'None'")
  }
  const secure = readBoolean(o.secure, 'cookie.secure', true)
  if (sameSite === 'None' && !secure) {
    throw setupError(
      'cookie.secure',
      "cookie.sameSite 'None' needs secure: browsers refuse it otherwise",
    )
  }
  const domain = o.domain === undefined ? undefined : readString(o.domain, 'cookie.domain')
  if (domain !== undefined && !COOKIE_ATTRIBUTE.test(domain)) {
    throw setupError('cookie.domain', 'cookie.domain must be a host name')
  }
  const attributes = [
    `Path=${path}`,
    ...(domain === undefined ? [] : [`Domain=${domain}`]),
    'HttpOnly',
    ...(secure ? ['Secure'] : []),
    `SameSite=${sameSite}`,
  ].join('; ')
  return { name, attributes }
}

/** The value of one cookie of a request, or `undefined`. */
function cookieValue(req: Request, name: string): string | undefined {
  const header = req.headers.cookie
  if (typeof header !== 'string') return undefined
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=')
    if (at !== -1 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim()
  }
  return undefined
}

const malformed = (message: string) => new RefreshTokenError({ code: 'request_malformed', message })

/** The media type of a request, lower case, without parameters. */
function mediaType(req: Request): string | undefined {
  const value = req.headers['content-type']
  return typeof value === 'string'
    ? (value.split(';')[0] as string).trim().toLowerCase()
    : undefined
}

/** The raw body, read here when no body parser has read it, up to {@link MAX_BODY_BYTES}. */
function readRaw(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(malformed('request body too large'))
        req.removeAllListeners('data')
        req.resume()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => reject(malformed('request body could not be read')))
  })
}

/** Text as the parameters of its media type: JSON or a form. */
function parseText(text: string, type: string | undefined): Record<string, unknown> {
  if (text.trim() === '') return {}
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text))
  }
  if (type === 'application/json' || (type !== undefined && type.endsWith('+json'))) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw malformed('request body is not valid JSON')
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw malformed('request body must be a JSON object')
    }
    return value as Record<string, unknown>
  }
  throw malformed('send application/json or application/x-www-form-urlencoded')
}

/**
 * The request's parameters (RFC 6749 §6: form-encoded; JSON accepted too), from a body
 * parser that already ran or read here. Only own string members are kept.
 */
async function parameters(req: Request): Promise<Map<string, string>> {
  const { body, _body: parsed } = req as { body?: unknown; _body?: unknown }
  // Express 4's body parsers set `req.body = {}` even for a type they skip, and mark
  // what they parsed with `_body`; an unread stream is ours to read.
  const unread =
    parsed !== true &&
    req.readable &&
    !req.readableEnded &&
    (body === undefined || (isPlainObject(body) && Object.keys(body).length === 0))
  let params: Record<string, unknown>
  if (unread) {
    params = parseText(await readRaw(req), mediaType(req))
  } else if (isPlainObject(body)) {
    params = body
  } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    params = parseText(body.toString(), mediaType(req))
  } else {
    params = {}
  }
  const found = new Map<string, string>()
  for (const name of ['grant_type', 'refresh_token', 'token']) {
    if (!Object.hasOwn(params, name)) continue
    const value = params[name]
    if (typeof value !== 'string') throw malformed(`${name} must be a string`)
    found.set(name, value)
  }
  return found
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && !Array.isArray(value)
  )
}

/** The response to a refused request: RFC 6749 §5.2 JSON, no challenge, never cached. */
function sendError(res: Response, error: JwtAuthError): void {
  res.status(error.status)
  res.set({ ...error.headers, 'Cache-Control': 'no-store', Pragma: 'no-cache' })
  res.json({ error: error.error, error_description: error.message, code: error.code })
}

/** What every endpoint does first: POST only, options read once. */
function endpointSetup(options: TokenEndpointOptions | undefined, where: string) {
  const o = readOptions<TokenEndpointOptions>(options, OPTION_NAMES, where)
  const cookie = readCookie(o.cookie)
  const onFailure = readFunction<(error: JwtAuthError, req: Request) => void>(
    o.onFailure,
    'onFailure',
  )
  const setCookie = (res: Response, value: string, maxAge: number) => {
    if (cookie !== undefined)
      res.append('Set-Cookie', `${cookie.name}=${value}; ${cookie.attributes}; Max-Age=${maxAge}`)
  }
  /**
   * The token of a request and where it came from: its parameter, else the cookie
   * (which must come with JSON: the CSRF defence).
   */
  const tokenOf = (
    req: Request,
    params: Map<string, string>,
    names: readonly string[],
  ): { token: string | undefined; fromCookie: boolean } => {
    for (const name of names) {
      const value = params.get(name)
      if (value !== undefined) return { token: value, fromCookie: false }
    }
    if (cookie === undefined) return { token: undefined, fromCookie: false }
    const value = cookieValue(req, cookie.name)
    if (value !== undefined && mediaType(req) !== 'application/json') {
      throw malformed(
        'a refresh token from the cookie needs a JSON request (Content-Type: application/json)',
      )
    }
    return { token: value, fromCookie: value !== undefined }
  }
  /** Answer a refusal after telling onFailure; anything else (or onFailure throwing) is thrown. */
  const fail = (req: Request, res: Response, error: unknown): void => {
    if (!(error instanceof JwtAuthError)) throw error
    onFailure?.(error, req)
    sendError(res, error)
  }
  return { cookie, setCookie, tokenOf, fail }
}

/** Run an endpoint body; anything that is not ours goes to Express as it is. */
function handler(
  run: (req: Request, res: Response) => Promise<void>,
  fail: (req: Request, res: Response, error: unknown) => void,
): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST') {
      const error = malformed('use POST')
      res.status(405).set({ Allow: 'POST', 'Cache-Control': 'no-store' })
      res.json({ error: error.error, error_description: error.message, code: error.code })
      return
    }
    run(req, res).catch((error: unknown) => {
      try {
        fail(req, res, error)
      } catch (unexpected) {
        next(unexpected)
      }
    })
  }
}

/** The refresh endpoint (RFC 6749 §6). See `sessions.refreshHandler`. */
export function refreshHandler(
  lifecycle: Lifecycle,
  options?: TokenEndpointOptions,
): RefreshHandler {
  const { cookie, setCookie, tokenOf, fail } = endpointSetup(options, 'refreshHandler')

  /**
   * Answer with new tokens. In cookie mode the refresh token goes in the cookie, out of
   * reach of page scripts, unless the client sent its own in the body: it keeps its
   * tokens itself, and must get the new one where it looks for it.
   */
  const answer = (res: Response, tokens: IssuedTokens, inBody: boolean): void => {
    if (!inBody) setCookie(res, tokens.refreshToken, tokens.refreshExpiresIn)
    res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' })
    res.json({
      access_token: tokens.accessToken,
      token_type: tokens.tokenType,
      expires_in: tokens.expiresIn,
      ...(inBody ? { refresh_token: tokens.refreshToken } : {}),
    })
  }
  const send = (res: Response, tokens: IssuedTokens): void =>
    answer(res, tokens, cookie === undefined)

  const endpoint = handler(
    async (req, res) => {
      const params = await parameters(req)
      const grant = params.get('grant_type')
      if (grant === undefined) throw malformed('grant_type is required: refresh_token')
      if (grant !== 'refresh_token') {
        throw new RefreshTokenError({
          code: 'grant_type_unsupported',
          message: 'only grant_type refresh_token is supported',
        })
      }
      const { token, fromCookie } = tokenOf(req, params, ['refresh_token'])
      if (token === undefined || token === '') throw malformed('refresh_token is required')
      if (token.length > MAX_REFRESH_TOKEN_LENGTH) {
        throw new RefreshTokenError({
          code: 'refresh_token_invalid',
          message: 'refresh token is malformed',
        })
      }
      try {
        answer(res, await lifecycle.refresh(token), cookie === undefined || !fromCookie)
      } catch (error) {
        // A cookie that will never work again: the browser may forget it.
        if (
          fromCookie &&
          error instanceof RefreshTokenError &&
          error.code !== 'request_malformed'
        ) {
          setCookie(res, '', 0)
        }
        throw error
      }
    },
    (req, res, error) => fail(req, res, error),
  )
  return Object.assign(endpoint, { send })
}

/**
 * The logout endpoint (RFC 7009 §2): ends the session of the refresh token given as
 * `token` or `refresh_token`, or held in the cookie, and answers 200 whether or not
 * the token was still live.
 */
export function logoutHandler(
  lifecycle: Lifecycle,
  options?: TokenEndpointOptions,
): RequestHandler {
  const { cookie, setCookie, tokenOf, fail } = endpointSetup(options, 'logoutHandler')
  return handler(
    async (req, res) => {
      const params = await parameters(req)
      const { token } = tokenOf(req, params, ['token', 'refresh_token'])
      if (token === undefined && cookie === undefined) throw malformed('token is required')
      if (token !== undefined) await lifecycle.logout(token)
      setCookie(res, '', 0)
      res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json({})
    },
    (req, res, error) => fail(req, res, error),
  )
}
