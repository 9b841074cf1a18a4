import { createSecretKey, generateKeyPairSync } from 'node:crypto'
import { createVerifier, InvalidTokenError, JwtAuthError, verifyToken } from 'express-jwt-gate'
import type { VerifyOptions } from 'express-jwt-gate'
import {
  b64,
  createToken,
  LONG_SECRET,
  NOW,
  NOW_DATE,
  SECRET,
  signInput,
  thrown,
} from './helpers/tokens'
import { ASYMMETRIC_ALGORITHMS, pairFor, signWith } from './helpers/keys'
import { ALPHABET } from './helpers/property'

const at: VerifyOptions = { currentDate: NOW_DATE }
const valid = { sub: 'alice', iat: NOW, exp: NOW + 600 }

/** The failure code of verifying `token` with the test secret at NOW. */
function code(token: string, options: VerifyOptions = {}): string | undefined {
  return thrown(() => verifyToken(token, SECRET, { ...at, ...options })).code
}

describe('a valid token', () => {
  test('returns the payload', () => {
    expect(verifyToken(createToken(), SECRET, at)).toEqual(valid)
  })

  test('ignores unknown header parameters and a typ other than JWT', () => {
    const token = createToken({ header: { alg: 'HS256', typ: 'at+jwt', x: [1, { y: 2 }] } })
    expect(verifyToken(token, SECRET, at).sub).toBe('alice')
  })

  test('accepts the secret as bytes and as a secret KeyObject', () => {
    const token = createToken()
    expect(verifyToken(token, Buffer.from(SECRET), at).sub).toBe('alice')
    expect(verifyToken(token, new Uint8Array(Buffer.from(SECRET)), at).sub).toBe('alice')
    expect(verifyToken(token, createSecretKey(Buffer.from(SECRET)), at).sub).toBe('alice')
  })

  test('a prepared verifier checks many tokens, including ones with other headers', () => {
    const verify = createVerifier(LONG_SECRET, { ...at, algorithms: ['HS256', 'HS512'] })
    for (let i = 0; i < 40; i++) {
      const kid = `k${i % 20}`
      const alg = i % 2 === 0 ? 'HS256' : 'HS512'
      const token = createToken({
        header: { alg, kid },
        payload: { ...valid, i },
        secret: LONG_SECRET,
        signWith: alg,
      })
      expect(verify(token).i).toBe(i)
    }
  })
})

describe('size is checked first', () => {
  test('a token over 8192 bytes is refused before decoding', () => {
    const huge = 'x'.repeat(8193)
    const err = thrown(() => verifyToken(huge, SECRET))
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect(err.code).toBe('token_too_large')
  })

  test('exactly maxTokenLength passes the size rule; one more does not', () => {
    const token = createToken()
    expect(verifyToken(token, SECRET, { ...at, maxTokenLength: token.length }).sub).toBe('alice')
    expect(code(token, { maxTokenLength: token.length - 1 })).toBe('token_too_large')
  })

  test('a non-string token is malformed', () => {
    const verify = createVerifier(SECRET)
    for (const bad of [undefined, null, 42, {}, ['a.b.c']]) {
      expect(thrown(() => verify(bad as string)).code).toBe('token_malformed')
    }
  })
})

