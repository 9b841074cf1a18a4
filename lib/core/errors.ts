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
  'token_stale',
  'feature_missing',
  'scope_missing',
  'refresh_token_invalid',
  'refresh_token_expired',
  'refresh_token_reused',
  'session_revoked',
  'subject_unknown',
  'grant_type_unsupported',
  'revocation_unavailable',
  'store_unavailable',
  'claims_unavailable',
] as const

/**
 * A stable machine code for every way authentication or authorization can fail.
 * Switch on it; the human message may change between versions, the code will not.
 *
 * | code | status | `error` |
 * | --- | --- | --- |
 * | `credentials_missing` | 401 | (none) |
 * | `request_malformed` | 400 | `invalid_request` |
 * | everything about the access token | 401 | `invalid_token` |
 * | `feature_missing`, `scope_missing` | 403 | `insufficient_scope` |
 * | the refresh token's codes (`refresh_token_*`, `session_revoked`, `subject_unknown`) | 400 | `invalid_grant` |
 * | `grant_type_unsupported` | 400 | `unsupported_grant_type` |
 * | `revocation_unavailable`, `store_unavailable`, `claims_unavailable` | 503 | `temporarily_unavailable` |
 *
 * @example
 * ```ts
 * import type { JwtAuthErrorCode } from 'express-jwt-gate'
 * const retryable = (code: JwtAuthErrorCode) => code === 'key_set_unavailable'
 * ```
 */
export type JwtAuthErrorCode = (typeof JWT_AUTH_ERROR_CODES)[number]

/**
 * The codes of {@link InsufficientScopeError}: a valid token that lacks a grant.
 *
 * @example
 * ```ts
 * import type { InsufficientScopeErrorCode } from 'express-jwt-gate'
 * const code: InsufficientScopeErrorCode = 'feature_missing'
 * ```
 */
export type InsufficientScopeErrorCode = 'feature_missing' | 'scope_missing'

/**
 * The codes of {@link InvalidTokenError}: everything that can be wrong with a token.
 *
 * @example
 * ```ts
 * import type { InvalidTokenErrorCode } from 'express-jwt-gate'
 * const code: InvalidTokenErrorCode = 'token_expired'
 * ```
 */
export type InvalidTokenErrorCode =
  | 'token_too_large'
  | 'token_malformed'
  | 'header_invalid'
  | 'algorithm_not_allowed'
  | 'key_unknown'
  | 'key_set_unavailable'
  | 'signature_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'claim_missing'
  | 'claim_invalid'
  | 'token_revoked'
  | 'token_stale'

/**
 * The codes of {@link RefreshTokenError}: why a refresh (or the request for one) was
 * refused. Answered as OAuth 2.0 token-endpoint errors (RFC 6749 §5.2).
 *
 * @example
 * ```ts
 * import type { RefreshTokenErrorCode } from 'express-jwt-gate'
 * const logInAgain = (code: RefreshTokenErrorCode) => code !== 'request_malformed'
 * ```
 */
export type RefreshTokenErrorCode =
  | 'refresh_token_invalid'
  | 'refresh_token_expired'
  | 'refresh_token_reused'
  | 'session_revoked'
  | 'subject_unknown'
  | 'request_malformed'
  | 'grant_type_unsupported'

/**
 * The codes of {@link ServiceUnavailableError}: the package cannot answer now, and says
 * so rather than guess. Retry after `Retry-After` seconds.
 *
 * @example
 * ```ts
 * import type { ServiceUnavailableErrorCode } from 'express-jwt-gate'
 * const code: ServiceUnavailableErrorCode = 'revocation_unavailable'
 * ```
 */
export type ServiceUnavailableErrorCode =
  'revocation_unavailable' | 'store_unavailable' | 'claims_unavailable'

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
 * The `error` member of an OAuth 2.0 token-endpoint error (RFC 6749 §5.2), and
 * `temporarily_unavailable` for a 503.
 *
 * @example
 * ```ts
 * import type { OAuthErrorAttribute } from 'express-jwt-gate'
 * const attr: OAuthErrorAttribute = 'invalid_grant'
 * ```
 */
export type OAuthErrorAttribute =
  'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'temporarily_unavailable'

