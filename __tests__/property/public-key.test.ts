import { createHmac, type KeyObject } from 'node:crypto'
import fc from 'fast-check'
import { createVerifier, signToken } from 'express-jwt-gate'
import type { AsymmetricAlgorithm, KeyRing } from 'express-jwt-gate'
import { ASYMMETRIC_ALGORITHMS, jwkOf, pairFor, signWith } from '../helpers/keys'
import { b64, NOW, NOW_DATE, SECRET } from '../helpers/tokens'
import {
  ALGORITHMS,
  applyEdit,
  HASH,
  privateClaims,
  refusal,
  runs,
  singleEdit,
  TIMEOUT_MS,
} from '../helpers/property'

/**
 * The properties of the HMAC suites, for the public-key algorithms: what is signed with
 * the private key verifies with the public key alone, and nothing else does. Keys are
 * generated once per kind (RSA generation is slow); pair 1 of each kind is "another key".
 */
const verifyOptions = { currentDate: NOW_DATE, maxTokenLength: 1 << 16 }
const signOptions = { currentDate: NOW_DATE, maxTokenLength: 1 << 16 }

/** A verifier per algorithm, each holding only that algorithm's public key. */
const verifiers = new Map(
  ASYMMETRIC_ALGORITHMS.map((alg) => [
    alg,
    createVerifier(pairFor(alg).publicKey, { ...verifyOptions, algorithms: [alg] }),
  ]),
)
const verifierFor = (alg: AsymmetricAlgorithm) => verifiers.get(alg) as (token: string) => unknown

const algorithm = fc.constantFrom(...ASYMMETRIC_ALGORITHMS)

interface Signed {
  alg: AsymmetricAlgorithm
  claims: Record<string, unknown>
  token: string
}

const signed: fc.Arbitrary<Signed> = fc
  .record({ alg: algorithm, claims: privateClaims })
  .map(({ alg, claims }) => ({
    alg,
    claims,
    token: signToken(claims, pairFor(alg).privateKey, { ...signOptions, algorithm: alg }),
  }))

describe('public-key algorithms, property-based', () => {
  test(
    'round trip: signed with the private key, verified with the public key alone',
    () => {
      fc.assert(
        fc.property(signed, ({ alg, claims, token }) => {
          expect(verifierFor(alg)(token)).toEqual({
            ...claims,
            iat: NOW,
            exp: NOW + 900,
          })
        }),
        runs(60),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'a single-character substitution, insertion or deletion anywhere is refused',
    () => {
      const char = fc.constantFrom(
        ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ é',
      )
      fc.assert(
        fc.property(signed, singleEdit(char), ({ alg, token }, edit) => {
          const forged = applyEdit(token, edit)
          fc.pre(forged !== token)
          refusal(() => verifierFor(alg)(forged))
        }),
        runs(300),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'a token signed by another key of the same kind is refused',
    () => {
      fc.assert(
        fc.property(algorithm, privateClaims, (alg, claims) => {
          const other = pairFor(alg, 1).privateKey
          const forged = signToken(claims, other, { ...signOptions, algorithm: alg })
          expect(refusal(() => verifierFor(alg)(forged)).code).toBe('signature_invalid')
        }),
        runs(40),
      )
    },
    TIMEOUT_MS,
  )

  test(
    'algorithm confusion: an HMAC over any encoding of the public key is refused',
    () => {
      // What an attacker can know of a public key, each a candidate "secret".
      const encodings = (publicKey: KeyObject): Buffer[] => [
        Buffer.from(publicKey.export({ type: 'spki', format: 'pem' })),
        publicKey.export({ type: 'spki', format: 'der' }),
        Buffer.from(JSON.stringify(jwkOf(publicKey))),
      ]
      fc.assert(
        fc.property(
          algorithm,
          fc.constantFrom(...ALGORITHMS),
          fc.nat(2),
          privateClaims,
          (alg, hmacAlg, which, claims) => {
            const secret = encodings(pairFor(alg).publicKey)[which] as Buffer
            const body = { ...claims, iat: NOW, exp: NOW + 600 }
            const input = `${b64({ alg: hmacAlg, typ: 'JWT' })}.${b64(body)}`
            const mac = createHmac(HASH[hmacAlg], secret).update(input).digest('base64url')
            const err = refusal(() => verifierFor(alg)(`${input}.${mac}`))
            expect(err.code).toBe('algorithm_not_allowed')
          },
        ),
        runs(100),
      )
    },
    TIMEOUT_MS,
  )

  test(
    "in a ring, a token signed by one key but naming another key's kid is refused",
    () => {
      const ring: KeyRing = [
        ...ASYMMETRIC_ALGORITHMS.map((alg) => ({ kid: alg, key: pairFor(alg).publicKey, alg })),
        { kid: 'HS256', key: SECRET, alg: 'HS256' as const },
      ]
      const verify = createVerifier(ring, verifyOptions)
      fc.assert(
        fc.property(algorithm, algorithm, fc.boolean(), (signer, named, keepAlg) => {
          fc.pre(signer !== named)
          // The header names the other key, with the signer's alg or the named key's.
          const header = { alg: keepAlg ? signer : named, kid: named }
          const forged = signWith(signer, pairFor(signer).privateKey, { header })
          refusal(() => verify(forged))
        }),
        runs(100),
      )
    },
    TIMEOUT_MS,
  )
})
