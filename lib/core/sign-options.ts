import type { Algorithm } from './algorithms'
import { toSeconds, type Duration } from './duration'
import { readMaxTokenLength } from './limits'
import { clockOf, internalClock, readDate, type Clock } from './numeric-date'
import { optionNames, readOptions, readString, readStringList, type OptionList } from './options'

/**
 * Options of {@link signToken} and {@link createSigner}. Durations are seconds (a number) or a duration
 * string such as `'15m'`, relative to now.
 *
 * @example
 * ```ts
 * import type { SignOptions } from 'express-jwt-gate'
 * const options: SignOptions = { expiresIn: '15m', audience: 'api', subject: 'alice' }
 * ```
 */
export interface SignOptions {
  /**
   * The algorithm the key is for. Default `'HS256'`. A private key needs its
   * algorithm named here (`'RS256'`, `'ES256'`, `'EdDSA'`, …). With a key ring the
   * ring's first key decides; if given too, it must agree.
   */
  algorithm?: Algorithm
  /** Lifetime: sets `exp`. Default 15 minutes; `null` (explicitly) for no `exp`. */
  expiresIn?: Duration | null
  /** Sets `nbf` this long after now. */
  notBefore?: Duration
  /** Sets `iss`. */
  issuer?: string
  /** Sets `aud`. */
  audience?: string | readonly string[]
  /** Sets `sub`. */
  subject?: string
  /** Sets `jti`. */
  jwtId?: string
  /** Sets the `kid` header parameter. With a key ring, the first key's `kid` is written; if given too, it must agree. */
  keyId?: string
  /** A fixed "now", for tests. */
  currentDate?: Date
  /** Refuse to produce a token longer than this many bytes. Default 8192, as verification. */
  maxTokenLength?: number
}

/** The option names of signing, tied to {@link SignOptions}. */
export const SIGN_OPTIONS = {
  algorithm: true,
  expiresIn: true,
  notBefore: true,
  issuer: true,
  audience: true,
  subject: true,
  jwtId: true,
  keyId: true,
  currentDate: true,
  maxTokenLength: true,
} as const satisfies OptionList<SignOptions>

/** The same names as a set. */
export const SIGN_OPTION_NAMES = optionNames(SIGN_OPTIONS)

/** The default token lifetime: 15 minutes. */
const DEFAULT_EXPIRES_IN = 900

/** Every signing option but the key's own, validated once into what each token needs. */
export interface SignerSetup {
  readonly algorithm: unknown
  readonly keyId: string | undefined
  /** Seconds from now to `exp`; `null` for no `exp`; `undefined` to keep the payload's own or the default. */
  readonly expiresIn: number | null | undefined
  readonly notBefore: number | undefined
  /** The claims the options set, by claim name, already in their JSON form. */
  readonly claims: Readonly<Record<string, unknown>>
  /** Which option set each claim, for the message when the payload has it too. */
  readonly setBy: Readonly<Record<string, string>>
  readonly maxTokenLength: number
  /** Now, in seconds: the system clock, a fixed `currentDate`, or a store's clock. */
  readonly clock: Clock
}

/** Validate signing options once, at setup. */
export function readSignOptions(options: unknown, where: string): SignerSetup {
  const o = readOptions<SignOptions>(options, SIGN_OPTION_NAMES, where)
  const claims: Record<string, unknown> = {}
  const setBy: Record<string, string> = {}
  const set = (option: string, claim: string, value: unknown) => {
    claims[claim] = value
    setBy[claim] = option
  }
  if (o.issuer !== undefined) set('issuer', 'iss', readString(o.issuer, 'issuer'))
  if (o.subject !== undefined) set('subject', 'sub', readString(o.subject, 'subject'))
  if (o.jwtId !== undefined) set('jwtId', 'jti', readString(o.jwtId, 'jwtId'))
  if (o.audience !== undefined) {
    const audience = readStringList(o.audience, 'audience')
    set('audience', 'aud', audience.length === 1 ? audience[0] : audience)
  }
  let expiresIn: number | null | undefined
  if (o.expiresIn === null) expiresIn = null
  else if (o.expiresIn !== undefined) expiresIn = toSeconds(o.expiresIn, 'expiresIn', true)
  if (expiresIn !== undefined) setBy.exp = 'expiresIn'
  const notBefore =
    o.notBefore === undefined ? undefined : toSeconds(o.notBefore, 'notBefore', true)
  if (notBefore !== undefined) setBy.nbf = 'notBefore'
  return {
    algorithm: o.algorithm,
    keyId: o.keyId === undefined ? undefined : readString(o.keyId, 'keyId'),
    expiresIn,
    notBefore,
    claims,
    setBy,
    maxTokenLength: readMaxTokenLength(o.maxTokenLength),
    clock: clockOf(
      o.currentDate === undefined ? undefined : readDate(o.currentDate, 'currentDate'),
      internalClock(options),
    ),
  }
}

export { DEFAULT_EXPIRES_IN }
