/**
 * Every machine-readable failure code this package produces, in one list.
 *
 * @example
 * ```ts
 * import { JWT_AUTH_ERROR_CODES } from 'express-jwt-gate'
 * JWT_AUTH_ERROR_CODES.includes('token_expired') // true
 * ```
 */
export const JWT_AUTH_ERROR_CODES = [
  'credentials_missing',
  'request_malformed',
  'token_too_large',
  'token_malformed',
  'header_invalid',
  'algorithm_not_allowed',
  'key_unknown',
  'key_set_unavailable',
  'signature_invalid',
  'token_expired',
  'token_not_yet_valid',
  'claim_missing',
  'claim_invalid',
  'token_revoked',
  'feature_missing',
  'scope_missing',
] as const

/**
 * A stable machine code for every way authentication or authorization can fail.
 * Switch on it; the human message may change between versions, the code will not.
 *
 * | code | status | RFC 6750 `error` |
 * | --- | --- | --- |
 * | `credentials_missing` | 401 | (none) |
 * | `request_malformed` | 400 | `invalid_request` |
 * | everything about the token | 401 | `invalid_token` |
 * | `feature_missing`, `scope_missing` | 403 | `insufficient_scope` |
 *
 * @example
 * ```ts
 * import type { JwtAuthErrorCode } from 'express-jwt-gate'
 * const retryable = (code: JwtAuthErrorCode) => code === 'key_set_unavailable'
 * ```
 */
export type JwtAuthErrorCode = (typeof JWT_AUTH_ERROR_CODES)[number]

/**
 * The `error` attribute of an RFC 6750 `WWW-Authenticate: Bearer` challenge.
 *
 * @example
 * ```ts
 * import type { BearerErrorAttribute } from 'express-jwt-gate'
 * const attr: BearerErrorAttribute = 'invalid_token'
 * ```
 */
export type BearerErrorAttribute = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

/**
 * Base class of every failure this package reports for a request or a token.
 *
 * It has the shape Express's default error handler understands: `status` and
 * `statusCode` (equal), `expose: true` and `headers` holding the RFC 6750
 * `WWW-Authenticate` challenge. Messages name the rule or the claim, never the token.
 *
 * @example
 * ```ts
 * import { JwtAuthError, verifyToken } from 'express-jwt-gate'
 * try {
 *   verifyToken(token, secret)
 * } catch (err) {
 *   if (err instanceof JwtAuthError) console.log(err.code, err.status) // 'token_expired' 401
 * }
 * ```
 */
export class JwtAuthError extends Error {
  override name = 'JwtAuthError'
  /** The stable machine code. */
  readonly code: JwtAuthErrorCode
  /** HTTP status: 400, 401 or 403. */
  readonly status: number
  /** Same as `status`, for code that reads `statusCode`. */
  readonly statusCode: number
  /** The message is safe to show to the client. */
  readonly expose = true
  /** The RFC 6750 `error` attribute, absent when no credentials were sent. */
  readonly error: BearerErrorAttribute | undefined
  /** The `realm` the challenge names, when one is configured. */
  realm: string | undefined
  /** The `scope` attribute of an `insufficient_scope` challenge. */
  readonly scope: string | undefined
  /** Response headers: the `WWW-Authenticate` challenge. */
  headers: { 'WWW-Authenticate': string }

  constructor(
    code: JwtAuthErrorCode,
    message: string,
    status: number,
    error: BearerErrorAttribute | undefined,
    scope?: string,
  ) {
    super(message)
    this.code = code
    this.status = status
    this.statusCode = status
    this.error = error
    this.scope = scope
    this.realm = undefined
    this.headers = { 'WWW-Authenticate': this.challenge() }
  }

  /**
   * Name a realm in the challenge; returns the same error.
   *
   * @example
   * ```ts
   * err.withRealm('api').headers['WWW-Authenticate'] // 'Bearer realm="api", error="invalid_token", …'
   * ```
   */
  withRealm(realm: string | undefined): this {
    this.realm = realm
    this.headers = { 'WWW-Authenticate': this.challenge() }
    return this
  }

  private challenge(): string {
    const params: string[] = []
    if (this.realm !== undefined) params.push(`realm=${quote(this.realm)}`)
    if (this.error !== undefined) {
      params.push(`error="${this.error}"`, `error_description=${quote(this.message)}`)
      if (this.scope !== undefined) params.push(`scope=${quote(this.scope)}`)
    }
    return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`
  }
}

/**
 * 401 with `error="invalid_token"`: the token is malformed, expired, forged, revoked,
 * or otherwise unacceptable.
 *
 * @example
 * ```ts
 * import { InvalidTokenError } from 'express-jwt-gate'
 * throw new InvalidTokenError('token_revoked', 'token revoked')
 * ```
 */
export class InvalidTokenError extends JwtAuthError {
  override name = 'InvalidTokenError'
  constructor(code: JwtAuthErrorCode, message: string) {
    super(code, message, 401, 'invalid_token')
  }
}

/**
 * 400 with `error="invalid_request"`: the `Authorization` header is present but is
 * not one well-formed Bearer credential.
 *
 * @example
 * ```ts
 * import { InvalidRequestError } from 'express-jwt-gate'
 * new InvalidRequestError('malformed Bearer credentials').status // 400
 * ```
 */
export class InvalidRequestError extends JwtAuthError {
  override name = 'InvalidRequestError'
  constructor(message: string) {
    super('request_malformed', message, 400, 'invalid_request')
  }
}

/**
 * 401 with a bare `Bearer` challenge and no `error` attribute (RFC 6750 §3.1): the
 * request carried no credentials for this scheme.
 *
 * @example
 * ```ts
 * import { CredentialsMissingError } from 'express-jwt-gate'
 * new CredentialsMissingError().headers['WWW-Authenticate'] // 'Bearer'
 * ```
 */
export class CredentialsMissingError extends JwtAuthError {
  override name = 'CredentialsMissingError'
  constructor(message = 'authentication required') {
    super('credentials_missing', message, 401, undefined)
  }
}

/**
 * 403 with `error="insufficient_scope"`: the token is valid but lacks a feature or
 * scope the route requires. `missing` lists what was missing; the challenge's `scope`
 * attribute lists everything the route requires.
 *
 * @example
 * ```ts
 * import { InsufficientScopeError } from 'express-jwt-gate'
 * const err = new InsufficientScopeError('feature_missing', ['invoicing'], ['invoicing'])
 * err.missing // ['invoicing']
 * ```
 */
export class InsufficientScopeError extends JwtAuthError {
  override name = 'InsufficientScopeError'
  /** What the route requires and the token lacks. */
  readonly missing: readonly string[]
  /** Everything the route requires (the challenge's `scope` attribute). */
  readonly required: readonly string[]

  constructor(
    code: 'feature_missing' | 'scope_missing',
    missing: readonly string[],
    required: readonly string[],
  ) {
    const message = code === 'feature_missing' ? 'feature not licensed' : 'scope not granted'
    super(code, message, 403, 'insufficient_scope', required.join(' '))
    this.missing = missing
    this.required = required
  }
}

/**
 * RFC 9110 quoted-string. Values we put here are our own messages or configured
 * names, but escaping keeps a header well-formed whatever they hold.
 */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`
}

/** Throw a 401 `invalid_token` failure; reads as one line at each rule. */
export function fail(code: JwtAuthErrorCode, message: string): never {
  throw new InvalidTokenError(code, message)
}

/** `express-jwt-gate: …` TypeError for a programmer mistake found at setup. */
export function setupError(message: string): TypeError {
  return new TypeError(`express-jwt-gate: ${message}`)
}
