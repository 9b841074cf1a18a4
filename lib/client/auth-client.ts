import { tokenExpiresAt } from './claims'
import { checkOptions, originOf, parse } from './options'
import type { AuthClientOptions } from './options'
import { readTokens } from './tokens'
import type { IssuedTokens, ReadTokens, TokenResponse } from './tokens'

/** The API's refusal codes after which a new access token can succeed. */
const REFRESHABLE: readonly unknown[] = ['token_stale', 'token_expired']

/** How long a refresh or logout request may take: {@link createAuthClient}. */
const REQUEST_TIMEOUT_MS = 10_000

/**
 * What {@link createAuthClient} returns.
 *
 * @example
 * ```ts
 * import { createAuthClient } from 'express-jwt-gate/client'
 * import type { AuthClient } from 'express-jwt-gate/client'
 * const auth: AuthClient = createAuthClient({ refreshUrl: '/auth/refresh' })
 * ```
 */
export interface AuthClient {
  /**
   * `fetch`, with `Authorization: Bearer <access token>` added to requests for the
   * allowed origins (other headers are kept; a request that already carries an
   * `Authorization` header is sent as it is). Resolves with the API's response, a 401
   * included when a refresh could not help.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>
  /** Start a session from the login response. Throws a TypeError for any other shape. */
  setTokens(response: TokenResponse | IssuedTokens): void
  /** The access token held in memory, or `undefined`; it may be expired. */
  token(): string | undefined
  /** End the session: POST `logoutUrl` (best effort), forget the tokens. Never rejects. */
  logout(): Promise<void>
}

