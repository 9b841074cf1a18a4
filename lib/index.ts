export { signToken } from './sign'
export { createVerifier, verifyToken } from './verify'
export { decodeToken } from './decode'
export { generateSecret } from './secret'
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

export type { BearerErrorAttribute, JwtAuthErrorCode } from './errors'
export type { DecodedToken } from './decode'
export type { Duration } from './duration'
export type { Algorithm, AsymmetricAlgorithm, HmacAlgorithm } from './algorithms'
export type { AsymmetricKey } from './asymmetric'
export type { Jwk, JwkSet } from './jwk'
export type { JwksHandlerOptions } from './jwks'
export type { KeyRing, KeySource, RingKey } from './keys'
export type { RemoteKeySet, RemoteKeySetOptions } from './remote'
export type { Secret } from './symmetric'
export type { SignOptions } from './sign'
export type { JwtClaims, JwtHeader, JwtPayload } from './types'
export type { AsyncVerifier, Verifier, VerifyOptions } from './verify'
