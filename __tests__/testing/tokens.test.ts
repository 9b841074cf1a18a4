import { generateKeyPairSync } from 'node:crypto'
import request from 'supertest'
import {
  InvalidTokenError,
  createVerifier,
  decodeToken,
  jwtAuth,
  requireFeature,
  verifyToken,
} from 'express-jwt-gate'
import type { KeyRing, KeySource, VerifyOptions } from 'express-jwt-gate'
import {
  expiredToken,
  mintToken,
  noneAlgToken,
  notYetValidToken,
  tamperedToken,
  testKeyPair,
  testSecret,
  wrongKeyToken,
} from 'express-jwt-gate/testing'
import type { MintOptions } from 'express-jwt-gate/testing'
import { EXPRESS_VERSIONS, failOnUnhandledRejections, traceApp } from '../helpers/apps'
import { LONG_SECRET, NOW, NOW_DATE, SECRET, setupFailure, thrown } from '../helpers/tokens'

failOnUnhandledRejections()

const es = testKeyPair('ES256')
const ed = testKeyPair('EdDSA')
const rs = testKeyPair('RS256')

/**
 * An app's key and what it verifies with, and the `key` a test hands the helpers: for
 * an asymmetric app that is the public key the app holds, in whichever form it holds it.
 */
const APPS: [string, KeySource, VerifyOptions, MintOptions][] = [
  ['HS256 with testSecret (the default key)', testSecret, {}, {}],
  // A secret serves any HMAC algorithm: alg says which the app expects.
  [
    'HS512 with its own secret',
    LONG_SECRET,
    { algorithms: ['HS512'] },
    { key: LONG_SECRET, alg: 'HS512' },
  ],
  ['ES256 with a public KeyObject', es.publicKey, { algorithms: ['ES256'] }, { key: es.publicKey }],
  [
    'RS256 with PEM text',
    rs.publicKey.export({ type: 'spki', format: 'pem' }),
    { algorithms: ['RS256'] },
    { key: rs.publicKey.export({ type: 'spki', format: 'pem' }) },
  ],
  [
    'EdDSA with a JWK',
    ed.publicKey.export({ format: 'jwk' }) as never,
    { algorithms: ['EdDSA'] },
    { key: ed.publicKey.export({ format: 'jwk' }) as never },
  ],
  ['EdDSA with the pair itself as key', ed.publicKey, { algorithms: ['EdDSA'] }, { key: ed }],
  [
    'a ring of a secret and a public key',
    [
      { kid: 'hs', key: SECRET, alg: 'HS256' },
      { kid: 'es', key: es.publicKey, alg: 'ES256' },
    ],
    {},
    { key: [{ kid: 'hs', key: SECRET, alg: 'HS256' }] },
  ],
  [
    'a ring whose first key is a test public key',
    [{ kid: 'es', key: es.publicKey, alg: 'ES256' }],
    {},
    { key: [{ kid: 'es', key: es.publicKey, alg: 'ES256' }] },
  ],
]

const claims = { sub: 'alice', licensedFeatures: ['invoicing'] }

/** The code a verifier refuses a token with. */
function codeOf(token: string, key: KeySource, options: VerifyOptions): string | undefined {
  const err = thrown(() => verifyToken(token, key, options))
  expect(err).toBeInstanceOf(InvalidTokenError)
  return err.code
}

describe.each(APPS)(
  'the token helpers, for an app that verifies %s',
  (_name, appKey, options, mint) => {
    test('mintToken makes a token the app accepts, with the claims given', () => {
      expect(verifyToken(mintToken(claims, mint), appKey, options)).toMatchObject(claims)
    })

    test.each([
      ['expiredToken', 'token_expired', expiredToken],
      ['notYetValidToken', 'token_not_yet_valid', notYetValidToken],
      ['tamperedToken', 'signature_invalid', tamperedToken],
      ['wrongKeyToken', 'signature_invalid', wrongKeyToken],
      ['noneAlgToken', 'algorithm_not_allowed', noneAlgToken],
    ] as const)('%s is refused with %s, and only for that reason', (_helper, code, helper) => {
      expect(codeOf(helper(claims, mint), appKey, options)).toBe(code)
    })
  },
)

