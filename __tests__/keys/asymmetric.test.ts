import * as crypto from 'node:crypto'
import nodeCrypto from 'node:crypto'
import { createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { createVerifier, signToken, verifyToken } from 'express-jwt-gate'
import type {
  AsymmetricAlgorithm,
  AsymmetricKey,
  JwtPayload,
  VerifyOptions,
} from 'express-jwt-gate'
import {
  ASYMMETRIC_ALGORITHMS,
  fixture,
  pair,
  pairFor,
  signWith,
  jwkOf,
  type KeyKind,
} from '../helpers/keys'
import { b64, createToken, NOW, NOW_DATE, SECRET, thrown } from '../helpers/tokens'

const valid = { sub: 'alice', iat: NOW, exp: NOW + 600 }
const at = (alg: AsymmetricAlgorithm): VerifyOptions => ({
  algorithms: [alg],
  currentDate: NOW_DATE,
})

/** The failure code of verifying `token` with `key` for `alg` at NOW. */
function code(token: string, key: AsymmetricKey, alg: AsymmetricAlgorithm): string | undefined {
  return thrown(() => verifyToken(token, key, at(alg))).code
}

/** The setup error of `fn`, checked to be one of ours. */
function setupMessage(fn: () => unknown): string {
  const err = thrown(fn)
  expect(err).toBeInstanceOf(TypeError)
  expect(err.message).toMatch(/^express-jwt-gate: /)
  return err.message
}

/** Replace the signature segment of a token. */
const withSignature = (token: string, signature: Buffer) =>
  `${token.slice(0, token.lastIndexOf('.'))}.${signature.toString('base64url')}`

const signatureOf = (token: string) =>
  Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')

describe.each(ASYMMETRIC_ALGORITHMS)('%s', (alg) => {
  const { publicKey, privateKey } = pairFor(alg)

  test('verifies a token signed by hand with node:crypto, needing only the public key', () => {
    const verify = createVerifier(publicKey, at(alg))
    const claims: JwtPayload = verify(signWith(alg, privateKey))
    expect(claims).toEqual(valid)
  })

  test('signs tokens that node:crypto verifies, with the header naming the algorithm', () => {
    const token = signToken({ a: 1 }, privateKey, { algorithm: alg, currentDate: NOW_DATE })
    const [h, p] = token.split('.') as [string, string]
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg, typ: 'JWT' })
    const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`
    const options = alg.startsWith('PS')
      ? {
          key: publicKey,
          padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
          saltLength: Number(alg.slice(2)) / 8,
        }
      : alg.startsWith('ES')
        ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
        : publicKey
    expect(crypto.verify(hash, Buffer.from(`${h}.${p}`), options, signatureOf(token))).toBe(true)
    expect(verifyToken(token, publicKey, at(alg)).a).toBe(1)
  })

  test('refuses a token signed by another key of the same kind', () => {
    expect(code(signWith(alg, pairFor(alg, 1).privateKey), publicKey, alg)).toBe(
      'signature_invalid',
    )
  })

  test('refuses a payload changed after signing', () => {
    const [h, , s] = signWith(alg, privateKey).split('.')
    const forged = `${h}.${b64({ ...valid, sub: 'admin' })}.${s}`
    expect(code(forged, publicKey, alg)).toBe('signature_invalid')
  })

  test('refuses a signature one byte too short or too long', () => {
    const token = signWith(alg, privateKey)
    const signature = signatureOf(token)
    expect(code(withSignature(token, signature.subarray(1)), publicKey, alg)).toBe(
      'signature_invalid',
    )
    const longer = Buffer.concat([Buffer.alloc(1), signature])
    expect(code(withSignature(token, longer), publicKey, alg)).toBe('signature_invalid')
  })

  test('refuses every other algorithm, HS256 and none included', () => {
    for (const other of [...ASYMMETRIC_ALGORITHMS, 'HS256', 'none']) {
      if (other === alg) continue
      const token = `${b64({ alg: other })}.${signWith(alg, privateKey).split('.').slice(1).join('.')}`
      expect(code(token, publicKey, alg)).toBe('algorithm_not_allowed')
    }
  })
})

describe('key formats', () => {
  const es = pair('P-256')
  const rsa = pair('rsa')
  const ed = pair('ed25519')
  const token = {
    ES256: signWith('ES256', es.privateKey),
    RS256: signWith('RS256', rsa.privateKey),
    EdDSA: signWith('EdDSA', ed.privateKey),
  }

  test.each<[string, () => AsymmetricKey]>([
    ['SPKI PEM text', () => String(es.publicKey.export({ format: 'pem', type: 'spki' }))],
    [
      'SPKI PEM bytes (a .pem file read as a Buffer)',
      () => Buffer.from(es.publicKey.export({ format: 'pem', type: 'spki' })),
    ],
    ['a public JWK', () => jwkOf(es.publicKey)],
    [
      'a public JWK with a matching alg, use and key_ops',
      () => ({
        ...jwkOf(es.publicKey),
        alg: 'ES256',
        use: 'sig',
        key_ops: ['verify'],
      }),
    ],
  ])('verifies with %s', (_name, key) => {
    expect(verifyToken(token.ES256, key(), at('ES256'))).toEqual(valid)
  })

  test('PKCS #1 RSA public key PEM', () => {
    const pem = rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string
    expect(pem).toContain('BEGIN RSA PUBLIC KEY')
    expect(verifyToken(token.RS256, pem, at('RS256'))).toEqual(valid)
  })

  test('an X.509 certificate, by its public key', () => {
    for (const [alg, name] of [
      ['ES256', 'es256-cert'],
      ['RS256', 'rs256-cert'],
    ] as const) {
      const { cert, privateKeyPem } = fixture(name)
      const signed = signToken({ a: 1 }, privateKeyPem, { algorithm: alg, currentDate: NOW_DATE })
      expect(verifyToken(signed, cert, at(alg)).a).toBe(1)
      expect(code(signWith(alg, pairFor(alg).privateKey), cert, alg)).toBe('signature_invalid')
    }
  })

  test('a private key given to a verifier verifies through its public part', () => {
    const pkcs8 = es.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const jwk = jwkOf(es.privateKey)
    for (const key of [es.privateKey, pkcs8, jwk]) {
      expect(verifyToken(token.ES256, key, at('ES256'))).toEqual(valid)
    }
    expect(verifyToken(token.EdDSA, ed.privateKey, at('EdDSA'))).toEqual(valid)
  })

  test('signs with a private KeyObject, PKCS #8, PKCS #1, SEC1 or a private JWK', () => {
    const keys: [AsymmetricAlgorithm, AsymmetricKey, KeyObject][] = [
      ['ES256', es.privateKey.export({ format: 'pem', type: 'pkcs8' }), es.publicKey],
      ['ES256', es.privateKey.export({ format: 'pem', type: 'sec1' }), es.publicKey],
      ['ES256', jwkOf(es.privateKey), es.publicKey],
      ['RS256', rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }), rsa.publicKey],
      ['EdDSA', jwkOf(ed.privateKey), ed.publicKey],
      ['EdDSA', ed.privateKey, ed.publicKey],
    ]
    for (const [algorithm, key, publicKey] of keys) {
      const signed = signToken({ a: 1 }, key, { algorithm, currentDate: NOW_DATE })
      expect(verifyToken(signed, publicKey, at(algorithm)).a).toBe(1)
    }
  })

  test('a JWK changed in place between two signings is read again', () => {
    const jwk = { ...jwkOf(es.privateKey) }
    const first = signToken({}, jwk, { algorithm: 'ES256', currentDate: NOW_DATE })
    Object.assign(jwk, jwkOf(pair('P-256', 1).privateKey))
    const second = signToken({}, jwk, {
      algorithm: 'ES256',
      currentDate: NOW_DATE,
    })
    expect(verifyToken(first, es.publicKey, at('ES256')).iat).toBe(NOW)
    expect(code(second, es.publicKey, 'ES256')).toBe('signature_invalid')
    expect(verifyToken(second, pair('P-256', 1).publicKey, at('ES256')).iat).toBe(NOW)
  })

  test('the signing key follows the key and algorithm given on each call', () => {
    const a = signToken({}, es.privateKey, { algorithm: 'ES256', currentDate: NOW_DATE })
    const b = signToken({}, ed.privateKey, { algorithm: 'EdDSA', currentDate: NOW_DATE })
    const c = signToken({}, rsa.privateKey, { algorithm: 'PS256', currentDate: NOW_DATE })
    const d = signToken({}, rsa.privateKey, { algorithm: 'RS256', currentDate: NOW_DATE })
    expect(verifyToken(a, es.publicKey, at('ES256')).iat).toBe(NOW)
    expect(verifyToken(b, ed.publicKey, at('EdDSA')).iat).toBe(NOW)
    expect(verifyToken(c, rsa.publicKey, at('PS256')).iat).toBe(NOW)
    expect(verifyToken(d, rsa.publicKey, at('RS256')).iat).toBe(NOW)
  })
})

describe('ECDSA signatures: only the exact JWS form r‖s', () => {
  test.each([
    ['ES256', 32],
    ['ES384', 48],
    ['ES512', 66],
  ] as const)('%s: a DER-encoded signature is refused, whatever its length', (alg, size) => {
    const { publicKey, privateKey } = pairFor(alg)
    const der = signWith(alg, privateKey, { dsaEncoding: 'der' })
    expect(signatureOf(der)[0]).toBe(0x30)
    expect(code(der, publicKey, alg)).toBe('signature_invalid')
    // The same signature in JWS form passes: the encoding alone made the difference.
    const jws = signWith(alg, privateKey)
    expect(signatureOf(jws)).toHaveLength(2 * size)
    expect(verifyToken(jws, publicKey, at(alg))).toEqual(valid)
  })

  describe('psychic signatures (CVE-2022-21449): r or s of zero', () => {
    const { publicKey, privateKey } = pair('P-256')
    const token = signWith('ES256', privateKey)
    const good = signatureOf(token)
    const zero = Buffer.alloc(32)
    const cases: [string, Buffer][] = [
      ['r = s = 0', Buffer.alloc(64)],
      ['r = 0', Buffer.concat([zero, good.subarray(32)])],
      ['s = 0', Buffer.concat([good.subarray(0, 32), zero])],
    ]

    test.each(cases)('%s is refused before the curve maths runs', (_name, signature) => {
      const spy = jest.spyOn(nodeCrypto, 'verify')
      try {
        expect(code(withSignature(token, signature), publicKey, 'ES256')).toBe('signature_invalid')
        expect(spy).not.toHaveBeenCalled()
        // The control: a real signature does reach crypto.verify through the same spy.
        expect(verifyToken(token, publicKey, at('ES256'))).toEqual(valid)
        expect(spy).toHaveBeenCalledTimes(1)
      } finally {
        spy.mockRestore()
      }
    })

    test('r = s = n (the group order, zero modulo n) is refused too', () => {
      const n = Buffer.from(
        'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
        'hex',
      )
      expect(code(withSignature(token, Buffer.concat([n, n])), publicKey, 'ES256')).toBe(
        'signature_invalid',
      )
    })
  })
})

describe('RSA signatures', () => {
  const { publicKey, privateKey } = pair('rsa')

  test('a signature as long as the modulus but larger than it is refused, not thrown', () => {
    const token = signWith('RS256', privateKey)
    expect(code(withSignature(token, Buffer.alloc(256, 0xff)), publicKey, 'RS256')).toBe(
      'signature_invalid',
    )
  })

  test('PS256 requires a salt as long as the hash (RFC 7518 §3.5)', () => {
    const input = `${b64({ alg: 'PS256' })}.${b64(valid)}`
    const salted = (saltLength: number) =>
      `${input}.${crypto
        .sign('sha256', Buffer.from(input), {
          key: privateKey,
          padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
          saltLength,
        })
        .toString('base64url')}`
    expect(verifyToken(salted(32), publicKey, at('PS256'))).toEqual(valid)
    expect(code(salted(0), publicKey, 'PS256')).toBe('signature_invalid')
    expect(code(salted(20), publicKey, 'PS256')).toBe('signature_invalid')
  })

  test('a PKCS #1 v1.5 signature is not a PSS one, nor the reverse', () => {
    const rs = signWith('RS256', privateKey)
    const relabelled = `${b64({ alg: 'PS256' })}.${rs.split('.').slice(1).join('.')}`
    expect(code(relabelled, publicKey, 'PS256')).toBe('signature_invalid')
    const ps = signWith('PS256', privateKey)
    const back = `${b64({ alg: 'RS256' })}.${ps.split('.').slice(1).join('.')}`
    expect(code(back, publicKey, 'RS256')).toBe('signature_invalid')
  })
})

describe('algorithm confusion is impossible by construction', () => {
  const kinds: [KeyKind, AsymmetricAlgorithm][] = [
    ['rsa', 'RS256'],
    ['P-256', 'ES256'],
    ['ed25519', 'EdDSA'],
  ]

  test.each(kinds)(
    'an HS256 token signed with the PEM text of a %s public key is refused by that key',
    (kind, alg) => {
      const { publicKey } = pair(kind)
      const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string
      // The classic attack: the attacker knows the public key, so uses it as a MAC key.
      const forged = createToken({ header: { alg: 'HS256', typ: 'JWT' }, secret: pem })
      for (const key of [publicKey, pem, jwkOf(publicKey)]) {
        expect(code(forged, key, alg)).toBe('algorithm_not_allowed')
      }
      const ring = [{ kid: 'k', key: pem, alg }] as const
      const withKid = createToken({ header: { alg: 'HS256', kid: 'k' }, secret: pem })
      expect(thrown(() => verifyToken(withKid, ring, { currentDate: NOW_DATE })).code).toBe(
        'algorithm_not_allowed',
      )
      // And the public key can never be configured as the HMAC secret in the first place.
      expect(setupMessage(() => createVerifier(pem))).toMatch(/PEM/)
      expect(setupMessage(() => createVerifier(publicKey))).toMatch(/public key/)
      expect(setupMessage(() => createVerifier([{ kid: 'k', key: pem, alg: 'HS256' }]))).toMatch(
        /PEM/,
      )
    },
  )

  test('the text of an X.509 certificate is refused as an HMAC secret', () => {
    const { cert } = fixture('rs256-cert')
    expect(setupMessage(() => createVerifier(cert))).toMatch(/PEM/)
    expect(setupMessage(() => signToken({}, cert))).toMatch(/PEM/)
  })

  test('a key in DER or as JWK text is refused as an HMAC secret', () => {
    const { publicKey, privateKey } = pair('P-256')
    const encodings: Uint8Array[] = [
      publicKey.export({ format: 'der', type: 'spki' }),
      pair('rsa').publicKey.export({ format: 'der', type: 'pkcs1' }),
      privateKey.export({ format: 'der', type: 'pkcs8' }),
      new crypto.X509Certificate(fixture('es256-cert').cert).raw,
    ]
    for (const der of encodings) {
      expect(setupMessage(() => createVerifier(der))).toMatch(
        /^express-jwt-gate: secret looks like a DER-encoded key; /,
      )
    }
    const jwkText = JSON.stringify(publicKey.export({ format: 'jwk' }))
    expect(setupMessage(() => createVerifier(jwkText))).toMatch(
      /^express-jwt-gate: secret looks like a JWK; /,
    )
    expect(setupMessage(() => signToken({}, Buffer.from(jwkText)))).toMatch(
      /^express-jwt-gate: secret looks like a JWK; /,
    )
  })

  test('secrets that merely start like DER or JSON are still secrets', () => {
    for (const secret of [
      Buffer.concat([Buffer.from([0x30, 0x82]), crypto.randomBytes(40)]),
      `0${'x'.repeat(40)}`,
      `{"not":"a key","pad":"${'x'.repeat(30)}"}`,
      `{${'x'.repeat(40)}`,
    ]) {
      expect(() => createVerifier(secret)).not.toThrow()
    }
  })

  test('an HMAC secret never verifies a public-key algorithm', () => {
    expect(setupMessage(() => createVerifier(SECRET, { algorithms: ['RS256'] }))).toMatch(
      /key for RS256 must be a PEM key or certificate, a KeyObject or a JWK; plain text or bytes are an HMAC secret/,
    )
    const secretKey = createSecretKey(Buffer.from(SECRET))
    expect(setupMessage(() => createVerifier(secretKey, { algorithms: ['ES256'] }))).toMatch(
      /is a secret key; ES256 needs a public \(or private\) key/,
    )
    expect(
      setupMessage(() => createVerifier([{ kid: 'k', key: SECRET, alg: 'EdDSA' } as never])),
    ).toMatch(/key "k" for EdDSA must be a PEM key/)
    // And an HMAC verifier refuses every public-key algorithm in the header.
    for (const alg of ASYMMETRIC_ALGORITHMS) {
      expect(thrown(() => verifyToken(createToken({ header: { alg } }), SECRET)).code).toBe(
        'algorithm_not_allowed',
      )
    }
  })
})

describe('setup refuses a key unfit for its algorithm, and says how to fix it', () => {
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 })
  const ed448 = generateKeyPairSync('ed448')
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  const x25519 = generateKeyPairSync('x25519')

  test.each<[string, () => unknown, AsymmetricAlgorithm, RegExp]>([
    [
      'RSA under 2048 bits',
      () => rsa1024.publicKey,
      'RS256',
      /is a 1024-bit RSA key; RS256 needs at least 2048 bits/,
    ],
    ['RSA under 2048 bits, for PSS', () => rsa1024.publicKey, 'PS512', /1024-bit RSA key; PS512/],
    [
      'a P-384 key for ES256',
      () => pair('P-384').publicKey,
      'ES256',
      /is a P-384 key, but ES256 needs P-256/,
    ],
    [
      'a P-256 key for ES512',
      () => pair('P-256').publicKey,
      'ES512',
      /is a P-256 key, but ES512 needs P-521/,
    ],
    [
      'a secp256k1 key for ES256',
      () => k1.publicKey,
      'ES256',
      /is an EC secp256k1 key, but ES256 needs P-256/,
    ],
    [
      'an RSA key for ES256',
      () => pair('rsa').publicKey,
      'ES256',
      /is an RSA key, but ES256 needs a P-256 key/,
    ],
    [
      'an EC key for RS256',
      () => pair('P-256').publicKey,
      'RS256',
      /is a P-256 key, but RS256 needs an RSA key of at least 2048 bits/,
    ],
    [
      'an Ed25519 key for ES384',
      () => pair('ed25519').publicKey,
      'ES384',
      /is an Ed25519 key, but ES384 needs a P-384 key/,
    ],
    [
      'a P-256 key for EdDSA',
      () => pair('P-256').publicKey,
      'EdDSA',
      /is a P-256 key, but EdDSA needs an Ed25519 key/,
    ],
    [
      'an Ed448 key for EdDSA',
      () => ed448.publicKey,
      'EdDSA',
      /is an Ed448 key, but EdDSA needs an Ed25519 key/,
    ],
    [
      'an X25519 (key agreement) key for EdDSA',
      () => x25519.publicKey,
      'EdDSA',
      /is a x25519 key, but EdDSA needs an Ed25519 key/,
    ],
    [
      'an RSA-PSS-restricted key',
      () => pss.publicKey,
      'PS256',
      /RSA-PSS-restricted key; PS256 needs a plain RSA key/,
    ],
    [
      'plain text',
      () => 'not a key at all, just some text',
      'ES256',
      /must be a PEM key or certificate/,
    ],
    [
      'broken PEM',
      () => '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
      'ES256',
      /not a PEM key or certificate that Node can read/,
    ],
    ['a number', () => 42, 'ES256', /must be a KeyObject, PEM text or a JWK/],
    ['a boolean', () => true, 'RS256', /must be a KeyObject, PEM text or a JWK/],
    ['nothing', () => undefined, 'ES256', /key is missing; ES256 needs a P-256 key/],
  ])('%s', (_name, key, alg, message) => {
    expect(
      setupMessage(() => createVerifier(key() as AsymmetricKey, { algorithms: [alg] })),
    ).toMatch(message)
  })

  test('signing needs the private key, in every form', () => {
    const { publicKey } = pair('P-256')
    for (const key of [
      publicKey,
      publicKey.export({ format: 'pem', type: 'spki' }) as string,
      jwkOf(publicKey),
      fixture('es256-cert').cert,
    ]) {
      expect(setupMessage(() => signToken({}, key, { algorithm: 'ES256' }))).toMatch(
        /is a public (key|JWK).*; signing needs the private key/,
      )
    }
  })

  test('an encrypted private key must be decrypted first', () => {
    const encrypted = pair('P-256').privateKey.export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'pass phrase',
    }) as string
    expect(setupMessage(() => signToken({}, encrypted, { algorithm: 'ES256' }))).toMatch(
      /encrypted private key; decrypt it once at startup with crypto.createPrivateKey\(\{ key, passphrase \}\)/,
    )
  })

  test('one key serves one algorithm: naming two, or mixing in HMAC, is refused', () => {
    const { publicKey } = pair('rsa')
    for (const algorithms of [
      ['RS256', 'PS256'],
      ['RS256', 'HS256'],
      ['HS256', 'ES256'],
    ] as const) {
      expect(setupMessage(() => createVerifier(publicKey, { algorithms }))).toMatch(
        /one key is bound to one algorithm, but algorithms lists/,
      )
    }
  })

  test('a public key with no algorithm named is taken for a secret and refused, with the fix', () => {
    const { publicKey } = pair('ed25519')
    expect(setupMessage(() => createVerifier(publicKey))).toMatch(
      /public key; an asymmetric key can never be an HMAC secret: to verify RS\*, PS\*, ES\* or EdDSA tokens with it, name its algorithm/,
    )
    expect(setupMessage(() => signToken({}, pair('ed25519').privateKey))).toMatch(/private key/)
  })
})
