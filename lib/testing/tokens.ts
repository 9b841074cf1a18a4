import type { Algorithm } from '../core/algorithms'
import { encodeBase64url } from '../core/base64url'
import { toSeconds } from '../core/duration'
import { setupError } from '../core/errors'
import { optionNames, readFunction, readOptions, type OptionList } from '../core/options'
import type { SignOptions } from '../core/sign-options'
import type { JwtPayload } from '../core/types'
import { signToken } from '../sign'
import {
  otherKeyPair,
  otherSecret,
  signingPlan,
  testSecret,
  type SigningPlan,
  type TestKey,
} from './keys'

/**
 * Options of {@link mintToken} and of every bad-token helper: the signing options of
 * {@link signToken} (`expiresIn`, `audience`, `keyId`, …), with the key and the clock
 * named as a test names them.
 *
 * @example
 * ```ts
 * import type { MintOptions } from 'express-jwt-gate/testing'
 * const options: MintOptions = { expiresIn: '5m', audience: 'api', now: new Date('2030-01-01') }
 * ```
 */
export interface MintOptions extends Omit<SignOptions, 'algorithm' | 'currentDate'> {
  /** The key the app verifies with (see {@link TestKey}). Default {@link testSecret}. */
  key?: TestKey
  /** The algorithm; by default the key's (`HS256` for a secret). */
  alg?: Algorithm
  /** A fixed clock: a `Date`, or seconds since the epoch. Default: the real clock. */
  now?: Date | number
}

/**
 * Options of {@link tamperedToken}: those of {@link mintToken}, and the change.
 *
 * @example
 * ```ts
 * import { tamperedToken, type TamperOptions } from 'express-jwt-gate/testing'
 * const options: TamperOptions = { tamper: (payload) => ({ ...payload, role: 'admin' }) }
 * const forged = tamperedToken({ role: 'user' }, options)
 * ```
 */
export interface TamperOptions extends MintOptions {
  /**
   * What to do to the payload. Default: add `extraPremiumFeature` to
   * `licensedFeatures`, the attack of a user who edits their own token.
   */
  tamper?: (payload: JwtPayload) => Record<string, unknown>
}

const MINT_OPTIONS = {
  expiresIn: true,
  notBefore: true,
  issuer: true,
  audience: true,
  subject: true,
  jwtId: true,
  keyId: true,
  maxTokenLength: true,
  key: true,
  alg: true,
  now: true,
} as const satisfies OptionList<MintOptions>
const MINT_OPTION_NAMES = optionNames(MINT_OPTIONS)
const TAMPER_OPTION_NAMES = optionNames({
  ...MINT_OPTIONS,
  tamper: true,
} satisfies OptionList<TamperOptions>)

/** A day, in seconds: how far outside its validity each time-bad token lies. */
const DAY = 86_400
const DEFAULT_LIFETIME = 900

interface Prepared {
  readonly plan: SigningPlan
  readonly claims: Record<string, unknown>
  /** Seconds since the epoch. */
  readonly now: number
  readonly sign: Omit<SignOptions, 'algorithm' | 'currentDate'>
}

function readNow(value: unknown, where: string): number {
  if (value === undefined) return Date.now() / 1000
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime() / 1000
  throw setupError(
    'now',
    `${where}: now must be a valid Date or a number of seconds since the epoch`,
  )
}

function prepare(
  claims: unknown,
  options: unknown,
  where: string,
  names = MINT_OPTION_NAMES,
): Prepared {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw setupError('claims', `${where}: claims must be a plain object`)
  }
  const { key, alg, now, ...sign } = readOptions<TamperOptions>(options, names, where)
  delete sign.tamper
  return {
    plan: signingPlan(key ?? testSecret, alg, where),
    claims: claims as Record<string, unknown>,
    now: readNow(now, where),
    sign,
  }
}