describe('each bad token is the valid one, wrong in one respect', () => {
  const at = { now: NOW }
  const payloadOf = (token: string) => decodeToken(token).payload
  const headerOf = (token: string) => decodeToken(token).header

  test('expiredToken expired a day before now, after the lifetime it was given', () => {
    expect(payloadOf(expiredToken(claims, at))).toEqual({
      ...claims,
      iat: NOW - 86_400 - 900,
      exp: NOW - 86_400,
    })
    expect(payloadOf(expiredToken(claims, { ...at, expiresIn: '1h' }))).toMatchObject({
      iat: NOW - 86_400 - 3600,
      exp: NOW - 86_400,
    })
  })

  test('notYetValidToken becomes valid notBefore after now, for its lifetime', () => {
    expect(payloadOf(notYetValidToken(claims, at))).toEqual({
      ...claims,
      iat: NOW,
      nbf: NOW + 86_400,
      exp: NOW + 86_400 + 900,
    })
    const soon = notYetValidToken(claims, { ...at, notBefore: 60, expiresIn: '5m' })
    expect(payloadOf(soon)).toMatchObject({ nbf: NOW + 60, exp: NOW + 360 })
    // Once its time comes, the same token is accepted.
    const later = new Date((NOW + 61) * 1000)
    expect(verifyToken(soon, testSecret, { currentDate: later })).toMatchObject(claims)
  })

  test('tamperedToken keeps the header and the signature, and adds extraPremiumFeature', () => {
    const original = mintToken(claims, at)
    const forged = tamperedToken(original)
    const [h, , s] = original.split('.')
    expect(forged.split('.')).toEqual([
      h,
      expect.not.stringMatching(original.split('.')[1] as string),
      s,
    ])
    expect(payloadOf(forged)).toEqual({
      ...payloadOf(original),
      licensedFeatures: ['invoicing', 'extraPremiumFeature'],
    })
    expect(payloadOf(tamperedToken({ sub: 'bob' }, at)).licensedFeatures).toEqual([
      'extraPremiumFeature',
    ])
  })

  test('tamperedToken makes any other change with tamper', () => {
    const forged = tamperedToken(
      { role: 'user' },
      { ...at, tamper: (p) => ({ ...p, role: 'admin' }) },
    )
    expect(payloadOf(forged)).toMatchObject({ role: 'admin' })
    expect(codeOf(forged, testSecret, { currentDate: NOW_DATE })).toBe('signature_invalid')
    const existing = tamperedToken(mintToken({ role: 'user' }, at), {
      tamper: (p) => ({ ...p, role: 'root' }),
    })
    expect(payloadOf(existing)).toMatchObject({ role: 'root' })
  })

  test('noneAlgToken changes only the alg of the header, keeping a kid', () => {
    const token = noneAlgToken(claims, { ...at, keyId: 'k1' })
    expect(headerOf(token)).toEqual({ alg: 'none', typ: 'JWT', kid: 'k1' })
    expect(payloadOf(token)).toEqual(payloadOf(mintToken(claims, { ...at, keyId: 'k1' })))
    const ringToken = noneAlgToken(claims, { key: [{ kid: 'hs', key: SECRET, alg: 'HS256' }] })
    expect(headerOf(ringToken)).toEqual({ alg: 'none', typ: 'JWT', kid: 'hs' })
  })

  test('wrongKeyToken keeps the header: same alg, same kid', () => {
    const ring: KeyRing = [{ kid: 'es', key: es.publicKey, alg: 'ES256' }]
    expect(headerOf(wrongKeyToken(claims, { key: ring }))).toEqual({
      alg: 'ES256',
      typ: 'JWT',
      kid: 'es',
    })
    expect(headerOf(wrongKeyToken(claims))).toEqual({ alg: 'HS256', typ: 'JWT' })
  })
})

