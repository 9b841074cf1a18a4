import request from 'supertest'
import type { RequestHandler } from 'express'
import {
  InsufficientScopeError,
  jwtAuth,
  requireAnyFeature,
  requireFeature,
  requireScope,
  signToken,
} from 'express-jwt-gate'
import type { GuardOptions } from 'express-jwt-gate'
import { grantsOf, missingGrants } from '../../lib/express/features'
import { EXPRESS_VERSIONS, traceApp } from '../helpers/apps'
import { SECRET, thrown } from '../helpers/tokens'

const auth = (claims: Record<string, unknown>) => `Bearer ${signToken(claims, SECRET)}`
const alice = auth({ licensedFeatures: ['todos', 'calendar', 'invoicing'] })
const bob = auth({ licensedFeatures: ['todos'] })

describe.each(EXPRESS_VERSIONS)('guards on %s', (_version, express) => {
  const guarded = (...guards: RequestHandler[]) => traceApp(express, [jwtAuth(SECRET), ...guards])

  describe('requireFeature', () => {
    test('lets a token with every feature through', async () => {
      const { app, trace } = guarded(requireFeature('todos', 'invoicing'))
      expect((await request(app).get('/').set('Authorization', alice)).status).toBe(200)
      expect(trace.handled).toBe(1)
    })

    test('refuses a token missing one with 403 insufficient_scope naming what is required', async () => {
      const { app, trace } = guarded(requireFeature('todos', 'invoicing'))
      const res = await request(app).get('/').set('Authorization', bob)
      expect(res.status).toBe(403)
      expect(res.headers['www-authenticate']).toBe(
        'Bearer error="insufficient_scope", error_description="feature not licensed", scope="todos invoicing"',
      )
      expect(trace.handled).toBe(0)
      const err = trace.errors[0] as InsufficientScopeError
      expect(err).toBeInstanceOf(InsufficientScopeError)
      expect(err.code).toBe('feature_missing')
      expect(err.missing).toEqual(['invoicing'])
    })

    test('without a verified user answers 401, not 403', async () => {
      const { app, trace } = traceApp(express, [requireFeature('todos')])
      const res = await request(app).get('/')
      expect(res.status).toBe(401)
      expect(res.headers['www-authenticate']).toBe('Bearer')
      expect(trace.errors[0]).toMatchObject({ code: 'credentials_missing' })
    })

    test('after optional authentication with no credentials, answers 401', async () => {
      const { app } = traceApp(express, [
        jwtAuth(SECRET, { credentialsRequired: false }),
        requireFeature('todos'),
      ])
      expect((await request(app).get('/')).status).toBe(401)
    })

    test.each<[string, Record<string, unknown>]>([
      ['no claim', {}],
      ['a string claim (never a substring match)', { licensedFeatures: 'todos invoicing' }],
      ['a string equal to the feature', { licensedFeatures: 'invoicing' }],
      ['an array with a non-string', { licensedFeatures: ['invoicing', 1] }],
      ['another case', { licensedFeatures: ['Invoicing'] }],
      ['a longer name', { licensedFeatures: ['invoicing-pro'] }],
      ['an object', { licensedFeatures: { invoicing: true } }],
      ['null', { licensedFeatures: null }],
    ])('%s does not count', async (_name, claims) => {
      const { app } = guarded(requireFeature('invoicing'))
      const res = await request(app).get('/').set('Authorization', auth(claims))
      expect(res.status).toBe(403)
    })

    test('an inherited claim never counts', async () => {
      const { app } = traceApp(express, [
        ((req, _res, next) => {
          req.user = Object.create({ licensedFeatures: ['invoicing'] }) as Express.User
          next()
        }) as RequestHandler,
        requireFeature('invoicing'),
      ])
      expect((await request(app).get('/')).status).toBe(403)
    })

    test('reads another claim and request property when told', async () => {
      const options: GuardOptions = { claim: 'permissions', requestProperty: 'auth' }
      const { app } = traceApp(express, [
        jwtAuth(SECRET, { requestProperty: 'auth' }),
        requireFeature('invoicing', options),
      ])
      expect(
        (
          await request(app)
            .get('/')
            .set('Authorization', auth({ permissions: ['invoicing'] }))
        ).status,
      ).toBe(200)
      expect((await request(app).get('/').set('Authorization', alice)).status).toBe(403)
    })
  })

  describe('requireAnyFeature', () => {
    test('needs at least one', async () => {
      const { app } = guarded(requireAnyFeature('calendar', 'invoicing'))
      expect((await request(app).get('/').set('Authorization', alice)).status).toBe(200)
      expect(
        (
          await request(app)
            .get('/')
            .set('Authorization', auth({ licensedFeatures: ['calendar'] }))
        ).status,
      ).toBe(200)
      const { app: strict, trace } = guarded(requireAnyFeature('calendar', 'invoicing'))
      const res = await request(strict).get('/').set('Authorization', bob)
      expect(res.status).toBe(403)
      expect((trace.errors[0] as InsufficientScopeError).missing).toEqual(['calendar', 'invoicing'])
      expect(res.headers['www-authenticate']).toContain('scope="calendar invoicing"')
    })
  })

  describe('requireScope', () => {
    test('reads the space-separated scope claim and needs every scope', async () => {
      const { app, trace } = guarded(requireScope('invoices:read', 'invoices:write'))
      const both = auth({ scope: 'openid invoices:read invoices:write' })
      expect((await request(app).get('/').set('Authorization', both)).status).toBe(200)
      const one = auth({ scope: 'invoices:read' })
      const res = await request(app).get('/').set('Authorization', one)
      expect(res.status).toBe(403)
      expect(res.headers['www-authenticate']).toBe(
        'Bearer error="insufficient_scope", error_description="scope not granted", scope="invoices:read invoices:write"',
      )
      expect(trace.errors[0]).toMatchObject({ code: 'scope_missing', missing: ['invoices:write'] })
    })

    test('an array or a prefix does not count', async () => {
      const { app } = guarded(requireScope('invoices'))
      expect(
        (
          await request(app)
            .get('/')
            .set('Authorization', auth({ scope: ['invoices'] }))
        ).status,
      ).toBe(403)
      expect(
        (
          await request(app)
            .get('/')
            .set('Authorization', auth({ scope: 'invoices:read' }))
        ).status,
      ).toBe(403)
    })

    test('can read another claim', async () => {
      const { app } = guarded(requireScope('read', { claim: 'scp' }))
      expect(
        (
          await request(app)
            .get('/')
            .set('Authorization', auth({ scp: 'read write' }))
        ).status,
      ).toBe(200)
    })
  })

  describe('realm', () => {
    test("comes from jwtAuth's configuration by default", async () => {
      const { app } = traceApp(express, [
        jwtAuth(SECRET, { realm: 'api' }),
        requireFeature('invoicing'),
      ])
      const res = await request(app).get('/').set('Authorization', bob)
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer realm="api", error="insufficient_scope"/,
      )
    })

    test('can be set on the guard', async () => {
      const { app } = traceApp(express, [requireFeature('invoicing', { realm: 'guarded' })])
      expect((await request(app).get('/')).headers['www-authenticate']).toBe(
        'Bearer realm="guarded"',
      )
    })
  })
})

