import {
  CredentialsMissingError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JWT_AUTH_ERROR_CODES,
  JwtAuthError,
  JwtSetupError,
  RefreshTokenError,
  ServiceUnavailableError,
  createVerifier,
  jwtAuth,
  signToken,
  verifyToken,
} from 'express-jwt-gate'
import { NOW, NOW_DATE, SECRET, createToken, thrown } from '../helpers/tokens'

describe('error classes', () => {
  test('invalid_token: 401 with an RFC 6750 challenge', () => {
    const err = new InvalidTokenError({ code: 'token_revoked', message: 'token revoked' })
    expect(err).toBeInstanceOf(JwtAuthError)
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('InvalidTokenError')
    expect([err.status, err.statusCode, err.code, err.error, err.expose]).toEqual([
      401,
      401,
      'token_revoked',
      'invalid_token',
      true,
    ])
    expect(err.headers).toEqual({
      'WWW-Authenticate': 'Bearer error="invalid_token", error_description="token revoked"',
    })
  })

  test('invalid_request: 400', () => {
    const err = new InvalidRequestError({ message: 'malformed Bearer credentials' })
    expect([err.status, err.statusCode, err.code, err.error]).toEqual([
      400,
      400,
      'request_malformed',
      'invalid_request',
    ])
  })

  test('no credentials: 401 with a bare challenge and no error attribute (RFC 6750 §3.1)', () => {
    const err = new CredentialsMissingError()
    expect(err.message).toBe('authentication required')
    expect(err.headers['WWW-Authenticate']).toBe('Bearer')
    expect(err.error).toBeUndefined()
    expect(new CredentialsMissingError({ realm: 'api' }).headers['WWW-Authenticate']).toBe(
      'Bearer realm="api"',
    )
  })

  test('insufficient_scope: 403 naming every required scope', () => {
    const err = new InsufficientScopeError({
      code: 'feature_missing',
      missing: ['invoicing'],
      required: ['todos', 'invoicing'],
    })
    expect(err.status).toBe(403)
    expect(err.missing).toEqual(['invoicing'])
    expect(err.required).toEqual(['todos', 'invoicing'])
    expect(err.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="feature not licensed", scope="todos invoicing"',
    )
    const scope = new InsufficientScopeError({
      code: 'scope_missing',
      missing: ['a'],
      required: ['a'],
    })
    expect(scope.message).toBe('scope not granted')
  })

  test('a realm is quoted and escaped', () => {
    const err = new InvalidTokenError({
      code: 'token_expired',
      message: 'token expired',
      realm: 'my "api" \\ v1',
    })
    expect(err.headers['WWW-Authenticate']).toBe(
      'Bearer realm="my \\"api\\" \\\\ v1", error="invalid_token", error_description="token expired"',
    )
    expect(err.realm).toBe('my "api" \\ v1')
  })

  test('withRealm returns a copy with its own headers, and leaves the original as it was', () => {
    const original = new InvalidTokenError({
      code: 'claim_invalid',
      message: 'aud claim does not match',
      claim: 'aud',
    })
    const copy = original.withRealm('api')
    expect(copy).not.toBe(original)
    expect(copy).toBeInstanceOf(InvalidTokenError)
    expect([copy.name, copy.code, copy.claim, copy.message, copy.stack]).toEqual([
      'InvalidTokenError',
      'claim_invalid',
      'aud',
      'aud claim does not match',
      original.stack,
    ])
    expect(copy.headers['WWW-Authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="aud claim does not match"',
    )
    expect(original.realm).toBeUndefined()
    expect(original.headers['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="aud claim does not match"',
    )
    expect(copy.withRealm('api')).toBe(copy)
  })

  test('an error keeps its cause, for logs', () => {
    const cause = new Error('connect ECONNREFUSED')
    const err = new InvalidTokenError({ code: 'key_set_unavailable', message: 'x', cause })
    expect(err.cause).toBe(cause)
    expect(new InvalidTokenError({ code: 'token_expired', message: 'x' })).not.toHaveProperty(
      'cause',
    )
  })

  test('the code list is the union, with no duplicates', () => {
    expect(new Set(JWT_AUTH_ERROR_CODES).size).toBe(JWT_AUTH_ERROR_CODES.length)
    expect(JWT_AUTH_ERROR_CODES).toContain('token_expired')
  })

  test('the code of each class is narrowed to its own codes', () => {
    // @ts-expect-error: an invalid token never carries a 403 code
    void new InvalidTokenError({ code: 'feature_missing', message: 'x' })
    // @ts-expect-error: nor a missing-credentials one
    void new InvalidTokenError({ code: 'credentials_missing', message: 'x' })
    // @ts-expect-error: a 403 never carries a token code
    void new InsufficientScopeError({ code: 'token_expired', missing: [], required: [] })
    const code: 'request_malformed' = new InvalidRequestError({ message: 'x' }).code
    expect(code).toBe('request_malformed')
  })
})

describe('claim errors name the claim', () => {
  const at = { currentDate: NOW_DATE }
  test.each([
    ['exp', { sub: 'a', exp: NOW - 1 }, {}, 'token_expired'],
    ['nbf', { exp: NOW + 60, nbf: NOW + 60 }, {}, 'token_not_yet_valid'],
    ['iat', { exp: NOW + 60, iat: NOW + 60 }, {}, 'claim_invalid'],
    ['aud', { exp: NOW + 60 }, { audience: 'api' }, 'claim_missing'],
    ['iss', { exp: NOW + 60, iss: 'other' }, { issuer: 'me' }, 'claim_invalid'],
    ['sub', { exp: NOW + 60, sub: 'bob' }, { subject: 'alice' }, 'claim_invalid'],
    ['tenant', { exp: NOW + 60 }, { requiredClaims: ['exp', 'tenant'] }, 'claim_missing'],
    ['iat', { exp: NOW + 60 }, { maxAge: 60 }, 'claim_missing'],
  ])('%s', (claim, payload, options, code) => {
    const err = thrown(() => verifyToken(createToken({ payload }), SECRET, { ...at, ...options }))
    expect(err).toMatchObject({ code, claim })
  })

  test('other failures name none', () => {
    const err = thrown(() => verifyToken(createToken({ secret: 'x'.repeat(32) }), SECRET, at))
    expect(err).toMatchObject({ code: 'signature_invalid', claim: undefined })
  })
})

describe('JwtSetupError', () => {
  test('is a TypeError with the package prefix and the option to fix', () => {
    const err = thrown(() => jwtAuth('short'))
    expect(err).toBeInstanceOf(JwtSetupError)
    expect(err).toBeInstanceOf(TypeError)
    expect(err).toMatchObject({
      name: 'JwtSetupError',
      option: 'secret',
      message:
        'express-jwt-gate: secret must be at least 32 bytes for HS256 (got 5); make one with generateSecret() or `npx jwt-gate secret`',
    })
  })

  test.each([
    ['an unknown option', () => createVerifier(SECRET, { audiance: 'api' } as never), 'audiance'],
    [
      'a bad duration',
      () => createVerifier(SECRET, { clockTolerance: '5' as never }),
      'clockTolerance',
    ],
    ['cache.max', () => createVerifier(SECRET, { cache: { max: 0 } }), 'cache.max'],
    ['algorithms', () => createVerifier(SECRET, { algorithms: ['none' as never] }), 'algorithms'],
    ['a payload', () => signToken([] as never, SECRET), 'payload'],
    ['a realm', () => jwtAuth(SECRET, { realm: '\n' }), 'realm'],
  ])('names %s', (_name, setup, option) => {
    const err = thrown(setup)
    expect(err).toBeInstanceOf(JwtSetupError)
    expect((err as JwtSetupError).option).toBe(option)
  })
})

test('the README example of throwing a refusal: an isRevoked of your own, say', () => {
  const refuse = () => {
    throw new InvalidTokenError({ code: 'token_revoked', message: 'token revoked' })
  }
  expect(thrown(refuse)).toMatchObject({ code: 'token_revoked', status: 401 })
})

describe('token-endpoint and 503 errors', () => {
  test.each([
    ['refresh_token_reused', 'invalid_grant'],
    ['session_revoked', 'invalid_grant'],
    ['request_malformed', 'invalid_request'],
    ['grant_type_unsupported', 'unsupported_grant_type'],
  ] as const)('%s: 400 %s with no challenge', (code, error) => {
    const err = new RefreshTokenError({ code, message: 'x' })
    expect(err).toBeInstanceOf(JwtAuthError)
    expect([err.name, err.status, err.error, err.headers]).toEqual([
      'RefreshTokenError',
      400,
      error,
      {},
    ])
    expect(err.withRealm('api').headers).toEqual({})
  })

  test('503 with Retry-After and no challenge, realm or not', () => {
    const err = new ServiceUnavailableError({
      code: 'store_unavailable',
      message: 'session store unavailable',
      retryAfter: 2,
    })
    expect([err.name, err.status, err.statusCode, err.error, err.retryAfter]).toEqual([
      'ServiceUnavailableError',
      503,
      503,
      'temporarily_unavailable',
      2,
    ])
    expect(err.headers).toEqual({ 'Retry-After': '2' })
    expect(err.withRealm('api').headers).toEqual({ 'Retry-After': '2' })
  })
})
