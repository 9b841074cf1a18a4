import { generateKeyPairSync } from 'node:crypto'
import * as v from 'valibot'
import { z } from 'zod'
import {
  InvalidTokenError,
  JwtSetupError,
  createVerifier,
  exportJwks,
  remoteKeySet,
  signToken,
  verifyToken,
} from 'express-jwt-gate'
import type { StandardSchemaV1 } from 'express-jwt-gate'
import { startProvider, type Provider } from '../helpers/provider'
import { NOW, NOW_DATE, SECRET, createToken, setupFailure, thrown } from '../helpers/tokens'

const at = { currentDate: NOW_DATE }
const sign = (claims: Record<string, unknown>) => signToken(claims, SECRET, at)

/** A value no message may ever echo: it stands for whatever a token carries. */
const MARKER = 'value-from-the-token-8675309'

/** A hand-written Standard Schema whose validate does whatever `validate` does, counted. */
function schemaOf(validate: (value: unknown) => unknown, extra: object = {}) {
  const schema = {
    calls: 0,
    ...extra,
    '~standard': {
      version: 1 as const,
      vendor: 'test',
      validate: (value: unknown) => {
        schema.calls++
        return validate(value) as never
      },
    },
  }
  return schema as typeof schema & StandardSchemaV1<unknown, object>
}

/** What a refusal says, in full: the code, the claim and the message. */
async function refusal(run: () => unknown) {
  let err: unknown
  try {
    await run()
  } catch (caught) {
    err = caught
  }
  if (!(err instanceof InvalidTokenError)) throw new Error(`expected a refusal, got ${String(err)}`)
  expect(err.message).not.toContain(MARKER)
  expect(err.headers['WWW-Authenticate']).not.toContain(MARKER)
  return { code: err.code, claim: err.claim, message: err.message }
}

const Tenant = z.object({
  tenantId: z.string().startsWith('t-'),
  userId: z.coerce.number(),
  licensedFeatures: z.array(z.enum(['invoicing', 'todos'])).default([]),
})

describe('claims: a zod schema', () => {
  test('its output is the result: transformed, defaulted, and stripped of what it does not name', () => {
    const claims = verifyToken(sign({ tenantId: 't-1', userId: '42', extra: MARKER }), SECRET, {
      ...at,
      claims: Tenant,
    })
    expect(claims).toEqual({ tenantId: 't-1', userId: 42, licensedFeatures: [] })
  })

  test('a payload it refuses is claim_invalid naming the path, never the value', async () => {
    expect(
      await refusal(() =>
        verifyToken(sign({ tenantId: MARKER, userId: 1 }), SECRET, { ...at, claims: Tenant }),
      ),
    ).toEqual({ code: 'claim_invalid', claim: 'tenantId', message: 'tenantId claim is invalid' })
  })

  test('a missing claim, an array element and a nested key each name their path', async () => {
    const Nested = z.object({
      tenantId: z.string(),
      licensedFeatures: z.array(z.string()),
      address: z.object({ city: z.string() }),
    })
    const verify = createVerifier(SECRET, { ...at, claims: Nested })
    const base = { tenantId: 't', licensedFeatures: ['a'], address: { city: 'Oslo' } }
    await expect(Promise.resolve(verify(sign(base)))).resolves.toMatchObject(base)
    expect(await refusal(() => verify(sign({ ...base, tenantId: undefined })))).toEqual({
      code: 'claim_invalid',
      claim: 'tenantId',
      message: 'tenantId claim is invalid',
    })
    expect(await refusal(() => verify(sign({ ...base, licensedFeatures: ['a', 7] })))).toEqual({
      code: 'claim_invalid',
      claim: 'licensedFeatures',
      message: 'licensedFeatures[1] claim is invalid',
    })
    expect(await refusal(() => verify(sign({ ...base, address: { city: 5 } })))).toEqual({
      code: 'claim_invalid',
      claim: 'address',
      message: 'address.city claim is invalid',
    })
  })

  test('an issue about the whole payload names no claim', async () => {
    const Whole = z
      .object({ a: z.number(), b: z.number() })
      .refine((claims) => claims.a < claims.b, { message: `a ${MARKER}` })
    expect(
      await refusal(() => verifyToken(sign({ a: 2, b: 1 }), SECRET, { ...at, claims: Whole })),
    ).toEqual({
      code: 'claim_invalid',
      claim: undefined,
      message: 'claims are invalid',
    })
  })

  test('a key that comes from the token is shown only when it is plain printable ASCII', async () => {
    const Scores = z.object({ scores: z.record(z.string(), z.number()) })
    const verify = createVerifier(SECRET, { ...at, claims: Scores })
    expect(await refusal(() => verify(sign({ scores: { 'with space': 'x' } })))).toMatchObject({
      message: 'scores.? claim is invalid',
    })
    expect(
      await refusal(() => verify(sign({ scores: { 'https://x.example/n': 'x' } }))),
    ).toMatchObject({
      message: 'scores.https://x.example/n claim is invalid',
    })
  })

  test('with an async refinement the verifier answers with a promise', async () => {
    const known = new Set(['t-1'])
    const Async = z.object({ tenantId: z.string().refine((id) => Promise.resolve(known.has(id))) })
    const verify = createVerifier(SECRET, { ...at, claims: Async })
    const answer = verify(sign({ tenantId: 't-1' }))
    expect(answer).toBeInstanceOf(Promise)
    await expect(answer).resolves.toEqual({ tenantId: 't-1' })
    const refused = verify(sign({ tenantId: 't-2' }))
    expect(refused).toBeInstanceOf(Promise)
    expect(await refusal(() => refused)).toEqual({
      code: 'claim_invalid',
      claim: 'tenantId',
      message: 'tenantId claim is invalid',
    })
  })
})

