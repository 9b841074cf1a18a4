import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { createVerifier, signToken, verifyToken } from 'express-jwt-gate'
import type { HmacAlgorithm, JwtAuthErrorCode, VerifyOptions } from 'express-jwt-gate'
import { NOW_DATE } from '../helpers/tokens'
import {
  ALGORITHMS,
  ALPHABET,
  anyText,
  applyEdit,
  expectRefusalShape,
  HASH,
  jsonValue,
  keyBytes,
  privateClaims,
  refusal,
  runs,
  singleEdit,
  TIMEOUT_MS,
} from '../helpers/property'

/**
 * Every HS algorithm is allowed (every key here is long enough for all three), so a
 * token whose header names another HS algorithm gets as far as the MAC: the setting
 * where an algorithm mix-up would be exploitable, and so the one worth attacking.
 */
const verifyOptions: VerifyOptions = {
  algorithms: ALGORITHMS,
  currentDate: NOW_DATE,
  maxTokenLength: 1 << 16,
}
/** Random private claims can outgrow the default 8192 limit, which is not under test here. */
const signOptions = { currentDate: NOW_DATE, maxTokenLength: 1 << 16 }

interface Signed {
  token: string
  key: Buffer
  alg: HmacAlgorithm
}

/** A valid token: any HS algorithm, a 64..200-byte key, any private claims, maybe a kid. */
const signedWith = (claims: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Signed> =>
  fc
    .record({
      alg: fc.constantFrom(...ALGORITHMS),
      key: keyBytes(64),
      claims,
      keyId: fc.option(
        anyText(8).filter((kid) => kid !== ''),
        { nil: undefined },
      ),
    })
    .map(({ alg, key, claims, keyId }) => {
      const options = { ...signOptions, algorithm: alg }
      const token = signToken(claims, key, keyId === undefined ? options : { ...options, keyId })
      return { alg, key, token }
    })

const signed = signedWith(privateClaims)

/**
 * A short token (about 150 to 250 characters), for the exhaustive sweep, whose cost
 * grows with the token's length times the number of characters tried at each place.
 */
const shortSigned = signedWith(
  fc.dictionary(anyText(6), fc.oneof(fc.integer(), anyText(12), fc.boolean()), { maxKeys: 3 }),
)

/**
 * Characters to put into a token: the whole base64url alphabet, the separator, what
 * lenient decoders accept (`=`, `+`, `/`, whitespace) and non-ASCII, a lone surrogate
 * and a character outside the BMP included.
 */
const EDIT_CHARS: readonly string[] = [
  ...ALPHABET,
  ...['.', '=', '+', '/', ' ', '\t', '\r', '\n', '\0', '%', 'é', '\uFFFD', '\uD800', '😀'],
]
const editChar = fc.oneof(
  fc.constantFrom(...EDIT_CHARS),
  anyText(1).filter((c) => c !== ''),
)

type Segments = [string, string, string]
const segmentsOf = (token: string) => token.split('.') as Segments

/**
 * A prepared verifier that has already accepted a valid token whose header text is
 * `header`, when that text is a header of an HS algorithm: its memo then holds the
 * header's key, and the forged token takes the path of a header seen before, which
 * checks less of the token up front than the path of a header never seen.
 */
function primedVerifier(header: string, key: Buffer): (token: string) => unknown {
  const verify = createVerifier(key, verifyOptions)
  let alg: unknown
  try {
    alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg?: unknown }).alg
  } catch {
    return verify
  }
  if (typeof alg !== 'string' || !Object.hasOwn(HASH, alg)) return verify
  const input = `${header}.${Buffer.from('{"sub":"primer"}').toString('base64url')}`
  const mac = createHmac(HASH[alg as HmacAlgorithm], key)
    .update(input)
    .digest('base64url')
  try {
    verify(`${input}.${mac}`)
  } catch {
    // Not a header this verifier accepts (a crit, a bad kid, a non-canonical spelling):
    // nothing is memoized, and the forged token is checked as a first sight.
  }
  return verify
}

/**
 * Verify `forged` with the real key and the broadest options; it must be refused, and
 * for the same reason by a fresh verifier and by one that has seen its header before.
 */
const refuse = (forged: string, key: Buffer) => {
  const fresh = refusal(() => verifyToken(forged, key, verifyOptions))
  const firstDot = forged.indexOf('.')
  if (firstDot > 0) {
    const primed = primedVerifier(forged.slice(0, firstDot), key)
    const seen = refusal(() => primed(forged))
    if (seen.code !== fresh.code) {
      throw new Error(
        `a verifier that knew the header said ${seen.code}, a fresh one ${fresh.code}`,
      )
    }
  }
  return fresh
}

