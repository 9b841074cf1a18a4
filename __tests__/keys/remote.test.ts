import { generateKeyPairSync, randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import {
  createVerifier,
  InvalidTokenError,
  remoteKeySet,
  signToken,
  verifyToken,
} from 'express-jwt-gate'
import type {
  AsymmetricAlgorithm,
  AsyncVerifier,
  Jwk,
  JwtPayload,
  KeySource,
  RemoteKeySet,
  RemoteKeySetOptions,
  Verifier,
  VerifyOptions,
} from 'express-jwt-gate'
import { jwkOf, pair, signWith, type KeyKind, type Pair } from '../helpers/keys'
import { sleep, startProvider, type Provider } from '../helpers/provider'
import { createToken, NOW, NOW_DATE, thrown } from '../helpers/tokens'

const valid = { sub: 'alice', iat: NOW, exp: NOW + 600 }
const at: VerifyOptions = { currentDate: NOW_DATE }

/** The public JWK of a pair, with whatever members the set should publish. */
function jwk(keys: Pair, members: Record<string, unknown> = {}): Jwk {
  return { ...jwkOf(keys.publicKey), ...members }
}

/** A token signed by `keys` for `alg`, naming `kid` (or none). */
function token(alg: AsymmetricAlgorithm, keys: Pair, kid?: string): string {
  return signWith(alg, keys.privateKey, { header: kid === undefined ? { alg } : { alg, kid } })
}

/** What a promise rejected with (failing the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise
  } catch (err) {
    return err as Error & { code?: string }
  }
  throw new Error('expected a rejection, but the promise resolved')
}

const es = pair('P-256')
const es2 = pair('P-256', 1)
const rsa = pair('rsa')
const ed = pair('ed25519')

let provider: Provider
beforeEach(async () => {
  provider = await startProvider()
})
afterEach(async () => {
  await provider.close()
})

/** A fresh set over the provider (each test its own cache). */
const setOf = (options?: RemoteKeySetOptions) => remoteKeySet(provider.url, options)

describe('a remote key set', () => {
  test('verifies asynchronously, fetching the set once and caching it', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256', use: 'sig' })] })
    const verify: AsyncVerifier = createVerifier(setOf(), at)
    const pending = verify(token('ES256', es, 'es'))
    expect(pending).toBeInstanceOf(Promise)
    await expect(pending).resolves.toEqual(valid)
    for (let i = 0; i < 5; i++)
      await expect(verify(token('ES256', es, 'es'))).resolves.toEqual(valid)
    expect(provider.fetches).toBe(1)
  })

  test('verifyToken returns a promise too, and the types say so', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const set: RemoteKeySet = setOf()
    const claims: Promise<JwtPayload> = verifyToken(token('ES256', es, 'es'), set, at)
    await expect(claims).resolves.toEqual(valid)
    expect(set.url).toBe(provider.url)

    // @ts-expect-error a remote set's verifier returns a promise, never the claims themselves
    const notClaims: JwtPayload = createVerifier(set, at)(token('ES256', es, 'es'))
    await expect(notClaims as unknown as Promise<JwtPayload>).resolves.toEqual(valid)

    // Code that passes keys through (as jwtAuth does) gets a union, and awaits it.
    const passThrough = (keys: KeySource | RemoteKeySet) => createVerifier(keys, at)
    const either: Verifier | AsyncVerifier = passThrough(set)
    await expect(Promise.resolve(either(token('ES256', es, 'es')))).resolves.toEqual(valid)
  })

  test('many first requests at once share one fetch', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf(), at)
    const results = await Promise.all(
      Array.from({ length: 20 }, () => verify(token('ES256', es, 'es'))),
    )
    expect(results).toHaveLength(20)
    expect(provider.fetches).toBe(1)
  })

  test('verifiers sharing a set share its cache', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const set = setOf()
    await createVerifier(set, at)(token('ES256', es, 'es'))
    await createVerifier(set, { ...at, algorithms: ['ES256'] })(token('ES256', es, 'es'))
    expect(provider.fetches).toBe(1)
  })

  test('serves every public-key algorithm it publishes', async () => {
    const cases: [AsymmetricAlgorithm, KeyKind][] = [
      ['RS256', 'rsa'],
      ['PS384', 'rsa'],
      ['ES256', 'P-256'],
      ['ES384', 'P-384'],
      ['ES512', 'P-521'],
      ['EdDSA', 'ed25519'],
    ]
    provider.serve({ keys: cases.map(([alg, kind]) => jwk(pair(kind), { kid: alg, alg })) })
    const verify = createVerifier(setOf(), at)
    for (const [alg, kind] of cases) {
      await expect(verify(token(alg, pair(kind), alg))).resolves.toEqual(valid)
    }
  })

  test('refuses a forged signature and an expired token like any verifier', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf(), at)
    expect((await rejection(verify(token('ES256', es2, 'es')))).code).toBe('signature_invalid')
    const expired = signWith('ES256', es.privateKey, {
      header: { alg: 'ES256', kid: 'es' },
      payload: { exp: NOW - 1 },
    })
    expect((await rejection(verify(expired))).code).toBe('token_expired')
    expect((await rejection(verify('not.a.token!'))).code).toBe('token_malformed')
    expect((await rejection(verify(42 as unknown as string))).code).toBe('token_malformed')
  })

  test('refuses HMAC and none at once, without fetching anything', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf(), at)
    for (const alg of ['HS256', 'none']) {
      const forged = createToken({ header: { alg, kid: 'es' } })
      expect((await rejection(verify(forged))).code).toBe('algorithm_not_allowed')
    }
    expect(provider.fetches).toBe(0)
  })

  test('refuses a crit header, as every verifier does', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const critical = signWith('ES256', es.privateKey, {
      header: { alg: 'ES256', kid: 'es', crit: ['exp'] },
    })
    expect((await rejection(createVerifier(setOf(), at)(critical))).code).toBe('header_invalid')
  })
})

