import request from 'supertest'
import express from 'express'
import { createVerifier, jwtAuth, signToken } from 'express-jwt-gate'
import type { VerifyOptions } from 'express-jwt-gate'
import { TokenCache } from '../../lib/core/cache'
import { b64, createToken, NOW, NOW_DATE, SECRET, signInput, thrown } from '../helpers/tokens'

const cached: VerifyOptions = { cache: { max: 100 }, currentDate: NOW_DATE }

describe('the verified-token cache', () => {
  test('a hit returns the same payload, deeply frozen', () => {
    const verify = createVerifier(SECRET, cached)
    const token = createToken({
      payload: { exp: NOW + 60, licensedFeatures: ['todos'], deep: { a: [1] } },
    })
    const first = verify(token)
    expect(verify(token)).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    expect(() => {
      ;(first.licensedFeatures as string[]).push('invoicing')
    }).toThrow(TypeError)
    expect(() => {
      ;(first.deep as { a: number[] }).a[0] = 2
    }).toThrow(TypeError)
    expect(verify(token).licensedFeatures).toEqual(['todos'])
  })

  test('without the cache, payloads are fresh objects that callers may change', () => {
    const verify = createVerifier(SECRET, { currentDate: NOW_DATE })
    const token = createToken()
    const first = verify(token)
    expect(verify(token)).not.toBe(first)
    expect(Object.isFrozen(first)).toBe(false)
  })

  test('a cached token still expires, and is then dropped', () => {
    let now = NOW
    const realNow = Date.now
    Date.now = () => now * 1000
    try {
      const verify = createVerifier(SECRET, { cache: { max: 10 } })
      const token = createToken({ payload: { exp: NOW + 60 } })
      expect(verify(token).exp).toBe(NOW + 60)
      now = NOW + 59
      expect(verify(token).exp).toBe(NOW + 60)
      now = NOW + 60
      expect(thrown(() => verify(token)).code).toBe('token_expired')
      now = NOW + 59 // even if the clock went back, the entry is gone: full verification
      expect(verify(token).exp).toBe(NOW + 60)
    } finally {
      Date.now = realNow
    }
  })

  test('maxAge is checked again on a hit', () => {
    let now = NOW
    const realNow = Date.now
    Date.now = () => now * 1000
    try {
      const verify = createVerifier(SECRET, { cache: { max: 10 }, maxAge: 30 })
      const token = createToken({ payload: { iat: NOW, exp: NOW + 600 } })
      expect(verify(token).iat).toBe(NOW)
      now = NOW + 31
      expect(thrown(() => verify(token)).code).toBe('token_expired')
    } finally {
      Date.now = realNow
    }
  })

  test('failures are never cached; the key is the exact token', () => {
    const verify = createVerifier(SECRET, cached)
    const good = createToken()
    const [h, p, s] = good.split('.') as [string, string, string]
    expect(verify(good).sub).toBe('alice')
    const forged = `${h}.${b64({ sub: 'mallory', exp: NOW + 60 })}.${s}`
    for (let i = 0; i < 3; i++) expect(thrown(() => verify(forged)).code).toBe('signature_invalid')
    expect(thrown(() => verify(`${good} `)).code).toBe('token_malformed')
    expect(thrown(() => verify(`${h}.${p}.${s}=`)).code).toBe('token_malformed')
    expect(verify(signInput(`${h}.${p}`)).sub).toBe('alice')
  })

  test('the size limit applies before the cache is consulted', () => {
    const token = createToken()
    const verify = createVerifier(SECRET, { ...cached, maxTokenLength: token.length - 1 })
    expect(thrown(() => verify(token)).code).toBe('token_too_large')
  })

  test('a deeply nested payload is frozen without overflowing the stack', () => {
    const depth = 20_000
    const payload = b64(`{"exp":${NOW + 60},"n":${'['.repeat(depth)}${']'.repeat(depth)}}`)
    const token = createToken({ payload })
    const verify = createVerifier(SECRET, { ...cached, maxTokenLength: 100_000 })
    const claims = verify(token)
    expect(Object.isFrozen(claims.n)).toBe(true)
  })

  test.each<[unknown, RegExp]>([
    [5, /cache must be an object/],
    [true, /cache must be an object/],
    [{}, /cache.max is required/],
    [{ max: 0 }, /cache.max must be a positive whole number/],
    [{ max: 10, ttl: 60 }, /unknown option "ttl"/],
  ])('cache %j is refused at setup', (cache, message) => {
    expect(() => createVerifier(SECRET, { cache } as VerifyOptions)).toThrow(message)
  })

  test('cache: false or absent is off', () => {
    const verify = createVerifier(SECRET, { cache: false } as unknown as VerifyOptions)
    const token = signToken({ a: 1 }, SECRET)
    expect(verify(token)).not.toBe(verify(token))
  })
})

