import { deepStrictEqual } from 'node:assert/strict'
import { createHmac, createSecretKey } from 'node:crypto'
import fc from 'fast-check'
import { createVerifier, decodeToken, signToken, verifyToken } from 'express-jwt-gate'
import type { Duration, HmacAlgorithm, Secret, SignOptions, VerifyOptions } from 'express-jwt-gate'
import {
  ALGORITHMS,
  anyText,
  HASH,
  keyBytes,
  MIN_SECRET_BYTES,
  privateClaims,
  refusal,
  runs,
  TIMEOUT_MS,
} from '../helpers/property'

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as const
const BIG_LIMIT = 1 << 20

/** A positive duration, as the option value and as the seconds it must mean. */
const positiveDuration = fc.oneof(
  fc.double({ min: 1, max: 1e9, noNaN: true }).map((seconds) => ({ option: seconds, seconds })),
  fc
    .tuple(fc.integer({ min: 1, max: 999_999_999 }), fc.constantFrom('s', 'm', 'h', 'd', 'w'))
    .map(([n, unit]) => ({ option: `${n}${unit}` as Duration, seconds: n * UNIT_SECONDS[unit] })),
)

const nonEmptyText = anyText().filter((text) => text !== '')

/** Where a string claim comes from: nowhere, the sign option, or the payload itself. */
const fromOptionOrPayload = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof(
    fc.constant({ via: 'absent' as const }),
    value.map((v) => ({ via: 'option' as const, value: v })),
    value.map((v) => ({ via: 'payload' as const, value: v })),
  )

/**
 * Everything about one token that does not depend on another choice. Time claims are
 * always chosen so the token is valid at `nowMs`: this property is about what comes
 * back, and the time rules have their own tests.
 */
const scenario = fc.record({
  algorithm: fc.constantFrom(...ALGORITHMS),
  alsoAllowed: fc.subarray([...ALGORITHMS]),
  /** 1970 to 2100, with milliseconds: signing floors "now" to seconds, verifying does not. */
  nowMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  claims: privateClaims,
  /** Sometimes a long claim: pushes the HMAC input past its scratch buffer and past 8192. */
  bulk: fc.oneof(
    { arbitrary: fc.constant(null), weight: 4 },
    {
      arbitrary: fc.string({ unit: 'binary', minLength: 500, maxLength: 4000, size: 'max' }),
      weight: 1,
    },
  ),
  exp: fc.oneof(
    fc.constant({ via: 'default' as const }),
    fc.constant({ via: 'none' as const }),
    positiveDuration.map((d) => ({ via: 'option' as const, ...d })),
    fc.integer({ min: 1, max: 1e9 }).map((ahead) => ({ via: 'payload' as const, ahead })),
  ),
  nbf: fc.oneof(
    fc.constant({ via: 'absent' as const }),
    fc
      .oneof(
        fc.double({ min: -1e9, max: 0, noNaN: true }).map((s) => ({ option: s, seconds: s })),
        fc.constantFrom('0s', '0m', '0w').map((option) => ({ option, seconds: 0 })),
      )
      .map((d) => ({ via: 'option' as const, ...d })),
    fc.integer({ min: 0, max: 1e9 }).map((ago) => ({ via: 'payload' as const, ago })),
  ),
  iat: fc.oneof(
    fc.constant({ via: 'default' as const }),
    fc.integer({ min: 0, max: 1e6 }).map((ago) => ({ via: 'payload' as const, ago })),
  ),
  iss: fromOptionOrPayload(nonEmptyText),
  sub: fromOptionOrPayload(nonEmptyText),
  jti: fromOptionOrPayload(nonEmptyText),
  aud: fromOptionOrPayload(
    fc.oneof(nonEmptyText, fc.array(nonEmptyText, { minLength: 1, maxLength: 4 })),
  ),
  keyId: fc.option(nonEmptyText, { nil: undefined }),
  bigLimit: fc.boolean(),
  checkAudience: fc.boolean(),
  checkIssuer: fc.boolean(),
  checkSubject: fc.boolean(),
  clockTolerance: fc.option(
    fc.oneof(
      fc.double({ min: 0, max: 1e6, noNaN: true }) as fc.Arbitrary<Duration>,
      positiveDuration.map((d) => d.option),
    ),
    { nil: undefined },
  ),
  /** iat is at most 1e6 s old, so any of these leaves the token young enough. */
  maxAge: fc.option(
    fc.oneof(
      fc.integer({ min: 1_000_002, max: 1e9 }) as fc.Arbitrary<Duration>,
      fc.constantFrom('2w', '100d', '999999999s'),
    ),
    { nil: undefined },
  ),
})

