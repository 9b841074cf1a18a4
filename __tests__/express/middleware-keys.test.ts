import request from 'supertest'
import { jwtAuth, remoteKeySet, signToken } from 'express-jwt-gate'
import type { JwtAuthError, KeyRing } from 'express-jwt-gate'
import { EXPRESS_VERSIONS, failOnUnhandledRejections, traceApp } from '../helpers/apps'
import { jwkOf, pair } from '../helpers/keys'
import { startProvider, type Provider } from '../helpers/provider'
import { createToken, SECRET } from '../helpers/tokens'

const es = pair('P-256')
const ed = pair('ed25519')
const ring: KeyRing = [
  { kid: 'ed', key: ed.privateKey, alg: 'EdDSA' },
  { kid: 'hs', key: SECRET, alg: 'HS256' },
]
const INVALID = (description: string) =>
  `Bearer error="invalid_token", error_description="${description}"`

failOnUnhandledRejections()

let provider: Provider
beforeEach(async () => {
  provider = await startProvider()
  provider.serve({ keys: [{ ...jwkOf(es.publicKey), kid: 'es', alg: 'ES256' }] })
})
afterEach(async () => {
  await provider.close()
})

describe.each(EXPRESS_VERSIONS)('jwtAuth with keys on %s', (_version, express) => {
  test('a key ring: the token names its key', async () => {
    const { app, trace } = traceApp(express, [jwtAuth(ring)])
    const signed = signToken({ sub: 'alice' }, ring)
    await request(app).get('/').set('Authorization', `Bearer ${signed}`).expect(200)
    const unknown = createToken({ header: { alg: 'HS256', kid: 'gone' } })
    const res = await request(app).get('/').set('Authorization', `Bearer ${unknown}`)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(INVALID('key unknown'))
    expect(trace.handled).toBe(1)
  })

  test('the options form takes a ring as options.secret', async () => {
    const { app } = traceApp(express, [jwtAuth({ secret: ring, audience: 'api' })])
    const signed = signToken({ sub: 'alice' }, ring, { audience: 'api' })
    await request(app).get('/').set('Authorization', `Bearer ${signed}`).expect(200)
  })

  test('a public key, and a JWK that is not mistaken for the options', async () => {
    const signed = signToken({ sub: 'alice' }, es.privateKey, { algorithm: 'ES256' })
    for (const key of [es.publicKey, jwkOf(es.publicKey)]) {
      const { app, trace } = traceApp(express, [jwtAuth(key, { algorithms: ['ES256'] })])
      await request(app).get('/').set('Authorization', `Bearer ${signed}`).expect(200)
      expect(trace.users).toEqual([expect.objectContaining({ sub: 'alice' })])
    }
  })

  test('a remote key set: req.user is the verified payload, never a promise', async () => {
    const isRevoked = jest.fn(() => false)
    const { app, trace } = traceApp(express, [jwtAuth(remoteKeySet(provider.url), { isRevoked })])
    const signed = signToken({ sub: 'alice' }, [{ kid: 'es', key: es.privateKey, alg: 'ES256' }])
    const res = await request(app).get('/').set('Authorization', `Bearer ${signed}`)
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ user: expect.objectContaining({ sub: 'alice' }) })
    expect(trace.users[0]).not.toBeInstanceOf(Promise)
    expect(isRevoked).toHaveBeenCalledWith(
      expect.objectContaining({ sub: 'alice' }),
      expect.anything(),
    )
  })

  test('a remote key set in the options form', async () => {
    const { app } = traceApp(express, [jwtAuth({ secret: remoteKeySet(provider.url) })])
    const signed = signToken({}, [{ kid: 'es', key: es.privateKey, alg: 'ES256' }])
    await request(app).get('/').set('Authorization', `Bearer ${signed}`).expect(200)
  })

  test('a remote failure is a 401 that onFailure sees with its cause, and the route never runs', async () => {
    await provider.close()
    const failures: JwtAuthError[] = []
    const jwks = remoteKeySet(provider.url)
    const { app, trace } = traceApp(express, [
      jwtAuth(jwks, { onFailure: (error) => failures.push(error) }),
    ])
    const signed = signToken({}, [{ kid: 'es', key: es.privateKey, alg: 'ES256' }])
    const res = await request(app).get('/').set('Authorization', `Bearer ${signed}`)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(INVALID('key set unavailable'))
    expect(trace.handled).toBe(0)
    expect(failures.map((error) => error.code)).toEqual(['key_set_unavailable'])
    expect((failures[0]?.cause as Error).message).toMatch(/^key set fetch failed/)
    provider = await startProvider() // for afterEach
  })

  test('a token refused by the remote set is a 401 like any other', async () => {
    const { app } = traceApp(express, [jwtAuth(remoteKeySet(provider.url))])
    const forged = signToken({}, [{ kid: 'es', key: pair('P-256', 1).privateKey, alg: 'ES256' }])
    const res = await request(app).get('/').set('Authorization', `Bearer ${forged}`)
    expect(res.status).toBe(401)
    expect(res.headers['www-authenticate']).toBe(INVALID('signature invalid'))
  })
})