describe('mintToken', () => {
  test('now fixes the clock, as a Date or as seconds', () => {
    for (const now of [NOW, NOW_DATE]) {
      expect(decodeToken(mintToken({}, { now })).payload).toEqual({ iat: NOW, exp: NOW + 900 })
    }
  })

  test('passes the signing options through', () => {
    const token = mintToken(
      {},
      { now: NOW, audience: 'api', issuer: 'iss', subject: 'sub', jwtId: 'j', expiresIn: null },
    )
    expect(decodeToken(token).payload).toEqual({
      iat: NOW,
      aud: 'api',
      iss: 'iss',
      sub: 'sub',
      jti: 'j',
    })
  })

  test('a private key signs as it is, with its alg', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const token = mintToken(claims, { key: privateKey, alg: 'EdDSA' })
    expect(verifyToken(token, publicKey, { algorithms: ['EdDSA'] })).toMatchObject(claims)
    const wrong = wrongKeyToken(claims, { key: privateKey, alg: 'EdDSA' })
    expect(codeOf(wrong, publicKey, { algorithms: ['EdDSA'] })).toBe('signature_invalid')
  })

  test('a private key as PEM text or as a JWK signs too, and a public PEM as bytes finds its pair', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' })
    const jwk = privateKey.export({ format: 'jwk' }) as never
    for (const key of [pem, jwk]) {
      const token = mintToken(claims, { key, alg: 'ES256' })
      expect(verifyToken(token, publicKey, { algorithms: ['ES256'] })).toMatchObject(claims)
    }
    const bytes = Buffer.from(es.publicKey.export({ type: 'spki', format: 'pem' }))
    expect(decodeToken(mintToken(claims, { key: bytes })).header.alg).toBe('ES256')
  })

  test('every helper works with no arguments at all', () => {
    const helpers = [
      mintToken,
      expiredToken,
      notYetValidToken,
      tamperedToken,
      wrongKeyToken,
      noneAlgToken,
    ]
    const codes = helpers.map((helper) => {
      try {
        verifyToken(helper(), testSecret)
        return 'accepted'
      } catch (err) {
        return (err as InvalidTokenError).code
      }
    })
    expect(codes).toEqual([
      'accepted',
      'token_expired',
      'token_not_yet_valid',
      'signature_invalid',
      'signature_invalid',
      'algorithm_not_allowed',
    ])
  })

  test('the private key of a test pair signs with its own alg', () => {
    const token = mintToken(claims, { key: es.privateKey })
    expect(decodeToken(token).header.alg).toBe('ES256')
  })

  test('testKeyPair makes each pair once, and one per algorithm', () => {
    expect(testKeyPair('ES256')).toBe(es)
    expect(testKeyPair('PS256').publicKey).not.toBe(testKeyPair('RS256').publicKey)
    expect(es).toMatchObject({ alg: 'ES256', kid: 'test-ES256' })
    expect(es.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
    expect(Object.isFrozen(es)).toBe(true)
  })

  test('testSecret is long enough for every HMAC algorithm', () => {
    const verify = createVerifier(testSecret, { algorithms: ['HS512'] })
    expect(verify(mintToken(claims, { alg: 'HS512' }))).toMatchObject(claims)
  })

  test.each<[string, () => unknown, { option: string; message: string }]>([
    [
      'an unknown option',
      () => mintToken({}, { expiresin: '5m' } as never),
      {
        option: 'expiresin',
        message:
          'express-jwt-gate: mintToken: unknown option "expiresin"; known options are expiresIn, notBefore, issuer, audience, subject, jwtId, keyId, maxTokenLength, key, alg, now',
      },
    ],
    [
      'claims that are not an object',
      () => mintToken([] as never),
      { option: 'claims', message: 'express-jwt-gate: mintToken: claims must be a plain object' },
    ],
    [
      'a bad clock',
      () => mintToken({}, { now: new Date('nope') }),
      {
        option: 'now',
        message:
          'express-jwt-gate: mintToken: now must be a valid Date or a number of seconds since the epoch',
      },
    ],
    [
      'an alg against the pair',
      () => mintToken({}, { key: es.publicKey, alg: 'RS256' }),
      {
        option: 'alg',
        message:
          'express-jwt-gate: mintToken: the key is the test ES256 pair; alg RS256 contradicts it',
      },
    ],
    [
      'an alg against the ring',
      () => mintToken({}, { key: [{ kid: 'a', key: SECRET, alg: 'HS256' }], alg: 'HS384' }),
      {
        option: 'alg',
        message:
          "express-jwt-gate: mintToken: the ring's first key is bound to HS256; alg HS384 contradicts it",
      },
    ],
    [
      'an empty ring',
      () => mintToken({}, { key: [] }),
      { option: 'key', message: 'express-jwt-gate: mintToken: a key ring needs at least one key' },
    ],
    [
      'a ring key without a kid',
      () => mintToken({}, { key: [{ key: SECRET, alg: 'HS256' }] as never }),
      { option: 'key', message: 'express-jwt-gate: mintToken: each ring key needs a kid' },
    ],
    [
      'a public-key alg with a secret',
      () => mintToken({}, { alg: 'ES256' }),
      {
        option: 'alg',
        message:
          'express-jwt-gate: mintToken: alg ES256 needs a public or private key, not a secret',
      },
    ],
    [
      'a public key it did not make',
      () => wrongKeyToken({}, { key: generateKeyPairSync('ed25519').publicKey }),
      {
        option: 'key',
        message:
          'express-jwt-gate: wrongKeyToken: key is a public key that testKeyPair() did not make, so its private half is unknown; pass the private key (with alg), or verify with a testKeyPair() key',
      },
    ],
    [
      'a private key without alg',
      () => mintToken({}, { key: generateKeyPairSync('ed25519').privateKey }),
      {
        option: 'alg',
        message:
          'express-jwt-gate: mintToken: a private key needs alg, the algorithm it signs with',
      },
    ],
    [
      'PEM text that is no key',
      () => mintToken({}, { key: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }),
      {
        option: 'key',
        message: expect.stringMatching(/^express-jwt-gate: key is not a key Node can read \(/),
      },
    ],
    [
      'an HMAC algorithm for testKeyPair',
      () => testKeyPair('HS256' as never),
      {
        option: 'alg',
        message: 'express-jwt-gate: testKeyPair makes public-key pairs; for HS256 use testSecret',
      },
    ],
    [
      'an expired token with no exp',
      () => expiredToken({}, { expiresIn: null }),
      {
        option: 'expiresIn',
        message:
          'express-jwt-gate: expiredToken: a token without exp cannot expire; leave expiresIn out',
      },
    ],
    [
      'a not-yet-valid token valid now',
      () => notYetValidToken({}, { notBefore: 0 }),
      {
        option: 'notBefore',
        message:
          'express-jwt-gate: notYetValidToken: notBefore must be in the future, more than 0 seconds',
      },
    ],
    [
      'a not-yet-valid token with no exp',
      () => notYetValidToken({}, { expiresIn: null }),
      {
        option: 'expiresIn',
        message:
          'express-jwt-gate: notYetValidToken: leave expiresIn out or give a lifetime; null is no exp',
      },
    ],
    [
      'tampering with what is not a token',
      () => tamperedToken('a.b'),
      {
        option: 'token',
        message:
          'express-jwt-gate: tamperedToken: token must be a compact JWS, header.payload.signature',
      },
    ],
    [
      'tampering with a payload that is not JSON',
      () => tamperedToken('eyJhbGciOiJIUzI1NiJ9.bm9wZQ.c2ln'),
      {
        option: 'token',
        message: "express-jwt-gate: tamperedToken: the token's payload is not a JSON object",
      },
    ],
    [
      'a change that changes nothing',
      () => tamperedToken({ a: 1 }, { tamper: (p) => p }),
      {
        option: 'tamper',
        message: 'express-jwt-gate: tamperedToken: the change leaves the payload as it was',
      },
    ],
    [
      'a tamper that is not a function',
      () => tamperedToken({ a: 1 }, { tamper: 'admin' as never }),
      { option: 'tamper', message: 'express-jwt-gate: tamper must be a function' },
    ],
    [
      'an unknown option with an existing token',
      () => tamperedToken(mintToken(), { kye: 1 } as never),
      {
        option: 'kye',
        message: expect.stringMatching(
          /^express-jwt-gate: tamperedToken: unknown option "kye"; known options are .*, tamper$/,
        ),
      },
    ],
  ])('refuses %s with a setup error', (_name, run, expected) => {
    expect(setupFailure(run)).toEqual(expected)
  })
})