describe('unknown kid: refetch, but at most once per cooldown', () => {
  test('right after a fetch, an unknown kid does not fetch again', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf(), at)
    await verify(token('ES256', es, 'es'))
    for (let i = 0; i < 20; i++) {
      expect((await rejection(verify(token('ES256', es, randomUUID())))).code).toBe('key_unknown')
    }
    expect(provider.fetches).toBe(1)
  })

  test('a flood of made-up kids costs the provider one request', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cooldown: 1 }), at)
    await verify(token('ES256', es, 'es'))
    expect(provider.fetches).toBe(1)
    await sleep(1100) // past the cooldown: the next unknown kid may fetch, once
    const flood = Array.from({ length: 200 }, () => verify(token('ES256', es, randomUUID())))
    const errors = await Promise.all(flood.map(rejection))
    expect(errors.every((err) => err.code === 'key_unknown')).toBe(true)
    expect(provider.fetches).toBe(2)
    // Sequential ones within the cooldown fetch nothing more either.
    for (let i = 0; i < 20; i++) await rejection(verify(token('ES256', es, randomUUID())))
    expect(provider.fetches).toBe(2)
    // Known keys still verify throughout.
    await expect(verify(token('ES256', es, 'es'))).resolves.toEqual(valid)
  })

  test('once the cooldown has passed, an unknown kid fetches again', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cooldown: 0.1 }), at)
    await verify(token('ES256', es, 'es'))
    await sleep(150)
    await rejection(verify(token('ES256', es, 'unknown-1')))
    expect(provider.fetches).toBe(2)
    await rejection(verify(token('ES256', es, 'unknown-2')))
    expect(provider.fetches).toBe(2)
    await sleep(150)
    await rejection(verify(token('ES256', es, 'unknown-3')))
    expect(provider.fetches).toBe(3)
  })

  test('a token without kid never causes a fetch beyond the first', async () => {
    provider.serve({
      keys: [jwk(es, { kid: 'a', alg: 'ES256' }), jwk(es2, { kid: 'b', alg: 'ES256' })],
    })
    const verify = createVerifier(setOf({ cooldown: 0 }), at)
    for (let i = 0; i < 5; i++) {
      const err = await rejection(verify(token('ES256', es)))
      expect(err).toMatchObject({
        code: 'key_unknown',
        message: 'token has no kid, and no key serves tokens without one',
      })
    }
    expect(provider.fetches).toBe(1)
  })
})