/** Sign as `plan` says, at `now` (seconds), with the signing options given. */
function signWith(
  plan: SigningPlan,
  claims: Record<string, unknown>,
  now: number,
  sign: Omit<SignOptions, 'algorithm' | 'currentDate'>,
): string {
  const key =
    plan.kid === undefined ? plan.key : [{ kid: plan.kid, key: plan.key, alg: plan.alg } as never]
  const options: SignOptions = { ...sign, currentDate: new Date(now * 1000) }
  if (plan.kid === undefined) options.algorithm = plan.alg
  return signToken(claims, key, options)
}

/**
 * A valid token for an app that verifies with `options.key` (default
 * {@link testSecret}): `claims` signed as {@link signToken} signs them (`iat` now, `exp`
 * 15 minutes later unless `expiresIn` says otherwise), at `options.now` if given.
 * For tests only.
 *
 * @example
 * ```ts
 * import { mintToken } from 'express-jwt-gate/testing'
 * const token = mintToken({ sub: 'alice', licensedFeatures: ['invoicing'] })
 * await request(app).get('/invoices').set('Authorization', `Bearer ${token}`).expect(200)
 * ```
 */
export function mintToken(claims: Record<string, unknown> = {}, options?: MintOptions): string {
  const { plan, claims: payload, now, sign } = prepare(claims, options, 'mintToken')
  return signWith(plan, payload, now, sign)
}

/**
 * The token {@link mintToken} would make, but expired a day ago: it was valid for
 * `expiresIn` (default 15 minutes) until a day before `now`. Refused with
 * `token_expired`.
 *
 * @example
 * ```ts
 * import { expiredToken } from 'express-jwt-gate/testing'
 * const res = await request(app).get('/me').set('Authorization', `Bearer ${expiredToken({ sub: 'alice' })}`)
 * expect(res.status).toBe(401)
 * ```
 */
export function expiredToken(claims: Record<string, unknown> = {}, options?: MintOptions): string {
  const { plan, claims: payload, now, sign } = prepare(claims, options, 'expiredToken')
  if (sign.expiresIn === null) {
    throw setupError(
      'expiresIn',
      'expiredToken: a token without exp cannot expire; leave expiresIn out',
    )
  }
  const lifetime =
    sign.expiresIn === undefined ? DEFAULT_LIFETIME : toSeconds(sign.expiresIn, 'expiresIn')
  return signWith(plan, payload, now - DAY - lifetime, { ...sign, expiresIn: lifetime })
}

/**
 * The token {@link mintToken} would make, but valid only from `notBefore` after `now`
 * (default a day), for `expiresIn` (default 15 minutes). Refused with
 * `token_not_yet_valid`.
 *
 * @example
 * ```ts
 * import { notYetValidToken } from 'express-jwt-gate/testing'
 * const token = notYetValidToken({ sub: 'alice' }, { notBefore: '1h' })
 * ```
 */
export function notYetValidToken(
  claims: Record<string, unknown> = {},
  options?: MintOptions,
): string {
  const { plan, claims: payload, now, sign } = prepare(claims, options, 'notYetValidToken')
  const notBefore =
    sign.notBefore === undefined ? DAY : toSeconds(sign.notBefore, 'notBefore', true)
  if (notBefore <= 0) {
    throw setupError(
      'notBefore',
      'notYetValidToken: notBefore must be in the future, more than 0 seconds',
    )
  }
  if (sign.expiresIn === null) {
    throw setupError(
      'expiresIn',
      'notYetValidToken: leave expiresIn out or give a lifetime; null is no exp',
    )
  }
  const lifetime =
    sign.expiresIn === undefined ? DEFAULT_LIFETIME : toSeconds(sign.expiresIn, 'expiresIn')
  return signWith(plan, payload, now, { ...sign, notBefore, expiresIn: notBefore + lifetime })
}