describe('structure: three strict base64url segments', () => {
  const good = createToken()
  const [h, p, s] = good.split('.') as [string, string, string]

  test.each([
    ['empty', ''],
    ['two segments', `${h}.${p}`],
    ['four segments', `${good}.${s}`],
    ['empty header', `.${p}.${s}`],
    ['empty payload', `${h}..${s}`],
    ['empty signature', `${h}.${p}.`],
    ['padding', `${h}.${p}=.${s}`],
    ['padded signature', `${good}=`],
    ['standard alphabet +', `${h}.${p}.${s.slice(0, -1)}+`],
    ['standard alphabet /', `${h}.${p}.${s.slice(0, -1)}/`],
    ['a space', `${h}.${p} .${s}`],
    ['a leading space', ` ${good}`],
    ['a newline', `${good}\n`],
    ['non-ASCII', `${h}.${p}.${s.slice(0, -1)}é`],
  ])('%s is malformed', (_name, token) => {
    expect(code(token)).toBe('token_malformed')
  })

  test('a segment of length 1 mod 4 is malformed', () => {
    expect(code(signInput(`${h}.${p}A`))).toBe('token_malformed')
  })

  /** An encoding of `value` whose length leaves spare bits (2 or 3 mod 4). */
  function unevenSegment(value: Record<string, unknown>): string {
    for (let pad = ''; ; pad += 'x') {
      const segment = b64({ ...value, pad })
      if (segment.length % 4 >= 2) return segment
    }
  }

  /** The same bytes, spelt with the lowest spare bit set in the last character. */
  function withSpareBit(segment: string): string {
    const last = segment.charCodeAt(segment.length - 1)
    const spelt = segment.slice(0, -1) + String.fromCharCode(last + 1)
    expect(Buffer.from(spelt, 'base64url')).toEqual(Buffer.from(segment, 'base64url'))
    return spelt
  }

  test('non-canonical trailing bits are malformed in every segment', () => {
    const header = unevenSegment({ alg: 'HS256' })
    expect(verifyToken(signInput(`${header}.${p}`), SECRET, at).sub).toBe('alice')
    expect(code(signInput(`${withSpareBit(header)}.${p}`))).toBe('token_malformed')

    const payload = unevenSegment(valid)
    expect(verifyToken(signInput(`${h}.${payload}`), SECRET, at).sub).toBe('alice')
    expect(code(signInput(`${h}.${withSpareBit(payload)}`))).toBe('token_malformed')

    // A 32-byte HMAC is 43 characters, with 2 spare bits in the last one.
    expect(s.length).toBe(43)
    expect(code(`${h}.${p}.${withSpareBit(s)}`)).toBe('token_malformed')
  })
})

describe('header', () => {
  test.each([
    ['not JSON', b64('{"alg":"HS256"')],
    ['a JSON array', b64('["HS256"]')],
    ['JSON null', b64('null')],
    ['a JSON string', b64('"HS256"')],
    ['invalid UTF-8', b64(Buffer.from([0x7b, 0x22, 0x61, 0xff, 0x22, 0x3a, 0x31, 0x7d]))],
    [
      'a byte-order mark',
      b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"alg":"HS256"}')])),
    ],
  ])('%s is malformed', (_name, header) => {
    expect(code(createToken({ header }))).toBe('token_malformed')
  })

  test('a genuine U+FFFD in valid UTF-8 is accepted', () => {
    const token = createToken({ header: { alg: 'HS256', note: '\uFFFD' } })
    expect(verifyToken(token, SECRET, at).sub).toBe('alice')
  })

  test.each([
    ['missing', {}],
    ['a number', { alg: 256 }],
    ['null', { alg: null }],
  ])('alg %s is refused', (_name, header) => {
    expect(code(createToken({ header }))).toBe('header_invalid')
  })

  test.each(['none', 'None', 'NONE', 'hs256', 'HS384', 'HS512', 'RS256', 'ES256', ''])(
    'alg %j is not allowed by default',
    (alg) => {
      expect(code(createToken({ header: { alg } }))).toBe('algorithm_not_allowed')
    },
  )

  test('an unsigned token (alg none, empty signature) is refused', () => {
    const token = `${b64({ alg: 'none' })}.${b64(valid)}.`
    expect(code(token)).toBe('token_malformed')
    expect(code(`${b64({ alg: 'none' })}.${b64(valid)}.AAAA`)).toBe('algorithm_not_allowed')
  })

  test('HS384 is accepted only when allowed, and with its own hash', () => {
    const token = createToken({ header: { alg: 'HS384' }, secret: LONG_SECRET, signWith: 'HS384' })
    expect(thrown(() => verifyToken(token, LONG_SECRET, at)).code).toBe('algorithm_not_allowed')
    expect(verifyToken(token, LONG_SECRET, { ...at, algorithms: ['HS384'] }).sub).toBe('alice')
    const mislabelled = createToken({ header: { alg: 'HS384' }, secret: LONG_SECRET })
    const err = thrown(() =>
      verifyToken(mislabelled, LONG_SECRET, { ...at, algorithms: ['HS384'] }),
    )
    expect(err.code).toBe('signature_invalid')
  })

  test.each([
    ['crit', ['exp']],
    ['crit', []],
    ['crit', 'b64'],
    ['crit', null],
  ])('a %s parameter in any form (%j) is refused', (_name, crit) => {
    expect(code(createToken({ header: { alg: 'HS256', crit } }))).toBe('header_invalid')
  })

  test('a kid that is not a string is refused', () => {
    expect(code(createToken({ header: { alg: 'HS256', kid: 7 } }))).toBe('header_invalid')
  })

  test('an embedded jwk, jku, x5u or x5c never supplies the key', () => {
    const attacker = 'attacker-secret-attacker-secret-attacker!!'
    const header = {
      alg: 'HS256',
      jwk: { kty: 'oct', k: b64(attacker) },
      jku: 'https://attacker.example/jwks',
      x5u: 'https://attacker.example/cert',
      x5c: ['MIIB'],
    }
    expect(code(createToken({ header, secret: attacker }))).toBe('signature_invalid')
  })
})

