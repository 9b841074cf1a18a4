import type * as Jose from 'jose' with { 'resolution-mode': 'import' }
import { signToken, verifyToken } from 'express-jwt-gate'
import type { Jwk } from 'express-jwt-gate'
import { ASYMMETRIC_ALGORITHMS, pairFor } from './helpers/keys'

// jose ships only ES modules; Jest loads it through a CommonJS transform (jest.config.ts).
const jose = jest.requireActual<typeof Jose>('jose')
const payload = { userId: 1001, licensedFeatures: ['todos', 'invoicing'], name: 'Zoë ✓' }

describe.each(ASYMMETRIC_ALGORITHMS)('%s', (alg) => {
  const { publicKey, privateKey } = pairFor(alg)

  test('jose signs, we verify with the public key', async () => {
    const token = await new jose.SignJWT(payload)
      .setProtectedHeader({ alg, typ: 'JWT', kid: 'k' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .setAudience('api')
      .sign(privateKey)
    const claims = verifyToken(token, publicKey, { algorithms: [alg], audience: 'api' })
    expect(claims).toMatchObject(payload)
  })

  test('we sign, jose verifies with the public key', async () => {
    const token = signToken(payload, privateKey, { algorithm: alg, issuer: 'me' })
    const { payload: claims, protectedHeader } = await jose.jwtVerify(token, publicKey, {
      algorithms: [alg],
      issuer: 'me',
    })
    expect(protectedHeader).toEqual({ alg, typ: 'JWT' })
    expect(claims).toMatchObject(payload)
  })

  test('a JWK jose exports works here', async () => {
    const fromJose = { ...(await jose.exportJWK(publicKey)), alg } as Jwk
    const token = signToken(payload, privateKey, { algorithm: alg })
    expect(verifyToken(token, fromJose, { algorithms: [alg] })).toMatchObject(payload)
  })
})