describe('claims: a valibot schema', () => {
  const Claims = v.object({
    tenantId: v.string(),
    roles: v.array(v.picklist(['admin', 'user'])),
    since: v.pipe(
      v.number(),
      v.transform((seconds) => new Date(seconds * 1000)),
    ),
  })

  test('a synchronous schema keeps the verifier synchronous, and its output is the result', () => {
    const claims = createVerifier(SECRET, { ...at, claims: Claims })(
      sign({ tenantId: 't', roles: ['admin'], since: NOW }),
    )
    expect(claims).toEqual({ tenantId: 't', roles: ['admin'], since: NOW_DATE })
  })

  test("valibot's own messages quote the value; ours never do", async () => {
    const verify = createVerifier(SECRET, { ...at, claims: Claims })
    const result = Claims['~standard'].validate({ tenantId: 't', roles: [MARKER], since: NOW })
    expect(JSON.stringify(result)).toContain(MARKER)
    expect(
      await refusal(() => verify(sign({ tenantId: 't', roles: [MARKER], since: NOW }))),
    ).toEqual({
      code: 'claim_invalid',
      claim: 'roles',
      message: 'roles[0] claim is invalid',
    })
  })

  test('an async schema makes every answer a promise, refusals before the schema included', async () => {
    const Async = v.objectAsync({
      tenantId: v.pipeAsync(
        v.string(),
        v.checkAsync((id) => Promise.resolve(id === 't-1')),
      ),
    })
    const verify = createVerifier(SECRET, { ...at, claims: Async })
    await expect(verify(sign({ tenantId: 't-1' }))).resolves.toEqual({ tenantId: 't-1' })
    expect(await refusal(() => verify(sign({ tenantId: MARKER })))).toEqual({
      code: 'claim_invalid',
      claim: 'tenantId',
      message: 'tenantId claim is invalid',
    })
    const forged = verify(createToken({ secret: 'another-secret-0123456789abcdefghijklmno' }))
    expect(forged).toBeInstanceOf(Promise)
    expect(await refusal(() => forged)).toMatchObject({ code: 'signature_invalid' })
  })
})

