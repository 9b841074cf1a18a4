// Compile-only type test: `npm run typecheck` fails if a line here stops holding.
// It is never run. `@types/passport` is in the same program on purpose: it also
// declares `req.user`, and the two declarations must merge.
/// <reference types="passport" />
import express from 'express'
import { createVerifier, jwtAuth, requireFeature, verifyToken } from 'express-jwt-gate'
import type { JwtClaims, JwtUser } from 'express-jwt-gate'

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
