import request from 'supertest'
import * as v from 'valibot'
import { z } from 'zod'
import { CredentialsMissingError, authErrorHandler, jwtAuth, signToken } from 'express-jwt-gate'
import type { StandardSchemaV1 } from 'express-jwt-gate'
import { EXPRESS_VERSIONS, failOnUnhandledRejections, traceApp } from '../helpers/apps'
import { SECRET } from '../helpers/tokens'

failOnUnhandledRejections()

/** Stands for whatever a token carries: no response may echo it. */
const MARKER = 'value-from-the-token-8675309'
const bearer = (claims: Record<string, unknown>) => `Bearer ${signToken(claims, SECRET)}`

const Tenant = z.object({
  tenantId: z.string().startsWith('t-'),
  userId: z.coerce.number(),
  licensedFeatures: z.array(z.string()).default([]),
})

const knownTenants = new Set(['t-1'])
const AsyncTenant = v.objectAsync({
  tenantId: v.pipeAsync(
    v.string(),
    v.checkAsync((id) => Promise.resolve(knownTenants.has(id))),
  ),
})

const ZodAsyncTenant = z.object({
  tenantId: z.string().refine((id) => Promise.resolve(knownTenants.has(id))),
})
const ValibotTenant = v.object({ tenantId: v.pipe(v.string(), v.startsWith('t-')) })

/** A schema whose validate fails the way `fail` says: a throw or a rejection. */
function brokenSchema(bug: Error, how: 'throws' | 'rejects'): StandardSchemaV1<unknown, object> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: () => {
        if (how === 'throws') throw bug
        return Promise.reject(bug)
      },
    },
  }
}

describe.each(EXPRESS_VERSIONS)('jwtAuth with a claims schema on %s', (_version, express) => {
  test.each([
    ['zod, synchronous', Tenant, { tenantId: 't-1', userId: 7, licensedFeatures: [] }],
    ['zod, asynchronous', ZodAsyncTenant, { tenantId: 't-1' }],
    ['valibot, synchronous', ValibotTenant, { tenantId: 't-1' }],
    ['valibot, asynchronous', AsyncTenant, { tenantId: 't-1' }],
  ])('%s: req.user is the schema output', async (_name, claims, expected) => {
    const { app, trace } = traceApp(express, [jwtAuth(SECRET, { claims })])
    const res = await request(app)
      .get('/')
      .set('Authorization', bearer({ tenantId: 't-1', userId: '7', extra: MARKER }))
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ user: expected })
    expect(trace.users).toEqual([expected])
  })

  test.each([
    ['zod, synchronous', Tenant],
    ['zod, asynchronous', ZodAsyncTenant],
    ['valibot, synchronous', ValibotTenant],
    ['valibot, asynchronous', AsyncTenant],
  ])(
    '%s: a refused payload is 401 claim_invalid, naming the claim, not the value',
    async (_name, claims) => {
      const { app, trace } = traceApp(express, [jwtAuth(SECRET, { claims })], {
        errorHandler: authErrorHandler(),
      })
      const res = await request(app)
        .get('/')
        .set('Authorization', bearer({ tenantId: MARKER, userId: 1 }))
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="tenantId claim is invalid"',
      )
      expect(res.body).toEqual({
        error: 'invalid_token',
        error_description: 'tenantId claim is invalid',
        code: 'claim_invalid',
      })
      expect(JSON.stringify(res.headers)).not.toContain(MARKER)
      expect(trace.handled).toBe(0)
      expect(trace.errors[0]).toMatchObject({ code: 'claim_invalid', claim: 'tenantId' })
    },
  )

  test.each(['throws', 'rejects'] as const)(
    'a validator that %s is a server error passed on unchanged: never a pass, never a 401',
    async (how) => {
      const bug = new Error('schema bug')
      const { app, trace } = traceApp(express, [
        jwtAuth(SECRET, { claims: brokenSchema(bug, how) }),
      ])
      const res = await request(app)
        .get('/')
        .set('Authorization', bearer({ tenantId: 't-1' }))
      expect(res.status).toBe(500)
      expect(trace.handled).toBe(0)
      expect(trace.errors).toEqual([bug])
    },
  )

  test('isRevoked gets the schema output', async () => {
    const seen: unknown[] = []
    const auth = jwtAuth(SECRET, {
      claims: Tenant,
      isRevoked: (user) => {
        seen.push(user)
        return Promise.resolve(user.userId === 13)
      },
    })
    const { app } = traceApp(express, [auth])
    expect(
      (
        await request(app)
          .get('/')
          .set('Authorization', bearer({ tenantId: 't-1', userId: '12' }))
      ).status,
    ).toBe(200)
    expect(
      (
        await request(app)
          .get('/')
          .set('Authorization', bearer({ tenantId: 't-1', userId: '13' }))
      ).status,
    ).toBe(401)
    expect(seen).toEqual([
      { tenantId: 't-1', userId: 12, licensedFeatures: [] },
      { tenantId: 't-1', userId: 13, licensedFeatures: [] },
    ])
  })

  describe('auth.userOf(req)', () => {
    test('returns what this middleware verified, wherever requestProperty put it', async () => {
      const auth = jwtAuth(SECRET, { claims: Tenant, requestProperty: 'auth' })
      const app = express()
      app.get('/', auth, (req, res) => {
        res.json({
          fromUserOf: auth.userOf(req),
          onReqAuth: (req as unknown as { auth: unknown }).auth,
        })
      })
      const res = await request(app)
        .get('/')
        .set('Authorization', bearer({ tenantId: 't-1', userId: 3 }))
      const user = { tenantId: 't-1', userId: 3, licensedFeatures: [] }
      expect(res.body).toEqual({ fromUserOf: user, onReqAuth: user })
    })

    test('is not fooled by what another middleware left on req.user', async () => {
      const auth = jwtAuth(SECRET, { claims: Tenant })
      const other = jwtAuth(SECRET)
      const app = express()
      app.get('/', other, (req, res) => {
        res.json(auth.userOf(req))
      })
      app.use(authErrorHandler())
      const res = await request(app)
        .get('/')
        .set('Authorization', bearer({ tenantId: 't-1', userId: 3 }))
      expect(res.status).toBe(401)
      expect(res.body).toEqual({
        error_description: 'authentication required',
        code: 'credentials_missing',
      })
    })

    test('throws a 401 with the realm when credentials were optional and absent', async () => {
      const auth = jwtAuth(SECRET, { claims: Tenant, credentialsRequired: false, realm: 'api' })
      const app = express()
      let error: unknown
      app.get('/', auth, (req, res) => {
        try {
          auth.userOf(req)
        } catch (err) {
          error = err
          throw err
        }
        res.end()
      })
      const res = await request(app).get('/')
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"')
      expect(error).toBeInstanceOf(CredentialsMissingError)
    })
  })
})
