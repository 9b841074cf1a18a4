import { fail } from './errors'
import { isNumericDate, type Clock } from './numeric-date'

/** The claim rules of a verifier, already validated and normalized at setup. */
export interface ClaimRules {
  /** Claims that must be present (own properties). */
  readonly requiredClaims: readonly string[]
  /** Accepted `aud` values; `undefined` when the audience is not checked. */
  readonly audience: ReadonlySet<string> | undefined
  /** Accepted `iss` values; `undefined` when the issuer is not checked. */
  readonly issuer: ReadonlySet<string> | undefined
  readonly subject: string | undefined
  /** Seconds of leeway for every time rule. */
  readonly clockTolerance: number
  /** Seconds a token may live after `iat`; `undefined` for no limit. */
  readonly maxAge: number | undefined
  /** Now, in seconds: the system clock, a fixed `currentDate`, or a store's clock. */
  readonly clock: Clock
}

/**
 * An own claim, or `undefined`. Never an inherited one: if some other code in the
 * process has polluted `Object.prototype`, a token must not gain claims from it.
 */
function own(payload: Record<string, unknown>, claim: string): unknown {
  return Object.hasOwn(payload, claim) ? payload[claim] : undefined
}

function invalid(claim: string, why: string): never {
  fail('claim_invalid', `${claim} claim ${why}`, claim)
}

function missing(claim: string, why = 'is required'): never {
  fail('claim_missing', `${claim} claim ${why}`, claim)
}

/** A NumericDate claim, or `undefined` when absent; throws when present but not a number. */
function timeClaim(
  payload: Record<string, unknown>,
  claim: 'exp' | 'nbf' | 'iat',
): number | undefined {
  const value = own(payload, claim)
  if (value === undefined) return undefined
  if (!isNumericDate(value)) invalid(claim, 'must be a number of seconds')
  return value
}

/** Does a claim that must be a string, or an array of strings, name one accepted value? */
function matchesOne(
  payload: Record<string, unknown>,
  claim: 'aud' | 'iss',
  accepted: ReadonlySet<string>,
): void {
  const value = own(payload, claim)
  if (value === undefined) missing(claim)
  if (typeof value === 'string') {
    if (accepted.has(value)) return
  } else if (claim === 'aud' && Array.isArray(value)) {
    // Loops, not every()/some(): a cached payload is frozen, and V8's array builtins
    // take a much slower path on frozen arrays.
    let found = false
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (typeof item !== 'string') invalid(claim, 'must hold only strings')
      if (accepted.has(item)) found = true
    }
    if (found) return
  } else {
    invalid(claim, claim === 'aud' ? 'must be a string or an array of strings' : 'must be a string')
  }
  invalid(claim, 'does not match')
}

/**
 * Check the claims of a payload whose signature is already verified. Every time rule
 * gets `clockTolerance` of leeway, in the direction that accepts more.
 *
 * - `exp`: the token is valid only while now is *before* exp (RFC 7519 §4.1.4), so
 *   `now === exp` is already expired.
 * - `nbf`: refused while now < nbf. `iat`: refused when in the future.
 * - `maxAge`: needs `iat`; refused once now > iat + maxAge.
 * - `aud`/`iss`/`sub`: checked only when configured; a missing claim is then refused.
 */
export function validateClaims(payload: Record<string, unknown>, rules: ClaimRules): void {
  for (const claim of rules.requiredClaims) {
    if (!Object.hasOwn(payload, claim)) missing(claim)
  }
  const now = rules.clock()
  const tolerance = rules.clockTolerance

  const exp = timeClaim(payload, 'exp')
  if (exp !== undefined && now - tolerance >= exp) fail('token_expired', 'token expired', 'exp')

  const nbf = timeClaim(payload, 'nbf')
  if (nbf !== undefined && now + tolerance < nbf) {
    fail('token_not_yet_valid', 'token not yet valid', 'nbf')
  }

  const iat = timeClaim(payload, 'iat')
  if (iat !== undefined && iat > now + tolerance) invalid('iat', 'is in the future')

  if (rules.maxAge !== undefined) {
    if (iat === undefined) missing('iat', 'is required when maxAge is set')
    if (now - tolerance > iat + rules.maxAge)
      fail('token_expired', 'token older than maxAge', 'iat')
  }

  if (rules.audience !== undefined) matchesOne(payload, 'aud', rules.audience)
  if (rules.issuer !== undefined) matchesOne(payload, 'iss', rules.issuer)
  if (rules.subject !== undefined) {
    const sub = own(payload, 'sub')
    if (sub === undefined) missing('sub')
    if (sub !== rules.subject) invalid('sub', 'does not match')
  }
}