describe('rotation at the provider', () => {
  test('a new key is picked up on first sight; a removed one lasts until the cache expires', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'old', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cacheMaxAge: 0.4, cooldown: 0.1 }), at)
    await expect(verify(token('ES256', es, 'old'))).resolves.toEqual(valid)

    // The provider adds the new key in front and starts signing with it.
    provider.serve({
      keys: [jwk(es2, { kid: 'new', alg: 'ES256' }), jwk(es, { kid: 'old', alg: 'ES256' })],
    })
    await sleep(150) // past the cooldown
    await expect(verify(token('ES256', es2, 'new'))).resolves.toEqual(valid)
    expect(provider.fetches).toBe(2)

    // Then removes the old key: our cached copy still holds it for a while.
    provider.serve({ keys: [jwk(es2, { kid: 'new', alg: 'ES256' })] })
    await expect(verify(token('ES256', es, 'old'))).resolves.toEqual(valid)
    await sleep(450) // past cacheMaxAge
    expect((await rejection(verify(token('ES256', es, 'old')))).code).toBe('key_unknown')
    await expect(verify(token('ES256', es2, 'new'))).resolves.toEqual(valid)
  })

  test('a kid whose key changes at the provider verifies with the new key, not a memo of the old', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'k', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cacheMaxAge: 0.2, cooldown: 0.1 }), at)
    const before = token('ES256', es, 'k')
    const after = token('ES256', es2, 'k')
    // Same header text, so a header-to-key memo would keep the first key.
    expect(before.split('.')[0]).toBe(after.split('.')[0])
    await expect(verify(before)).resolves.toEqual(valid)
    expect((await rejection(verify(after))).code).toBe('signature_invalid')
    provider.serve({ keys: [jwk(es2, { kid: 'k', alg: 'ES256' })] })
    await sleep(250)
    await expect(verify(after)).resolves.toEqual(valid)
    expect((await rejection(verify(before))).code).toBe('signature_invalid')
  })
})

describe('with the verified-token cache', () => {
  test('a cached payload lasts only as long as the set that verified it', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'k', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cacheMaxAge: 0.3, cooldown: 0.1 }), {
      ...at,
      cache: { max: 10 },
    })
    const jwt = token('ES256', es, 'k')
    const first = await verify(jwt)
    expect(Object.isFrozen(first)).toBe(true)
    expect(await verify(jwt)).toBe(first) // a hit: the very same frozen object

    // The provider withdraws the key (replacing it under the same kid).
    provider.serve({ keys: [jwk(es2, { kid: 'k', alg: 'ES256' })] })
    expect(await verify(jwt)).toBe(first) // our copy of the set is still fresh
    await sleep(350)
    // Fetched anew: the cache starts over, and the token no longer verifies.
    expect((await rejection(verify(jwt))).code).toBe('signature_invalid')
    expect(provider.fetches).toBe(2)
    const fresh = await verify(token('ES256', es2, 'k'))
    expect(fresh).toEqual(valid)
    expect(await verify(token('ES256', es2, 'k'))).not.toBe(first)
  })

  test('a set too old to use serves no cached token', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'k', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cacheMaxAge: 0.2, cooldown: 0.1 }), {
      ...at,
      cache: { max: 10 },
    })
    const jwt = token('ES256', es, 'k')
    await verify(jwt)
    provider.respond = (_req, res) => res.writeHead(500).end()
    await sleep(250)
    expect((await rejection(verify(jwt))).code).toBe('key_set_unavailable')
  })
})

