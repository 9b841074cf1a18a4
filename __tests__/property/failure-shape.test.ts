import fc from 'fast-check'
import { createVerifier, decodeToken, signToken, verifyToken } from 'express-jwt-gate'
import type { VerifyOptions } from 'express-jwt-gate'
import { b64, createToken, NOW_DATE, SECRET } from '../helpers/tokens'
import { ALPHABET, anyText, outcome, refusal, runs, TIMEOUT_MS } from '../helpers/property'

const at: VerifyOptions = { currentDate: NOW_DATE }
/** One verifier for the whole file, as a server keeps one: its caches see every input. */
const verify = createVerifier(SECRET, at)

/**
 * `verifyToken`, a long-lived verifier and `decodeToken` on one input. Both verifiers
 * must refuse it with a well-formed failure and the same code; `decodeToken` must
 * either refuse it likewise or return a header with a string `alg` and an object payload.
 */
function expectRefusedEverywhere(input: unknown): string {
  const { code } = refusal(() => verifyToken(input as string, SECRET, at))
  expect(refusal(() => verify(input as string)).code).toBe(code)
  const decoded = outcome(() => decodeToken(input as string))
  if (decoded.ok) {
    expect(typeof decoded.value.header.alg).toBe('string')
    expect(typeof decoded.value.payload).toBe('object')
  }
  return code
}

/** Strings made only of base64url characters and dots: they get past the first checks. */
const tokenShaped = fc
  .array(fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60, size: 'medium' }), {
    minLength: 1,
    maxLength: 5,
  })
  .map((segments) => segments.join('.'))

describe('failure shape: every refusal is a 401 JwtAuthError with a known code', () => {
  test(
    'for a value of any type; anything but a string is token_malformed',
    () => {
      fc.assert(
        fc.property(fc.anything({ withBigInt: true, withMap: true, withSet: true }), (value) => {
          const code = expectRefusedEverywhere(value)
          if (typeof value !== 'string') expect(code).toBe('token_malformed')
        }),
        runs(200),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'for arbitrary text and token-shaped strings',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            anyText(300, 'max'),
            fc.string({ unit: 'grapheme', maxLength: 100, size: 'medium' }),
            tokenShaped,
            // Three segments that are real base64url of random bytes, so the decoder runs.
            fc
              .array(fc.uint8Array({ maxLength: 80, size: 'medium' }), {
                minLength: 3,
                maxLength: 3,
              })
              .map((parts) => parts.map((bytes) => b64(Buffer.from(bytes))).join('.')),
          ),
          (text) => {
            expectRefusedEverywhere(text)
          },
        ),
        runs(300),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'for arbitrary bytes read as latin1 or UTF-8 text',
    () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 400, size: 'medium' }),
          fc.constantFrom('latin1', 'utf8'),
          (bytes, encoding: BufferEncoding) => {
            expectRefusedEverywhere(Buffer.from(bytes).toString(encoding))
          },
        ),
        runs(200),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'for inputs over maxTokenLength: token_too_large, checked before anything else',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 20_000 }),
          fc.integer({ min: 1, max: 5_000 }),
          anyText(20).filter((text) => text !== ''),
          (maxTokenLength, over, unit) => {
            const input = unit.repeat(Math.ceil((maxTokenLength + over) / unit.length))
            const options = { ...at, maxTokenLength }
            expect(refusal(() => verifyToken(input, SECRET, options)).code).toBe('token_too_large')
            // A validly signed token over the limit is refused the same way.
            const token = signToken({ blob: input }, SECRET, {
              currentDate: NOW_DATE,
              maxTokenLength: 1 << 20,
            })
            expect(refusal(() => verifyToken(token, SECRET, options)).code).toBe('token_too_large')
          },
        ),
        runs(100),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'for megabytes of input; decodeToken, which has no size limit, still copes',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 8_193, max: 2_000_000 }),
          fc.constantFrom('garbage', 'token'),
          fc.constantFrom('a', '.', 'é', '\uD800', ALPHABET),
          (size, kind, filler) => {
            if (kind === 'garbage') {
              const input = filler.repeat(Math.ceil(size / filler.length))
              expect(expectRefusedEverywhere(input)).toBe('token_too_large')
              return
            }
            // Well-formed and validly signed, only too large for the default limit.
            const token = createToken({ payload: { blob: 'x'.repeat(size) } })
            expect(refusal(() => verify(token)).code).toBe('token_too_large')
            expect(decodeToken(token).payload.blob).toHaveLength(size)
            const big = { ...at, requiredClaims: [], maxTokenLength: token.length }
            expect(verifyToken(token, SECRET, big).blob).toHaveLength(size)
          },
        ),
        runs(6),
      )
    },
    TIMEOUT_MS,
  )
})
