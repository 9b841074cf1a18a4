import { decodeToken as serverDecode } from 'express-jwt-gate'
import { decodeToken, TokenDecodeError } from 'express-jwt-gate/client'
import { jwtDecode } from 'jwt-decode'
import { b64, createToken, thrown } from '../helpers/tokens'

const HEADER = b64({ alg: 'HS256', typ: 'JWT' })
const PAYLOAD = b64({ sub: 'alice' })

/** The client's verdict on a string: its result, or its code and message. */
function clientOutcome(token: unknown) {
  try {
    return { ok: true, value: decodeToken(token as string) }
  } catch (err) {
    if (!(err instanceof TokenDecodeError)) throw err
    return { ok: false, code: err.code, message: err.message }
  }
}

/** The server's verdict on the same string, in the same form. */
function serverOutcome(token: unknown) {
  try {
    return { ok: true, value: serverDecode(token as string) }
  } catch (err) {
    const { code, message } = err as { code: string; message: string }
    return { ok: false, code, message }
  }
}

describe('client decodeToken', () => {
  test('returns the header and the payload, unverified', () => {
    const token = createToken({ payload: { sub: 'alice', exp: 1 }, secret: 'not the key' })
    expect(decodeToken(token)).toEqual({
      header: { alg: 'HS256', typ: 'JWT' },
      payload: { sub: 'alice', exp: 1 },
    })
  })

  test('decodes Unicode claims: accents, CJK, emoji, escaped lone surrogates', () => {
    const payload = { name: 'Zoë 山田 👩🏽‍💻', lone: '\ud800', mixed: 'a\u2028b\u0000c' }
    const token = createToken({ payload })
    expect(decodeToken(token).payload).toEqual(payload)
    expect(jwtDecode(token)).toEqual(payload)
  })

  test('a "__proto__" member stays an own data property and pollutes nothing', () => {
    const token = `${HEADER}.${b64('{"__proto__":{"admin":true},"sub":"a"}')}.c2ln`
    const { payload } = decodeToken(token)
    expect(Object.hasOwn(payload, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype)
    expect((payload as { admin?: unknown }).admin).toBeUndefined()
    expect(({} as { admin?: unknown }).admin).toBeUndefined()
  })

  test('the type parameter describes the payload', () => {
    const { payload } = decodeToken<{ name: string }>(createToken({ payload: { name: 'n' } }))
    expect(payload.name).toBe('n')
  })

  /** Bytes that are not UTF-8, one per way to get it wrong. */
  const NOT_UTF8: [string, number[]][] = [
    ['a lone continuation byte', [0x80]],
    ['0xff', [0xff]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an encoded lone surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ]

  const cases: [string, unknown, 'token_malformed' | 'header_invalid', RegExp][] = [
    ['not a string', 42, 'token_malformed', /token must be a string/],
    ['two segments', `${HEADER}.${PAYLOAD}`, 'token_malformed', /three base64url segments/],
    ['four segments', `${HEADER}.${PAYLOAD}.c2ln.c2ln`, 'token_malformed', /three/],
    ['an empty signature', `${HEADER}.${PAYLOAD}.`, 'token_malformed', /three/],
    ['padding', `${HEADER}.${b64({ a: 1 })}=.c2ln`, 'token_malformed', /three/],
    [
      '+ instead of -',
      `${HEADER}.${b64({ a: '>>>' })}.c2ln`.replace('-', '+'),
      'token_malformed',
      /three/,
    ],
    [
      '/ instead of _',
      `${HEADER}.${b64({ a: '???' })}.c2ln`.replace('_', '/'),
      'token_malformed',
      /three/,
    ],
    ['whitespace', `${HEADER}. ${PAYLOAD}.c2ln`, 'token_malformed', /three/],
    ['a segment of length 1 mod 4', `${HEADER}.${PAYLOAD}.c2lnA`, 'token_malformed', /canonical/],
    [
      'stray bits in the last character',
      `${HEADER}.${PAYLOAD}.c2l`,
      'token_malformed',
      /canonical/,
    ],
    [
      'stray bits in the payload',
      `${HEADER}.${b64('{}').slice(0, -1)}1.c2ln`,
      'token_malformed',
      /canonical/,
    ],
    ...NOT_UTF8.map(([name, bytes]): [string, unknown, 'token_malformed', RegExp] => [
      `invalid UTF-8: ${name}`,
      `${HEADER}.${b64(Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bytes), Buffer.from('"}')]))}.c2ln`,
      'token_malformed',
      /payload is not valid UTF-8/,
    ]),
    [
      'a byte-order mark',
      `${HEADER}.${b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]))}.c2ln`,
      'token_malformed',
      /payload starts with a byte-order mark/,
    ],
    [
      'a payload that is not JSON',
      `${HEADER}.${b64('{sub:1}')}.c2ln`,
      'token_malformed',
      /payload is not valid JSON/,
    ],
    [
      'an array payload',
      `${HEADER}.${b64('[1]')}.c2ln`,
      'token_malformed',
      /payload is not a JSON object/,
    ],
    [
      'a null payload',
      `${HEADER}.${b64('null')}.c2ln`,
      'token_malformed',
      /payload is not a JSON object/,
    ],
    [
      'a string payload',
      `${HEADER}.${b64('"sub"')}.c2ln`,
      'token_malformed',
      /payload is not a JSON object/,
    ],
    [
      'an array header',
      `${b64('[]')}.${PAYLOAD}.c2ln`,
      'token_malformed',
      /header is not a JSON object/,
    ],
    [
      'a header without alg',
      `${b64({ typ: 'JWT' })}.${PAYLOAD}.c2ln`,
      'header_invalid',
      /alg header parameter must be a string/,
    ],
    ['a numeric alg', `${b64({ alg: 256 })}.${PAYLOAD}.c2ln`, 'header_invalid', /alg/],
    [
      'a numeric kid',
      `${b64({ alg: 'HS256', kid: 1 })}.${PAYLOAD}.c2ln`,
      'header_invalid',
      /kid header parameter must be a string/,
    ],
    ['a null kid', `${b64({ alg: 'HS256', kid: null })}.${PAYLOAD}.c2ln`, 'header_invalid', /kid/],
    [
      'a bad header and a bad payload: the header first',
      `${b64({ alg: 1 })}.${b64('[]')}.c2ln`,
      'header_invalid',
      /alg/,
    ],
    [
      'a bad header and a bad signature: structure first',
      `${b64({ alg: 1 })}.${PAYLOAD}.c2lnA`,
      'token_malformed',
      /canonical/,
    ],
  ]

  test.each(cases)('refuses %s with the code the server gives', (_name, token, code, message) => {
    const err = thrown(() => decodeToken(token as string))
    expect(err).toBeInstanceOf(TokenDecodeError)
    expect(err.name).toBe('TokenDecodeError')
    expect(err.code).toBe(code)
    expect(err.message).toMatch(message)
    expect(serverOutcome(token)).toMatchObject({ ok: false, code })
  })

  test('messages name the part and the rule, never the token', () => {
    for (const [, token] of cases) {
      const outcome = clientOutcome(token)
      expect(outcome.ok).toBe(false)
      if (typeof token === 'string') {
        for (const segment of token.split('.').filter((s) => s.length > 4)) {
          expect(outcome.message).not.toContain(segment)
        }
      }
    }
  })

  test('the stray-bit cases are ones that lenient decoders accept', () => {
    const stray = `${HEADER}.${b64('{}').slice(0, -1)}1.c2ln`
    expect(jwtDecode(stray)).toEqual({})
    expect(clientOutcome(stray)).toMatchObject({ ok: false, code: 'token_malformed' })
  })

  test('does not refuse a crit header, as the server does not: it only reads', () => {
    const token = createToken({ header: { alg: 'HS256', crit: ['exp'] } })
    expect(decodeToken(token).header.crit).toEqual(['exp'])
    expect(serverOutcome(token).ok).toBe(true)
  })
})
