import { generateKeyPairSync } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import request from 'supertest'
import { exportJwks, signToken, verifyToken } from 'express-jwt-gate'
import type { KeyRing } from 'express-jwt-gate'
import type * as Issuer from '../examples/issuer'
import type * as KeyRingExample from '../examples/key-ring'
import type * as ResourceServer from '../examples/resource-server'
import { b64, createToken, LONG_SECRET, SECRET, thrown } from './helpers/tokens'

/** Load an example with these environment variables set, as it reads them when loaded. */
function load<T extends object>(path: string, env: Record<string, string>): T {
  const saved = { ...process.env }
  Object.assign(process.env, env)
  let loaded: T | undefined
  try {
    jest.isolateModules(() => {
      loaded = jest.requireActual<T>(path)
    })
  } finally {
    process.env = saved
  }
  return loaded as T
}

const header = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as unknown

describe('examples/key-ring.ts: rotating the secret', () => {
  const { app } = load<typeof KeyRingExample>('../examples/key-ring', {
    JWT_SECRET: SECRET,
    JWT_SECRET_NEXT: LONG_SECRET,
  })

  test('new tokens are signed by the new key and name it', async () => {
    const login = await request(app).post('/login').expect(200)
    const token = (login.body as { token: string }).token
    expect(header(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: '2025-06' })
    const me = await request(app).get('/me').set('Authorization', `Bearer ${token}`)
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ sub: 'alice' })
  })

  test('tokens issued before the rotation, without kid, still verify', async () => {
    const before = signToken({ sub: 'bob' }, SECRET)
    const me = await request(app).get('/me').set('Authorization', `Bearer ${before}`)
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ sub: 'bob' })
  })

  test('a token naming a key the ring does not hold is refused', async () => {
    const unknown = createToken({ header: { alg: 'HS256', kid: '2024-12' } })
    const me = await request(app).get('/me').set('Authorization', `Bearer ${unknown}`)
    expect(me.status).toBe(401)
    expect(me.body).toMatchObject({ code: 'key_unknown' })
  })
})

describe('examples/issuer.ts and examples/resource-server.ts: keys across services', () => {
  const { app: issuer } = load<typeof Issuer>('../examples/issuer', {})
  let server: Server
  let jwksUrl: string
  beforeAll(async () => {
    server = issuer.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`
  })
  afterAll(() => {
    server.close()
  })

  async function login(): Promise<string> {
    const res = await request(issuer).post('/login').expect(200)
    return (res.body as { token: string }).token
  }

  test('the issuer publishes its public key, and nothing private', async () => {
    const res = await request(issuer).get('/.well-known/jwks.json').expect(200)
    expect(res.headers['cache-control']).toBe('public, max-age=300')
    const { keys } = JSON.parse(res.text) as { keys: Record<string, unknown>[] }
    expect(keys).toEqual([
      {
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        kid: '2025-06',
        alg: 'ES256',
        use: 'sig',
      },
    ])
  })

  test("the resource server accepts the issuer's tokens with no shared secret", async () => {
    const { app } = load<typeof ResourceServer>('../examples/resource-server', {
      JWKS_URL: jwksUrl,
    })
    const token = await login()
    expect(header(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: '2025-06' })
    const res = await request(app).get('/invoices').set('Authorization', `Bearer ${token}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ owner: 'alice', invoices: [] })
  })

  test('and refuses a token signed by anyone else under the same kid', async () => {
    const { app } = load<typeof ResourceServer>('../examples/resource-server', {
      JWKS_URL: jwksUrl,
    })
    const intruder: KeyRing = [
      {
        kid: '2025-06',
        key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
        alg: 'ES256',
      },
    ]
    const forged = signToken({ sub: 'mallory', licensedFeatures: ['invoicing'] }, intruder, {
      issuer: 'https://auth.example.com',
      audience: 'api',
    })
    const res = await request(app).get('/invoices').set('Authorization', `Bearer ${forged}`)
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ code: 'signature_invalid' })
  })

  test('when the issuer cannot be reached, tokens are refused with 401, not 500', async () => {
    const token = await login()
    const { app } = load<typeof ResourceServer>('../examples/resource-server', {
      JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
    })
    const res = await request(app).get('/invoices').set('Authorization', `Bearer ${token}`)
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ code: 'key_set_unavailable' })
  })
})

describe('README snippets', () => {
  test('public-key signing and verification', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519')
    const token = signToken({ sub: 'alice' }, privateKey, { algorithm: 'EdDSA' })
    const claims = verifyToken(token, publicKey, { algorithms: ['EdDSA'] })
    expect(claims.sub).toBe('alice')
    // The algorithm is never taken from the token: an HS256 one is refused.
    const hs = `${b64({ alg: 'HS256' })}.${token.split('.')[1]}.${token.split('.')[2]}`
    expect(() => verifyToken(hs, publicKey, { algorithms: ['EdDSA'] })).toThrow(
      'algorithm not allowed',
    )
  })

  test('rotating a published key: publish first, then sign, then retire', () => {
    const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const current = { kid: '2025-01', key: ec(), alg: 'ES256' } as const
    const next = { kid: '2025-06', key: ec(), alg: 'ES256' } as const
    // 1. Publish the next key: verifiers can fetch it, but the current one still signs.
    const publishing: KeyRing = [current, next]
    // 2. Once every verifier has had time to fetch the set again, the next key signs.
    const switched: KeyRing = [next, current]
    // 3. Once the last token signed by the old key has expired, the old key goes.
    const retired: KeyRing = [next]

    const kids = (ring: KeyRing) => exportJwks(ring).keys.map((key) => key.kid)
    const signer = (ring: KeyRing) => (header(signToken({}, ring)) as { kid: string }).kid
    expect([signer(publishing), kids(publishing)]).toEqual(['2025-01', ['2025-01', '2025-06']])
    expect([signer(switched), kids(switched)]).toEqual(['2025-06', ['2025-06', '2025-01']])
    expect([signer(retired), kids(retired)]).toEqual(['2025-06', ['2025-06']])
    // During step 2 both keys' tokens verify; after step 3 only the new key's.
    const old = signToken({ sub: 'a' }, publishing)
    expect(verifyToken(old, switched).sub).toBe('a')
    expect(thrown(() => verifyToken(old, retired))).toMatchObject({
      code: 'key_unknown',
      message: 'key unknown',
    })
  })
})
