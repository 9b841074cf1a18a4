export { signToken } from './sign'
export { createVerifier, verifyToken } from './verify'
export { decodeToken } from './decode'
export { generateSecret } from './secret'
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
export type { Algorithm, HmacAlgorithm, Secret } from './symmetric'
export type { SignOptions } from './sign'
export type { JwtClaims, JwtHeader, JwtPayload } from './types'
export type { Verifier, VerifyOptions } from './verify'
