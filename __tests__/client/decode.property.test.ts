import { deepStrictEqual } from 'node:assert/strict'
import fc from 'fast-check'
import { decodeToken as serverDecode, JwtAuthError } from 'express-jwt-gate'
import { decodeToken, TokenDecodeError } from 'express-jwt-gate/client'
import { jwtDecode } from 'jwt-decode'
import {
  ALPHABET,
  anyText,
  applyEdit,
  jsonValue,
  privateClaims,
  runs,
  singleEdit,
  TIMEOUT_MS,
} from '../helpers/property'

/**
 * The browser decoder against two references on random input: jwt-decode (the popular
 * browser decoder, lenient) must read every token the client accepts the same way, and
 * the server's decodeToken must make the same accept-or-refuse decision, with the same
 * code, on valid and broken input alike.
 */

type Verdict = { ok: true; value: unknown } | { ok: false; code: string }

function client(token: string): Verdict {
  try {
    return { ok: true, value: decodeToken(token) }
  } catch (err) {
    if (!(err instanceof TokenDecodeError)) throw err
    return { ok: false, code: err.code }
  }
}

function server(token: string): Verdict {
  try {
    return { ok: true, value: serverDecode(token) }
  } catch (err) {
    if (!(err instanceof JwtAuthError)) throw err
    return { ok: false, code: err.code }
  }
}

const encode = (bytes: Buffer) => bytes.toString('base64url')
const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8')

/** A header the server accepts: a string alg, maybe a string kid, any other members. */
const header = fc
  .record(
    { alg: anyText(8), kid: anyText(8), extra: privateClaims },
    { requiredKeys: ['alg', 'extra'] },
  )
  .map(({ extra, ...named }) => {
    // A kid among the extra members could be of any type: only the named one counts.
    const rest = { ...extra }
    delete rest.kid
    return { ...rest, ...named }
  })

/** A payload: the registered claims in their usual shapes, plus any private claims. */
const payload = fc
  .record(
    {
      sub: anyText(),
      exp: fc.integer({ min: 0, max: 4_000_000_000 }),
      licensedFeatures: fc.array(anyText(12), { maxLength: 4 }),
      claims: privateClaims,
    },
    { requiredKeys: ['claims'] },
  )
  .map(({ claims, ...registered }) => ({ ...claims, ...registered }))

const signature = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => encode(Buffer.from(b)))

const validToken = fc
  .tuple(header, payload, signature)
  .map(([h, p, s]) => `${encode(json(h))}.${encode(json(p))}.${s}`)

/** Byte sequences that are not UTF-8, one per way to get it wrong. */
const NOT_UTF8 = [
  [0xff],
  [0x80],
  [0xc3],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
]
const BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** The bytes of a segment: any bytes, any JSON value, JSON broken as decoders get it wrong. */
const segmentBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
  jsonValue.map(json),
  fc.oneof(header, privateClaims).map(json),
  fc.tuple(payload, fc.nat(), fc.constantFrom(...NOT_UTF8)).map(([value, at, bad]) => {
    const text = json(value)
    const i = at % (text.length + 1)
    return Buffer.concat([text.subarray(0, i), Buffer.from(bad), text.subarray(i)])
  }),
  payload.map((value) => Buffer.concat([BOM, json(value)])),
)

/** A segment's text: canonical base64url of the bytes, or that text spoilt. */
const segmentText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: segmentBytes.map(encode) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(segmentBytes.map(encode), fc.constantFrom('=', '==', 'A', '+', '/', ' ', '.', ''))
      .map(([text, tail]) => text + tail),
  },
  // The last character swapped for any other: stray tail bits, or another byte.
  {
    weight: 1,
    arbitrary: fc
      .tuple(segmentBytes.map(encode), fc.constantFrom(...ALPHABET))
      .map(([text, c]) => text.slice(0, -1) + c),
  },
)

/** A header whose alg or kid may be of any JSON type, or missing. */
const looseHeader = fc
  .record({ alg: jsonValue, kid: jsonValue, extra: privateClaims }, { requiredKeys: ['extra'] })
  .map(({ extra, ...named }) => ({ ...extra, ...named }))

/** Strings with every flaw at once or one at a time: parts, edits, arbitrary text. */
const anyInput: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(segmentText, segmentText, segmentText).map((parts) => parts.join('.')),
  fc
    .tuple(validToken, singleEdit(fc.constantFrom(...`${ALPHABET}.=+/ é`)))
    .map(([t, e]) => applyEdit(t, e)),
  fc.tuple(header.map(json), segmentBytes).map(([h, p]) => `${encode(h)}.${encode(p)}.c2ln`),
  fc.tuple(looseHeader, segmentBytes).map(([h, p]) => `${encode(json(h))}.${encode(p)}.c2ln`),
  fc.string({ unit: fc.constantFrom(...'Ae0_-.=+/'), maxLength: 40 }),
  anyText(40),
)

describe('client decodeToken, property-based', () => {
  test(
    'reads every valid token exactly as jwt-decode and the server do, Unicode claims included',
    () => {
      fc.assert(
        fc.property(validToken, (token) => {
          const decoded = decodeToken(token)
          deepStrictEqual(decoded.payload, jwtDecode(token))
          deepStrictEqual(decoded.header, jwtDecode(token, { header: true }))
          deepStrictEqual(decoded, serverDecode(token))
        }),
        runs(2000),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'on any input, accepts what the server accepts, refuses what it refuses, with its code',
    () => {
      const seen = { accepted: 0, token_malformed: 0, header_invalid: 0 }
      fc.assert(
        fc.property(anyInput, (token) => {
          const verdict = client(token)
          deepStrictEqual(verdict, server(token))
          seen[verdict.ok ? 'accepted' : (verdict.code as 'token_malformed')]++
          // Whatever the client accepts, the lenient reference reads the same way.
          if (verdict.ok)
            deepStrictEqual((verdict.value as { payload: unknown }).payload, jwtDecode(token))
        }),
        runs(4000),
      )
      // Each outcome came up often enough for the comparison to mean something.
      for (const count of Object.values(seen))
        expect(count).toBeGreaterThan(runs(4000).numRuns! / 50)
    },
    TIMEOUT_MS,
  )
})