/**
 * What every {@link JwtAuthError} is made of. Subclasses fill in what their kind fixes
 * (the status, the `error` attribute), so callers pass only `code` and `message`.
 *
 * @example
 * ```ts
 * import type { JwtAuthErrorOptions } from 'express-jwt-gate'
 * const options: JwtAuthErrorOptions = {
 *   code: 'token_revoked',
 *   message: 'token revoked',
 *   status: 401,
 *   error: 'invalid_token',
 * }
 * ```
 */
export interface JwtAuthErrorOptions {
  /** The stable machine code that callers switch on; see {@link JwtAuthErrorCode}. */
  code: JwtAuthErrorCode
  /** Short, lower case, names the rule or the claim; never the token. */
  message: string
  /** HTTP status: 400, 401, 403 or 503. */
  status: number
  /** The RFC 6750 or RFC 6749 `error` attribute; absent for a bare challenge (no credentials sent). */
  error?: BearerErrorAttribute | OAuthErrorAttribute | undefined
  /**
   * Whether the response carries an RFC 6750 `WWW-Authenticate: Bearer` challenge.
   * Default `true`; token-endpoint errors and 503s carry none.
   */
  challenge?: boolean | undefined
  /** Seconds the client should wait before trying again: a `Retry-After` header. */
  retryAfter?: number | undefined
  /** The challenge's `scope` attribute (`insufficient_scope`). */
  scope?: string | undefined
  /** The realm the challenge names. */
  realm?: string | undefined
  /** The claim a claim rule refused (`exp`, `aud`, …). */
  claim?: string | undefined
  /** The underlying failure, for logs (a key set's fetch error, say). */
  cause?: unknown
}

/**
 * Base class of every failure this package reports for a request or a token.
 *
 * It has the shape Express's default error handler understands: `status` and
 * `statusCode` (equal), `expose: true` and `headers`, derived once from the other
 * fields: the RFC 6750 `WWW-Authenticate` challenge (for 400, 401 and 403 about an
 * access token) and `Retry-After` (for a 503). Every field is read-only:
 * {@link JwtAuthError.withRealm} returns a copy. Messages name the rule or the claim,
 * never a token.
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
  /**
   * The class's own name, `'JwtAuthError'` here and each subclass's in turn, so that
   * stack traces and logs say which refusal it was without an `instanceof`.
   */
  override name = 'JwtAuthError'
  /** The stable machine code; each subclass narrows it to its own codes. */
  readonly code: JwtAuthErrorCode
  /** HTTP status: 400, 401, 403 or 503. */
  readonly status: number
  /** Same as `status`, for code that reads `statusCode`. */
  readonly statusCode: number
  /** The message is safe to show to the client. */
  readonly expose = true
  /** The RFC 6750 (or RFC 6749) `error` attribute, absent when no credentials were sent. */
  readonly error: BearerErrorAttribute | OAuthErrorAttribute | undefined
  /** The `realm` the challenge names, when one is configured. */
  readonly realm: string | undefined
  /** The `scope` attribute of an `insufficient_scope` challenge. */
  readonly scope: string | undefined
  /** The claim a claim rule refused: `exp`, `nbf`, `iat`, `aud`, `iss`, `sub`, or a required one. */
  readonly claim: string | undefined
  /** Seconds to wait before trying again, for a 503; `undefined` otherwise. */
  readonly retryAfter: number | undefined
  /** Response headers: the `WWW-Authenticate` challenge, or `Retry-After` for a 503. */
  readonly headers: Readonly<Record<string, string>>
  /** Whether the headers hold a Bearer challenge. */
  private readonly hasChallenge: boolean

  constructor(options: JwtAuthErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.status = options.status
    this.statusCode = options.status
    this.error = options.error
    this.scope = options.scope
    this.realm = options.realm
    this.claim = options.claim
    this.retryAfter = options.retryAfter
    this.hasChallenge = options.challenge ?? true
    this.headers = headersOf(this, this.hasChallenge)
  }

  /**
   * The same error naming `realm` in its challenge: a copy, so that an error one
   * middleware has seen never changes under another.
   *
   * @example
   * ```ts
   * err.withRealm('api').headers['WWW-Authenticate'] // 'Bearer realm="api", error="invalid_token", …'
   * ```
   */
  withRealm(realm: string | undefined): this {
    if (realm === this.realm) return this
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this
    Object.defineProperties(copy, Object.getOwnPropertyDescriptors(this))
    const field = (value: unknown) => ({ value, enumerable: true })
    // Since Node 22 `stack` is an accessor that answers only for the error it was made
    // on: the copy keeps the text instead.
    Object.defineProperty(copy, 'stack', {
      value: this.stack,
      writable: true,
      configurable: true,
      enumerable: false,
    })
    Object.defineProperty(copy, 'realm', field(realm))
    Object.defineProperty(copy, 'headers', field(headersOf(copy, this.hasChallenge)))
    return copy
  }
}

