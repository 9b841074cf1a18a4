import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import express5 from 'express'
import request from 'supertest'
import { createVerifier, exportJwks, jwksHandler, remoteKeySet, signToken } from 'express-jwt-gate'
import type { JwksHandlerOptions, KeyRing } from 'express-jwt-gate'
import { EXPRESS_VERSIONS } from '../helpers/apps'
import { fixture, jwkOf, pair } from '../helpers/keys'
import { NOW_DATE, SECRET, thrown } from '../helpers/tokens'

const es = pair('P-256')
const rsa = pair('rsa')
const ed = pair('ed25519')
const cert = fixture('rs256-cert')

/** A ring as an issuer holds it: private keys, in several forms. */
const ring: KeyRing = [
  { kid: 'es', key: es.privateKey, alg: 'ES256' },
  {
    kid: 'rsa',
    key: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    alg: 'PS256',
  },
  { kid: 'ed', key: jwkOf(ed.privateKey), alg: 'EdDSA' },
  { kid: 'cert', key: cert.cert, alg: 'RS256' },
]

describe('exportJwks', () => {
  test('publishes only the public members of each key, with kid, alg and use "sig"', () => {
    const { keys } = exportJwks(ring)
    expect(keys.map((key) => Object.keys(key).sort())).toEqual([
      ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
      ['alg', 'e', 'kid', 'kty', 'n', 'use'],
      ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
      ['alg', 'e', 'kid', 'kty', 'n', 'use'],
    ])
    expect(keys[0]).toEqual({
      ...jwkOf(es.publicKey),
      kid: 'es',
      alg: 'ES256',
      use: 'sig',
    })
    expect(keys[1]).toMatchObject({ kty: 'RSA', kid: 'rsa', alg: 'PS256', use: 'sig' })
    expect(keys[2]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', kid: 'ed', alg: 'EdDSA' })
    expect(keys[3]).toMatchObject({ kty: 'RSA', kid: 'cert', alg: 'RS256' })
    // Nothing private, in any member.
    const text = JSON.stringify(keys)
    for (const member of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"', '"k"']) {
      expect(text).not.toContain(member)
    }
  })

  test('refuses a ring that holds an HMAC secret: a secret is never published', () => {
    const err = thrown(() => exportJwks([...ring, { kid: 'hs', key: SECRET, alg: 'HS256' }]))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toBe(
      'express-jwt-gate: key "hs" is an HS256 secret, and a secret is never published; publish a ring of public-key entries only',
    )
  })

  test.each<[string, unknown, RegExp]>([
    ['a single key', es.publicKey, /take a key ring: an array of \{ kid, key, alg \}/],
    ['an empty ring', [], /a key ring must hold at least one key/],
    ['a duplicate kid', [ring[0], ring[0]], /kid "es" twice/],
    [
      'a key unfit for its alg',
      [{ kid: 'k', key: es.publicKey, alg: 'ES384' }],
      /key "k" is a P-256 key, but ES384 needs P-384/,
    ],
  ])('refuses %s', (_name, bad, message) => {
    expect(() => exportJwks(bad as KeyRing)).toThrow(message)
    expect(() => jwksHandler(bad as KeyRing)).toThrow(message)
  })
})

describe.each(EXPRESS_VERSIONS)('jwksHandler on %s', (_name, express) => {
  function app(options?: JwksHandlerOptions) {
    const server = express()
    server.get('/.well-known/jwks.json', jwksHandler(ring, options))
    server.use('/any', jwksHandler(ring))
    return server
  }

  test('answers GET with the set, its media type and a Cache-Control', async () => {
    const res = await request(app()).get('/.well-known/jwks.json').expect(200)
    expect(res.headers['content-type']).toBe('application/jwk-set+json')
    expect(res.headers['cache-control']).toBe('public, max-age=300')
    expect(JSON.parse(res.text)).toEqual(exportJwks(ring))
  })

  test('cacheMaxAge sets the max-age, in seconds or as a duration', async () => {
    const res = await request(app({ cacheMaxAge: '10m' })).get('/.well-known/jwks.json')
    expect(res.headers['cache-control']).toBe('public, max-age=600')
    const zero = await request(app({ cacheMaxAge: 0 })).get('/.well-known/jwks.json')
    expect(zero.headers['cache-control']).toBe('public, max-age=0')
  })

  test('answers HEAD with the headers only, and passes other methods on', async () => {
    const head = await request(app()).head('/any').expect(200)
    expect(head.headers['content-length']).toBe(String(JSON.stringify(exportJwks(ring)).length))
    expect(head.text).toBeUndefined()
    await request(app()).post('/any').expect(404)
  })

  test('refuses a bad option at setup', () => {
    expect(() => jwksHandler(ring, { maxAge: 5 } as never)).toThrow(
      /jwksHandler: unknown option "maxAge"/,
    )
    expect(thrown(() => jwksHandler(ring, { cacheMaxAge: -1 }))).toMatchObject({
      option: 'cacheMaxAge',
      message: 'express-jwt-gate: cacheMaxAge must not be negative',
    })
  })
})

test('what jwksHandler publishes, remoteKeySet consumes: tokens signed with the ring verify', async () => {
  const issuer = express5()
  issuer.get('/.well-known/jwks.json', jwksHandler(ring))
  const server = issuer.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  try {
    const { port } = server.address() as { port: number }
    const jwks = remoteKeySet(`http://127.0.0.1:${port}/.well-known/jwks.json`)
    const verify = createVerifier(jwks, { currentDate: NOW_DATE })
    const token = signToken({ sub: 'alice' }, ring, { currentDate: NOW_DATE })
    await expect(verify(token)).resolves.toMatchObject({ sub: 'alice' })
  } finally {
    server.close()
  }
})

test('the built handler does not load express at run time', () => {
  const built = readFileSync(
    join(__dirname, '..', '..', 'dist', 'express', 'jwks-handler.js'),
    'utf8',
  )
  expect(built).toContain('function jwksHandler')
  expect(built).not.toMatch(/require\(["']express["']\)/)
})
