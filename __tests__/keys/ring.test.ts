import { createVerifier, signToken, verifyToken } from 'express-jwt-gate'
import type { KeyRing, RingKey, VerifyOptions } from 'express-jwt-gate'
import { jwkOf, pair, signWith } from '../helpers/keys'
import { b64, createToken, LONG_SECRET, NOW, NOW_DATE, thrown } from '../helpers/tokens'

const at: VerifyOptions = { currentDate: NOW_DATE }
const A = 'a'.repeat(32)
const B = 'b'.repeat(32)
const C = 'c'.repeat(32)
const valid = { sub: 'alice', iat: NOW, exp: NOW + 600 }

/** A hand-made HS256 token with the given `kid` (or none), signed with `secret`. */
const tokenFor = (secret: string, kid?: string, alg: 'HS256' | 'HS512' = 'HS256') =>
  createToken({
    header: kid === undefined ? { alg } : { alg, kid },
    secret,
    signWith: alg,
  })

const header = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as unknown

function code(token: string, ring: KeyRing, options: VerifyOptions = {}): string | undefined {
  return thrown(() => verifyToken(token, ring, { ...at, ...options })).code
}

function setupMessage(fn: () => unknown): string {
  const err = thrown(fn)
  expect(err).toBeInstanceOf(TypeError)
  expect(err.message).toMatch(/^express-jwt-gate: /)
  return err.message
}

const ring: KeyRing = [
  { kid: 'k3', key: C, alg: 'HS256' },
  { kid: 'k2', key: B, alg: 'HS256' },
  { kid: 'k1', key: A, alg: 'HS256' },
]