describe('TokenCache', () => {
  test('evicts the least recently used entry beyond max', () => {
    const cache = new TokenCache<{ n: number }>(2)
    cache.set('a', { n: 1 })
    cache.set('b', { n: 2 })
    expect(cache.get('a')?.n).toBe(1) // a is now the most recent
    cache.set('c', { n: 3 })
    expect(cache.size).toBe(2)
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')?.n).toBe(1)
    expect(cache.get('c')?.n).toBe(3)
  })

  test('stays bounded over many distinct tokens', () => {
    const cache = new TokenCache<{ n: number }>(100)
    for (let i = 0; i < 10_000; i++) cache.set(`t${i}`, { n: i })
    expect(cache.size).toBe(100)
    expect(cache.get('t9999')?.n).toBe(9999)
    expect(cache.get('t0')).toBeUndefined()
  })
})

describe('TokenCache recency order', () => {
  const present = (cache: TokenCache<{ n: number }>, keys: string[]) =>
    keys.filter((key) => cache.get(key) !== undefined)

  test('delete unlinks the oldest, a middle and the newest entry alike', () => {
    const cache = new TokenCache<{ n: number }>(5)
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) cache.set(key, { n: i })
    cache.delete('a') // oldest
    cache.delete('c') // middle
    cache.delete('e') // newest
    cache.delete('zz') // absent: nothing happens
    expect(cache.size).toBe(2)
    expect(present(cache, ['a', 'b', 'c', 'd', 'e'])).toEqual(['b', 'd'])
    // The list is intact: filling up evicts the least recently used (b; d was read last).
    cache.set('f', { n: 5 })
    cache.set('g', { n: 6 })
    cache.set('h', { n: 7 })
    cache.set('i', { n: 8 })
    expect(cache.get('b')).toBeUndefined()
    expect(present(cache, ['d', 'f', 'g', 'h', 'i'])).toHaveLength(5)
  })

  test('setting a token again replaces its entry and makes it the most recent', () => {
    const cache = new TokenCache<{ n: number }>(2)
    cache.set('a', { n: 1 })
    cache.set('b', { n: 2 })
    cache.set('a', { n: 3 })
    expect(cache.size).toBe(2)
    cache.set('c', { n: 4 }) // evicts b, the least recently used
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')?.n).toBe(3)
  })

  test('the last entry can be deleted and the cache used again', () => {
    const cache = new TokenCache<{ n: number }>(1)
    cache.set('a', { n: 1 })
    expect(cache.get('a')?.n).toBe(1) // already the newest
    cache.delete('a')
    expect(cache.size).toBe(0)
    cache.set('b', { n: 2 })
    cache.set('c', { n: 3 })
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('c')?.n).toBe(3)
  })

  test('only own properties are walked when freezing', () => {
    const cache = new TokenCache<Record<string, unknown>>(1)
    const inherited = { shared: [1] }
    const payload = Object.assign(Object.create(inherited) as Record<string, unknown>, {
      own: { list: [{ x: 1 }] },
    })
    cache.set('a', payload)
    expect(Object.isFrozen((payload.own as { list: object[] }).list[0])).toBe(true)
    expect(Object.isFrozen(inherited.shared)).toBe(false)
  })
})

describe('jwtAuth with the cache', () => {
  test('isRevoked is still called on every hit', async () => {
    const isRevoked = jest.fn((_p: unknown) => false)
    const app = express()
    app.get('/', jwtAuth(SECRET, { cache: { max: 10 }, isRevoked }), (_req, res) => res.send('ok'))
    const token = signToken({ jti: 'a' }, SECRET)
    for (let i = 0; i < 3; i++) {
      expect((await request(app).get('/').set('Authorization', `Bearer ${token}`)).status).toBe(200)
    }
    expect(isRevoked).toHaveBeenCalledTimes(3)
    isRevoked.mockReturnValue(true)
    expect((await request(app).get('/').set('Authorization', `Bearer ${token}`)).status).toBe(401)
  })
})