describe('claims: where the schema runs', () => {
  test('after the signature and every claim rule: a refused token never reaches it', async () => {
    const schema = schemaOf((value) => ({ value }))
    const verify = createVerifier(SECRET, { ...at, audience: 'api', claims: schema })
    const tries = [
      createToken({ secret: 'another-secret-0123456789abcdefghijklmno' }),
      signToken({ aud: 'api' }, SECRET, { currentDate: new Date((NOW - 3600) * 1000) }),
      sign({ aud: 'other' }),
    ]
    const codes = await Promise.all(
      tries.map(async (token) => (await refusal(() => verify(token))).code),
    )
    expect(codes).toEqual(['signature_invalid', 'token_expired', 'claim_invalid'])
    expect(schema.calls).toBe(0)
    expect(verify(sign({ aud: 'api' }))).toMatchObject({ aud: 'api' })
    expect(schema.calls).toBe(1)
  })

  test('a cached token still goes through the schema, and gets its output each time', () => {
    let n = 0
    const schema = schemaOf((value) => ({ value: { ...(value as object), seen: ++n } }))
    const verify = createVerifier(SECRET, { ...at, cache: { max: 10 }, claims: schema })
    const token = sign({ sub: 'alice' })
    expect(verify(token)).toMatchObject({ sub: 'alice', seen: 1 })
    expect(verify(token)).toMatchObject({ sub: 'alice', seen: 2 })
    expect(schema.calls).toBe(2)
  })

  test('with a remote key set the verifier stays asynchronous and validates last', async () => {
    const provider: Provider = await startProvider()
    try {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519')
      provider.serve(exportJwks([{ kid: 'k', key: publicKey, alg: 'EdDSA' }]))
      const token = signToken({ tenantId: 't-1' }, privateKey, {
        ...at,
        algorithm: 'EdDSA',
        keyId: 'k',
      })
      const jwks = remoteKeySet(provider.url)
      const verify = createVerifier(jwks, {
        ...at,
        claims: z.object({ tenantId: z.literal('t-1') }),
      })
      await expect(verify(token)).resolves.toEqual({ tenantId: 't-1' })
      const other = signToken({ tenantId: 't-2' }, privateKey, {
        ...at,
        algorithm: 'EdDSA',
        keyId: 'k',
      })
      expect(await refusal(() => verify(other))).toMatchObject({
        message: 'tenantId claim is invalid',
      })
    } finally {
      await provider.close()
    }
  })

  test('a thenable that is not a Promise is awaited all the same', async () => {
    const schema = schemaOf((value) => ({
      then: (resolve: (result: unknown) => void) => resolve({ value }),
    }))
    const answer = verifyToken(sign({ sub: 'a' }), SECRET, { ...at, claims: schema })
    expect(answer).toBeInstanceOf(Promise)
    await expect(answer).resolves.toMatchObject({ sub: 'a' })
  })

  test('a symbol, or a segment of no known kind, in a path is shown as ?', async () => {
    const paths = [[Symbol('s')], [{ key: 'outer' }, { key: Symbol('inner') }], [2.5]]
    const messages = await Promise.all(
      paths.map(async (path) => {
        const schema = schemaOf(() => ({ issues: [{ message: MARKER, path }] }))
        return (await refusal(() => verifyToken(sign({}), SECRET, { ...at, claims: schema })))
          .message
      }),
    )
    expect(messages).toEqual([
      '? claim is invalid',
      'outer.? claim is invalid',
      '? claim is invalid',
    ])
  })

  test('issues that are empty, or carry no path, still refuse the token', async () => {
    for (const issues of [[], [{ message: MARKER }], 'not an array']) {
      const schema = schemaOf(() => ({ issues }))
      expect(await refusal(() => verifyToken(sign({}), SECRET, { ...at, claims: schema }))).toEqual(
        {
          code: 'claim_invalid',
          claim: undefined,
          message: 'claims are invalid',
        },
      )
    }
  })
})

describe('claims: a broken or throwing schema fails closed, as a server error', () => {
  test('a validator that throws: its own error, unchanged', () => {
    const bug = new Error('schema bug')
    const schema = schemaOf(() => {
      throw bug
    })
    expect(thrown(() => verifyToken(sign({}), SECRET, { ...at, claims: schema }))).toBe(bug)
  })

  test('a validator that rejects: its own error, unchanged', async () => {
    const bug = new Error('async schema bug')
    const schema = schemaOf(() => Promise.reject(bug))
    await expect(verifyToken(sign({}), SECRET, { ...at, claims: schema })).rejects.toBe(bug)
  })

  test.each([
    [
      'nothing',
      undefined,
      'express-jwt-gate: the claims schema returned neither { value } nor { issues }',
    ],
    [
      'a string',
      'ok',
      'express-jwt-gate: the claims schema returned neither { value } nor { issues }',
    ],
    [
      'no value',
      {},
      'express-jwt-gate: the claims schema must produce an object, which becomes req.user',
    ],
    [
      'a value that is not an object',
      { value: 42 },
      'express-jwt-gate: the claims schema must produce an object, which becomes req.user',
    ],
  ])('a validator that returns %s', (_name, result, message) => {
    const schema = schemaOf(() => result)
    const err = thrown(() => verifyToken(sign({}), SECRET, { ...at, claims: schema }))
    expect(err).toBeInstanceOf(JwtSetupError)
    expect(err).toMatchObject({ option: 'claims', message })
  })
})

describe('claims: checked at setup', () => {
  const hint =
    "express-jwt-gate: claims must be a Standard Schema v1 validator (zod, valibot, arktype, …): an object or function whose ['~standard'] has version 1 and a validate function"

  test.each([
    ['a string', 'tenantId'],
    ['null', null],
    ['an object without ~standard', { parse: () => ({}) }],
    ['~standard that is not an object', { '~standard': 1 }],
    ['another version', { '~standard': { version: 2, validate: () => ({ value: {} }) } }],
    ['no validate function', { '~standard': { version: 1, validate: 'x' } }],
  ])('%s is refused', (_name, claims) => {
    expect(setupFailure(() => createVerifier(SECRET, { claims } as never))).toEqual({
      option: 'claims',
      message: hint,
    })
  })

  test('a function carrying ~standard (as arktype makes them) is accepted', () => {
    const type = Object.assign(() => undefined, {
      '~standard': {
        version: 1 as const,
        vendor: 'arktype-like',
        validate: (value: unknown) => ({ value: { ...(value as object), checked: true } }),
      },
    })
    expect(verifyToken(sign({ sub: 'a' }), SECRET, { ...at, claims: type })).toMatchObject({
      sub: 'a',
      checked: true,
    })
  })
})