describe.each(EXPRESS_VERSIONS)('the helpers against a real app on %s', (_version, express) => {
  const cases = [
    ['mintToken', mintToken, 200, undefined],
    ['expiredToken', expiredToken, 401, 'token_expired'],
    ['notYetValidToken', notYetValidToken, 401, 'token_not_yet_valid'],
    ['tamperedToken', tamperedToken, 401, 'signature_invalid'],
    ['wrongKeyToken', wrongKeyToken, 401, 'signature_invalid'],
    ['noneAlgToken', noneAlgToken, 401, 'algorithm_not_allowed'],
  ] as const

  test.each(cases)('HS256 app: %s → %i %s', async (_name, helper, status, code) => {
    const { app, trace } = traceApp(express, [jwtAuth(testSecret), requireFeature('invoicing')])
    const res = await request(app)
      .get('/')
      .set('Authorization', `Bearer ${helper(claims)}`)
    expect(res.status).toBe(status)
    expect((trace.errors[0] as { code?: string } | undefined)?.code).toBe(code)
  })

  test.each(cases)('ES256 app: %s → %i %s', async (_name, helper, status, code) => {
    const { app, trace } = traceApp(express, [jwtAuth(es.publicKey, { algorithms: ['ES256'] })])
    const res = await request(app)
      .get('/')
      .set('Authorization', `Bearer ${helper(claims, { key: es.publicKey })}`)
    expect(res.status).toBe(status)
    expect((trace.errors[0] as { code?: string } | undefined)?.code).toBe(code)
  })
})
