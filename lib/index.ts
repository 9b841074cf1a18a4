/**
 * Verify `Bearer` tokens in Express, guard routes by the features a token licenses, and
 * sign, rotate and revoke tokens, with zero runtime dependencies. Every factory checks
 * its options and prepares its keys when it is called, at startup, so that a mistake
 * stops the server there instead of failing requests later.
 *
 * @example
 * ```ts
 * import express from 'express'
 * import { authErrorHandler, jwtAuth, requireFeature } from 'express-jwt-gate'
 *
 * const app = express()
 * app.use(jwtAuth(process.env.JWT_SECRET!))
 * app.get('/invoices', requireFeature('invoicing'), (req, res) => {
 *   res.json({ owner: req.user?.sub, invoices: [] })
 * })
 * app.use(authErrorHandler())
 * ```
 *
 * @packageDocumentation
 * @module express-jwt-gate
 */
export { createSigner, signToken } from './sign'
export { createVerifier, verifyToken } from './verify'
export { decodeToken } from './decode'
export { generateSecret } from './keys/secret'
export { exportJwks } from './keys/jwks'
export { remoteKeySet } from './keys/remote'
export { jwtAuth } from './express/middleware'
export { requireAnyFeature, requireFeature, requireScope } from './express/guard'
export { authErrorHandler } from './express/error-handler'
export { jwksHandler } from './express/jwks-handler'
export { createSessions } from './sessions/express/sessions'
export { memoryStore } from './sessions/stores/memory'
export { redisStore } from './sessions/stores/redis/store'
export {
  CredentialsMissingError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JWT_AUTH_ERROR_CODES,
  JwtAuthError,
  JwtSetupError,
  RefreshTokenError,
  ServiceUnavailableError,
} from './core/errors'

export type { Algorithm, AsymmetricAlgorithm, HmacAlgorithm } from './core/algorithms'
export type { CacheOptions } from './core/cache'
export type { Duration, DurationUnit } from './core/duration'
export type {
  BearerErrorAttribute,
  InsufficientScopeErrorCode,
  InvalidTokenErrorCode,
  JwtAuthErrorCode,
  JwtAuthErrorOptions,
  OAuthErrorAttribute,
  RefreshTokenErrorCode,
  ServiceUnavailableErrorCode,
} from './core/errors'
export type {
  ClaimsSchema,
  InferClaims,
  SchemaMode,
  StandardSchemaV1,
  StandardSchemaV1Issue,
  StandardSchemaV1Options,
  StandardSchemaV1Props,
  StandardSchemaV1Result,
  StandardSchemaV1Types,
} from './core/schema'
export type { SignOptions } from './core/sign-options'
export type { Signer } from './core/signer'
export type { JwtClaims, JwtHeader, JwtPayload } from './core/types'
export type { AsyncVerifier, MaybeAsyncVerifier, SchemaVerifier, Verifier } from './core/verifier'
export type { VerifyOptions } from './core/verify-options'
export type { DecodedToken } from './decode'
export type { AsymmetricKey } from './keys/asymmetric'
export type { Jwk, JwkSet } from './keys/jwk'
export type { RemoteKeySet, RemoteKeySetOptions } from './keys/remote'
export type { KeyRing, RingKey } from './keys/ring'
export type { Secret } from './keys/secret'
export type { KeySource } from './keys/source'
export type { AuthErrorBody } from './express/error-handler'
export type { GuardArguments, GuardOptions } from './express/guard'
export type { JwksHandlerOptions } from './express/jwks-handler'
export type { JwtAuthHandler, JwtAuthOptions, TokenSource, UserFor } from './express/middleware'
export type { FeatureName, Features, JwtUser } from './express/user'
export type { AuthenticateOptions } from './sessions/express/authenticate'
export type { Sessions } from './sessions/express/sessions'
export type {
  RefreshCookieOptions,
  RefreshHandler,
  TokenEndpointOptions,
} from './sessions/express/token-endpoint'
export type { ClaimsSource, IssuedTokens, ReuseEvent, SessionsOptions } from './sessions/lifecycle'
export type { MemoryStoreOptions } from './sessions/stores/memory'
export type {
  IoRedisClientLike,
  IoRedisClusterLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  NodeRedisSentinelLike,
  RedisClientLike,
} from './sessions/stores/redis/connection'
export type { RedisStoreOptions } from './sessions/stores/redis/store'
export type {
  AccessTokenFacts,
  RevocationVerdict,
  RotateOutcome,
  SessionBackend,
  SessionKey,
  SessionStore,
  StoreSettings,
  StoreStats,
} from './sessions/store'