/** The same key in each form the API takes, so sign and verify can each use any of them. */
function secretForms(g: fc.GeneratorValue, minBytes: number): { bytes: Buffer; forms: Secret[] } {
  if (g(fc.boolean)) {
    // A string secret is its UTF-8 bytes; each code point is at least one byte.
    const text = g(fc.string, { unit: 'binary', minLength: minBytes, maxLength: 100, size: 'max' })
    const bytes = Buffer.from(text, 'utf8')
    return { bytes, forms: [text, bytes, new Uint8Array(bytes), createSecretKey(bytes)] }
  }
  const bytes = g(keyBytes, minBytes)
  return { bytes, forms: [bytes, new Uint8Array(bytes), createSecretKey(bytes)] }
}

describe('round trip', () => {
  test(
    'verifyToken(signToken(p, k, o), k, o) returns p with exactly the claims o asks for',
    () => {
      fc.assert(
        fc.property(scenario, fc.gen(), (s, g) => {
          const allowed = [...new Set<HmacAlgorithm>([s.algorithm, ...s.alsoAllowed])]
          const minBytes = Math.max(...allowed.map((alg) => MIN_SECRET_BYTES[alg]))
          const { bytes, forms } = secretForms(g, minBytes)
          const signWith = forms[g(fc.nat, { max: forms.length - 1 })] as Secret
          const verifyWith = forms[g(fc.nat, { max: forms.length - 1 })] as Secret

          const currentDate = new Date(s.nowMs)
          const whole = Math.floor(s.nowMs / 1000)
          const payload: Record<string, unknown> = { ...s.claims }
          if (s.bulk !== null) payload.bulk = s.bulk
          const sign: SignOptions = { currentDate }
          // HS256 is the default: leaving the option out must mean the same thing.
          if (s.algorithm !== 'HS256' || g(fc.boolean)) sign.algorithm = s.algorithm
          if (s.keyId !== undefined) sign.keyId = s.keyId
          if (s.bigLimit) sign.maxTokenLength = BIG_LIMIT

          // What the token must carry: the payload, plus what each option adds.
          const expected: Record<string, unknown> = { ...payload }
          if (s.exp.via === 'default') expected.exp = whole + 900
          if (s.exp.via === 'none') sign.expiresIn = null
          if (s.exp.via === 'option') {
            sign.expiresIn = s.exp.option
            expected.exp = whole + s.exp.seconds
          }
          if (s.exp.via === 'payload') payload.exp = expected.exp = whole + s.exp.ahead
          if (s.nbf.via === 'option') {
            sign.notBefore = s.nbf.option
            expected.nbf = whole + s.nbf.seconds
          }
          if (s.nbf.via === 'payload') payload.nbf = expected.nbf = whole - s.nbf.ago
          expected.iat = whole
          if (s.iat.via === 'payload') payload.iat = expected.iat = whole - s.iat.ago
          for (const [claim, option] of [
            ['iss', 'issuer'],
            ['sub', 'subject'],
            ['jti', 'jwtId'],
          ] as const) {
            const source = s[claim]
            if (source.via === 'option') sign[option] = source.value
            if (source.via !== 'absent') expected[claim] = source.value
            if (source.via === 'payload') payload[claim] = source.value
          }
          if (s.aud.via === 'option') {
            sign.audience = s.aud.value
            const list = typeof s.aud.value === 'string' ? [s.aud.value] : s.aud.value
            // One audience is written as a string, several as an array.
            expected.aud = list.length === 1 ? list[0] : list
          }
          if (s.aud.via === 'payload') payload.aud = expected.aud = s.aud.value

          const verify: VerifyOptions = { currentDate }
          if (allowed.length > 1 || s.algorithm !== 'HS256' || g(fc.boolean)) {
            verify.algorithms = allowed
          }
          if (s.bigLimit) verify.maxTokenLength = BIG_LIMIT
          if (s.clockTolerance !== undefined) verify.clockTolerance = s.clockTolerance
          if (s.maxAge !== undefined) verify.maxAge = s.maxAge
          // The default requiredClaims is ['exp']; any subset of the claims present passes
          // (a claim named '' cannot be required: requiredClaims takes non-empty names).
          const present = Object.keys(expected).filter((claim) => claim !== '')
          if (expected.exp === undefined || g(fc.boolean)) {
            verify.requiredClaims = g(fc.subarray, present)
          }
          const others = g(fc.array, nonEmptyText, { maxLength: 3 })
          if (s.checkAudience && expected.aud !== undefined) {
            const auds = ([] as string[]).concat(expected.aud as string | string[])
            verify.audience = [...others, auds[g(fc.nat, { max: auds.length - 1 })] as string]
          }
          if (s.checkIssuer && typeof expected.iss === 'string') {
            verify.issuer = others.length === 0 ? expected.iss : [expected.iss, ...others]
          }
          if (s.checkSubject && typeof expected.sub === 'string') verify.subject = expected.sub

          let token: string
          try {
            token = signToken(payload, signWith, sign)
          } catch (err) {
            // The only refusal a valid scenario may meet is the default size limit, and then
            // the token really is too large: signed under a larger limit it is longer than
            // 8192, and verification, here also under the default limit, refuses it.
            if (s.bigLimit || !String(err).includes('over maxTokenLength (8192)')) throw err
            const big = signToken(payload, signWith, { ...sign, maxTokenLength: BIG_LIMIT })
            expect(big.length).toBeGreaterThan(8192)
            expect(refusal(() => verifyToken(big, verifyWith, verify)).code).toBe('token_too_large')
            return
          }

          // node:assert, not toStrictEqual: Jest's type check reads `.constructor`, which a
          // payload may hold as an own claim, and then calls equal values different.
          deepStrictEqual(verifyToken(token, verifyWith, verify), expected)
          deepStrictEqual(createVerifier(verifyWith, verify)(token), expected)

          // The wire format, read independently of the code under test: a different
          // decoder and Node's own HMAC, so a bug shared by sign and verify still shows.
          const [h, p, sig] = token.split('.') as [string, string, string]
          const header =
            s.keyId === undefined
              ? { alg: s.algorithm, typ: 'JWT' }
              : { alg: s.algorithm, typ: 'JWT', kid: s.keyId }
          deepStrictEqual(JSON.parse(Buffer.from(h, 'base64url').toString('utf8')), header)
          deepStrictEqual(JSON.parse(Buffer.from(p, 'base64url').toString('utf8')), expected)
          expect(sig).toBe(
            createHmac(HASH[s.algorithm], bytes).update(`${h}.${p}`).digest('base64url'),
          )
          deepStrictEqual(decodeToken(token), { header, payload: expected })
        }),
        runs(150),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'signing with one secret after another always uses the current key',
    () => {
      // signToken keeps the last secret's prepared key. Bytes can be changed in place
      // between calls and different secrets can share a length, so each step re-checks
      // the signature against Node's HMAC over the key as it is at that moment.
      const step = fc.tuple(
        fc.constantFrom(
          'reuse',
          'copy',
          'change in place',
          'as a view',
          'as text',
          'as a KeyObject',
        ),
        fc.nat(),
        fc.constantFrom(...ALGORITHMS),
      )
      fc.assert(
        fc.property(keyBytes(64), fc.array(step, { minLength: 1, maxLength: 20 }), (key, steps) => {
          let current = Buffer.from(key)
          for (const [how, n, algorithm] of steps) {
            if (how === 'copy') current = Buffer.from(current)
            if (how === 'change in place') {
              const i = n % current.length
              current[i] = (current[i] as number) ^ (1 + (n % 255))
            }
            const secret: Secret =
              how === 'as a view'
                ? new Uint8Array(current.buffer, current.byteOffset, current.length)
                : how === 'as text'
                  ? current.toString('base64')
                  : how === 'as a KeyObject'
                    ? createSecretKey(current)
                    : current
            const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : current
            const token = signToken({ n }, secret, { algorithm, currentDate: new Date(0) })
            const input = token.slice(0, token.lastIndexOf('.'))
            expect(token).toBe(
              `${input}.${createHmac(HASH[algorithm], bytes).update(input).digest('base64url')}`,
            )
          }
        }),
        runs(100),
      )
    },
    TIMEOUT_MS,
  )
})