/**
 * A `fetch` wrapper that keeps an access token fresh: it sends the token as a Bearer
 * credential, refreshes it shortly before it expires, and when the API answers 401 with
 * `code` `token_stale` or `token_expired` it refreshes once and retries once.
 *
 * - **Single flight.** One refresh at a time, shared by every caller: ten requests that
 *   fail together cause one refresh, which matters because the server rotates refresh
 *   tokens and takes a second use of one for theft.
 * - **No loops.** A retry that fails again is returned as it is. A refresh the server
 *   refuses for good (4xx) forgets the tokens and calls `onLoggedOut` once; the client
 *   then sends requests without a token until `setTokens` starts a new session.
 * - **Transient failures** (5xx, 408, 429, a network error, no answer within 10 s, a
 *   malformed answer) keep the tokens and do not call `onLoggedOut`: the caller gets the
 *   API's original 401, and the next request that needs a refresh tries again.
 * - **Bodies.** A body given as a `ReadableStream` or async iterable is read as it is
 *   sent and cannot be sent twice, so such a request is not retried (the token is still
 *   refreshed, for the caller's own retry). A `Request` object is cloned for the first
 *   attempt.
 * - **Expiry** is "received at + `expires_in`" on this device's clock, immune to a wrong
 *   clock here or on the server; the token's own `exp` is used only when the response
 *   has no `expires_in`.
 * - **Storage.** Tokens live in this closure only: never `localStorage` or
 *   `sessionStorage`, which any injected script can read. Let the server keep the refresh
 *   token in an HttpOnly cookie (`credentials: 'include'`), and a page reload then
 *   starts with one refresh. Tokens are never logged.
 *
 * The refresh request is `POST refreshUrl` with `Content-Type: application/json` and
 * `{"grant_type":"refresh_token","refresh_token":"…"}`, or without `refresh_token` in
 * cookie mode. It and the logout request are given 10 s: a refresh that gets no answer
 * by then is a transient failure, like a network error. Options are checked here: a
 * mistake throws a TypeError at once.
 *
 * @example
 * ```ts
 * import { createAuthClient } from 'express-jwt-gate/client'
 * const auth = createAuthClient({
 *   refreshUrl: '/auth/refresh',
 *   logoutUrl: '/auth/logout',
 *   credentials: 'include',
 *   onLoggedOut: () => location.assign('/login'),
 * })
 * auth.setTokens(await (await fetch('/auth/login', { method: 'POST', body })).json())
 * const invoices = await (await auth.fetch('/api/invoices')).json()
 * ```
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  checkOptions(options)
  const { credentials, onLoggedOut, refreshBefore = 30, now = () => Date.now() } = options
  // Resolved once, against the page as it is now; checkOptions has made sure they parse.
  const refreshUrl = (parse(options.refreshUrl) as URL).href
  const logoutUrl = options.logoutUrl && (parse(options.logoutUrl) as URL).href
  // Bound: browsers refuse a `fetch` called on anything but the global object.
  const fetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const origins = (options.origins ?? [refreshUrl]).map((value) => originOf(value))
  /** The refresh token may be in a cookie that the client cannot see. */
  const cookieMode = credentials !== undefined && credentials !== 'omit'
  let access: string | undefined
  let refreshToken: string | undefined
  /** From this instant (ms, this device's clock) the token is refreshed before use. */
  let refreshAt = Infinity
  let canRefresh = cookieMode
  /** Bumped whenever the tokens are replaced or forgotten; a refresh older than that is void. */
  let generation = 0
  let inflight: Promise<string | undefined> | undefined

  function keep(tokens: ReadTokens, sentAt: number, refreshing: boolean): void {
    access = tokens.accessToken
    // RFC 6749 §6: a refresh answer without a new refresh token leaves the old one in use.
    refreshToken = tokens.refreshToken ?? (refreshing ? refreshToken : undefined)
    canRefresh = cookieMode || refreshToken !== undefined
    let lifetime = tokens.expiresIn === undefined ? undefined : tokens.expiresIn * 1000
    if (lifetime === undefined) {
      try {
        const exp = tokenExpiresAt(access)?.getTime()
        if (exp !== undefined) lifetime = exp - sentAt
      } catch {
        // An opaque access token: its expiry is unknown, so only a 401 triggers a refresh.
      }
    }
    // Half the lifetime at most, so that a short-lived token is not refreshed every time.
    refreshAt =
      lifetime === undefined
        ? Infinity
        : sentAt + lifetime - Math.min(refreshBefore * 1000, lifetime / 2)
  }

  function forget(): void {
    access = refreshToken = undefined
    canRefresh = false
    refreshAt = Infinity
    generation++
  }

  // Without a refresh token (cookie mode) JSON.stringify leaves the member out.
  const grant = (): string =>
    JSON.stringify({ grant_type: 'refresh_token', refresh_token: refreshToken })

  const post = (url: string, body: string): Promise<Response> =>
    // Always JSON, even for a grant with no token in it: the content type is the server's
    // CSRF defence, since a cross-site form cannot send it. An undefined `credentials`
    // means the default, as if absent.
    fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
      credentials,
      // A refresh or logout endpoint that hangs must not hold every request waiting on
      // it: after 10 s the client gives up, as on a network error.
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    } as RequestInit)

  function report(reason: string): void {
    // Before the waiting requests resume, but outside them: if the callback throws, that
    // is the application's bug to see, and each request still gets its own answer.
    queueMicrotask(() => onLoggedOut?.(reason))
  }

  async function attempt(): Promise<string | undefined> {
    if (!canRefresh) return undefined
    // Expiry counts from the moment the request left: the server's clock started later.
    const sentAt = now()
    const started = generation
    let response: Response
    try {
      response = await post(refreshUrl, grant())
    } catch {
      return undefined
    }
    const body = await json(response)
    // setTokens or logout ran meanwhile: what they did wins.
    if (started !== generation) return access
    const { status } = response
    if (response.ok) {
      try {
        keep(readTokens(body), sentAt, true)
        return access
      } catch {
        return undefined
      }
    }
    if (status < 400 || status > 499 || status === 408 || status === 429) return undefined
    forget()
    const { code, error } = body ?? {}
    report(typeof code === 'string' ? code : typeof error === 'string' ? error : `http_${status}`)
    return undefined
  }

  const refresh = (): Promise<string | undefined> =>
    (inflight ??= attempt().finally(() => {
      inflight = undefined
    }))

  const json = (response: Response): Promise<Record<string, unknown> | null | undefined> =>
    response.json().catch(() => undefined) as Promise<Record<string, unknown> | null | undefined>

  async function authFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = typeof input === 'object' && 'url' in input ? input : undefined
    const headers = new Headers(init?.headers ?? request?.headers)
    const origin = originOf(request?.url ?? input)
    if (headers.has('Authorization') || origin === undefined || !origins.includes(origin)) {
      return fetch(input, init)
    }
    const body: unknown = init?.body
    const replayable = !(
      typeof body === 'object' &&
      body !== null &&
      ('getReader' in body || Symbol.asyncIterator in body)
    )
    const send = (token: string | undefined, last: boolean): Promise<Response> => {
      if (token !== undefined) headers.set('Authorization', `Bearer ${token}`)
      // A Request's body can be read once: an attempt that may be followed by another
      // sends a copy.
      return fetch(request !== undefined && !last ? request.clone() : input, {
        ...init,
        headers,
      })
    }

    if (canRefresh && (access === undefined || now() >= refreshAt)) await refresh()
    const sent = access
    const response = await send(sent, !replayable)
    if (response.status !== 401 || !REFRESHABLE.includes((await json(response.clone()))?.code))
      return response
    // Another request may have refreshed while this one was out: then its token is fresh.
    const token = access !== undefined && access !== sent ? access : await refresh()
    if (token === undefined || !replayable) return response
    await response.body?.cancel()
    return send(token, true)
  }

  return {
    fetch: authFetch,
    setTokens(response) {
      const tokens = readTokens(response)
      generation++
      keep(tokens, now(), false)
    },
    token: () => access,
    async logout() {
      // A refresh under way may rotate the refresh token: log out with the newest one.
      await inflight
      const body = grant()
      forget()
      if (!logoutUrl) return
      try {
        await (await post(logoutUrl, body)).arrayBuffer()
      } catch {
        // Best effort: the tokens are forgotten here whatever the server says.
      }
    },
  }
}
