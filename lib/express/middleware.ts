import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { JwtAuthError } from '../core/errors'
import { CredentialsMissingError, InvalidTokenError, setupError } from '../core/errors'
import {
  optionNames,
  readBoolean,
  readFunction,
  readOptions,
  type OptionList,
} from '../core/options'
import { CLOCK, internalClock } from '../core/numeric-date'
import type { ClaimsSchema, InferClaims } from '../core/schema'
import type { JwtClaims } from '../core/types'
import { VERIFY_OPTIONS, VERIFY_OPTION_NAMES, type VerifyOptions } from '../core/verify-options'
import { isRemoteKeySet, type RemoteKeySet } from '../keys/remote'
import type { KeySource } from '../keys/source'
import { buildVerifier } from '../verify'
import { countAuthorizationLines, parseAuthorization } from './bearer'
import { readRealm, realmOf, rememberRealm } from './realm'
import { refusalHandler } from './refuse'
import type { JwtUser } from './user'

/**
 * What a custom token source (`getToken`) may return: a token, nothing, or a promise of
 * either.
 *
 * @example
 * ```ts
 * import { jwtAuth, type TokenSource } from 'express-jwt-gate'
 * const fromCookie = (req: Request): TokenSource => req.cookies?.session as string | undefined
 * app.use(jwtAuth(secret, { getToken: fromCookie }))
 * ```
 */
export type TokenSource = string | undefined | null | Promise<string | undefined | null>

/**
 * The user a `jwtAuth` middleware attaches: the `claims` schema's output when it has
 * one, otherwise {@link JwtUser}.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import type { UserFor } from 'express-jwt-gate'
 * const Claims = z.object({ tenantId: z.string() })
 * type User = UserFor<typeof Claims> // { tenantId: string } & JwtClaims
 * ```
 */
export type UserFor<Claims extends ClaimsSchema | undefined> = Claims extends ClaimsSchema
  ? InferClaims<Claims> & JwtClaims
  : JwtUser

/**
 * What {@link jwtAuth} returns: Express middleware, plus {@link JwtAuthHandler.userOf},
 * which hands a route the user this middleware verified, typed from its `claims`
 * schema.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { jwtAuth, type JwtAuthHandler } from 'express-jwt-gate'
 * const auth: JwtAuthHandler<{ tenantId: string }> = jwtAuth(secret, {
 *   claims: z.object({ tenantId: z.string() }),
 * })
 * app.get('/tenant', auth, (req, res) => res.json(auth.userOf(req).tenantId))
 * ```
 */
export interface JwtAuthHandler<User extends object = JwtUser> extends RequestHandler {
  /**
   * The user this middleware verified for `req`, with the type of its `claims`
   * schema's output. Throws a {@link CredentialsMissingError} (401) when it verified
   * none for this request: the route is not behind it, or credentials were optional
   * and absent. Express passes a throw from a route to the error handler, on 4 and 5.
   *
   * @example
   * ```ts
   * app.get('/me', auth, (req, res) => res.json({ tenant: auth.userOf(req).tenantId }))
   * ```
   */
  userOf(req: Request): User
}

/**
 * Options of {@link jwtAuth}: every verification option of the token core, plus how
 * the middleware finds the token and what it does with the result. The type
 * parameter is the type of `claims`, as for {@link VerifyOptions}.
 *
 * @example
 * ```ts
 * import type { JwtAuthOptions } from 'express-jwt-gate'
 * const options: JwtAuthOptions = { audience: 'api', realm: 'example', credentialsRequired: true }
 * ```
 */
export interface JwtAuthOptions<
  Claims extends ClaimsSchema | undefined = undefined,
> extends VerifyOptions<Claims> {
  /**
   * The key, for the `jwtAuth(options)` form: a secret, a public key (its algorithm
   * in `algorithms`), a key ring or a {@link RemoteKeySet}.
   */
  secret?: KeySource | RemoteKeySet
  /**
   * Default `true`. When `false` there are three outcomes: no credentials → `next()`
   * with no user; a valid token → user set; credentials present but invalid → still
   * refused (400 or 401). Only the absence of credentials is let through.
   */
  credentialsRequired?: boolean
  /**
   * A custom token source (a cookie, say) that replaces `Authorization` header
   * parsing. Return `undefined`, `null` or `''` for "no credentials". May be async.
   */
  getToken?: (req: Request) => TokenSource
  /** Where the verified payload is attached. Default `'user'`. */
  requestProperty?: string
  /**
   * Called after a token verifies; a truthy result refuses it with 401
   * `token_revoked`. If it throws or rejects, that error goes to `next(err)`
   * unchanged: a failed lookup never counts as "not revoked".
   */
  isRevoked?: (payload: UserFor<Claims>, req: Request) => unknown
  /** Named in every `WWW-Authenticate` challenge, including the guards'. */
  realm?: string
  /**
   * Called with every refusal, for logs and metrics. It gets the error (with its
   * `code`), never the token. If it throws, that error goes to `next(err)`.
   */
  onFailure?: (error: JwtAuthError, req: Request) => void
}

