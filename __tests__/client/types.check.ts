// Compile-only type test: `npm run typecheck` fails if a line here stops holding.
// It is never run.
import type * as server from 'express-jwt-gate'
import { createAuthClient, decodeToken } from 'express-jwt-gate/client'
import type * as client from 'express-jwt-gate/client'

/** True only when A and B are the same type. */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<T extends true>(_proof?: T): void {}

// The client declares the server's token shapes again (it imports no server module):
// they must stay the same types.
assertType<Equal<client.JwtHeader, server.JwtHeader>>()
assertType<Equal<client.JwtPayload, server.JwtPayload>>()
assertType<Equal<client.DecodedToken, server.DecodedToken>>()

// decodeToken's type parameter describes the payload; the default is JwtPayload.
export const decoded = decodeToken('e30.e30.e30')
assertType<Equal<typeof decoded.payload, client.JwtPayload>>()
assertType<Equal<ReturnType<typeof decodeToken<{ n: number }>>['payload'], { n: number }>>()

// The global fetch is a valid option, and client.fetch has fetch's shape.
const auth = createAuthClient({
  refreshUrl: 'https://x.test/auth/refresh',
  fetch: globalThis.fetch,
})
assertType<Equal<Awaited<ReturnType<typeof auth.fetch>>, Response>>()
assertType<Equal<ReturnType<typeof auth.token>, string | undefined>>()

// setTokens takes both shapes, and nothing that lacks the access token.
auth.setTokens({ access_token: 'a', token_type: 'Bearer', expires_in: 900, refresh_token: 'r' })
auth.setTokens({ accessToken: 'a', tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 86400 })
// @ts-expect-error no access token
auth.setTokens({ token_type: 'Bearer', expires_in: 900 })

// @ts-expect-error credentials is fetch's own union
createAuthClient({ refreshUrl: '/auth/refresh', credentials: 'cookies' })
// @ts-expect-error refreshUrl is required
createAuthClient({ logoutUrl: '/auth/logout' })