describe('fails closed: 401 key_set_unavailable, never a 500', () => {
  async function unavailable(promise: Promise<unknown>): Promise<Error> {
    const err = await rejection(promise)
    expect(err).toBeInstanceOf(InvalidTokenError)
    expect(err).toMatchObject({
      status: 401,
      code: 'key_set_unavailable',
      message: 'key set unavailable',
      headers: {
        'WWW-Authenticate': 'Bearer error="invalid_token", error_description="key set unavailable"',
      },
    })
    return err
  }

  test('when the provider is down', async () => {
    const url = provider.url
    await provider.close()
    const verify = createVerifier(remoteKeySet(url), at)
    const err = await unavailable(verify(token('ES256', es, 'es')))
    expect(String((err.cause as Error).message)).toMatch(/^key set fetch failed: /)
    // Starting the provider again restores service on the next attempt after the
    // cooldown; the test's own provider must still be closable.
    provider = await startProvider()
  })

  test('a failing provider is asked at most once per cooldown, then recovers', async () => {
    provider.respond = (_req, res) => res.writeHead(503).end('down for maintenance')
    const verify = createVerifier(setOf({ cooldown: 0.2 }), at)
    const err = await unavailable(verify(token('ES256', es, 'es')))
    expect((err.cause as Error).message).toBe('key set request answered HTTP 503')
    for (let i = 0; i < 10; i++) await unavailable(verify(token('ES256', es, 'es')))
    expect(provider.fetches).toBe(1)

    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    await sleep(250)
    await expect(verify(token('ES256', es, 'es'))).resolves.toEqual(valid)
    expect(provider.fetches).toBe(2)
  })

  test('when the provider is too slow (timeout, in seconds)', async () => {
    provider.respond = () => {
      // never answers
    }
    const verify = createVerifier(setOf({ timeout: 0.2 }), at)
    const started = Date.now()
    const err = await unavailable(verify(token('ES256', es, 'es')))
    expect(Date.now() - started).toBeLessThan(2000)
    expect((err.cause as Error).message).toMatch(/^key set fetch failed: .*(timeout|aborted)/i)
  })

  test('when the body stalls after the headers, the timeout still applies', async () => {
    provider.respond = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"keys":[')
    }
    const err = await unavailable(
      createVerifier(setOf({ timeout: 0.2 }), at)(token('ES256', es, 'es')),
    )
    expect((err.cause as Error).message).toMatch(/^key set response failed: /)
  })

  test.each<[string, (res: ServerResponse) => void, RegExp]>([
    [
      'HTML',
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'),
      /is not JSON/,
    ],
    ['an empty body', (res) => res.writeHead(200).end(), /is not JSON/],
    ['a JSON array', (res) => res.writeHead(200).end('[]'), /is not a JWK Set \(no "keys" array\)/],
    ['JSON null', (res) => res.writeHead(200).end('null'), /is not a JWK Set/],
    [
      'keys that are not an array',
      (res) => res.writeHead(200).end('{"keys":{}}'),
      /is not a JWK Set/,
    ],
    [
      'a redirect',
      (res) => res.writeHead(302, { location: 'https://attacker.example/jwks' }).end(),
      /fetch failed/,
    ],
    ['204 No Content', (res) => res.writeHead(204).end(), /answered HTTP 204/],
    [
      'more than 1 MiB',
      (res) => {
        const body = `{"keys":[],"pad":"${'x'.repeat(1 << 20)}"}`
        res.writeHead(200, { 'content-length': body.length }).end(body)
      },
      /larger than 1048576 bytes/,
    ],
    [
      'more than 1 MiB, streamed without a length',
      (res) => {
        res.writeHead(200, { 'transfer-encoding': 'chunked' })
        for (let i = 0; i < 20; i++) res.write('x'.repeat(64 * 1024))
        res.end()
      },
      /larger than 1048576 bytes/,
    ],
  ])('when the provider answers %s', async (_name, answer, cause) => {
    provider.respond = (_req, res) => answer(res)
    const err = await unavailable(createVerifier(setOf(), at)(token('ES256', es, 'es')))
    expect((err.cause as Error).message).toMatch(cause)
  })

  test('a set fetched earlier is used until cacheMaxAge, then refused', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cacheMaxAge: 0.4, cooldown: 0.1 }), at)
    await verify(token('ES256', es, 'es'))
    provider.respond = (_req, res) => res.writeHead(500).end()
    await sleep(150)
    // An unknown kid makes it fetch, which fails: say so rather than "unknown".
    await unavailable(verify(token('ES256', es2, 'new')))
    // Known keys keep working while the set is fresh.
    await expect(verify(token('ES256', es, 'es'))).resolves.toEqual(valid)
    await sleep(300)
    // Too old now, and the provider is still failing: closed.
    await unavailable(verify(token('ES256', es, 'es')))
  })

  test('the error never echoes the token', async () => {
    provider.respond = (_req, res) => res.writeHead(500).end()
    const jwt = token('ES256', es, 'es')
    const err = await unavailable(createVerifier(setOf(), at)(jwt))
    for (const part of jwt.split('.')) {
      expect(err.message).not.toContain(part)
      expect((err.cause as Error).message).not.toContain(part)
      expect(err.stack).not.toContain(part)
    }
  })
})

