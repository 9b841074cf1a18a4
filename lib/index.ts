export { signToken } from './sign'
export { createVerifier, verifyToken } from './verify'
export { decodeToken } from './decode'
export { generateSecret } from './keys/secret'
export { jwtAuth } from './express/middleware'
export { requireAnyFeature, requireFeature, requireScope } from './express/guard'
export { authErrorHandler } from './express/error-handler'
export { exportJwks, jwksHandler } from './express/jwks-handler'
export { remoteKeySet } from './keys/remote'
export {
  CredentialsMissingError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JWT_AUTH_ERROR_CODES,
  JwtAuthError,
} from './core/errors'

export type { CacheOptions } from './core/cache'
export type { BearerErrorAttribute, JwtAuthErrorCode } from './core/errors'
export type { DecodedToken } from './decode'
export type { AuthErrorBody } from './express/error-handler'
export type { GuardArguments, GuardOptions } from './express/guard'
export type { JwtAuthOptions, TokenSource } from './express/middleware'
export type { Duration } from './core/duration'
export type { Algorithm, AsymmetricAlgorithm, HmacAlgorithm } from './core/algorithms'
export type { AsymmetricKey } from './keys/asymmetric'
export type { Jwk, JwkSet } from './keys/jwk'
export type { JwksHandlerOptions } from './express/jwks-handler'
export type { KeyRing, KeySource, RingKey } from './keys/source'
export type { RemoteKeySet, RemoteKeySetOptions } from './keys/remote'
export type { Secret } from './keys/symmetric'
export type { SignOptions } from './sign'
export type { JwtClaims, JwtHeader, JwtPayload, JwtUser } from './core/types'
export type { AsyncVerifier, Verifier, VerifyOptions } from './verify'