describe('verification selects the key by kid', () => {
  test('each key verifies the tokens that name it', () => {
    const verify = createVerifier(ring, at)
    expect(verify(tokenFor(C, 'k3'))).toEqual(valid)
    expect(verify(tokenFor(B, 'k2'))).toEqual(valid)
    expect(verify(tokenFor(A, 'k1'))).toEqual(valid)
  })

  test('never by trying keys: a token signed by k1 but naming k2 is refused', () => {
    expect(code(tokenFor(A, 'k2'), ring)).toBe('signature_invalid')
    expect(code(tokenFor(C, 'k1'), ring)).toBe('signature_invalid')
  })

  test('an unknown kid is a 401 key_unknown, and the message does not echo it', () => {
    const err = thrown(() => verifyToken(tokenFor(A, 'attacker-kid'), ring, at))
    expect(err).toMatchObject({ status: 401, code: 'key_unknown', message: 'key unknown' })
    expect((err as { headers?: Record<string, string> }).headers?.['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="key unknown"',
    )
    expect(code(tokenFor(A, 'K1'), ring)).toBe('key_unknown')
    expect(code(tokenFor(A, ''), ring)).toBe('key_unknown')
    expect(code(tokenFor(A, '__proto__'), ring)).toBe('key_unknown')
  })

  test("the token's alg must be the selected key's alg", () => {
    const mixed: KeyRing = [
      { kid: 'short', key: A, alg: 'HS256' },
      { kid: 'long', key: LONG_SECRET, alg: 'HS512' },
    ]
    expect(verifyToken(tokenFor(LONG_SECRET, 'long', 'HS512'), mixed, at)).toEqual(valid)
    // HS512 is in the ring, but not for this key.
    const err = thrown(() => verifyToken(tokenFor(A, 'short', 'HS512'), mixed, at))
    expect(err).toMatchObject({
      code: 'algorithm_not_allowed',
      message: 'algorithm does not match the key',
    })
    // An algorithm no key holds is not allowed at all.
    expect(code(createToken({ header: { alg: 'HS384', kid: 'long' } }), mixed)).toBe(
      'algorithm_not_allowed',
    )
    expect(code(createToken({ header: { alg: 'none', kid: 'short' } }), mixed)).toBe(
      'algorithm_not_allowed',
    )
  })

  test('a ring may mix HMAC and public-key algorithms, each key bound to its own', () => {
    const es = pair('P-256')
    const ed = pair('ed25519')
    const mixed: KeyRing = [
      { kid: 'es', key: es.publicKey, alg: 'ES256' },
      { kid: 'ed', key: ed.publicKey, alg: 'EdDSA' },
      { kid: 'hs', key: A, alg: 'HS256' },
    ]
    const verify = createVerifier(mixed, at)
    expect(
      verify(signWith('ES256', es.privateKey, { header: { alg: 'ES256', kid: 'es' } })),
    ).toEqual(valid)
    expect(
      verify(signWith('EdDSA', ed.privateKey, { header: { alg: 'EdDSA', kid: 'ed' } })),
    ).toEqual(valid)
    expect(verify(tokenFor(A, 'hs'))).toEqual(valid)
    // The Ed25519 key never verifies for ES256, even with a genuine ES256 signature.
    const confused = signWith('ES256', es.privateKey, { header: { alg: 'ES256', kid: 'ed' } })
    expect(thrown(() => verify(confused)).code).toBe('algorithm_not_allowed')
  })

  test('a header parameter that is not a string kid is refused before any lookup', () => {
    expect(code(createToken({ header: { alg: 'HS256', kid: 1 } }), ring)).toBe('header_invalid')
  })
})

describe('tokens without kid', () => {
  test('are accepted when the ring has exactly one key', () => {
    expect(verifyToken(tokenFor(A), [{ kid: 'only', key: A, alg: 'HS256' }], at)).toEqual(valid)
  })

  test('are refused when the ring has several keys and no default', () => {
    const err = thrown(() => verifyToken(tokenFor(A), ring, at))
    expect(err).toMatchObject({
      code: 'key_unknown',
      message: 'token has no kid, and no key serves tokens without one',
    })
  })

  test('go to the default key, and only to it', () => {
    const withDefault: KeyRing = [
      { kid: 'new', key: B, alg: 'HS256' },
      { kid: 'old', key: A, alg: 'HS256', default: true },
    ]
    expect(verifyToken(tokenFor(A), withDefault, at)).toEqual(valid)
    expect(code(tokenFor(B), withDefault)).toBe('signature_invalid')
    // default: false is the same as leaving it out.
    const notDefault: KeyRing = [
      { kid: 'new', key: B, alg: 'HS256', default: false },
      { kid: 'old', key: A, alg: 'HS256' },
    ]
    expect(code(tokenFor(A), notDefault)).toBe('key_unknown')
  })
})

describe('the algorithms option with a ring', () => {
  test('may list more than the ring holds; only what the ring holds is accepted', () => {
    const verify = createVerifier(ring, { ...at, algorithms: ['HS256', 'ES256'] })
    expect(verify(tokenFor(A, 'k1'))).toEqual(valid)
    const es = signWith('ES256', pair('P-256').privateKey, { header: { alg: 'ES256', kid: 'k1' } })
    expect(thrown(() => verify(es)).code).toBe('algorithm_not_allowed')
  })

  test('must allow every key of the ring: a contradiction is refused at setup', () => {
    expect(setupMessage(() => createVerifier(ring, { algorithms: ['HS512'] }))).toMatch(
      /key "k3" is bound to HS256, which the algorithms option does not allow; remove the key or add HS256/,
    )
  })
})

describe('signing with a ring', () => {
  test('uses the first key and writes its kid', () => {
    const token = signToken({ a: 1 }, ring, { currentDate: NOW_DATE })
    expect(header(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k3' })
    expect(verifyToken(token, ring, at).a).toBe(1)
    expect(code(token, [{ kid: 'k3', key: A, alg: 'HS256' }])).toBe('signature_invalid')
  })

  test("uses the first key's algorithm, including a public-key one", () => {
    const es = pair('P-256')
    const signing: KeyRing = [
      { kid: 'es', key: es.privateKey, alg: 'ES256' },
      { kid: 'old', key: A, alg: 'HS256' },
    ]
    const token = signToken({}, signing, { currentDate: NOW_DATE })
    expect(header(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'es' })
    // The same ring verifies: the private key serves through its public part.
    expect(verifyToken(token, signing, at).iat).toBe(NOW)
    expect(verifyToken(token, es.publicKey, { ...at, algorithms: ['ES256'] }).iat).toBe(NOW)
  })

  test('algorithm and keyId may be given only when they agree with the first key', () => {
    expect(header(signToken({}, ring, { algorithm: 'HS256', keyId: 'k3' }))).toMatchObject({
      kid: 'k3',
    })
    expect(setupMessage(() => signToken({}, ring, { algorithm: 'HS512' }))).toMatch(
      /algorithm "HS512" contradicts the ring's first key, bound to HS256; leave algorithm out/,
    )
    expect(setupMessage(() => signToken({}, ring, { keyId: 'k1' }))).toMatch(
      /keyId "k1" contradicts the ring's first key "k3"; leave keyId out/,
    )
  })

  test('the ring is read on every call: a key added in front signs from then on', () => {
    const live: RingKey[] = [{ kid: 'k1', key: A, alg: 'HS256' }]
    expect(header(signToken({}, live))).toMatchObject({ kid: 'k1' })
    live.unshift({ kid: 'k2', key: B, alg: 'HS256' })
    expect(header(signToken({}, live))).toMatchObject({ kid: 'k2' })
  })

  test('the whole ring is checked, not only its first key', () => {
    const bad = [...ring, { kid: 'k3', key: A, alg: 'HS256' as const }]
    expect(setupMessage(() => signToken({}, bad))).toMatch(/kid "k3" twice/)
  })
})

describe('a verifier reads its ring once, at setup', () => {
  test('changing the array or its entries afterwards changes nothing', () => {
    const bytes = Buffer.from(A)
    const entries: RingKey[] = [{ kid: 'k1', key: bytes, alg: 'HS256' }]
    const verify = createVerifier(entries, at)
    bytes.fill(0)
    entries.push({ kid: 'k2', key: B, alg: 'HS256' })
    expect(verify(tokenFor(A, 'k1'))).toEqual(valid)
    expect(thrown(() => verify(tokenFor(B, 'k2'))).code).toBe('key_unknown')
  })
})

describe('ring setup errors', () => {
  test.each<[string, unknown, RegExp]>([
    ['an empty ring', [], /a key ring must hold at least one key/],
    [
      'an entry that is not an object',
      ['k'],
      /key ring entry 0 must be an object \{ kid, key, alg \}/,
    ],
    ['a null entry', [null], /key ring entry 0 must be an object/],
    [
      'a misspelt property',
      [{ kid: 'k', key: A, algorithm: 'HS256' }],
      /key ring entry 0: unknown property "algorithm"; an entry has kid, key, alg and optionally default/,
    ],
    ['a missing kid', [{ key: A, alg: 'HS256' }], /key ring entry 0 needs a kid/],
    ['an empty kid', [{ kid: '', key: A, alg: 'HS256' }], /key ring entry 0 needs a kid/],
    ['a kid that is not a string', [{ kid: 7, key: A, alg: 'HS256' }], /needs a kid/],
    [
      'a duplicate kid',
      [
        { kid: 'k', key: A, alg: 'HS256' },
        { kid: 'k', key: B, alg: 'HS256' },
      ],
      /key ring holds kid "k" twice; every kid must be unique/,
    ],
    ['a missing alg', [{ kid: 'k', key: A }], /key "k": unsupported algorithm undefined/],
    [
      'an unsupported alg',
      [{ kid: 'k', key: A, alg: 'HS1' }],
      /key "k": unsupported algorithm "HS1"; use one of HS256/,
    ],
    [
      'alg none',
      [{ kid: 'k', key: A, alg: 'none' }],
      /key "k": algorithm 'none' is never accepted/,
    ],
    [
      'a default that is not a boolean',
      [{ kid: 'k', key: A, alg: 'HS256', default: 'yes' }],
      /key "k": default must be true or false/,
    ],
    [
      'two defaults',
      [
        { kid: 'a', key: A, alg: 'HS256', default: true },
        { kid: 'b', key: B, alg: 'HS256', default: true },
      ],
      /more than one key as default; at most one may be/,
    ],
    [
      'a secret too short for its algorithm',
      [{ kid: 'k512', key: A, alg: 'HS512' }],
      /key "k512" must be at least 64 bytes for HS512 \(got 32\)/,
    ],
    ['a missing key', [{ kid: 'k', alg: 'HS256' }], /key "k" is missing/],
    [
      'a JWK whose alg contradicts the entry',
      [
        {
          kid: 'k',
          key: { ...jwkOf(pair('P-256').publicKey), alg: 'ES384' },
          alg: 'ES256',
        },
      ],
      /key "k" is a JWK for "ES384", not ES256: a key's alg is binding/,
    ],
    [
      'a JWK whose kid contradicts the entry',
      [
        {
          kid: 'k',
          key: { ...jwkOf(pair('P-256').publicKey), kid: 'other' },
          alg: 'ES256',
        },
      ],
      /entry "k" holds a JWK whose kid is "other"; the two must agree/,
    ],
  ])('%s throws a TypeError at setup', (_name, bad, message) => {
    expect(setupMessage(() => createVerifier(bad as KeyRing))).toMatch(message)
    expect(setupMessage(() => signToken({}, bad as KeyRing))).toMatch(/^express-jwt-gate: /)
  })

  test('a JWK with the same kid as its entry is fine', () => {
    const es = pair('P-256')
    const jwk = { ...jwkOf(es.publicKey), kid: 'k', alg: 'ES256' }
    const token = signWith('ES256', es.privateKey, { header: { alg: 'ES256', kid: 'k' } })
    expect(verifyToken(token, [{ kid: 'k', key: jwk, alg: 'ES256' }], at)).toEqual(valid)
  })
})

describe('rotation without logging anyone out (frozen clock)', () => {
  // Before the first rotation the service signs with one secret, and no kid.
  const OLD = 'old-secret-0123456789abcdefghijklmnopq'
  const NEW = 'new-secret-0123456789abcdefghijklmnopq'
  const lifetime = 3600
  const clock = (seconds: number) => ({ currentDate: new Date((NOW + seconds) * 1000) })

  test('add the new key in front, keep the old one until its last token expired, then remove it', () => {
    // t = 0: a token from before the rotation.
    const before = signToken({ sub: 'before' }, OLD, { ...clock(0), expiresIn: lifetime })
    expect(header(before)).toEqual({ alg: 'HS256', typ: 'JWT' })

    // t = 10 min: rotate. The new key signs; the old one stays, as the default for
    // tokens without kid.
    const rotated: KeyRing = [
      { kid: '2025-06', key: NEW, alg: 'HS256' },
      { kid: '2025-01', key: OLD, alg: 'HS256', default: true },
    ]
    const after = signToken({ sub: 'after' }, rotated, { ...clock(600), expiresIn: lifetime })
    expect(header(after)).toMatchObject({ kid: '2025-06' })
    expect(verifyToken(before, rotated, clock(600)).sub).toBe('before')
    expect(verifyToken(after, rotated, clock(600)).sub).toBe('after')

    // Removing the old key now would log out everyone holding an old token.
    const tooEarly: KeyRing = [{ kid: '2025-06', key: NEW, alg: 'HS256' }]
    expect(thrown(() => verifyToken(before, tooEarly, clock(600))).code).toBe('signature_invalid')

    // t = 1 h: the last old token has just expired, with or without the old key.
    expect(thrown(() => verifyToken(before, rotated, clock(lifetime))).code).toBe('token_expired')

    // So the old key goes. Everything still valid still verifies.
    expect(verifyToken(after, tooEarly, clock(lifetime)).sub).toBe('after')
    // The old token is now refused for its signature first; it had expired anyway.
    expect(thrown(() => verifyToken(before, tooEarly, clock(lifetime))).code).toBe(
      'signature_invalid',
    )
  })

  test('the next rotation works by kid alone, no default needed', () => {
    const NEXT = 'next-secret-0123456789abcdefghijklmnop'
    const current: KeyRing = [{ kid: '2025-06', key: NEW, alg: 'HS256' }]
    const issued = signToken({ sub: 'alice' }, current, { ...clock(0), expiresIn: lifetime })
    const next: KeyRing = [{ kid: '2025-12', key: NEXT, alg: 'HS256' }, ...current]
    const fresh = signToken({ sub: 'bob' }, next, { ...clock(60), expiresIn: lifetime })
    expect(verifyToken(issued, next, clock(60)).sub).toBe('alice')
    expect(verifyToken(fresh, next, clock(60)).sub).toBe('bob')
    // A forged token naming the new kid but signed with the old key is refused.
    const forged = `${b64({ alg: 'HS256', kid: '2025-12' })}.${issued.split('.')[1]}.${issued.split('.')[2]}`
    expect(thrown(() => verifyToken(forged, next, clock(60))).code).toBe('signature_invalid')
  })
})
