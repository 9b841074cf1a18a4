import {
  isTokenExpired,
  tokenExpiresAt,
  tokenFeatures,
  TokenDecodeError,
} from 'express-jwt-gate/client'
import { b64, createToken, NOW, NOW_DATE, thrown } from '../helpers/tokens'

const token = (payload: object) => createToken({ payload })
const withPayloadText = (text: string) => `${b64({ alg: 'HS256' })}.${b64(text)}.c2ln`

describe('tokenFeatures', () => {
  test('lists the licensedFeatures claim', () => {
    expect(tokenFeatures(token({ licensedFeatures: ['invoicing', 'reports'] }))).toEqual([
      'invoicing',
      'reports',
    ])
  })

  test('reads another claim when told', () => {
    expect(
      tokenFeatures(token({ permissions: ['a'], licensedFeatures: ['b'] }), 'permissions'),
    ).toEqual(['a'])
  })

  test.each([
    ['absent', {}],
    ['a string', { licensedFeatures: 'invoicing' }],
    ['an array holding a number', { licensedFeatures: ['invoicing', 1] }],
    ['null', { licensedFeatures: null }],
    ['an object', { licensedFeatures: { invoicing: true } }],
  ])('is empty when the claim is %s, as the server guards see it', (_name, payload) => {
    expect(tokenFeatures(token(payload))).toEqual([])
  })

  test('counts only an own property, never one inherited through the prototype', () => {
    const polluted = withPayloadText('{"__proto__":{"licensedFeatures":["admin"]}}')
    expect(tokenFeatures(polluted)).toEqual([])
    expect(tokenFeatures(polluted, '__proto__')).toEqual([])
    expect(tokenFeatures(token({}), 'toString')).toEqual([])
  })

  test('throws TokenDecodeError for a malformed token', () => {
    const err = thrown(() => tokenFeatures('a.b'))
    expect(err).toBeInstanceOf(TokenDecodeError)
    expect(err.code).toBe('token_malformed')
  })
})

describe('tokenExpiresAt', () => {
  test('is the exp claim as a Date', () => {
    expect(tokenExpiresAt(token({ exp: NOW }))).toEqual(NOW_DATE)
    expect(tokenExpiresAt(token({ exp: NOW + 0.5 }))?.getTime()).toBe(NOW * 1000 + 500)
  })

  test.each([
    ['absent', {}],
    ['a string', { exp: String(NOW) }],
    ['beyond what a Date holds', { exp: 1e300 }],
  ])('is undefined when exp is %s', (_name, payload) => {
    expect(tokenExpiresAt(token(payload))).toBeUndefined()
  })

  test('ignores an inherited exp', () => {
    expect(tokenExpiresAt(withPayloadText('{"__proto__":{"exp":1}}'))).toBeUndefined()
  })

  test('throws TokenDecodeError for a malformed token', () => {
    expect(thrown(() => tokenExpiresAt(withPayloadText('[]'))).code).toBe('token_malformed')
  })
})

describe('isTokenExpired', () => {
  const exp = token({ exp: NOW })

  test('follows the server rule: valid only before exp, so now === exp is expired', () => {
    expect(isTokenExpired(exp, { now: (NOW - 1) * 1000 })).toBe(false)
    expect(isTokenExpired(exp, { now: NOW * 1000 - 1 })).toBe(false)
    expect(isTokenExpired(exp, { now: NOW * 1000 })).toBe(true)
    expect(isTokenExpired(exp, { now: NOW_DATE })).toBe(true)
  })

  test('skew counts the token as expired that many seconds early; negative gives leeway', () => {
    const at = new Date((NOW - 30) * 1000)
    expect(isTokenExpired(exp, { now: at })).toBe(false)
    expect(isTokenExpired(exp, { now: at, skew: 29 })).toBe(false)
    expect(isTokenExpired(exp, { now: at, skew: 30 })).toBe(true)
    expect(isTokenExpired(exp, { now: NOW_DATE, skew: -1 })).toBe(false)
  })

  test('reads the real clock by default', () => {
    const seconds = Math.floor(Date.now() / 1000)
    expect(isTokenExpired(token({ exp: seconds + 3600 }))).toBe(false)
    expect(isTokenExpired(token({ exp: seconds - 1 }))).toBe(true)
  })

  test('a token without exp never expires by this test', () => {
    expect(isTokenExpired(token({ sub: 'a' }), { now: 8.64e15 })).toBe(false)
  })

  test.each([
    ['a string', '"1800000000"'],
    ['null', 'null'],
    ['1e400, which JSON reads as Infinity', '1e400'],
  ])('an exp that is %s counts as expired, since the server refuses it', (_name, json) => {
    expect(isTokenExpired(withPayloadText(`{"exp":${json}}`), { now: 0 })).toBe(true)
    expect(tokenExpiresAt(withPayloadText(`{"exp":${json}}`))).toBeUndefined()
  })

  test.each([
    ['a NaN skew', { skew: NaN }],
    ['a string skew', { skew: '30' }],
    ['an invalid Date', { now: new Date('nope') }],
    ['now as a string', { now: '2030-01-01' }],
  ])('refuses %s with a TypeError', (_name, options) => {
    const err = thrown(() => isTokenExpired(exp, options as never))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toBe(
      'express-jwt-gate: isTokenExpired: skew must be seconds, now a Date or milliseconds',
    )
  })

  test('throws TokenDecodeError for a malformed token', () => {
    expect(thrown(() => isTokenExpired('x.y.z', { now: 0 })).code).toBe('token_malformed')
  })
})
