import {
  CredentialsMissingError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JWT_AUTH_ERROR_CODES,
  JwtAuthError,
} from 'express-jwt-gate'

describe('error classes', () => {
  test('invalid_token: 401 with an RFC 6750 challenge', () => {
    const err = new InvalidTokenError('token_revoked', 'token revoked')
    expect(err).toBeInstanceOf(JwtAuthError)
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('InvalidTokenError')
    expect(err.headers).toEqual({
      'WWW-Authenticate': 'Bearer error="invalid_token", error_description="token revoked"',
    })
  })

  test('invalid_request: 400', () => {
    const err = new InvalidRequestError('malformed Bearer credentials')
    expect([err.status, err.statusCode, err.code, err.error]).toEqual([
      400,
      400,
      'request_malformed',
      'invalid_request',
    ])
  })

  test('no credentials: 401 with a bare challenge and no error attribute (RFC 6750 §3.1)', () => {
    const err = new CredentialsMissingError()
    expect(err.headers['WWW-Authenticate']).toBe('Bearer')
    expect(err.error).toBeUndefined()
    expect(err.withRealm('api').headers['WWW-Authenticate']).toBe('Bearer realm="api"')
  })

  test('insufficient_scope: 403 naming every required scope', () => {
    const err = new InsufficientScopeError('feature_missing', ['invoicing'], ['todos', 'invoicing'])
    expect(err.status).toBe(403)
    expect(err.missing).toEqual(['invoicing'])
    expect(err.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", error_description="feature not licensed", scope="todos invoicing"',
    )
    expect(new InsufficientScopeError('scope_missing', ['a'], ['a']).message).toBe(
      'scope not granted',
    )
  })

  test('a realm is quoted and escaped', () => {
    const err = new InvalidTokenError('token_expired', 'token expired').withRealm('my "api" \\ v1')
    expect(err.headers['WWW-Authenticate']).toBe(
      'Bearer realm="my \\"api\\" \\\\ v1", error="invalid_token", error_description="token expired"',
    )
    expect(err.realm).toBe('my "api" \\ v1')
  })

  test('the code list is the union, with no duplicates', () => {
    expect(new Set(JWT_AUTH_ERROR_CODES).size).toBe(JWT_AUTH_ERROR_CODES.length)
    expect(JWT_AUTH_ERROR_CODES).toContain('token_expired')
  })
})
