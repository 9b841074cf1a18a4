import { randomBytes } from 'node:crypto'
import { toSeconds, type Duration } from '../core/duration'
import {
  InvalidTokenError,
  JwtAuthError,
  RefreshTokenError,
  ServiceUnavailableError,
  setupError,
} from '../core/errors'
import { CLOCK } from '../core/numeric-date'
import { readFunction, readOptions, readString, type OptionList } from '../core/options'
import { readSignOptions } from '../core/sign-options'
import { tokenSigner } from '../core/signer'
import { readClaimsSchema, type ClaimsCheck, type ClaimsSchema } from '../core/schema'
import type { JwtPayload } from '../core/types'
import { VERIFY_OPTIONS, VERIFY_OPTION_NAMES, type VerifyOptions } from '../core/verify-options'
import { isRemoteKeySet } from '../keys/remote'
import { createSigningKey, type KeySource } from '../keys/source'
import {
  formatRefreshToken,
  hashSecret,
  newSecret,
  newSecrets,
  parseRefreshToken,
} from './refresh-token'
import { memoryStore } from './stores/memory'
import type { AccessTokenFacts, SessionBackend, SessionStore, StoreSettings } from './store'

/**
 * Your current claims for a subject, put in every access token issued for it: at login
 * and at each refresh, so a change shows in the next token. `null` means the subject no
 * longer exists: the refresh is refused (`subject_unknown`) and the session ends.
 *
 * @example
 * ```ts
 * import type { ClaimsSource } from 'express-jwt-gate'
 * const claims: ClaimsSource = async (sub) => {
 *   const user = await db.users.find(sub)
 *   return user === undefined ? null : { licensedFeatures: user.features }
 * }
 * ```
 */
export type ClaimsSource = (
  sub: string,
) => Record<string, unknown> | null | Promise<Record<string, unknown> | null>

/**
 * What `onReuse` is told when a retired refresh token comes back: the session it
 * belonged to has just been ended. Never the token itself.
 *
 * @example
 * ```ts
 * import type { ReuseEvent } from 'express-jwt-gate'
 * const alert = (event: ReuseEvent) => console.warn('refresh token reused', event.sub, event.sid)
 * ```
 */
export interface ReuseEvent {
  /** The subject whose session it was: whose account to look at. */
  readonly sub: string
  /** The id of the session just ended, as the access tokens' `sid` claim carries it. */
  readonly sid: string
  /** When it was seen, on the store's clock. */
  readonly at: Date
}

/**
 * Options of `createSessions`: the session lifetimes, the store, your claims, and the
 * verification options of `jwtAuth` (which the access tokens are signed to pass).
 * Every duration is seconds (a number) or a duration string such as `'15m'`.
 *
 * @example
 * ```ts
 * import type { SessionsOptions } from 'express-jwt-gate'
 * const options: SessionsOptions = {
 *   secret: process.env.JWT_SECRET!,
 *   accessTokenLifetime: '15m',
 *   refreshTokenLifetime: '30d',
 *   issuer: 'https://api.example.com',
 * }
 * ```
 */
export interface SessionsOptions extends Omit<VerifyOptions, 'currentDate' | 'subject' | 'claims'> {
  /**
   * The key access tokens are signed with, and verified with: a secret, a key ring
   * (its first key signs) or a private key (its algorithm in `algorithms`).
   */
  secret: KeySource
  /** Where sessions and revocations live. Default `memoryStore()`: one process only. */
  store?: SessionStore
  /**
   * Your current claims for a subject; see {@link ClaimsSource}. Default: none. Or a
   * Standard Schema validator (zod, valibot, …), as for `jwtAuth`, when the tokens
   * carry no claims of yours but you want the payload validated and typed.
   */
  claims?: ClaimsSource | ClaimsSchema
  /**
   * A Standard Schema validator for the access tokens' payload, beside a `claims`
   * source: `authenticate()` validates every verified token with it (401
   * `claim_invalid` naming the path) and attaches its output.
   */
  claimsSchema?: ClaimsSchema
  /** How long an access token lives. Default 15 minutes. */
  accessTokenLifetime?: Duration
  /** How long a session lives from login, however much it is used. Default 30 days. */
  refreshTokenLifetime?: Duration
  /** A session unused this long ends. Default 7 days. */
  refreshIdleTimeout?: Duration
  /**
   * How long after a refresh the refresh token just retired may be presented again (a
   * client retrying after a lost response, or concurrent refreshes). Default 10 seconds.
   */
  reuseGrace?: Duration
  /**
   * Called when a retired refresh token comes back, after its session has been ended:
   * for alerts. Told who and which session, never the token. If it throws or rejects,
   * a process warning is emitted; the refusal stands.
   */
  onReuse?: (event: ReuseEvent) => unknown
}