describe('signature', () => {
  test('a payload edited after signing is refused (the premium-feature attack)', () => {
    const token = createToken({ payload: { ...valid, licensedFeatures: ['todos'] } })
    const [h, , s] = token.split('.')
    const forged = `${h}.${b64({ ...valid, licensedFeatures: ['todos', 'invoicing'] })}.${s}`
    expect(code(forged)).toBe('signature_invalid')
  })

  test('a token signed with another secret is refused', () => {
    expect(code(createToken({ secret: 'another-secret-0123456789abcdefghijklmnop' }))).toBe(
      'signature_invalid',
    )
  })

  test('a truncated, extended or HS512-length signature is refused', () => {
    const token = createToken()
    expect(code(token.slice(0, -4))).toBe('signature_invalid')
    expect(code(`${token}AAAA`)).toBe('signature_invalid')
    const long = createToken({ signWith: 'HS512' })
    expect(code(long)).toBe('signature_invalid')
  })

  test('the MAC covers the exact received text, not a re-encoding', () => {
    // Same JSON value, different spelling: a different signing input.
    const spaced = b64('{ "sub": "alice", "iat": 1800000000, "exp": 1800000600 }')
    const token = createToken({ payload: spaced })
    expect(verifyToken(token, SECRET, at)).toEqual(valid)
    const [h, , s] = createToken().split('.')
    expect(code(`${h}.${spaced}.${s}`)).toBe('signature_invalid')
  })

  test('the signature is checked before the payload is parsed', () => {
    const garbage = b64('not json')
    const [h, , s] = createToken().split('.')
    expect(code(`${h}.${garbage}.${s}`)).toBe('signature_invalid')
  })
})

describe('payload', () => {
  test.each([
    ['a JSON array', b64('[1,2]')],
    ['JSON null', b64('null')],
    ['a JSON number', b64('42')],
    ['a JSON string', b64('"alice"')],
    ['not JSON', b64('{"sub":')],
    [
      'invalid UTF-8',
      b64(Buffer.from([0x7b, 0x22, 0x73, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
    ],
    [
      'an overlong UTF-8 encoding',
      b64(Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])),
    ],
    [
      'a lone surrogate in UTF-8',
      b64(Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d])),
    ],
    [
      'a byte-order mark',
      b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(valid))])),
    ],
  ])('%s is malformed', (_name, payload) => {
    expect(code(createToken({ payload }))).toBe('token_malformed')
  })

  test('"__proto__" stays an own data property and never changes the prototype', () => {
    const payload = b64(`{"__proto__":{"admin":true},"sub":"alice","exp":${NOW + 60}}`)
    const claims = verifyToken(createToken({ payload }), SECRET, at)
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype)
    expect((claims as Record<string, unknown>).admin).toBeUndefined()
    expect(Object.getOwnPropertyNames(claims)).toContain('__proto__')
  })

  test('duplicate member names resolve as JSON.parse does: the last wins', () => {
    const payload = b64(`{"sub":"mallory","sub":"alice","exp":${NOW + 60}}`)
    expect(verifyToken(createToken({ payload }), SECRET, at).sub).toBe('alice')
  })

  test('claims inherited from a polluted Object.prototype are never read', () => {
    const proto = Object.prototype as Record<string, unknown>
    proto.exp = NOW + 10_000
    proto.aud = 'api'
    try {
      const token = createToken({ payload: { sub: 'alice' } })
      expect(code(token)).toBe('claim_missing')
      expect(code(createToken(), { audience: 'api' })).toBe('claim_missing')
    } finally {
      delete proto.exp
      delete proto.aud
    }
  })
})