/** The option names of `jwtAuth`, tied to {@link JwtAuthOptions}. */
export const MIDDLEWARE_OPTIONS = {
  ...VERIFY_OPTIONS,
  secret: true,
  credentialsRequired: true,
  getToken: true,
  requestProperty: true,
  isRevoked: true,
  realm: true,
  onFailure: true,
} as const satisfies OptionList<JwtAuthOptions<ClaimsSchema>>

export const MIDDLEWARE_OPTION_NAMES = optionNames(MIDDLEWARE_OPTIONS)

/** Names that would change an object's prototype machinery if assigned on `req`. */
const FORBIDDEN_PROPERTIES = new Set(['__proto__', 'constructor', 'prototype'])

function readRequestProperty(value: unknown): string {
  if (value === undefined) return 'user'
  if (typeof value !== 'string' || value === '' || FORBIDDEN_PROPERTIES.has(value)) {
    throw setupError(
      'requestProperty',
      `requestProperty must be a non-empty property name such as 'user' or 'auth'`,
    )
  }
  return value
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * The token of a request: from the custom source when one is configured, otherwise
 * from the one `Authorization` header (RFC 6750 §2.1). Query strings and bodies are
 * never read: tokens there end up in logs and caches (RFC 6750 §2.3, §5.3).
 */
function tokenFromHeader(req: Request): string | undefined {
  const value = req.headers.authorization
  // Node keeps only the first of several Authorization lines in req.headers, so the
  // raw list is the only place a second one shows.
  return value === undefined
    ? undefined
    : parseAuthorization(value, countAuthorizationLines(req.rawHeaders))
}

/**
 * Express middleware that verifies a `Bearer` token and attaches its payload to
 * `req.user`. Options are validated and the key prepared once, here: a bad option
 * or a weak secret throws at `app.use` time.
 *
 * With a `claims` schema the payload is validated last, and its output is what
 * `req.user` gets (a refusal is 401 `claim_invalid`); the schema may be synchronous or
 * asynchronous. A schema that throws is a bug in the application, not a refusal: the
 * error goes to `next(err)` unchanged and the request is never let through.
 * `auth.userOf(req)` returns the user with the schema's output type.
 *
 * The key is anything {@link createVerifier} takes: a secret, a public key (its
 * algorithm in `algorithms`), a {@link KeyRing}, or a {@link remoteKeySet}, with
 * which each request waits for the set (fetched and cached) and a set that cannot
 * be fetched refuses tokens with 401 `key_set_unavailable`.
 *
 * Outcomes: no credentials → 401 `WWW-Authenticate: Bearer` (no `error`); a malformed
 * `Bearer` header or several `Authorization` lines → 400 `invalid_request`; any token
 * failure → 401 `invalid_token` with an `error_description`. Every failure goes to
 * `next(err)` as a {@link JwtAuthError} that Express's default handler already
 * renders correctly; nothing is thrown out of the middleware and no promise is
 * left to reject, on Express 4 or 5.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { jwtAuth } from 'express-jwt-gate'
 * const app = express()
 * app.use(jwtAuth(process.env.JWT_SECRET!, { audience: 'api' }))
 * app.get('/me', (req, res) => res.json(req.user))
 * ```
 */
export function jwtAuth(
  keys: KeySource | RemoteKeySet,
  options?: Omit<JwtAuthOptions, 'secret'>,
): JwtAuthHandler
export function jwtAuth<S extends ClaimsSchema>(
  keys: KeySource | RemoteKeySet,
  options: Omit<JwtAuthOptions<S>, 'secret'> & { claims: S },
): JwtAuthHandler<UserFor<S>>
export function jwtAuth(
  options: JwtAuthOptions & { secret: KeySource | RemoteKeySet },
): JwtAuthHandler
export function jwtAuth<S extends ClaimsSchema>(
  options: JwtAuthOptions<S> & { secret: KeySource | RemoteKeySet; claims: S },
): JwtAuthHandler<UserFor<S>>
export function jwtAuth(
  secretOrOptions: unknown,
  maybeOptions?: Omit<JwtAuthOptions<ClaimsSchema | undefined>, 'secret'>,
): JwtAuthHandler<object> {
  // A plain object is the options, unless it is a key: a JWK (which always has
  // kty) or a remote key set.
  const optionsForm =
    typeof secretOrOptions === 'object' &&
    secretOrOptions !== null &&
    !(secretOrOptions instanceof Uint8Array) &&
    Object.getPrototypeOf(secretOrOptions) === Object.prototype &&
    !Object.hasOwn(secretOrOptions, 'kty') &&
    !isRemoteKeySet(secretOrOptions)
  if (optionsForm && maybeOptions !== undefined) {
    throw setupError(
      'options',
      'jwtAuth takes either (secret, options) or (options with a secret), not both',
    )
  }
  const all = readOptions<JwtAuthOptions<ClaimsSchema>>(
    optionsForm ? secretOrOptions : maybeOptions,
    MIDDLEWARE_OPTION_NAMES,
    'jwtAuth',
  )
  if (!optionsForm && all.secret !== undefined) {
    throw setupError(
      'secret',
      'jwtAuth: pass the secret once, as the first argument or as options.secret',
    )
  }
  const secret = optionsForm ? all.secret : (secretOrOptions as KeySource | RemoteKeySet)

  // Split our own options from the core's, without touching the caller's object.
  const verifyOptions: Record<string | symbol, unknown> = {}
  for (const name of VERIFY_OPTION_NAMES) {
    const value = all[name as keyof JwtAuthOptions<ClaimsSchema>]
    if (value !== undefined) verifyOptions[name] = value
  }
  // The sessions' authenticate() passes its store's clock through (see CLOCK).
  const clock = internalClock(all)
  if (clock !== undefined) verifyOptions[CLOCK] = clock
  const verify = buildVerifier(secret, verifyOptions)

  const credentialsRequired = readBoolean(all.credentialsRequired, 'credentialsRequired', true)
  const getToken = readFunction<(req: Request) => TokenSource>(all.getToken, 'getToken')
  const isRevoked = readFunction<(payload: object, req: Request) => unknown>(
    all.isRevoked,
    'isRevoked',
  )
  const onFailure = readFunction<(error: JwtAuthError, req: Request) => void>(
    all.onFailure,
    'onFailure',
  )
  const requestProperty = readRequestProperty(all.requestProperty)
  const realm = readRealm(all.realm)

  const refuse = refusalHandler(realm, onFailure)

  // The users this middleware verified, for userOf: not whatever req[requestProperty]
  // holds by the time a route asks, which another middleware may have set.
  const users = new WeakMap<Request, object>()

  function accept(req: Request, next: NextFunction, payload: object): void {
    try {
      ;(req as unknown as Record<string, unknown>)[requestProperty] = payload
    } catch (error) {
      // A requestProperty that names a read-only property of req (Express 5's `query`).
      return next(error)
    }
    users.set(req, payload)
    next()
  }

  function checkRevoked(req: Request, next: NextFunction, payload: object): void {
    if (isRevoked === undefined) return accept(req, next, payload)
    let revoked: unknown
    try {
      revoked = isRevoked(payload, req)
    } catch (error) {
      return next(error)
    }
    const decide = (isOut: unknown) =>
      isOut
        ? refuse(
            req,
            next,
            new InvalidTokenError({ code: 'token_revoked', message: 'token revoked' }),
          )
        : accept(req, next, payload)
    if (isThenable(revoked)) revoked.then(decide, next)
    else decide(revoked)
  }

  function withToken(req: Request, next: NextFunction, token: unknown): void {
    if (token === undefined || token === null || token === '') {
      if (credentialsRequired) return refuse(req, next, new CredentialsMissingError())
      return next()
    }
    let payload: object | Promise<object>
    try {
      payload = verify(token as string)
    } catch (error) {
      return refuse(req, next, error)
    }
    // A remote key set's verifier answers with a promise (the set may need fetching),
    // and so does one whose claims schema validates asynchronously.
    if (payload instanceof Promise) {
      payload.then(
        (verified) => checkRevoked(req, next, verified),
        (error: unknown) => refuse(req, next, error),
      )
    } else {
      checkRevoked(req, next, payload)
    }
  }

  function jwtAuthMiddleware(req: Request, _res: Response, next: NextFunction): void {
    if (realm !== undefined) rememberRealm(req, realm)
    let token: unknown
    try {
      token = getToken === undefined ? tokenFromHeader(req) : getToken(req)
    } catch (error) {
      // A malformed header (our own error) is a refusal; a throwing getToken is a
      // bug in the caller's code, passed on unchanged.
      return getToken === undefined ? refuse(req, next, error) : next(error)
    }
    if (isThenable(token)) {
      token.then((resolved) => withToken(req, next, resolved), next)
    } else {
      withToken(req, next, token)
    }
  }
  return Object.assign(jwtAuthMiddleware, {
    userOf(req: Request): object {
      const user = users.get(req)
      if (user === undefined) throw new CredentialsMissingError({ realm: realm ?? realmOf(req) })
      return user
    },
  })
}
