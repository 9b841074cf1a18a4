import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type * as Jose from 'jose' with { 'resolution-mode': 'import' }
import express from 'express'
import {
  createVerifier,
  exportJwks,
  jwksHandler,
  remoteKeySet,
  signToken,
  verifyToken,
} from 'express-jwt-gate'
import type { Jwk, KeyRing } from 'express-jwt-gate'
import { ASYMMETRIC_ALGORITHMS, pairFor } from './helpers/keys'

// jose ships only ES modules; Jest loads it through a CommonJS transform (jest.config.ts).
const jose = jest.requireActual<typeof Jose>('jose')
const payload = { userId: 1001, licensedFeatures: ['todos', 'invoicing'], name: 'Zoë ✓' }

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
}

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

  test('a JWK jose exports works here, and a JWK we publish imports in jose', async () => {
    const fromJose = { ...(await jose.exportJWK(publicKey)), alg } as Jwk
    const token = signToken(payload, privateKey, { algorithm: alg })
    expect(verifyToken(token, fromJose, { algorithms: [alg] })).toMatchObject(payload)
    const [published] = exportJwks([{ kid: 'k', key: publicKey, alg }]).keys
    const imported = await jose.importJWK(published as Jose.JWK, alg)
    await expect(jose.jwtVerify(token, imported)).resolves.toBeDefined()
  })
})

describe('JWK Sets across libraries', () => {
  const ring: KeyRing = ASYMMETRIC_ALGORITHMS.map((alg) => ({
    kid: `${alg}-key`,
    key: pairFor(alg).privateKey,
    alg,
  }))

  test("jose's createRemoteJWKSet verifies our tokens from our jwksHandler, for every algorithm", async () => {
    const app = express()
    app.get('/jwks.json', jwksHandler(ring))
    const server = createServer(app)
    const url = await listen(server)
    try {
      const jwks = jose.createRemoteJWKSet(new URL(url))
      for (const entry of ring) {
        const token = signToken(payload, [entry], { audience: 'api' })
        const { protectedHeader } = await jose.jwtVerify(token, jwks, { audience: 'api' })
        expect(protectedHeader).toEqual({ alg: entry.alg, typ: 'JWT', kid: entry.kid })
      }
    } finally {
      server.close()
    }
  })

  test('our remoteKeySet verifies jose tokens from a set jose exported, for every algorithm', async () => {
    const keys = await Promise.all(
      ASYMMETRIC_ALGORITHMS.map(async (alg) => ({
        ...(await jose.exportJWK(pairFor(alg).publicKey)),
        kid: `${alg}-key`,
        alg,
        use: 'sig',
      })),
    )
    const server = createServer((_req, res) => res.end(JSON.stringify({ keys })))
    const url = await listen(server)
    try {
      const verify = createVerifier(remoteKeySet(url), { issuer: 'jose' })
      for (const alg of ASYMMETRIC_ALGORITHMS) {
        const token = await new jose.SignJWT(payload)
          .setProtectedHeader({ alg, kid: `${alg}-key` })
          .setIssuer('jose')
          .setExpirationTime('5m')
          .sign(pairFor(alg).privateKey)
        await expect(verify(token)).resolves.toMatchObject(payload)
      }
    } finally {
      server.close()
    }
  })
})