describe('guard setup', () => {
  test.each<[string, () => unknown, RegExp]>([
    ['no feature', () => requireFeature(), /needs at least one name/],
    ['only options', () => requireFeature({ claim: 'x' }), /needs at least one name/],
    ['an empty string', () => requireFeature(''), /each name must be/],
    ['a non-string', () => requireFeature(42 as unknown as string), /each name must be/],
    ['a space in a name', () => requireAnyFeature('a b'), /each name must be/],
    ['a quote in a scope', () => requireScope('a"b'), /each name must be/],
    [
      'an unknown option',
      () => requireFeature('a', { claims: 'x' } as GuardOptions),
      /unknown option "claims"/,
    ],
    ['an empty claim', () => requireFeature('a', { claim: '' }), /claim must be/],
    [
      'an empty requestProperty',
      () => requireFeature('a', { requestProperty: '' }),
      /requestProperty must be/,
    ],
    ['a bad realm', () => requireFeature('a', { realm: '\n' }), /realm must be/],
  ])('%s throws a TypeError with the package prefix', (_name, setup, message) => {
    const err = thrown(setup)
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toMatch(/^express-jwt-gate: /)
    expect(err.message).toMatch(message)
  })
})

describe('the pure checker', () => {
  test('grantsOf reads only own properties of the right shape', () => {
    expect(grantsOf({ f: ['a', 'b'] }, 'f', 'list')).toEqual(['a', 'b'])
    expect(grantsOf({ f: 'a b' }, 'f', 'scope')).toEqual(['a', 'b'])
    expect(grantsOf(null, 'f', 'list')).toEqual([])
    expect(grantsOf('user', 'f', 'list')).toEqual([])
    expect(grantsOf({ f: 'a' }, 'f', 'list')).toEqual([])
    expect(grantsOf({ f: ['a'] }, 'f', 'scope')).toEqual([])
  })

  test('missingGrants: all versus any', () => {
    expect(missingGrants(['a'], ['a', 'b'], 'all')).toEqual(['b'])
    expect(missingGrants(['a'], ['a', 'b'], 'any')).toEqual([])
    expect(missingGrants([], ['a', 'b'], 'any')).toEqual(['a', 'b'])
    expect(missingGrants(['a', 'b'], ['a', 'b'], 'all')).toEqual([])
  })
})
