// Compile-only type test: `npm run typecheck` fails if a line here stops holding.
// It is never run. `@types/passport` is in the same program on purpose: it also
// declares `req.user`, and the two declarations must merge.
/// <reference types="passport" />
import express from 'express'
import { generateKeyPairSync } from 'node:crypto'
import {
  createVerifier,
  jwtAuth,
  remoteKeySet,
  requireFeature,
  signToken,
  verifyToken,
} from 'express-jwt-gate'
import type { AsyncVerifier, JwtClaims, JwtUser, KeyRing, Verifier } from 'express-jwt-gate'

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
