import type * as Jose from 'jose' with { 'resolution-mode': 'import' }
import jsonwebtoken from 'jsonwebtoken'
import { signToken, verifyToken } from 'express-jwt-gate'
import type { HmacAlgorithm } from 'express-jwt-gate'
import { LONG_SECRET, thrown } from './helpers/tokens'

// jose ships only ES modules; Jest loads it through a CommonJS transform (jest.config.ts).
const jose = jest.requireActual<typeof Jose>('jose')
const key = new TextEncoder().encode(LONG_SECRET)
const algorithms: HmacAlgorithm[] = ['HS256', 'HS384', 'HS512']
const payload = { userId: 1001, licensedFeatures: ['todos', 'invoicing'], name: 'Zoë ✓' }

describe.each(algorithms)('%s', (alg) => {
  const options = { algorithms: [alg] }

  test('jose signs, we verify', async () => {
    const token = await new jose.SignJWT(payload)
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .setAudience('api')
      .sign(key)
    expect(verifyToken(token, LONG_SECRET, { ...options, audience: 'api' })).toMatchObject(payload)
  })

  test('we sign, jose verifies', async () => {
    const token = signToken(payload, LONG_SECRET, { algorithm: alg, issuer: 'me', expiresIn: '5m' })
    const { payload: claims, protectedHeader } = await jose.jwtVerify(token, key, {
      algorithms: [alg],
      issuer: 'me',
    })
    expect(protectedHeader).toEqual({ alg, typ: 'JWT' })
    expect(claims).toMatchObject(payload)
  })

  test('jsonwebtoken signs, we verify', () => {
    const token = jsonwebtoken.sign(payload, LONG_SECRET, {
      algorithm: alg,
      expiresIn: 300,
      subject: 'alice',
    })
    expect(verifyToken(token, LONG_SECRET, { ...options, subject: 'alice' })).toMatchObject(payload)
  })

  test('we sign, jsonwebtoken verifies', () => {
    const token = signToken(payload, LONG_SECRET, { algorithm: alg, audience: ['api', 'web'] })
    expect(
      jsonwebtoken.verify(token, LONG_SECRET, { algorithms: [alg], audience: 'web' }),
    ).toMatchObject(payload)
  })
})

test('an expired jose token is refused, as jose itself would', async () => {
  const token = await new jose.SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(Math.floor(Date.now() / 1000) - 1)
    .sign(key)
  await expect(jose.jwtVerify(token, key)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' })
  expect(thrown(() => verifyToken(token, LONG_SECRET))).toMatchObject({
    code: 'token_expired',
    claim: 'exp',
  })
})

test('a jsonwebtoken token without exp is refused unless exp is made optional', () => {
  const token = jsonwebtoken.sign({ a: 1 }, LONG_SECRET, { algorithm: 'HS256' })
  expect(thrown(() => verifyToken(token, LONG_SECRET))).toMatchObject({
    code: 'claim_missing',
    claim: 'exp',
    message: 'exp claim is required',
  })
  expect(verifyToken(token, LONG_SECRET, { requiredClaims: [] }).a).toBe(1)
})