describe('which keys of a set are used (RFC 7517)', () => {
  test('use other than sig, key_ops without verify, secrets and unknown algorithms are ignored', async () => {
    provider.serve({
      keys: [
        jwk(es, { kid: 'enc', alg: 'ES256', use: 'enc' }),
        jwk(es, { kid: 'ops', alg: 'ES256', key_ops: ['encrypt'] }),
        {
          kty: 'oct',
          kid: 'oct',
          alg: 'HS256',
          k: Buffer.from('s'.repeat(32)).toString('base64url'),
        },
        jwk(rsa, { kid: 'oaep', alg: 'RSA-OAEP' }),
        jwk(es, { kid: 'k1', alg: 'ES256K' }),
        jwk(pair('P-384'), { kid: 'curve', alg: 'ES256' }),
        { kty: 'EC', kid: 'broken', alg: 'ES256', crv: 'P-256', x: 'AA', y: 'AA' },
        { kty: 'XYZ', kid: 'xyz' },
        'not an object',
        null,
        jwk(es, { kid: 7, alg: 'ES256' }),
        jwk(es, { kid: 'ok', alg: 'ES256', use: 'sig', key_ops: ['verify'] }),
      ],
    })
    const verify = createVerifier(setOf(), at)
    await expect(verify(token('ES256', es, 'ok'))).resolves.toEqual(valid)
    for (const kid of ['enc', 'ops', 'oaep', 'k1', 'curve', 'broken', 'xyz']) {
      expect((await rejection(verify(token('ES256', es, kid)))).code).toBe('key_unknown')
    }
    const hmac = createToken({ header: { alg: 'HS256', kid: 'oct' }, secret: 's'.repeat(32) })
    expect((await rejection(verify(hmac))).code).toBe('algorithm_not_allowed')
    // The set was fetched just now: within the cooldown, unknown kids fetch nothing.
    expect(provider.fetches).toBe(1)
  })

  test('an RSA key under 2048 bits is ignored', async () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 })
    provider.serve({
      keys: [jwk(weak, { kid: 'weak', alg: 'RS256' }), jwk(weak, { kid: 'weak-no-alg' })],
    })
    const verify = createVerifier(setOf(), { ...at, algorithms: ['RS256'] })
    expect((await rejection(verify(token('RS256', weak, 'weak')))).code).toBe('key_unknown')
    expect((await rejection(verify(token('RS256', weak, 'weak-no-alg')))).code).toBe('key_unknown')
  })

  test("a key's alg is binding: the same key cannot verify another algorithm", async () => {
    provider.serve({ keys: [jwk(rsa, { kid: 'rsa', alg: 'RS256' })] })
    const verify = createVerifier(setOf(), at)
    await expect(verify(token('RS256', rsa, 'rsa'))).resolves.toEqual(valid)
    const err = await rejection(verify(token('PS256', rsa, 'rsa')))
    expect(err).toMatchObject({
      code: 'algorithm_not_allowed',
      message: 'algorithm does not match the key',
    })
  })

  test('a key without alg is used only when the algorithms option settles it', async () => {
    provider.serve({
      keys: [jwk(rsa, { kid: 'rsa' }), jwk(es, { kid: 'es' }), jwk(ed, { kid: 'ed' })],
    })
    const set = setOf()
    // No algorithms option: the token would be choosing. Refused.
    const unsettled = await rejection(createVerifier(set, at)(token('ES256', es, 'es')))
    expect(unsettled).toMatchObject({
      code: 'key_unknown',
      message: 'key has no alg, and the algorithms option does not settle it',
    })
    // One algorithm the key's type can serve: bound to it.
    const one = createVerifier(set, { ...at, algorithms: ['RS256', 'ES256', 'EdDSA'] })
    await expect(one(token('RS256', rsa, 'rsa'))).resolves.toEqual(valid)
    await expect(one(token('ES256', es, 'es'))).resolves.toEqual(valid)
    await expect(one(token('EdDSA', ed, 'ed'))).resolves.toEqual(valid)
    expect((await rejection(one(token('PS256', rsa, 'rsa')))).code).toBe('algorithm_not_allowed')
    // Two an RSA key could serve: still ambiguous, so refused.
    const two = createVerifier(set, { ...at, algorithms: ['RS256', 'PS256'] })
    expect((await rejection(two(token('RS256', rsa, 'rsa')))).code).toBe('key_unknown')
    expect((await rejection(two(token('PS256', rsa, 'rsa')))).code).toBe('key_unknown')
  })

  test('the algorithms option limits which keys are used', async () => {
    provider.serve({
      keys: [jwk(rsa, { kid: 'rsa', alg: 'RS256' }), jwk(es, { kid: 'es', alg: 'ES256' })],
    })
    const verify = createVerifier(setOf(), { ...at, algorithms: ['ES256'] })
    await expect(verify(token('ES256', es, 'es'))).resolves.toEqual(valid)
    expect((await rejection(verify(token('RS256', rsa, 'rsa')))).code).toBe('algorithm_not_allowed')
  })

  test('two keys under one kid: neither is used', async () => {
    provider.serve({
      keys: [
        jwk(es, { kid: 'twin', alg: 'ES256' }),
        jwk(es2, { kid: 'twin', alg: 'ES256' }),
        jwk(ed, { kid: 'ed', alg: 'EdDSA' }),
      ],
    })
    const verify = createVerifier(setOf(), at)
    expect((await rejection(verify(token('ES256', es, 'twin')))).code).toBe('key_unknown')
    expect((await rejection(verify(token('ES256', es2, 'twin')))).code).toBe('key_unknown')
    await expect(verify(token('EdDSA', ed, 'ed'))).resolves.toEqual(valid)
  })

  test('a token without kid uses the only key of a one-key set', async () => {
    provider.serve({ keys: [jwk(ed, { alg: 'EdDSA' }), jwk(es, { use: 'enc', alg: 'ES256' })] })
    await expect(createVerifier(setOf(), at)(token('EdDSA', ed))).resolves.toEqual(valid)
  })

  test('a key without kid is never found by a kid', async () => {
    provider.serve({ keys: [jwk(ed, { alg: 'EdDSA' })] })
    expect((await rejection(createVerifier(setOf(), at)(token('EdDSA', ed, 'x')))).code).toBe(
      'key_unknown',
    )
  })

  test('private members published by mistake are never used', async () => {
    const leaked = { ...jwkOf(es.privateKey), kid: 'es', alg: 'ES256' }
    provider.serve({ keys: [leaked] })
    await expect(createVerifier(setOf(), at)(token('ES256', es, 'es'))).resolves.toEqual(valid)
  })
})