/**
 * The token {@link mintToken} would make, signed by another key of the same kind and
 * algorithm (with the same `kid`, for a ring): refused with `signature_invalid`.
 *
 * @example
 * ```ts
 * import { wrongKeyToken } from 'express-jwt-gate/testing'
 * const token = wrongKeyToken({ sub: 'alice' }, { key: testKeyPair('ES256').publicKey })
 * ```
 */
export function wrongKeyToken(claims: Record<string, unknown> = {}, options?: MintOptions): string {
  const { plan, claims: payload, now, sign } = prepare(claims, options, 'wrongKeyToken')
  const other = plan.alg.startsWith('HS') ? otherSecret : otherKeyPair(plan.alg as never).privateKey
  return signWith({ ...plan, key: other }, payload, now, sign)
}

/**
 * The token {@link mintToken} would make, with its header's `alg` changed to `none`
 * (signature kept, so the token is well-formed): refused with
 * `algorithm_not_allowed`, before any key is looked at.
 *
 * @example
 * ```ts
 * import { noneAlgToken } from 'express-jwt-gate/testing'
 * const token = noneAlgToken({ sub: 'alice', licensedFeatures: ['invoicing'] })
 * ```
 */
export function noneAlgToken(claims: Record<string, unknown> = {}, options?: MintOptions): string {
  const { plan, claims: payload, now, sign } = prepare(claims, options, 'noneAlgToken')
  const token = signWith(plan, payload, now, sign)
  const header: Record<string, string> = { alg: 'none', typ: 'JWT' }
  if (plan.kid !== undefined) header.kid = plan.kid
  if (sign.keyId !== undefined) header.kid = sign.keyId
  return `${encodeBase64url(JSON.stringify(header))}${token.slice(token.indexOf('.'))}`
}

/** The seed's attack: a user adds a feature to their own token. */
function addPremiumFeature(payload: JwtPayload): Record<string, unknown> {
  const features = Array.isArray(payload.licensedFeatures) ? payload.licensedFeatures : []
  return { ...payload, licensedFeatures: [...(features as unknown[]), 'extraPremiumFeature'] }
}

/**
 * A token with its payload changed after signing and its header and signature kept:
 * refused with `signature_invalid`. Give it claims (and {@link mintToken}'s options)
 * to make one, or an existing token to change. By default it adds
 * `extraPremiumFeature` to `licensedFeatures`; `tamper` makes any other change.
 *
 * @example
 * ```ts
 * import { mintToken, tamperedToken } from 'express-jwt-gate/testing'
 * const forged = tamperedToken(mintToken({ licensedFeatures: ['todos'] }))
 * const admin = tamperedToken({ role: 'user' }, { tamper: (payload) => ({ ...payload, role: 'admin' }) })
 * ```
 */
export function tamperedToken(
  claimsOrToken: Record<string, unknown> | string = {},
  options?: TamperOptions,
): string {
  let token: string
  if (typeof claimsOrToken === 'string') {
    readOptions<TamperOptions>(options, TAMPER_OPTION_NAMES, 'tamperedToken')
    token = claimsOrToken
  } else {
    const { plan, claims, now, sign } = prepare(
      claimsOrToken,
      options,
      'tamperedToken',
      TAMPER_OPTION_NAMES,
    )
    token = signWith(plan, claims, now, sign)
  }
  const tamper =
    readFunction<(payload: JwtPayload) => Record<string, unknown>>(options?.tamper, 'tamper') ??
    addPremiumFeature
  const [header, body, signature, ...rest] = token.split('.')
  if (header === undefined || body === undefined || signature === undefined || rest.length > 0) {
    throw setupError(
      'token',
      'tamperedToken: token must be a compact JWS, header.payload.signature',
    )
  }
  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    payload = undefined
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw setupError('token', "tamperedToken: the token's payload is not a JSON object")
  }
  const changed = encodeBase64url(JSON.stringify(tamper(payload as JwtPayload)))
  if (changed === body) {
    throw setupError('tamper', 'tamperedToken: the change leaves the payload as it was')
  }
  return `${header}.${changed}.${signature}`
}
