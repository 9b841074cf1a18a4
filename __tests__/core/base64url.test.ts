import { randomBytes, randomInt } from 'node:crypto'
import { decodeBase64url, encodeBase64url, isBase64url } from '../../lib/core/base64url'

describe('strict base64url', () => {
  test('round-trips random bytes of every length remainder', () => {
    for (let length = 0; length < 200; length++) {
      const bytes = randomBytes(length)
      const text = encodeBase64url(bytes)
      expect(text).not.toMatch(/[=+/]/)
      expect(isBase64url(text)).toBe(true)
      expect(decodeBase64url(text)).toEqual(bytes)
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
  ])('refuses %s', (_name, text) => {
    expect(isBase64url(text)).toBe(false)
    expect(decodeBase64url(text)).toBeUndefined()
  })

  test('every non-canonical final character is refused, every canonical one accepted', () => {
    for (let n = 0; n < 300; n++) {
      const text = encodeBase64url(randomBytes(randomInt(1, 40)))
      if (text.length % 4 === 0) continue
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      for (const c of alphabet) {
        const candidate = text.slice(0, -1) + c
        const canonical = encodeBase64url(Buffer.from(candidate, 'base64url')) === candidate
        expect(isBase64url(candidate)).toBe(canonical)
      }
    }
  })
})
