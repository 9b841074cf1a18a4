import { createHmac, createSecretKey } from 'node:crypto'
import { createSigner, decodeToken, signToken, verifyToken } from 'express-jwt-gate'
import type { SignOptions } from 'express-jwt-gate'
import { LONG_SECRET, NOW, NOW_DATE, SECRET, setupFailure, thrown } from './helpers/tokens'

const at: SignOptions = { currentDate: NOW_DATE }

function parts(token: string): { header: unknown; payload: Record<string, unknown> } {
  const [h, p] = token.split('.') as [string, string]
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
  }
}

describe('signToken', () => {
  test('writes the header, iat and a 15-minute exp by default', () => {
    const token = signToken({ userId: 1001 }, SECRET, at)
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    expect(parts(token)).toEqual({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { userId: 1001, iat: NOW, exp: NOW + 900 },
    })
  })

  test('the signature is the HMAC-SHA256 of the exact signing input', () => {
    const token = signToken({ a: 1 }, SECRET, at)
    const input = token.slice(0, token.lastIndexOf('.'))
    const expected = createHmac('sha256', SECRET).update(input).digest('base64url')
    expect(token.slice(token.lastIndexOf('.') + 1)).toBe(expected)
  })

  test.each([
    ['HS256', 'sha256'],
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ] as const)('%s signs with %s and verifies', (algorithm, hash) => {
    const token = signToken({ a: 1 }, LONG_SECRET, { ...at, algorithm })
    const input = token.slice(0, token.lastIndexOf('.'))
    expect(token.endsWith(createHmac(hash, LONG_SECRET).update(input).digest('base64url'))).toBe(
      true,
    )
    expect(parts(token).header).toEqual({ alg: algorithm, typ: 'JWT' })
    const claims = verifyToken(token, LONG_SECRET, {
      algorithms: [algorithm],
      currentDate: NOW_DATE,
    })
    expect(claims.a).toBe(1)
  })

  test('sets every claim option, with durations in seconds or as strings', () => {
    const token = signToken({ role: 'admin' }, SECRET, {
      ...at,
      expiresIn: '2h',
      notBefore: 30,
      issuer: 'https://auth.example.com',
      audience: ['api', 'web'],
      subject: 'alice',
      jwtId: 'id-1',
      keyId: 'k1',
    })
    expect(parts(token)).toEqual({
      header: { alg: 'HS256', typ: 'JWT', kid: 'k1' },
      payload: {
        role: 'admin',
        iat: NOW,
        exp: NOW + 7200,
        nbf: NOW + 30,
        iss: 'https://auth.example.com',
        aud: ['api', 'web'],
        sub: 'alice',
        jti: 'id-1',
      },
    })
    expect(parts(signToken({}, SECRET, { ...at, audience: 'api' })).payload.aud).toBe('api')
  })

  test.each([
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['7d', 604800],
    ['1w', 604800],
    [60, 60],
    [0, 0],
    [-10, -10],
  ] as const)('expiresIn %j sets exp to now + %d', (expiresIn, seconds) => {
    expect(parts(signToken({}, SECRET, { ...at, expiresIn })).payload.exp).toBe(NOW + seconds)
  })

  test('expiresIn: null (explicitly) leaves exp out; undefined keeps the default', () => {
    expect(parts(signToken({}, SECRET, { ...at, expiresIn: null })).payload).not.toHaveProperty(
      'exp',
    )
    const options = { ...at, expiresIn: undefined } as unknown as SignOptions
    expect(parts(signToken({}, SECRET, options)).payload.exp).toBe(NOW + 900)
  })

  test('an exp or iat given in the payload is kept', () => {
    expect(parts(signToken({ exp: NOW + 5, iat: NOW - 5 }, SECRET, at)).payload).toEqual({
      exp: NOW + 5,
      iat: NOW - 5,
    })
  })

  test('a "__proto__" key stays an own claim', () => {
    const payload = JSON.parse('{"__proto__":{"admin":true},"sub":"alice"}') as Record<
      string,
      unknown
    >
    const claims = parts(signToken(payload, SECRET, at)).payload
    expect(Object.getOwnPropertyNames(claims)).toContain('__proto__')
    expect(claims.admin).toBeUndefined()
  })

  test('the payload object is not mutated', () => {
    const payload = Object.freeze({ userId: 1 })
    signToken(payload, SECRET, at)
    expect(payload).toEqual({ userId: 1 })
  })

  test('secrets of every kind sign the same token', () => {
    const a = signToken({ a: 1 }, SECRET, at)
    expect(signToken({ a: 1 }, Buffer.from(SECRET), at)).toBe(a)
    expect(signToken({ a: 1 }, createSecretKey(Buffer.from(SECRET)), at)).toBe(a)
  })

  test('a secret changed in place between calls is honoured', () => {
    const bytes = Buffer.from(SECRET)
    const first = signToken({ a: 1 }, bytes, at)
    bytes[0] = (bytes[0] as number) ^ 1
    const second = signToken({ a: 1 }, bytes, at)
    expect(second).not.toBe(first)
    expect(verifyToken(second, bytes, { currentDate: NOW_DATE }).a).toBe(1)
  })

  test('reads the real clock by default', () => {
    const before = Math.floor(Date.now() / 1000)
    const { iat } = decodeToken(signToken({}, SECRET)).payload
    expect(iat).toBeGreaterThanOrEqual(before)
    expect(iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000))
  })
})