/** The response headers of an error: its challenge, or its `Retry-After`. */
function headersOf(error: JwtAuthError, withChallenge: boolean): Record<string, string> {
  const headers: Record<string, string> = {}
  if (withChallenge) headers['WWW-Authenticate'] = challenge(error)
  if (error.retryAfter !== undefined) headers['Retry-After'] = String(error.retryAfter)
  return headers
}

/** The RFC 6750 §3 challenge for an error's realm, `error`, description and scope. */
function challenge(error: JwtAuthError): string {
  const params: string[] = []
  if (error.realm !== undefined) params.push(`realm=${quote(error.realm)}`)
  if (error.error !== undefined) {
    params.push(`error="${error.error}"`, `error_description=${quote(error.message)}`)
    if (error.scope !== undefined) params.push(`scope=${quote(error.scope)}`)
  }
  return params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`
}

/**
 * RFC 9110 quoted-string. Values we put here are our own messages or configured
 * names, but escaping keeps a header well-formed whatever they hold.
 */
function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`
}

/**
 * The headers of an error about an access token: always a Bearer challenge.
 *
 * @inline
 */
type BearerHeaders = {
  /** The RFC 6750 §3 challenge: `Bearer`, then the realm, `error`, description and scope. */
  readonly 'WWW-Authenticate': string
}

/**
 * The options a subclass takes: what its kind does not already fix.
 *
 * @inline
 */
type Details = Pick<JwtAuthErrorOptions, 'realm' | 'claim' | 'cause'>

/**
 * 401 with `error="invalid_token"`: the token is malformed, expired, forged, revoked,
 * or otherwise unacceptable.
 *
 * @example
 * ```ts
 * import { InvalidTokenError } from 'express-jwt-gate'
 * throw new InvalidTokenError({ code: 'token_revoked', message: 'token revoked' })
 * ```
 */
export class InvalidTokenError extends JwtAuthError {
  /** `'InvalidTokenError'`, for stack traces and logs. */
  override name = 'InvalidTokenError'
  declare readonly code: InvalidTokenErrorCode
  declare readonly headers: BearerHeaders
  constructor(options: { code: InvalidTokenErrorCode; message: string } & Details) {
    super({ ...options, status: 401, error: 'invalid_token' })
  }
}

/**
 * 400 with `error="invalid_request"`: the `Authorization` header is present but is
 * not one well-formed Bearer credential.
 *
 * @example
 * ```ts
 * import { InvalidRequestError } from 'express-jwt-gate'
 * new InvalidRequestError({ message: 'malformed Bearer credentials' }).status // 400
 * ```
 */
