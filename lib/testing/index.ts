/**
 * Tokens for an application's own test suite: valid ones for any claims, and the bad
 * ones an attacker or a clock would send, each refused by the app's own key for exactly
 * one reason. The keys are made fresh in every process, so nothing signed here is valid
 * anywhere else. For tests only: never import it from production code.
 *
 * @example
 * ```ts
 * import request from 'supertest'
 * import { expiredToken, mintToken, testSecret } from 'express-jwt-gate/testing'
 *
 * const app = createApp(testSecret)
 * await request(app).get('/me').set('Authorization', `Bearer ${mintToken({ sub: 'alice' })}`).expect(200)
 * await request(app).get('/me').set('Authorization', `Bearer ${expiredToken()}`).expect(401)
 * ```
 *
 * @packageDocumentation
 * @module express-jwt-gate/testing
 */
export { testKeyPair, testSecret } from './keys'
export {
  expiredToken,
  mintToken,
  noneAlgToken,
  notYetValidToken,
  tamperedToken,
  wrongKeyToken,
} from './tokens'

export type { TestKey, TestKeyPair } from './keys'
export type { MintOptions, TamperOptions } from './tokens'