describe('signToken refuses', () => {
  test.each<[string, unknown]>([
    ['null', null],
    ['an array', [1, 2]],
    ['a string', 'alice'],
    ['a Date', new Date()],
    ['a Map', new Map()],
    ['a class instance', new (class User {})()],
  ])('a payload that is %s', (_name, payload) => {
    const err = thrown(() => signToken(payload as Record<string, unknown>, SECRET))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toBe('express-jwt-gate: payload must be a plain object')
  })

  test('a payload with a null prototype is a plain object', () => {
    const payload = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 })
    expect(parts(signToken(payload, SECRET, at)).payload.a).toBe(1)
  })

  test.each([
    ['expiresIn', 'exp', 60],
    ['expiresIn', 'exp', null],
    ['notBefore', 'nbf', 60],
    ['issuer', 'iss', 'x'],
    ['audience', 'aud', 'x'],
    ['subject', 'sub', 'x'],
    ['jwtId', 'jti', 'x'],
  ])('a claim given both as %s and as payload.%s', (option, claim, value) => {
    const err = thrown(() => signToken({ [claim]: NOW + 1 }, SECRET, { [option]: value }))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toContain(
      `claim ${claim} is given both in the payload and as the ${option} option`,
    )
  })

  test.each<[string, Record<string, unknown>, SignOptions, RegExp]>([
    ['NaN in the payload', { score: NaN }, {}, /payload.score is not a finite number/],
    [
      'Infinity in the payload',
      { exp: Infinity },
      {},
      /payload.exp must be a finite number of seconds/,
    ],
    [
      'a string exp',
      { exp: '1800000000' },
      {},
      /payload.exp must be a finite number of seconds since the epoch/,
    ],
    ['an infinite expiresIn', {}, { expiresIn: Infinity }, /expiresIn must be a finite number/],
    ['a NaN notBefore', {}, { notBefore: NaN }, /notBefore must be a finite number/],
    // Duration refuses these at compile time; the casts reach the run-time check behind it.
    [
      'an unknown duration',
      {},
      { expiresIn: '15 minutes' as never },
      /unknown duration "15 minutes"/,
    ],
    ['a unitless duration string', {}, { expiresIn: '900' as never }, /unknown duration "900"/],
    ['milliseconds', {}, { expiresIn: '500ms' as never }, /unknown duration "500ms"/],
    [
      'a duration of another type',
      {},
      { expiresIn: true as unknown as number },
      /number of seconds or a duration/,
    ],
    ['an unknown option', {}, { expires: '15m' } as SignOptions, /unknown option "expires"/],
    [
      'an unknown algorithm',
      {},
      { algorithm: 'ES256K' as 'HS256' },
      /unsupported algorithm "ES256K"/,
    ],
    ['algorithm none', {}, { algorithm: 'none' as 'HS256' }, /algorithm 'none' is never accepted/],
    ['an empty keyId', {}, { keyId: '' }, /keyId must be a non-empty string/],
    ['an empty issuer', {}, { issuer: '' }, /issuer must be a non-empty string/],
    ['a bad currentDate', {}, { currentDate: new Date(NaN) }, /valid Date/],
    ['a bad maxTokenLength', {}, { maxTokenLength: 1.5 }, /positive whole number/],
    ['a BigInt', { big: 1n }, {}, /cannot be serialized as JSON/],
    ['NaN in a nested array', { scores: [1, NaN] }, {}, /payload.scores\[1\] is not a finite/],
    [
      '-Infinity deep in an object',
      { a: { b: [{ c: -Infinity }] } },
      {},
      /payload.a.b\[0\].c is not a finite number/,
    ],
  ])('%s', (_name, payload, options, message) => {
    const err = thrown(() => signToken(payload, SECRET, options))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(message)
  })

  test('a cyclic payload, directly or through an object the walk does not enter', () => {
    const payload: Record<string, unknown> = {}
    payload.self = payload
    expect(setupFailure(() => signToken(payload, SECRET))).toEqual({
      option: 'payload',
      message: 'express-jwt-gate: payload is nested more than 64 levels deep, or refers to itself',
    })
    class Node {
      next: Node = this
    }
    expect(setupFailure(() => signToken({ node: new Node() }, SECRET))).toMatchObject({
      option: 'payload',
      message: expect.stringMatching(/^express-jwt-gate: payload cannot be serialized as JSON \(/),
    })
  })

  test('nesting: 64 levels (the payload is one) sign, 65 are refused', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 1
      for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { v: value }
      return value
    }
    expect(decodeToken(signToken({ deep: nest(63) }, SECRET)).payload.deep).toEqual(nest(63))
    expect(setupFailure(() => signToken({ deep: nest(64) }, SECRET))).toEqual({
      option: 'payload',
      message: 'express-jwt-gate: payload is nested more than 64 levels deep, or refers to itself',
    })
  })

  test('values JSON writes through toJSON (a Date) are not walked, and sign as JSON does', () => {
    const when = new Date(Date.UTC(2026, 0, 1))
    expect(decodeToken(signToken({ when }, SECRET)).payload.when).toBe('2026-01-01T00:00:00.000Z')
  })

  test('a weak secret, with the length rule of the chosen algorithm', () => {
    expect(setupFailure(() => signToken({}, 'short'))).toEqual({
      option: 'secret',
      message:
        'express-jwt-gate: secret must be at least 32 bytes for HS256 (got 5); make one with generateSecret() or `npx jwt-gate secret`',
    })
    expect(setupFailure(() => signToken({}, SECRET, { algorithm: 'HS512' }))).toEqual({
      option: 'secret',
      message:
        'express-jwt-gate: secret must be at least 64 bytes for HS512 (got 43); make one with generateSecret(64) or `npx jwt-gate secret --bytes 64`',
    })
    expect(
      setupFailure(() => signToken({}, '-----BEGIN PRIVATE KEY-----' + 'A'.repeat(64))),
    ).toMatchObject({
      option: 'secret',
      message: expect.stringMatching(/^express-jwt-gate: secret looks like a PEM key; /),
    })
  })

  test('a token over maxTokenLength (default 8192), which verification would refuse', () => {
    const big = { blob: 'x'.repeat(6000) }
    const token = signToken(big, SECRET, at)
    expect(token.length).toBeLessThanOrEqual(8192)
    const err = thrown(() => signToken({ blob: 'x'.repeat(6300) }, SECRET, at))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(/over maxTokenLength \(8192\)/)
    expect(setupFailure(() => signToken({ a: 1 }, SECRET, { maxTokenLength: 50 }))).toMatchObject({
      option: 'payload',
      message: expect.stringMatching(/bytes, over maxTokenLength \(50\); keep payloads small$/),
    })
    expect(
      signToken({ blob: 'x'.repeat(6300) }, SECRET, { ...at, maxTokenLength: 10_000 }).length,
    ).toBeGreaterThan(8192)
  })

  test('the length is checked before signing, and again with the signature', () => {
    const exact = signToken({ a: 1 }, SECRET, at)
    const signingInput = exact.slice(0, exact.lastIndexOf('.'))
    expect(signToken({ a: 1 }, SECRET, { ...at, maxTokenLength: exact.length })).toBe(exact)
    // Room for the signing input but not the signature: refused after signing.
    expect(
      setupFailure(() => signToken({ a: 1 }, SECRET, { ...at, maxTokenLength: exact.length - 1 })),
    ).toEqual({
      option: 'payload',
      message: `express-jwt-gate: token would be ${exact.length} bytes, over maxTokenLength (${exact.length - 1}); keep payloads small`,
    })
    // Not even room for the signing input: refused before any signature is made.
    expect(
      setupFailure(() =>
        signToken({ a: 1 }, SECRET, { ...at, maxTokenLength: signingInput.length }),
      ),
    ).toEqual({
      option: 'payload',
      message: `express-jwt-gate: token would be more than ${signingInput.length} bytes, over maxTokenLength (${signingInput.length}); keep payloads small`,
    })
  })
})

