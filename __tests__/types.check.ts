// Compile-only type test: `npm run typecheck` fails if a line here stops holding.
// It is never run. `@types/passport` is in the same program on purpose: it also
// declares `req.user`, and the two declarations must merge.
/// <reference types="passport" />
import express from 'express'
import type { Request } from 'express'
import { generateKeyPairSync } from 'node:crypto'
import * as v from 'valibot'
import { z } from 'zod'
import {
  createSigner,
  createVerifier,
  jwtAuth,
  remoteKeySet,
  requireAnyFeature,
  requireFeature,
  requireScope,
  signToken,
  verifyToken,
} from 'express-jwt-gate'
import type {
  AsyncVerifier,
  Duration,
  FeatureName,
  InferClaims,
  JwtAuthHandler,
  JwtClaims,
  JwtUser,
  KeyRing,
  MaybeAsyncVerifier,
  SchemaMode,
  UserFor,
  Verifier,
  VerifyOptions,
} from 'express-jwt-gate'
import { mintToken, testKeyPair, testSecret } from 'express-jwt-gate/testing'
import type { MintOptions, TestKeyPair } from 'express-jwt-gate/testing'

/** True only when A and B are the same type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<T extends true>(_proof?: T): void {}

// A user's augmentation of the one exported interface.
declare module 'express-jwt-gate' {
  interface JwtUser {
    tenantId: string
  }
}

const app = express()
app.use(jwtAuth('x'.repeat(32)))
app.get('/invoices', requireFeature('invoicing'), (req, res) => {
  // By default licensedFeatures is string[] | undefined, with no cast.
  assertType<Equal<typeof req.user, Express.User | undefined>>()
  const features = req.user?.licensedFeatures
  assertType<Equal<typeof features, string[] | undefined>>()
  // The augmentation is visible in handlers.
  const tenant = req.user?.tenantId
  assertType<Equal<typeof tenant, string | undefined>>()
  void tenant
  // Registered claims keep their types; unknown claims are unknown, not any.
  assertType<
    Equal<
      typeof req.user extends undefined ? never : NonNullable<typeof req.user>['exp'],
      number | undefined
    >
  >()
  const other = req.user?.somethingElse
  assertType<Equal<typeof other, unknown>>()
  void other
  res.json(features)
})

// passport's own view of req.user is the same type.
declare const passportRequest: Express.Request
const fromPassport: Express.User | undefined = passportRequest.user
void fromPassport

// verifyToken<MyClaims>() returns MyClaims & JwtClaims.
interface MyClaims {
  userId: number
}
const claims = verifyToken<MyClaims>('token', 'secret')
assertType<Equal<typeof claims, MyClaims & JwtClaims>>()
const verify = createVerifier<MyClaims>('secret')
assertType<Equal<ReturnType<typeof verify>, MyClaims & JwtClaims>>()
void [claims, verify]

// isRevoked receives the typed user.
jwtAuth('secret', {
  isRevoked: (payload) => {
    assertType<Equal<typeof payload, JwtUser>>()
    return payload.tenantId === ''
  },
})

// A missing secret is a compile error too.
// @ts-expect-error the secret is required
jwtAuth()

// Keys: a ring or a public key keeps verification synchronous; a remote set makes it a
// promise, and the types say which, so an `await` is never forgotten or needless.
const { privateKey, publicKey } = generateKeyPairSync('ed25519')
const ring: KeyRing = [{ kid: 'k1', key: privateKey, alg: 'EdDSA' }]
const jwks = remoteKeySet('https://auth.example.com/.well-known/jwks.json')
const fromRing = createVerifier(ring)
assertType<Equal<typeof fromRing, Verifier>>()
const fromPublicKey = verifyToken<MyClaims>('t', publicKey, { algorithms: ['EdDSA'] })
assertType<Equal<typeof fromPublicKey, MyClaims & JwtClaims>>()
const fromRemote = createVerifier<MyClaims>(jwks)
assertType<Equal<typeof fromRemote, AsyncVerifier<MyClaims>>>()
const remoteClaims = verifyToken<MyClaims>('t', jwks)
assertType<Equal<typeof remoteClaims, Promise<MyClaims & JwtClaims>>>()
void [fromRing, fromPublicKey, fromRemote, remoteClaims]
app.use(jwtAuth(ring), jwtAuth(publicKey, { algorithms: ['EdDSA'] }), jwtAuth({ secret: jwks }))
signToken({ sub: 'alice' }, ring)
// @ts-expect-error a remote set holds public keys only: it cannot sign
signToken({ sub: 'alice' }, jwks)
// @ts-expect-error an algorithm this package does not implement
createVerifier('secret', { algorithms: ['ES256K'] })

// Durations: seconds as a number, or digits and one unit. The rest fails to compile.
const durations: Duration[] = [900, '15m', '2h', '90s', '7d', '1w', '0s']
void durations
// @ts-expect-error no unit: elsewhere '900' means milliseconds
createSigner('secret', { expiresIn: '900' })
// @ts-expect-error a space
createSigner('secret', { expiresIn: '15 m' })
// @ts-expect-error 'min' is no unit here
createVerifier('secret', { clockTolerance: '15min' })
// @ts-expect-error a fraction
createVerifier('secret', { maxAge: '1.5h' })
// @ts-expect-error a sign
signToken({}, 'secret', { notBefore: '-5m' })
// @ts-expect-error a plain string: check it at run time (toSeconds does), then cast
const fromEnv: Duration = process.env.TTL ?? '15m'
void fromEnv

// No Features declared in this program: every feature name is allowed, as before.
assertType<Equal<FeatureName, string>>()
app.get('/any', requireFeature('anything'), requireAnyFeature('a', 'b', { claim: 'c' }))
app.get('/scope', requireScope('invoices:write'))

// claims: the schema's output types the verifier, by what its types say about timing.
const Tenant = z.object({ tenantId: z.string(), userId: z.coerce.number() })
type Tenant = { tenantId: string; userId: number }
assertType<Equal<InferClaims<typeof Tenant>, Tenant>>()
const ValibotTenant = v.object({ tenantId: v.string() })
const AsyncTenant = v.objectAsync({
  tenantId: v.pipeAsync(
    v.string(),
    v.checkAsync(() => Promise.resolve(true)),
  ),
})
// zod declares "a result or a promise": either. valibot says which with `async`.
assertType<Equal<SchemaMode<typeof Tenant>, 'either'>>()
assertType<Equal<SchemaMode<typeof ValibotTenant>, 'sync'>>()
assertType<Equal<SchemaMode<typeof AsyncTenant>, 'async'>>()
const eitherVerify = createVerifier('secret', { claims: Tenant })
assertType<Equal<typeof eitherVerify, MaybeAsyncVerifier<Tenant>>>()
const syncVerify = createVerifier('secret', { claims: ValibotTenant })
assertType<Equal<typeof syncVerify, Verifier<{ tenantId: string }>>>()
const asyncVerify = createVerifier('secret', { claims: AsyncTenant })
assertType<Equal<typeof asyncVerify, AsyncVerifier<{ tenantId: string }>>>()
const remoteVerify = createVerifier(jwks, { claims: ValibotTenant })
assertType<Equal<typeof remoteVerify, AsyncVerifier<{ tenantId: string }>>>()
const oneCall = verifyToken('t', 'secret', { claims: ValibotTenant, audience: 'api' })
assertType<Equal<typeof oneCall, { tenantId: string } & JwtClaims>>()
void [eitherVerify, syncVerify, asyncVerify, remoteVerify, oneCall]
// A schema-less options object keeps the old overloads, and its result type.
const plain: VerifyOptions = { audience: 'api' }
const plainVerify = createVerifier<MyClaims>('secret', plain)
assertType<Equal<typeof plainVerify, Verifier<MyClaims>>>()
void plainVerify
// @ts-expect-error a type argument cannot override what the schema says
createVerifier<MyClaims>('secret', { claims: Tenant })
// @ts-expect-error a schema must produce an object, which becomes req.user
createVerifier('secret', { claims: z.string() })

// jwtAuth: handlers get the schema's type through auth.userOf(req).
const auth = jwtAuth('secret', {
  claims: Tenant,
  isRevoked: (user) => {
    assertType<Equal<typeof user, Tenant & JwtClaims>>()
    return user.userId === 0
  },
})
assertType<Equal<typeof auth, JwtAuthHandler<UserFor<typeof Tenant>>>>()
assertType<Equal<UserFor<typeof Tenant>, Tenant & JwtClaims>>()
assertType<Equal<UserFor<undefined>, JwtUser>>()
app.get('/tenant/:id', auth, (req, res) => {
  const user = auth.userOf(req)
  assertType<Equal<typeof user, Tenant & JwtClaims>>()
  // req.user is still the program-wide type: Express declares it once, for every route.
  assertType<Equal<typeof req.user, Express.User | undefined>>()
  res.json({ id: req.params.id, tenant: user.tenantId })
})
// Why userOf and not a typed Request: Express checks a handler's parameters against its
// own Request, on which user is optional, so a narrower annotation is refused.
// @ts-expect-error the handler would demand more of req than Express promises
app.get('/typed', auth, (req: Request & { user: Tenant }, res) => res.json(req.user.tenantId))
// The options form and requestProperty keep the type.
const authOnAuth = jwtAuth({ secret: 'secret', claims: Tenant, requestProperty: 'auth' })
assertType<Equal<ReturnType<typeof authOnAuth.userOf>, Tenant & JwtClaims>>()
app.use(authOnAuth)
// Without a schema userOf returns JwtUser, and jwtAuth is still a RequestHandler.
const plainAuth = jwtAuth('secret')
const asHandler: express.RequestHandler = plainAuth
assertType<Equal<ReturnType<typeof plainAuth.userOf>, JwtUser>>()
void asHandler

// The testing helpers.
const pair: TestKeyPair = testKeyPair('ES256')
const mint: MintOptions = { key: pair.publicKey, now: new Date(), expiresIn: '5m' }
const minted: string = mintToken({ sub: 'alice' }, mint)
void [minted, testSecret]
// @ts-expect-error durations are checked here too
mintToken({}, { expiresIn: '5 minutes' })
// @ts-expect-error testKeyPair makes public-key pairs; HMAC tests use testSecret
testKeyPair('HS256')