describe('errors', () => {
  test('carry what the Express error handler needs, and never the token', () => {
    const token = createToken({ payload: { sub: 'alice', exp: NOW - 1 } })
    const err = thrown(() => verifyToken(token, SECRET, at)) as InvalidTokenError
    expect(err).toBeInstanceOf(JwtAuthError)
    expect(err).toMatchObject({
      status: 401,
      statusCode: 401,
      expose: true,
      code: 'token_expired',
      error: 'invalid_token',
      message: 'token expired',
      headers: {
        'WWW-Authenticate': 'Bearer error="invalid_token", error_description="token expired"',
      },
    })
    for (const part of token.split('.')) {
      expect(err.message).not.toContain(part)
      expect(err.headers['WWW-Authenticate']).not.toContain(part)
      expect(err.stack).not.toContain(part)
    }
  })
})

describe('setup', () => {
  test.each<[string, unknown, RegExp]>([
    ['a short secret', 'too-short', /at least 32 bytes for HS256 .*generateSecret/],
    ['an empty secret', '', /secret is missing|secret is empty/],
    ['an empty Buffer', Buffer.alloc(0), /secret is empty/],
    ['no secret', undefined, /secret is missing/],
    ['a null secret', null, /secret is missing/],
    ['a number', 12345, /must be a string, a Buffer/],
    [
      'PEM text',
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
      /PEM/,
    ],
    ['PEM bytes', Buffer.from('-----BEGIN RSA PUBLIC KEY-----\n' + 'A'.repeat(64)), /PEM/],
  ])('%s throws a TypeError that says how to fix it', (_name, secret, message) => {
    const err = thrown(() => createVerifier(secret as string))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(/^express-jwt-gate: /)
    expect(err.message).toMatch(message)
  })

  test('an asymmetric KeyObject can never be an HMAC secret', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(thrown(() => createVerifier(publicKey)).message).toMatch(/public key/)
    expect(thrown(() => createVerifier(privateKey)).message).toMatch(/private key/)
  })

  test('each HMAC algorithm has its own minimum key length', () => {
    expect(() => createVerifier('k'.repeat(32))).not.toThrow()
    expect(() => createVerifier('k'.repeat(47), { algorithms: ['HS384'] })).toThrow(
      /48 bytes for HS384/,
    )
    expect(() => createVerifier('k'.repeat(48), { algorithms: ['HS384'] })).not.toThrow()
    expect(() => createVerifier('k'.repeat(63), { algorithms: ['HS512'] })).toThrow(
      /64 bytes for HS512/,
    )
    expect(() => createVerifier('k'.repeat(40), { algorithms: ['HS256', 'HS512'] })).toThrow(
      /HS512/,
    )
  })

  test('the length rule counts UTF-8 bytes, not characters', () => {
    expect(() => createVerifier('é'.repeat(16))).not.toThrow()
    expect(thrown(() => createVerifier('é'.repeat(15)))).toMatchObject({
      option: 'secret',
      message:
        'express-jwt-gate: secret must be at least 32 bytes for HS256 (got 30); make one with generateSecret() or `npx jwt-gate secret`',
    })
  })

  test.each<[string, unknown, RegExp]>([
    ['an unknown option', { audiance: 'api' }, /unknown option "audiance"/],
    ['options that are not an object', 'HS256', /options must be an object/],
    ['algorithm none', { algorithms: ['none'] }, /'none' is never accepted/],
    ['an unsupported algorithm', { algorithms: ['HS1'] }, /unsupported algorithm "HS1"/],
    ['an empty algorithm list', { algorithms: [] }, /non-empty array/],
    ['an algorithm string instead of a list', { algorithms: 'HS256' }, /non-empty array/],
    ['an empty audience', { audience: '' }, /audience must be a non-empty string/],
    ['an empty audience list', { audience: [] }, /audience must be a non-empty string or/],
    ['a bad issuer entry', { issuer: ['a', 3] }, /each issuer entry/],
    ['a bad subject', { subject: 1 }, /subject must be a non-empty string/],
    ['a negative clockTolerance', { clockTolerance: -1 }, /must not be negative/],
    ['an infinite maxAge', { maxAge: Infinity }, /finite number of seconds/],
    ['a unitless duration string', { maxAge: '60' }, /unknown duration "60"/],
    ['requiredClaims not a list', { requiredClaims: 'exp' }, /requiredClaims must be an array/],
    ['a bad maxTokenLength', { maxTokenLength: 0 }, /positive whole number/],
    ['a bad currentDate', { currentDate: new Date('nope') }, /valid Date/],
  ])('%s throws at setup', (_name, options, message) => {
    const err = thrown(() => createVerifier(SECRET, options as VerifyOptions))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(message)
  })

  test('the options object is never mutated', () => {
    const options = Object.freeze({
      audience: Object.freeze(['api']),
      algorithms: Object.freeze(['HS256' as const]),
      currentDate: NOW_DATE,
    })
    const verify = createVerifier(SECRET, options)
    expect(verify(createToken({ payload: { ...valid, aud: 'api' } })).sub).toBe('alice')
  })

  test("the secret is copied at setup: changing the caller's buffer later changes nothing", () => {
    const bytes = Buffer.from(SECRET)
    const verify = createVerifier(bytes, at)
    bytes.fill(0)
    expect(verify(createToken()).sub).toBe('alice')
  })
})

