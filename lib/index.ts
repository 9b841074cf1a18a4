export { signToken } from './sign'
export { createVerifier, verifyToken } from './verify'
export { decodeToken } from './decode'
export { generateSecret } from './secret'
export { jwtAuth } from './middleware'
export { requireAnyFeature, requireFeature, requireScope } from './guard'
export { authErrorHandler } from './error-handler'
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
export type { Algorithm, HmacAlgorithm, Secret } from './keys'
export type { SignOptions } from './sign'
export type { JwtClaims, JwtHeader, JwtPayload, JwtUser } from './types'
export type { Verifier, VerifyOptions } from './verify'