describe('setup', () => {
  test.each([
    'https://auth.example.com/.well-known/jwks.json',
    'http://localhost:8080/jwks',
    'http://LOCALHOST/jwks',
    'http://127.0.0.1/jwks',
    'http://127.1.2.3:9/jwks',
    'http://[::1]:3000/jwks',
  ])('accepts %s', (url) => {
    expect(remoteKeySet(url).url).toBe(new URL(url).href)
    expect(remoteKeySet(new URL(url)).url).toBe(new URL(url).href)
  })

  test.each<[string, unknown, RegExp]>([
    [
      'plain http to another host',
      'http://auth.example.com/jwks',
      /needs an https: URL .* got http:\/\/auth.example.com/,
    ],
    ['http to a private address', 'http://10.0.0.1/jwks', /needs an https: URL/],
    [
      'http to a lookalike of localhost',
      'http://localhost.attacker.example/jwks',
      /needs an https: URL/,
    ],
    ['http to 0.0.0.0', 'http://0.0.0.0/jwks', /needs an https: URL/],
    ['another scheme', 'file:///etc/jwks.json', /needs an https: URL/],
    [
      'credentials in the URL',
      'https://user:pass@auth.example.com/jwks',
      /must not hold credentials/,
    ],
    ['no URL', undefined, /needs the URL of a JWK Set, as a string or a URL/],
    ['a number', 42, /needs the URL of a JWK Set/],
    ['not a URL', 'auth.example.com/jwks', /"auth.example.com\/jwks" is not a valid URL/],
  ])('refuses %s', (_name, url, message) => {
    const err = thrown(() => remoteKeySet(url as string))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(/^express-jwt-gate: /)
    expect(err.message).toMatch(message)
  })

  test.each<[string, unknown, RegExp]>([
    ['an unknown option', { maxAge: 60 }, /remoteKeySet: unknown option "maxAge"/],
    ['a unitless string', { cacheMaxAge: '600' }, /cacheMaxAge: unknown duration "600"/],
    ['a negative cooldown', { cooldown: -1 }, /cooldown must not be negative/],
    [
      'a cooldown over cacheMaxAge',
      { cacheMaxAge: 10, cooldown: 30 },
      /cooldown \(30 s\) must not exceed cacheMaxAge \(10 s\)/,
    ],
    ['a zero timeout', { timeout: 0 }, /timeout must be more than 0 seconds/],
    ['options that are not an object', 5, /remoteKeySet options must be an object/],
  ])('refuses %s', (_name, options, message) => {
    const err = thrown(() => remoteKeySet(provider.url, options as RemoteKeySetOptions))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(message)
  })

  test('accepts durations as strings', () => {
    expect(() =>
      remoteKeySet(provider.url, { cacheMaxAge: '10m', cooldown: '30s', timeout: '5s' }),
    ).not.toThrow()
  })

  test('an HMAC algorithm with a remote set is refused', () => {
    const err = thrown(() => createVerifier(setOf(), { algorithms: ['ES256', 'HS256'] }))
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(
      /a remote key set holds only public keys and never verifies HS256; remove it from algorithms/,
    )
  })

  test('a remote set cannot sign', () => {
    expect(() => signToken({}, setOf() as never)).toThrow(
      /a remote key set holds only public keys and cannot sign/,
    )
  })

  test('only remoteKeySet makes a remote set: a lookalike is not one', () => {
    const lookalike = { url: provider.url }
    expect(thrown(() => createVerifier(lookalike as never))).toMatchObject({
      option: 'secret',
      message:
        'express-jwt-gate: secret must be a string, a Buffer/Uint8Array or a secret KeyObject',
    })
  })
})

