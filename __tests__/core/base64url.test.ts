import { randomBytes, randomInt } from 'node:crypto'
import { encodeBase64url, hasCanonicalTail } from '../../lib/core/base64url'
import { splitToken } from '../../lib/core/jws'
import { thrown } from '../helpers/tokens'

/** Is `segment` accepted as the payload segment of a token? The strictness lives in splitToken. */
function accepted(segment: string): boolean {
  try {
    splitToken(`eyJhbGciOiJIUzI1NiJ9.${segment}.c2ln`)
    return true
  } catch {
    return false
  }
}

describe('strict base64url', () => {
  test('encodes random bytes of every length remainder canonically, as Node decodes them', () => {
    for (let length = 1; length < 200; length++) {
      const bytes = randomBytes(length)
      const text = encodeBase64url(bytes)
      expect(text).not.toMatch(/[=+/]/)
      expect(hasCanonicalTail(text, 0, text.length)).toBe(true)
      expect(accepted(text)).toBe(true)
      expect(Buffer.from(text, 'base64url')).toEqual(bytes)
    }
  })

  test('encodes a string as its UTF-8 bytes and a view of a larger buffer by its bytes only', () => {
    expect(encodeBase64url('é')).toBe('w6k')
    const big = Buffer.from('xxabcxx')
    expect(encodeBase64url(big.subarray(2, 5))).toBe(encodeBase64url('abc'))
  })

  test.each([
    ['padding', 'YQ=='],
    ['one pad', 'YWI='],
    ['plus', 'a+b/'],
    ['a space', 'YW Jj'],
    ['a newline', 'YWJj\n'],
    ['length 1 mod 4', 'YWJjZ'],
    ['spare bits (2 mod 4)', 'YR'],
    ['spare bits (3 mod 4)', 'YWJ'],
    ['non-ASCII', 'YWé'],
  ])('refuses %s as token_malformed', (_name, text) => {
    expect(accepted(text)).toBe(false)
    expect(thrown(() => splitToken(`eyJ9.${text}.c2ln`)).code).toBe('token_malformed')
  })

  test('every non-canonical final character is refused, every canonical one accepted', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    for (let n = 0; n < 300; n++) {
      const text = encodeBase64url(randomBytes(randomInt(1, 40)))
      if (text.length % 4 === 0) continue
      for (const c of alphabet) {
        const candidate = text.slice(0, -1) + c
        const canonical = encodeBase64url(Buffer.from(candidate, 'base64url')) === candidate
        expect(hasCanonicalTail(candidate, 0, candidate.length)).toBe(canonical)
        expect(accepted(candidate)).toBe(canonical)
      }
    }
  })

  test('the token pattern and the tail check share one alphabet: exactly 64 characters pass', () => {
    const passing: string[] = []
    for (let code = 0; code < 0x3000; code++) {
      const c = String.fromCharCode(code)
      // Four copies: a whole quantum, so only the alphabet decides.
      if (accepted(c.repeat(4))) passing.push(c)
    }
    expect(passing.join('')).toBe(
      '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz',
    )
  })
})