describe('createSigner', () => {
  test('prepares once and signs many, each token with its own iat and the fixed options', () => {
    const sign = createSigner(SECRET, { expiresIn: 60, issuer: 'me', audience: ['a', 'b'] })
    jest.useFakeTimers()
    let tokens: string[]
    try {
      tokens = [0, 1, 2].map((i) => {
        jest.setSystemTime((NOW + i) * 1000)
        return sign({ sub: `user-${i}` })
      })
    } finally {
      jest.useRealTimers()
    }
    tokens.forEach((token, i) => {
      expect(decodeToken(token).payload).toEqual({
        sub: `user-${i}`,
        iat: NOW + i,
        exp: NOW + i + 60,
        iss: 'me',
        aud: ['a', 'b'],
      })
    })
  })

  test('two secrets in turn, as two tenants, each sign with their own key', () => {
    const other = 'o'.repeat(40)
    const signA = createSigner(SECRET, at)
    const signB = createSigner(other, at)
    for (let i = 0; i < 5; i++) {
      const a = signA({ i })
      const b = signB({ i })
      expect(verifyToken(a, SECRET, at).i).toBe(i)
      expect(verifyToken(b, other, at).i).toBe(i)
      expect(thrown(() => verifyToken(a, other, at)).code).toBe('signature_invalid')
      expect(thrown(() => verifyToken(b, SECRET, at)).code).toBe('signature_invalid')
      // The one-call form, in between, does not disturb either signer.
      expect(verifyToken(signToken({ i }, LONG_SECRET, at), LONG_SECRET, at).i).toBe(i)
    }
  })

  test('keeps a copy of the key bytes and never touches the options object', () => {
    const bytes = Buffer.from(LONG_SECRET)
    const options = Object.freeze({ ...at, expiresIn: '5m' as const, keyId: 'k1' })
    const sign = createSigner(bytes, options)
    bytes.fill(0)
    const token = sign({ a: 1 })
    expect(verifyToken(token, LONG_SECRET, at)).toEqual({ a: 1, iat: NOW, exp: NOW + 300 })
    expect(decodeToken(token).header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' })
    expect(options).toEqual({ ...at, expiresIn: '5m', keyId: 'k1' })
  })

  test('a bad option or key throws at setup, a bad payload at the call', () => {
    expect(setupFailure(() => createSigner(SECRET, { expiresIn: '5 m' as never }))).toMatchObject({
      option: 'expiresIn',
    })
    expect(setupFailure(() => createSigner('short'))).toMatchObject({ option: 'secret' })
    const sign = createSigner(SECRET, { subject: 'alice' })
    expect(setupFailure(() => sign({ sub: 'bob' }))).toEqual({
      option: 'payload',
      message:
        'express-jwt-gate: claim sub is given both in the payload and as the subject option; pass only one',
    })
    expect(setupFailure(() => sign(null as never))).toEqual({
      option: 'payload',
      message: 'express-jwt-gate: payload must be a plain object',
    })
  })

  test('signToken (which skips the scratch buffers) writes the same tokens as a prepared signer', () => {
    // Short, block-sized and longer-than-block secrets take different paths through HMAC.
    for (const secret of [LONG_SECRET, 'b'.repeat(64), 'c'.repeat(129), 'd'.repeat(300)]) {
      for (const algorithm of ['HS256', 'HS384', 'HS512'] as const) {
        const options = { ...at, algorithm }
        const payload = { sub: 'alice', big: 'x'.repeat(3000) }
        expect(signToken(payload, secret, options)).toBe(createSigner(secret, options)(payload))
      }
    }
  })

  test('signs with a key ring and a private key as signToken does', () => {
    const ring = [{ kid: 'k2', key: LONG_SECRET, alg: 'HS512' as const }]
    const token = createSigner(ring, at)({ a: 1 })
    expect(token).toBe(signToken({ a: 1 }, ring, at))
    expect(decodeToken(token).header).toEqual({ alg: 'HS512', typ: 'JWT', kid: 'k2' })
  })
})

test('the README example of createSigner runs', () => {
  process.env.JWT_SECRET = LONG_SECRET
  return readmeExample()
})

function readmeExample(): void {
  const sign = createSigner(process.env.JWT_SECRET!, {
    expiresIn: '15m',
    issuer: 'https://api.example.com',
  })
  const token = sign({ sub: 'alice', licensedFeatures: ['invoicing'] })
  expect(verifyToken(token, LONG_SECRET)).toMatchObject({
    sub: 'alice',
    iss: 'https://api.example.com',
  })
}
