import { generateSecret, signToken, verifyToken } from 'express-jwt-gate'

describe('generateSecret', () => {
  test('gives 32 random bytes as base64url by default, usable for HS256 at once', () => {
    const secret = generateSecret()
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32)
    expect(generateSecret()).not.toBe(secret)
    expect(verifyToken(signToken({ a: 1 }, secret), secret).a).toBe(1)
  })

  test('48 bytes is enough for HS512', () => {
    const secret = generateSecret(48)
    expect(secret).toHaveLength(64)
    const token = signToken({ a: 1 }, secret, { algorithm: 'HS512' })
    expect(verifyToken(token, secret, { algorithms: ['HS512'] }).a).toBe(1)
  })

  test.each([31, 0, -1, 32.5, NaN, '32'])('refuses %j', (bytes) => {
    expect(() => generateSecret(bytes as number)).toThrow(
      'express-jwt-gate: generateSecret needs a whole number of at least 32 bytes',
    )
  })
})
