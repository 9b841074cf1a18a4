import { createAuthClient } from 'express-jwt-gate/client'
import type { AuthClientOptions } from 'express-jwt-gate/client'
import { thrown } from '../helpers/tokens'

const REFRESH = 'http://127.0.0.1:1/auth/refresh'
/** A fetch that must never run: option checks happen before any request. */
const noFetch = () => Promise.reject(new Error('no request expected'))

describe('createAuthClient options', () => {
  test.each([
    ['no options', undefined, /refreshUrl must be a URL, absolute outside a page/],
    ['a URL instead of options', 'http://x/', /refreshUrl must be a URL/],
    ['no refreshUrl', {}, /refreshUrl must be a URL/],
    [
      'a relative refreshUrl outside a page',
      { refreshUrl: '/auth/refresh' },
      /refreshUrl must be a URL, absolute outside a page/,
    ],
    ['a refreshUrl that is not a string', { refreshUrl: 42 }, /refreshUrl must be a URL/],
    ['a bad logoutUrl', { refreshUrl: REFRESH, logoutUrl: 'http://[' }, /logoutUrl must be a URL/],
    [
      'a misspelt option',
      { refreshUrl: REFRESH, logoutURL: REFRESH },
      /unknown option logoutURL; use refreshUrl, logoutUrl, credentials, onLoggedOut, fetch, refreshBefore, origins, now/,
    ],
    [
      'bad credentials',
      { refreshUrl: REFRESH, credentials: 'cookies' },
      /credentials must be 'omit', 'same-origin' or 'include'/,
    ],
    [
      'a callback that is not a function',
      { refreshUrl: REFRESH, onLoggedOut: 'login.html' },
      /onLoggedOut must be a function/,
    ],
    [
      'a fetch that is not a function',
      { refreshUrl: REFRESH, fetch: {} },
      /fetch must be a function/,
    ],
    [
      'a negative refreshBefore',
      { refreshUrl: REFRESH, refreshBefore: -1 },
      /refreshBefore must be seconds, 0 or more/,
    ],
    [
      'refreshBefore as a string',
      { refreshUrl: REFRESH, refreshBefore: '30s' },
      /refreshBefore must be seconds/,
    ],
    [
      'an infinite refreshBefore',
      { refreshUrl: REFRESH, refreshBefore: Infinity },
      /refreshBefore must be seconds/,
    ],
    [
      'origins as one string',
      { refreshUrl: REFRESH, origins: 'https://api.example.com' },
      /origins must be an array of URLs/,
    ],
    [
      'origins with a non-URL',
      { refreshUrl: REFRESH, origins: ['api.example.com'] },
      /origins must be an array of URLs/,
    ],
    [
      'a clock that is not a function',
      { refreshUrl: REFRESH, now: Date.now() },
      /now must be a function/,
    ],
  ])('%s: a TypeError that says how to fix it', (_name, options, message) => {
    const err = thrown(() => createAuthClient(options as AuthClientOptions))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(/^express-jwt-gate: createAuthClient: /)
    expect(err.message).toMatch(message)
  })

  test('without a global fetch, options.fetch is required', () => {
    const original = globalThis.fetch
    try {
      ;(globalThis as { fetch?: unknown }).fetch = undefined
      expect(thrown(() => createAuthClient({ refreshUrl: REFRESH })).message).toBe(
        'express-jwt-gate: createAuthClient: fetch must be a function',
      )
      expect(createAuthClient({ refreshUrl: REFRESH, fetch: noFetch }).token()).toBeUndefined()
    } finally {
      globalThis.fetch = original
    }
  })

  test('accepts every option, URL objects included, and options left undefined', () => {
    const auth = createAuthClient({
      refreshUrl: new URL(REFRESH),
      logoutUrl: new URL('/auth/logout', REFRESH),
      credentials: 'omit',
      onLoggedOut: () => undefined,
      fetch: noFetch,
      refreshBefore: 0,
      origins: ['https://api.example.com'],
      now: () => 0,
    })
    expect(auth.token()).toBeUndefined()
    expect(() =>
      createAuthClient({
        refreshUrl: REFRESH,
        logoutUrl: undefined,
      } as unknown as AuthClientOptions),
    ).not.toThrow()
  })

  test('leaves the options object as it was (a frozen one works)', async () => {
    const options = Object.freeze({ refreshUrl: REFRESH, fetch: noFetch })
    const auth = createAuthClient(options)
    await auth.logout()
    expect(options).toEqual({ refreshUrl: REFRESH, fetch: noFetch })
  })
})

describe('setTokens', () => {
  const auth = () => createAuthClient({ refreshUrl: REFRESH, fetch: noFetch })
  const SHAPE =
    /^express-jwt-gate: setTokens needs \{ access_token, token_type: 'Bearer', expires_in\? \} or its camelCase$/

  test.each([
    ['null', null],
    ['a string', 'eyJ.eyJ.sig'],
    ['no access token', { token_type: 'Bearer', expires_in: 60 }],
    ['an empty access token', { access_token: '', token_type: 'Bearer' }],
    ['no token_type', { access_token: 'a', expires_in: 60 }],
    ['another token type', { access_token: 'a', token_type: 'MAC' }],
    ['a negative expires_in', { access_token: 'a', token_type: 'Bearer', expires_in: -1 }],
    ['expires_in as a string', { access_token: 'a', token_type: 'Bearer', expires_in: '60' }],
    [
      'a refresh_token that is not a string',
      { access_token: 'a', token_type: 'Bearer', refresh_token: 1 },
    ],
    ['an empty refresh_token', { access_token: 'a', token_type: 'Bearer', refresh_token: '' }],
    ['camelCase without tokenType', { accessToken: 'a', expiresIn: 60 }],
    ['camelCase with a bad expiresIn', { accessToken: 'a', tokenType: 'Bearer', expiresIn: NaN }],
    ['a mix of both shapes, read as RFC 6749', { access_token: 'a', tokenType: 'Bearer' }],
  ])('refuses %s with a TypeError showing the shape, and keeps the session', (_name, response) => {
    const client = auth()
    client.setTokens({ access_token: 'kept', token_type: 'Bearer' })
    const err = thrown(() => client.setTokens(response as never))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(SHAPE)
    expect(client.token()).toBe('kept')
  })

  test('token_type is case-insensitive (RFC 6749 §5.1)', () => {
    const client = auth()
    client.setTokens({ access_token: 'a', token_type: 'bEaReR', expires_in: 0 })
    expect(client.token()).toBe('a')
  })

  test('never puts the token in the message', () => {
    const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln'
    const err = thrown(() => auth().setTokens({ access_token: secret, token_type: 'MAC' }))
    expect(err.message).not.toContain(secret)
  })
})