describe('no forgery: every mutation of a valid token is refused', () => {
  test(
    'a single-character substitution, insertion or deletion anywhere',
    () => {
      fc.assert(
        fc.property(signed, singleEdit(editChar), ({ token, key }, edit) => {
          const forged = applyEdit(token, edit)
          // Substituting a character by itself is no mutation: skipped, not counted.
          fc.pre(forged !== token)
          refuse(forged, key)
        }),
        runs(300),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'base64url text added at either end of any segment (an extended signature included)',
    () => {
      // Single edits rarely land on a segment's edge; a MAC compare that reads only as
      // far as the expected MAC would accept a signature with anything appended.
      const text = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 8 })
      fc.assert(
        fc.property(
          signed,
          fc.constantFrom(0, 1, 2),
          fc.boolean(),
          text,
          ({ token, key }, index, atStart, extra) => {
            const parts = segmentsOf(token)
            const forged = parts
              .map((part, i) => (i !== index ? part : atStart ? extra + part : part + extra))
              .join('.')
            refuse(forged, key)
          },
        ),
        runs(300),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'a truncation, from either end',
    () => {
      fc.assert(
        fc.property(signed, fc.nat(), fc.boolean(), ({ token, key }, at, keepStart) => {
          const n = at % token.length
          refuse(keepStart ? token.slice(0, n) : token.slice(token.length - n), key)
        }),
        runs(200),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'every edit of one token, exhaustively: the only token accepted is the original',
    () => {
      fc.assert(
        fc.property(shortSigned, ({ token, key }) => {
          // A prepared verifier, as the middleware uses: its header cache sees every edit.
          const verify = createVerifier(key, verifyOptions)
          const accepted = new Set<string>()
          const attempt = (candidate: string) => {
            try {
              verify(candidate)
              accepted.add(candidate)
            } catch (err) {
              expectRefusalShape(err)
            }
          }
          attempt(token)
          for (let i = 0; i <= token.length; i++) {
            const before = token.slice(0, i)
            attempt(before)
            attempt(token.slice(i))
            if (i < token.length) attempt(before + token.slice(i + 1))
            for (const c of EDIT_CHARS) {
              attempt(before + c + token.slice(i))
              if (i < token.length) attempt(before + c + token.slice(i + 1))
            }
          }
          // Edits that rebuild the original collapse into it in the set, so this says
          // exactly: of all the strings tried, only the original verifies.
          expect([...accepted]).toEqual([token])
        }),
        runs(1),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'swapping or reordering segments between two valid tokens under the same key',
    () => {
      const twoSigned = fc
        .tuple(signed, fc.constantFrom(...ALGORITHMS), privateClaims)
        .map(([first, alg, claims]) => ({
          a: first.token,
          b: signToken(claims, first.key, { ...signOptions, algorithm: alg }),
          key: first.key,
        }))
      // Each segment of the result is taken from a or b, at any position: [token, index].
      const pick = fc.tuple(fc.constantFrom('a', 'b'), fc.constantFrom(0, 1, 2))
      fc.assert(
        fc.property(twoSigned, fc.tuple(pick, pick, pick), ({ a, b, key }, picks) => {
          const parts = { a: segmentsOf(a), b: segmentsOf(b) }
          const forged = picks.map(([from, index]) => parts[from][index]).join('.')
          // Picking a's or b's own segments in order rebuilds a valid token: not a forgery.
          fc.pre(forged !== a && forged !== b)
          refuse(forged, key)
        }),
        runs(300),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'a segment re-encoded with padding, the +/ alphabet or non-canonical trailing bits',
    () => {
      const reEncoding = fc.constantFrom(
        'padding',
        'standard alphabet',
        'standard base64',
        'spare bits',
      )
      fc.assert(
        fc.property(
          signed,
          fc.constantFrom(0, 1, 2),
          reEncoding,
          fc.integer({ min: 1, max: 15 }),
          ({ token, key }, index, how, noise) => {
            const parts = segmentsOf(token)
            const segment = parts[index]
            let spelt: string
            if (how === 'padding') {
              // What a padding encoder writes, or stray '=' after a whole quantum.
              const missing = (4 - (segment.length % 4)) % 4
              spelt = segment + '='.repeat(missing === 0 ? 1 + (noise % 3) : missing)
            } else if (how === 'standard alphabet') {
              spelt = segment.replace(/-/g, '+').replace(/_/g, '/')
            } else if (how === 'standard base64') {
              spelt = Buffer.from(segment, 'base64url').toString('base64')
            } else {
              // 2 mod 4 leaves 4 spare bits in the last character, 3 mod 4 leaves 2.
              const rem = segment.length % 4
              fc.pre(rem === 2 || rem === 3)
              const last = ALPHABET.indexOf(segment.slice(-1))
              const spare = noise & (rem === 2 ? 0x0f : 0x03)
              fc.pre(spare !== 0)
              spelt = segment.slice(0, -1) + (ALPHABET[last | spare] as string)
            }
            fc.pre(spelt !== segment)
            // The point of the property: a lenient decoder (Node's) reads the same bytes,
            // so only a strict one tells this spelling from the signed one.
            expect(Buffer.from(spelt, 'base64url').equals(Buffer.from(segment, 'base64url'))).toBe(
              true,
            )
            const forged = parts.map((part, i) => (i === index ? spelt : part)).join('.')
            expect(refuse(forged, key).code).toBe('token_malformed')
          },
        ),
        runs(300),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'a header whose alg is changed, or which is re-serialized, keeping payload and signature',
    () => {
      const otherAlg = fc.oneof(
        fc.constantFrom<unknown>(
          ...ALGORITHMS,
          ...['none', 'None', 'NONE', 'nOnE', 'RS256', 'ES256', 'PS256', 'EdDSA', 'HS1'],
          ...['hs256', 'HS256 ', ' HS256', 'HS256\0', 'HS 256', 'HS2560', 'ＨＳ２５６', ''],
        ),
        anyText(),
        jsonValue,
      )
      const rewrite = fc.oneof(
        otherAlg.map((alg) => ({ kind: 'alg' as const, alg })),
        // The same header, spelt differently: same meaning, different signing input.
        fc.constant({ kind: 'spaced' as const }),
        // A duplicate alg member that JSON.parse lets the original override.
        otherAlg.map((alg) => ({ kind: 'duplicate' as const, alg })),
      )
      fc.assert(
        fc.property(signed, rewrite, fc.boolean(), ({ token, key, alg }, change, dropSignature) => {
          const [h, p, s] = segmentsOf(token)
          const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<
            string,
            unknown
          >
          let json: string
          let expected: JwtAuthErrorCode
          if (change.kind === 'alg') {
            fc.pre(change.alg !== alg)
            json = JSON.stringify({ ...header, alg: change.alg })
            expected =
              typeof change.alg !== 'string'
                ? 'header_invalid'
                : (ALGORITHMS as readonly string[]).includes(change.alg)
                  ? 'signature_invalid'
                  : 'algorithm_not_allowed'
          } else if (change.kind === 'spaced') {
            json = JSON.stringify(header, null, 1)
            expected = 'signature_invalid'
          } else {
            json = `{"alg":${JSON.stringify(change.alg) ?? 'null'},${JSON.stringify(header).slice(1)}`
            expected = 'signature_invalid'
          }
          const newHeader = Buffer.from(json).toString('base64url')
          // "alg": "none" with the signature dropped is the classic unsigned-token attack.
          const forged = `${newHeader}.${p}.${dropSignature ? '' : s}`
          expect(refuse(forged, key).code).toBe(dropSignature ? 'token_malformed' : expected)
        }),
        runs(300),
      )
    },
    TIMEOUT_MS,
  )

  test(
    're-signing with a different key, or with the right key under another hash',
    () => {
      // Keys an attacker might try: anything, or near misses of the real key. HMAC pads a
      // short key with zero bytes, so key ‖ 0x00 can sign identically: such a "different"
      // key rebuilds the original token, which the filter below drops.
      const otherKey = (key: Buffer) =>
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
          fc
            .tuple(fc.nat({ max: key.length - 1 }), fc.integer({ min: 1, max: 255 }))
            .map(([i, flip]) => {
              const near = Buffer.from(key)
              near[i] = (near[i] as number) ^ flip
              return near
            }),
          fc.nat({ max: key.length - 1 }).map((n) => key.subarray(0, n + 1)),
          fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => Buffer.concat([key, tail])),
          fc.integer({ min: 1, max: 70 }).map((n) => Buffer.concat([key, Buffer.alloc(n)])),
        )
      const attack = signed.chain((target) =>
        fc.record({
          target: fc.constant(target),
          key: fc.oneof(otherKey(target.key), fc.constant(target.key)),
          hash: fc.constantFrom(...ALGORITHMS),
        }),
      )
      fc.assert(
        fc.property(attack, ({ target, key, hash }) => {
          const input = target.token.slice(0, target.token.lastIndexOf('.'))
          const mac = createHmac(HASH[hash], key).update(input).digest('base64url')
          const forged = `${input}.${mac}`
          fc.pre(forged !== target.token)
          expect(refuse(forged, target.key).code).toBe('signature_invalid')
        }),
        runs(300),
      )
    },
    TIMEOUT_MS,
  )
})
