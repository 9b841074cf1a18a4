import { createVerifier, signToken, verifyToken } from 'express-jwt-gate'
import type { AsymmetricKey, Jwk } from 'express-jwt-gate'
import { jwkOf, pair, signWith } from '../helpers/keys'
import { NOW, NOW_DATE, thrown } from '../helpers/tokens'

const es = pair('P-256')
const publicJwk = jwkOf(es.publicKey)
const privateJwk = jwkOf(es.privateKey)
const token = signWith('ES256', es.privateKey)
const options = { algorithms: ['ES256' as const], currentDate: NOW_DATE }

function setupMessage(fn: () => unknown): string {
  const err = thrown(fn)
  expect(err).toBeInstanceOf(TypeError)
  expect(err.message).toMatch(/^express-jwt-gate: key /)
  return err.message
}

describe('JWK keys (RFC 7517)', () => {
  test('a private JWK verifies through its public part only', () => {
    expect(verifyToken(token, privateJwk, options).sub).toBe('alice')
    // Its private members are ignored for verification: a wrong d changes nothing.
    const wrongD = { ...privateJwk, d: jwkOf(pair('P-256', 1).privateKey).d }
    expect(verifyToken(token, wrongD as Jwk, options).sub).toBe('alice')
  })

  test('use "sig", or no use at all, is accepted; any other use is refused', () => {
    expect(verifyToken(token, { ...publicJwk, use: 'sig' }, options).sub).toBe('alice')
    expect(setupMessage(() => createVerifier({ ...publicJwk, use: 'enc' }, options))).toMatch(
      /is a JWK for use "enc"; only "sig" keys sign or verify tokens/,
    )
  })

  test('key_ops, when present, must include the operation', () => {
    expect(verifyToken(token, { ...publicJwk, key_ops: ['verify'] }, options).sub).toBe('alice')
    expect(
      setupMessage(() => createVerifier({ ...publicJwk, key_ops: ['encrypt'] }, options)),
    ).toMatch(/is a JWK whose key_ops do not include "verify"/)
    expect(
      setupMessage(() => createVerifier({ ...publicJwk, key_ops: 'verify' } as never, options)),
    ).toMatch(/key_ops do not include "verify"/)
    const signOnly = { ...privateJwk, key_ops: ['sign'] }
    expect(signToken({}, signOnly, { algorithm: 'ES256', currentDate: NOW_DATE })).toMatch(/\./)
    expect(
      setupMessage(() =>
        signToken({}, { ...privateJwk, key_ops: ['verify'] }, { algorithm: 'ES256' }),
      ),
    ).toMatch(/key_ops do not include "sign"/)
  })

  test("a JWK's own alg binds it", () => {
    expect(verifyToken(token, { ...publicJwk, alg: 'ES256' }, options).sub).toBe('alice')
    expect(setupMessage(() => createVerifier({ ...publicJwk, alg: 'ES384' }, options))).toMatch(
      /is a JWK for "ES384", not ES256: a key's alg is binding/,
    )
  })

  test.each<[string, Record<string, unknown>, RegExp]>([
    [
      'an oct (secret) JWK',
      { kty: 'oct', k: 'c2VjcmV0' },
      /is an "oct" JWK, a shared secret: pass its bytes/,
    ],
    ['an unknown kty', { kty: 'XYZ' }, /is a JWK of unsupported kty "XYZ"; use RSA, EC or OKP/],
    ['no kty', { crv: 'P-256', x: 'AA', y: 'AA' }, /unsupported kty undefined/],
    ['a non-string kid', { ...publicJwk, kid: 5 }, /is a JWK whose kid is not a string/],
    [
      'a point not on the curve',
      { ...publicJwk, x: publicJwk.y },
      /is a JWK that does not hold a valid key/,
    ],
    [
      'members of the wrong type',
      { ...publicJwk, x: 42 },
      /is a JWK that does not hold a valid key/,
    ],
    [
      'an RSA JWK for ES256',
      jwkOf(pair('rsa').publicKey),
      /is an RSA key, but ES256 needs a P-256 key/,
    ],
  ])('%s is refused', (_name, jwk, message) => {
    expect(setupMessage(() => createVerifier(jwk as AsymmetricKey, options))).toMatch(message)
  })

  test('signing needs a private JWK', () => {
    expect(setupMessage(() => signToken({}, publicJwk, { algorithm: 'ES256' }))).toMatch(
      /is a public JWK \(no "d"\); signing needs the private key/,
    )
    const signed = signToken({}, privateJwk, { algorithm: 'ES256', currentDate: NOW_DATE })
    expect(verifyToken(signed, publicJwk, options).iat).toBe(NOW)
  })
})