/**
 * The tokens of a session, as `issue` and `refresh` return them. `expiresIn` and
 * `refreshExpiresIn` are seconds from now. The refresh handler sends the same as
 * RFC 6749 JSON (`access_token`, `expires_in`, …).
 *
 * @example
 * ```ts
 * import type { IssuedTokens } from 'express-jwt-gate'
 * const show = (tokens: IssuedTokens) => `expires in ${tokens.expiresIn} s`
 * ```
 */
export interface IssuedTokens {
  /** A JWT that `authenticate()` (or `jwtAuth` with the same key) accepts, until it expires. */
  accessToken: string
  /**
   * Opaque, not a JWT: good for one refresh, after which it is retired and a second use
   * ends the session. Give it to the client alone (or in an HttpOnly cookie), never log it.
   */
  refreshToken: string
  /** Always `'Bearer'`, the RFC 6749 token type, for clients that check it. */
  tokenType: 'Bearer'
  /** Seconds until the access token expires: `accessTokenLifetime`. */
  expiresIn: number
  /** Seconds until the session ends unless refreshed: the nearer of its idle and absolute expiry. */
  refreshExpiresIn: number
}

/** Everything the sessions need, checked once at setup. */
export interface SessionsSetup {
  readonly secret: KeySource
  readonly backend: SessionBackend
  readonly settings: StoreSettings
  /** The verification options for `jwtAuth`, the store's clock included. */
  readonly verifyOptions: Readonly<Record<string | symbol, unknown>>
  /** The claims schema, run by `authenticate()` after the revocation check. */
  readonly claimsCheck: ClaimsCheck | undefined
}

/** The claims this package writes into an access token; `claims` may not set them. */
const RESERVED_CLAIMS = ['sub', 'sid', 'jti', 'ist', 'iat', 'exp', 'nbf', 'iss', 'aud']

/** The issue-stamp claim: orders issue events strictly, within one second too. */
export const STAMP_CLAIM = 'ist'

const SESSION_OPTIONS = {
  ...VERIFY_OPTIONS,
  currentDate: undefined,
  subject: undefined,
  secret: true,
  store: true,
  claims: true,
  claimsSchema: true,
  accessTokenLifetime: true,
  refreshTokenLifetime: true,
  refreshIdleTimeout: true,
  reuseGrace: true,
  onReuse: true,
} as const satisfies OptionList<SessionsOptions> & Record<'currentDate' | 'subject', undefined>

/** The names `createSessions` takes: the verification options but a fixed date and subject. */
export const SESSION_OPTION_NAMES = new Set(
  Object.entries(SESSION_OPTIONS)
    .filter(([, known]) => known === true)
    .map(([name]) => name),
)

function duration(value: unknown, option: string, fallback: number): number {
  const seconds = value === undefined ? fallback : toSeconds(value, option)
  if (seconds <= 0) throw setupError(option, `${option} must be more than 0 seconds`)
  return seconds
}

/** The store's readiness and failures as the 503 the sessions answer with. */
function storeFailure(backend: SessionBackend, cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError({
    code: 'store_unavailable',
    message: 'session store unavailable',
    retryAfter: backend.retryAfter(),
    cause,
  })
}