export class InvalidRequestError extends JwtAuthError {
  /** `'InvalidRequestError'`, for stack traces and logs. */
  override name = 'InvalidRequestError'
  declare readonly code: 'request_malformed'
  declare readonly headers: BearerHeaders
  constructor(options: { message: string } & Details) {
    super({ ...options, code: 'request_malformed', status: 400, error: 'invalid_request' })
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
  /** `'CredentialsMissingError'`, for stack traces and logs. */
  override name = 'CredentialsMissingError'
  declare readonly code: 'credentials_missing'
  declare readonly headers: BearerHeaders
  constructor(options: { message?: string } & Details = {}) {
    super({
      ...options,
      code: 'credentials_missing',
      message: options.message ?? 'authentication required',
      status: 401,
    })
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
 * const err = new InsufficientScopeError({
 *   code: 'feature_missing',
 *   missing: ['invoicing'],
 *   required: ['invoicing'],
 * })
 * err.missing // ['invoicing']
 * ```
 */
export class InsufficientScopeError extends JwtAuthError {
  /** `'InsufficientScopeError'`, for stack traces and logs. */
  override name = 'InsufficientScopeError'
  declare readonly code: InsufficientScopeErrorCode
  declare readonly headers: BearerHeaders
  /** What the route requires and the token lacks. */
  readonly missing: readonly string[]
  /** Everything the route requires (the challenge's `scope` attribute). */
  readonly required: readonly string[]

  constructor(
    options: {
      code: InsufficientScopeErrorCode
      missing: readonly string[]
      required: readonly string[]
    } & Pick<Details, 'realm'>,
  ) {
    const { code, missing, required, realm } = options
    super({
      code,
      message: code === 'feature_missing' ? 'feature not licensed' : 'scope not granted',
      status: 403,
      error: 'insufficient_scope',
      scope: required.join(' '),
      realm,
    })
    this.missing = missing
    this.required = required
  }
}

/**
 * 400 from the refresh or logout endpoint, as an OAuth 2.0 token endpoint answers
 * (RFC 6749 §5.2): `invalid_grant` for a refresh token that is invalid, expired,
 * reused or whose session or subject is gone; `invalid_request` for a malformed
 * request; `unsupported_grant_type`. No `WWW-Authenticate` challenge: these are not
 * RFC 6750 errors. `sessions.refresh()` rejects with the same error its handler sends.
 *
 * @example
 * ```ts
 * import { RefreshTokenError } from 'express-jwt-gate'
 * try {
 *   await sessions.refresh(refreshToken)
 * } catch (err) {
 *   if (err instanceof RefreshTokenError) console.log(err.code) // 'refresh_token_reused', …
 * }
 * ```
 */
export class RefreshTokenError extends JwtAuthError {
  /** `'RefreshTokenError'`, for stack traces and logs. */
  override name = 'RefreshTokenError'
  declare readonly code: RefreshTokenErrorCode

  constructor(options: { code: RefreshTokenErrorCode; message: string } & Details) {
    const error =
      options.code === 'request_malformed'
        ? 'invalid_request'
        : options.code === 'grant_type_unsupported'
          ? 'unsupported_grant_type'
          : 'invalid_grant'
    super({ ...options, status: 400, error, challenge: false })
  }
}

/**
 * 503 with `Retry-After`: the package cannot answer now and will not guess. From
 * `authenticate()` when the revocation state cannot be shown to be current
 * (`revocation_unavailable`: a 401 would make clients throw away valid tokens); from
 * the session operations when the store fails or times out (`store_unavailable`), or
 * when your `claims` callback throws (`claims_unavailable`).
 *
 * @example
 * ```ts
 * import { ServiceUnavailableError } from 'express-jwt-gate'
 * const err = new ServiceUnavailableError({ code: 'store_unavailable', message: 'session store unavailable', retryAfter: 2 })
 * err.headers // { 'Retry-After': '2' }
 * ```
 */
export class ServiceUnavailableError extends JwtAuthError {
  /** `'ServiceUnavailableError'`, for stack traces and logs. */
  override name = 'ServiceUnavailableError'
  declare readonly code: ServiceUnavailableErrorCode
  declare readonly retryAfter: number

  constructor(
    options: { code: ServiceUnavailableErrorCode; message: string; retryAfter: number } & Details,
  ) {
    super({ ...options, status: 503, error: 'temporarily_unavailable', challenge: false })
  }
}

/** Throw a 401 `invalid_token` failure; reads as one line at each rule. */
export function fail(code: InvalidTokenErrorCode, message: string, claim?: string): never {
  throw new InvalidTokenError(claim === undefined ? { code, message } : { code, message, claim })
}

/**
 * A programmer mistake found at setup: a bad option, a weak or unsuitable key, a
 * payload that cannot be signed. Thrown when `jwtAuth(…)`, `createVerifier(…)` or
 * `createSigner(…)` runs, never per request. `option` names what to fix; the message
 * starts with `express-jwt-gate: ` and says how, and never repeats a secret.
 *
 * @example
 * ```ts
 * import { JwtSetupError, jwtAuth } from 'express-jwt-gate'
 * try {
 *   jwtAuth('too short')
 * } catch (err) {
 *   if (err instanceof JwtSetupError) console.error(err.option, err.message) // 'secret' …
 * }
 * ```
 */
export class JwtSetupError extends TypeError {
  /** `'JwtSetupError'`: a stack trace then says it is a setup mistake, not a refused request. */
  override name = 'JwtSetupError'
  /** The option, argument or key at fault: `secret`, `audience`, `cache.max`, … */
  readonly option: string

  constructor(options: { option: string; message: string; cause?: unknown }) {
    super(
      `express-jwt-gate: ${options.message}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    )
    this.option = options.option
  }
}

/** A {@link JwtSetupError} about `option`; `message` says how to fix it. */
export function setupError(option: string, message: string): JwtSetupError {
  return new JwtSetupError({ option, message })
}
