import { setupError } from './errors'

/**
 * The `fetch` the client calls: the global one, or any function of the same shape
 * (a wrapper that adds tracing, a test double).
 *
 * @example
 * ```ts
 * import type { FetchFunction } from 'express-jwt-gate/client'
 * const traced: FetchFunction = (input, init) => fetch(input, init)
 * ```
 */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/**
 * Options of {@link createAuthClient}. Every duration is in seconds.
 *
 * @example
 * ```ts
 * import type { AuthClientOptions } from 'express-jwt-gate/client'
 * const options: AuthClientOptions = {
 *   refreshUrl: '/auth/refresh',
 *   logoutUrl: '/auth/logout',
 *   credentials: 'include',
 *   onLoggedOut: () => location.assign('/login'),
 * }
 * ```
 */
export interface AuthClientOptions {
  /** The server's refresh endpoint. Relative URLs resolve against the page. Required. */
  refreshUrl: string | URL
  /** The server's logout endpoint; without it `logout()` only forgets the tokens. */
  logoutUrl?: string | URL
  /**
   * Credentials mode of the refresh and logout requests. Set it (`'include'`, or
   * `'same-origin'` when the endpoints are on the page's origin) when the server keeps
   * the refresh token in an HttpOnly cookie: the client then refreshes without holding
   * one (cookie mode). Requests made through `client.fetch` keep their own setting.
   */
  credentials?: 'omit' | 'same-origin' | 'include'
  /**
   * Called once when the server refuses a refresh for good (a 4xx answer other than 408
   * or 429): the tokens are already forgotten. `reason` is the server's `code`
   * (`'refresh_token_reused'`, `'session_revoked'`, …), else its `error`, else
   * `'http_<status>'`. Not called by `logout()`, which the application asked for.
   */
  onLoggedOut?: (reason: string) => void
  /** The `fetch` to call; default `globalThis.fetch`. */
  fetch?: FetchFunction
  /**
   * Seconds before the access token expires at which the client refreshes it before
   * sending a request. Default 30; never more than half the token's lifetime, so that a
   * short-lived token is not refreshed on every request.
   */
  refreshBefore?: number
  /**
   * Origins the access token may be sent to. Default: the origin of `refreshUrl` only.
   * Requests to any other origin pass through untouched, so the token never leaks to a
   * third party the page happens to call.
   */
  origins?: readonly string[]
  /** The clock, in milliseconds since the epoch; default `Date.now`. For tests. */
  now?: () => number
}

/** The page (or worker) address that relative URLs resolve against; none in Node. */
const base = (): string | undefined =>
  (globalThis as { location?: { href?: string } }).location?.href

/** A URL string or object, resolved against the page; `undefined` when it does not parse. */
export function parse(url: unknown): URL | undefined {
  try {
    if (typeof url === 'string' || url instanceof URL) return new URL(url, base())
  } catch {
    // Not a URL: the caller says what was expected.
  }
  return undefined
}

/** The origin of a request URL, or `undefined` when it does not parse (fetch will say why). */
export const originOf = (url: unknown): string | undefined => parse(url)?.origin

const isFunction = (value: unknown) => typeof value === 'function'
const FUNCTION = 'a function'
const URL_RULE = 'a URL, absolute outside a page'

/**
 * Each option: the test its value must pass (`undefined` is checked only for the two
 * that need a value), and what it must be, for the message.
 */
const RULES: Readonly<Record<string, readonly [(value: unknown) => unknown, string]>> = {
  refreshUrl: [parse, URL_RULE],
  logoutUrl: [parse, URL_RULE],
  credentials: [
    (value) => ['omit', 'same-origin', 'include'].includes(value as string),
    "'omit', 'same-origin' or 'include'",
  ],
  onLoggedOut: [isFunction, FUNCTION],
  // Required where the platform has no fetch of its own.
  fetch: [(value) => isFunction(value ?? globalThis.fetch), FUNCTION],
  refreshBefore: [
    (value) => Number.isFinite(value) && (value as number) >= 0,
    'seconds, 0 or more',
  ],
  origins: [(value) => Array.isArray(value) && value.every(parse), 'an array of URLs'],
  now: [isFunction, FUNCTION],
}

/**
 * Check every option once, at creation, so that a mistake shows when the page starts,
 * not at the first expired token. An unknown name is refused: a misspelt `logoutURL`
 * must not silently leave the session open on the server.
 */
export function checkOptions(options: unknown): asserts options is AuthClientOptions {
  const o = ((typeof options === 'object' && options) || {}) as Record<string, unknown>
  for (const name of Object.keys(o)) {
    if (!Object.hasOwn(RULES, name)) {
      throw setupError(
        `createAuthClient: unknown option ${name}; use ${Object.keys(RULES).join(', ')}`,
      )
    }
  }
  for (const [name, [test, what]] of Object.entries(RULES)) {
    const value = o[name]
    if ((value !== undefined || name === 'refreshUrl' || name === 'fetch') && !test(value)) {
      throw setupError(`createAuthClient: ${name} must be ${what}`)
    }
  }
}