describe('an unknown kid cannot make other requests wait (denial of service)', () => {
  test('a known kid answers at once while a refetch for an unknown kid hangs', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cooldown: 0, timeout: 5 }), at)
    await expect(verify(token('ES256', es, 'es'))).resolves.toEqual(valid)

    // From now on the provider never answers: the refetch hangs until its timeout.
    const hanging: ServerResponse[] = []
    provider.respond = (_req, res) => {
      hanging.push(res)
    }
    let settled = false
    const unknown = verify(token('ES256', es2, 'made-up')).finally(() => {
      settled = true
    })
    await sleep(50)
    expect(provider.fetches).toBe(2)

    for (let i = 0; i < 20; i++) {
      await expect(verify(token('ES256', es, 'es'))).resolves.toEqual(valid)
    }
    // Twenty verifications done, and the fetch they would have waited for still hangs.
    expect(settled).toBe(false)
    expect(provider.fetches).toBe(2)

    // The unknown kid itself still waits for the refetch, and is refused when it fails.
    for (const res of hanging) res.destroy()
    expect(await rejection(unknown)).toMatchObject({ code: 'key_set_unavailable' })
  })

  test('with the token cache on, a known token is served without waiting either', async () => {
    provider.serve({ keys: [jwk(es, { kid: 'es', alg: 'ES256' })] })
    const verify = createVerifier(setOf({ cooldown: 0 }), { ...at, cache: { max: 10 } })
    const known = token('ES256', es, 'es')
    await expect(verify(known)).resolves.toEqual(valid)
    provider.respond = () => {}
    let settled = false
    const unknown = verify(token('ES256', es2, 'made-up')).finally(() => {
      settled = true
    })
    await sleep(50)
    await expect(verify(known)).resolves.toEqual(valid)
    await expect(verify(token('ES256', es, 'es'))).resolves.toEqual(valid)
    expect(settled).toBe(false)
    void unknown.catch(() => {})
  })
})