/** Run a store call; any failure of the store becomes a 503 `store_unavailable`. */
async function inStore<T>(backend: SessionBackend, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (cause) {
    throw cause instanceof JwtAuthError ? cause : storeFailure(backend, cause)
  }
}

const refusal = {
  expired: () =>
    new RefreshTokenError({ code: 'refresh_token_expired', message: 'refresh token expired' }),
  revoked: () => new RefreshTokenError({ code: 'session_revoked', message: 'session ended' }),
  invalid: () =>
    new RefreshTokenError({ code: 'refresh_token_invalid', message: 'refresh token invalid' }),
  reused: () =>
    new RefreshTokenError({
      code: 'refresh_token_reused',
      message: 'refresh token already used: the session is ended',
    }),
  unknown: () => new RefreshTokenError({ code: 'subject_unknown', message: 'subject unknown' }),
}

/**
 * The token lifecycle without Express: issue, refresh, logout, revocation and the
 * per-request check, over one store. `createSessions` adds the Express handlers.
 */
export function createLifecycle(options: SessionsOptions) {
  const o = readOptions<SessionsOptions>(options, SESSION_OPTION_NAMES, 'createSessions')
  if (o.secret === undefined) {
    throw setupError(
      'secret',
      'createSessions needs a secret: the key access tokens are signed with',
    )
  }
  if (isRemoteKeySet(o.secret)) {
    throw setupError(
      'secret',
      'createSessions signs access tokens, so it needs your own key, not a remote key set',
    )
  }
  const secret = o.secret
  const settings: StoreSettings = {
    accessTokenLifetime: duration(o.accessTokenLifetime, 'accessTokenLifetime', 900),
    refreshTokenLifetime: duration(o.refreshTokenLifetime, 'refreshTokenLifetime', 30 * 86400),
    refreshIdleTimeout: duration(o.refreshIdleTimeout, 'refreshIdleTimeout', 7 * 86400),
    reuseGrace: duration(o.reuseGrace, 'reuseGrace', 10),
    clockTolerance:
      o.clockTolerance === undefined ? 0 : toSeconds(o.clockTolerance, 'clockTolerance'),
  }
  if (settings.refreshIdleTimeout > settings.refreshTokenLifetime) {
    throw setupError(
      'refreshIdleTimeout',
      'refreshIdleTimeout must not exceed refreshTokenLifetime',
    )
  }
  if (settings.accessTokenLifetime >= settings.refreshIdleTimeout) {
    throw setupError(
      'accessTokenLifetime',
      'accessTokenLifetime must be shorter than refreshIdleTimeout: a session must outlive its access tokens',
    )
  }
  // `claims` is a source (a function) or a schema (anything with '~standard', which may
  // itself be a function, as arktype's types are).
  const claimsIsSchema =
    (typeof o.claims === 'object' || typeof o.claims === 'function') &&
    o.claims !== null &&
    '~standard' in o.claims
  if (claimsIsSchema && o.claimsSchema !== undefined) {
    throw setupError(
      'claimsSchema',
      'claims is a schema already: give one schema, as claims or as claimsSchema',
    )
  }
  const claims = claimsIsSchema ? undefined : readFunction<ClaimsSource>(o.claims, 'claims')
  const schema = claimsIsSchema ? o.claims : o.claimsSchema
  const onReuse = readFunction<(event: ReuseEvent) => unknown>(o.onReuse, 'onReuse')
  const store = o.store ?? memoryStore()
  if (typeof store !== 'object' || store === null || typeof store.attach !== 'function') {
    throw setupError('store', 'store must be made by memoryStore() or redisStore({ client })')
  }
  const backend = store.attach(settings)
  const clock = () => backend.now() / 1000

  const verifyOptions: Record<string | symbol, unknown> = { [CLOCK]: clock }
  for (const name of VERIFY_OPTION_NAMES) {
    if (name === 'claims') continue
    const value = o[name as keyof SessionsOptions]
    if (value !== undefined) verifyOptions[name] = value
  }
  // Not handed to jwtAuth: the revocation check reads sid, jti and ist, which a schema
  // may strip; authenticate() runs the schema after the check.
  const claimsCheck = readClaimsSchema(schema)
  // Every access token of a session carries these; a token without them is not one.
  const required = o.requiredClaims ?? ['exp']
  verifyOptions.requiredClaims = [
    ...new Set([...required, 'exp', 'sub', 'sid', 'jti', STAMP_CLAIM]),
  ]

  const firstOf = (value: unknown) => (Array.isArray(value) ? (value[0] as unknown) : value)
  const algorithms = o.algorithms as readonly string[] | undefined
  const signSetup = readSignOptions(
    {
      expiresIn: settings.accessTokenLifetime,
      ...(o.issuer === undefined ? {} : { issuer: firstOf(o.issuer) }),
      ...(o.audience === undefined ? {} : { audience: o.audience }),
      ...(o.maxTokenLength === undefined ? {} : { maxTokenLength: o.maxTokenLength }),
      [CLOCK]: clock,
    },
    'createSessions',
  )
  const sign = tokenSigner(
    createSigningKey(
      secret,
      Array.isArray(secret) ? undefined : (algorithms?.[0] ?? 'HS256'),
      undefined,
    ),
    signSetup,
  )

  /** `claims(sub)` as the token will carry it; `null` when the subject is gone. */
  async function currentClaims(sub: string): Promise<Record<string, unknown> | null> {
    if (claims === undefined) return {}
    let value: unknown
    try {
      value = await claims(sub)
    } catch (cause) {
      throw new ServiceUnavailableError({
        code: 'claims_unavailable',
        message: 'claims unavailable',
        retryAfter: 1,
        cause,
      })
    }
    if (value === null) return null
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw setupError(
        'claims',
        'claims(sub) must return an object of claims, or null for a subject that is gone',
      )
    }
    for (const name of RESERVED_CLAIMS) {
      if (Object.hasOwn(value, name)) {
        throw setupError(
          'claims',
          `claims(sub) returned ${JSON.stringify(name)}, which the sessions set themselves; leave it out`,
        )
      }
    }
    return value as Record<string, unknown>
  }

  function tokens(
    sub: string,
    sid: string,
    stamp: number,
    claimSet: Record<string, unknown>,
    refreshToken: string,
    refreshExpiresAt: number,
  ): IssuedTokens {
    const accessToken = sign({
      ...claimSet,
      sub,
      sid,
      jti: randomBytes(16).toString('base64url'),
      [STAMP_CLAIM]: stamp,
    })
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: settings.accessTokenLifetime,
      refreshExpiresIn: Math.max(0, Math.round((refreshExpiresAt - backend.now()) / 1000)),
    }
  }

  function reported(event: ReuseEvent): void {
    if (onReuse === undefined) return
    const warn = (error: unknown) =>
      process.emitWarning(error instanceof Error ? error : String(error))
    try {
      const result = onReuse(event)
      if (result instanceof Promise) result.catch(warn)
    } catch (error) {
      warn(error)
    }
  }

  return {
    setup: { secret, backend, settings, verifyOptions, claimsCheck } satisfies SessionsSetup,

    async issue(sub: string): Promise<IssuedTokens> {
      readString(sub, 'sub', 'the subject')
      const claimSet = await currentClaims(sub)
      if (claimSet === null) throw refusal.unknown()
      const { family, secret: tokenSecret } = newSecrets()
      const created = await inStore(backend, () =>
        backend.createSession({ sub, family: hashSecret(family), token: hashSecret(tokenSecret) }),
      )
      const refreshToken = formatRefreshToken({ sid: created.sid, family, secret: tokenSecret })
      return tokens(
        sub,
        created.sid,
        created.stamp,
        claimSet,
        refreshToken,
        created.refreshExpiresAt,
      )
    },

    async refresh(refreshToken: string): Promise<IssuedTokens> {
      const parsed = parseRefreshToken(refreshToken)
      const key = { sid: parsed.sid, family: hashSecret(parsed.family) }
      const peeked = await inStore(backend, () => backend.peek(key))
      if (peeked.status !== 'live') throw refusal[peeked.status]()
      // Before the rotation: if your claims source fails, the session stays as it was.
      const claimSet = await currentClaims(peeked.sub)
      if (claimSet === null) {
        await inStore(backend, () => backend.endSession(key))
        throw refusal.unknown()
      }
      const next = newSecret()
      const outcome = await inStore(backend, () =>
        backend.rotate({ ...key, token: hashSecret(parsed.secret), next: hashSecret(next) }),
      )
      if (outcome.status === 'reused') {
        reported({ sub: outcome.sub, sid: parsed.sid, at: new Date(backend.now()) })
        throw refusal.reused()
      }
      if (outcome.status !== 'rotated') throw refusal[outcome.status]()
      const rotated = formatRefreshToken({ ...parsed, secret: next })
      return tokens(
        outcome.sub,
        parsed.sid,
        outcome.stamp,
        claimSet,
        rotated,
        outcome.refreshExpiresAt,
      )
    },

    async logout(refreshToken: string): Promise<void> {
      let parsed
      try {
        parsed = parseRefreshToken(refreshToken)
      } catch {
        return // RFC 7009 §2.2: an unknown token is no error.
      }
      await inStore(backend, () =>
        backend.endSession({ sid: parsed.sid, family: hashSecret(parsed.family) }),
      )
    },

    async revokeToken(payload: JwtPayload): Promise<void> {
      if (typeof payload !== 'object' || payload === null || typeof payload.jti !== 'string') {
        throw setupError(
          'payload',
          'revokeToken takes the verified payload of an access token (with its jti)',
        )
      }
      const until =
        typeof payload.exp === 'number' && Number.isFinite(payload.exp)
          ? (payload.exp + settings.clockTolerance) * 1000
          : backend.now() + (settings.accessTokenLifetime + settings.clockTolerance) * 1000
      await inStore(backend, () => backend.revokeToken(payload.jti as string, until))
    },

    async revokeSubject(sub: string): Promise<void> {
      readString(sub, 'sub', 'the subject')
      await inStore(backend, () => backend.revokeSubject(sub))
    },

    async claimsChanged(sub: string): Promise<void> {
      readString(sub, 'sub', 'the subject')
      await inStore(backend, () => backend.claimsChanged(sub))
    },

    /**
     * The revocation check of one verified payload: `undefined` to accept it, or the
     * refusal. Synchronous; the store keeps its state current.
     */
    check(payload: Record<string, unknown>): JwtAuthError | undefined {
      const facts = factsOf(payload)
      const verdict = backend.check(facts)
      if (verdict === 'ok') return undefined
      if (verdict === 'revoked')
        return new InvalidTokenError({ code: 'token_revoked', message: 'token revoked' })
      if (verdict === 'stale') {
        return new InvalidTokenError({
          code: 'token_stale',
          message: 'token stale: refresh it for the current claims',
        })
      }
      return new ServiceUnavailableError({
        code: 'revocation_unavailable',
        message: 'revocation state unavailable',
        retryAfter: backend.retryAfter(),
      })
    },

    ready: () => backend.ready(),
    close: () => backend.close(),
  }
}

/** Refuse a session claim of the wrong type. */
function bad(claim: string): never {
  throw new InvalidTokenError({
    code: 'claim_invalid',
    message: `${claim} claim is invalid`,
    claim,
  })
}

/** The session claims of a verified payload, type-checked (their presence already is). */
function factsOf(payload: Record<string, unknown>): AccessTokenFacts {
  const { sub, sid, jti } = payload
  const ist = payload[STAMP_CLAIM]
  if (typeof sub !== 'string') bad('sub')
  if (typeof sid !== 'string') bad('sid')
  if (typeof jti !== 'string') bad('jti')
  if (typeof ist !== 'number' || !Number.isFinite(ist)) bad(STAMP_CLAIM)
  return { sub, sid, jti, ist }
}

/** What `createLifecycle` returns. */
export type Lifecycle = ReturnType<typeof createLifecycle>