/**
 * Other spellings of a base64url segment that Node's lenient decoder reads as the same
 * bytes: padding, the standard alphabet, a spare bit set in the last character.
 */
function lenientSpellings(segment: string): string[] {
  const spellings = [`${segment}=`, `${segment}==`]
  if (/[-_]/.test(segment)) spellings.push(segment.replace(/-/g, '+').replace(/_/g, '/'))
  const rem = segment.length % 4
  if (rem === 2 || rem === 3) {
    const last = ALPHABET.indexOf(segment.slice(-1))
    spellings.push(segment.slice(0, -1) + (ALPHABET[last | 1] as string))
  }
  for (const spelt of spellings) {
    expect(Buffer.from(spelt, 'base64url')).toEqual(Buffer.from(segment, 'base64url'))
  }
  return spellings
}

describe('a prepared verifier that has seen the header before', () => {
  // Its memo holds the header's key, so it checks less of the token before the
  // signature; what it refuses, and with which code, must not change.
  test('HMAC: a malformed signature is token_malformed, a wrong one signature_invalid', () => {
    const verify = createVerifier(SECRET, at)
    const good = createToken()
    expect(verify(good).sub).toBe('alice')
    const [h, p, s] = good.split('.') as [string, string, string]
    for (const spelt of lenientSpellings(s)) {
      expect(thrown(() => verify(`${h}.${p}.${spelt}`)).code).toBe('token_malformed')
    }
    expect(thrown(() => verify(`${good}.x`)).code).toBe('token_malformed')
    expect(thrown(() => verify(`${h}.${p}.`)).code).toBe('token_malformed')
    expect(thrown(() => verify(`${h}.${p}`)).code).toBe('token_malformed')
    expect(thrown(() => verify(`${h}..${s}`)).code).toBe('token_malformed')
    expect(thrown(() => verify(createToken({ secret: LONG_SECRET }))).code).toBe(
      'signature_invalid',
    )
    expect(verify(good).sub).toBe('alice')
  })

  test('HMAC: a payload segment spelt leniently is token_malformed even when its MAC matches', () => {
    const verify = createVerifier(SECRET, at)
    const good = createToken()
    expect(verify(good).sub).toBe('alice')
    const [h, p] = good.split('.') as [string, string]
    // Signed by the key's holder over the exact text, so only the spelling is wrong.
    for (const spelt of lenientSpellings(p)) {
      expect(thrown(() => verify(signInput(`${h}.${spelt}`))).code).toBe('token_malformed')
    }
  })

  test.each(ASYMMETRIC_ALGORITHMS)(
    '%s: a signature spelt leniently is token_malformed, though it decodes to a valid one',
    (alg) => {
      const { publicKey, privateKey } = pairFor(alg)
      const verify = createVerifier(publicKey, { ...at, algorithms: [alg] })
      const good = signWith(alg, privateKey)
      expect(verify(good).sub).toBe('alice')
      const [h, p, s] = good.split('.') as [string, string, string]
      for (const spelt of lenientSpellings(s)) {
        expect(thrown(() => verify(`${h}.${p}.${spelt}`)).code).toBe('token_malformed')
      }
      const wrong = `${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`
      expect(thrown(() => verify(`${h}.${p}.${wrong}`)).code).toBe('signature_invalid')
      expect(verify(good).sub).toBe('alice')
    },
  )
})
