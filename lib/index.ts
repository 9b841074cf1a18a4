export { signToken } from './sign'
export { createVerifier, verifyToken } from './verify'
export { decodeToken } from './decode'
export { generateSecret } from './secret'
export { jwtAuth } from './middleware'
export { requireAnyFeature, requireFeature, requireScope } from './guard'
export { authErrorHandler } from './error-handler'
export { exportJwks, jwksHandler } from './jwks'
export { remoteKeySet } from './remote'
export {
  CredentialsMissingError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  JWT_AUTH_ERROR_CODES,
  JwtAuthError,
} from './errors'

export type { CacheOptions } from './cache'
export type { BearerErrorAttribute, JwtAuthErrorCode } from './errors'
export type { DecodedToken } from './decode'
export type { AuthErrorBody } from './error-handler'
export type { GuardArguments, GuardOptions } from './guard'
export type { JwtAuthOptions, TokenSource } from './middleware'
export type { Duration } from './duration'
export type { Algorithm, AsymmetricAlgorithm, HmacAlgorithm } from './algorithms'
export type { AsymmetricKey } from './asymmetric'
export type { Jwk, JwkSet } from './jwk'
export type { JwksHandlerOptions } from './jwks'
export type { KeyRing, KeySource, RingKey } from './keys'
export type { RemoteKeySet, RemoteKeySetOptions } from './remote'
export type { Secret } from './symmetric'
export type { SignOptions } from './sign'
export type { JwtClaims, JwtHeader, JwtPayload, JwtUser } from './types'
export type { AsyncVerifier, Verifier, VerifyOptions } from './verify'
