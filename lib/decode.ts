import { fail } from './core/errors'
import { checkHeaderShape, decodeJsonObject, splitToken } from './core/jws'
import type { JwtHeader, JwtPayload } from './core/types'

/**
 * The parts of a token that {@link decodeToken} returns. Nothing in it is verified.
 *
 * @example
 * ```ts
 * import type { DecodedToken } from 'express-jwt-gate'
 * const show = ({ header, payload }: DecodedToken) => `${header.alg} ${String(payload.sub)}`
 * ```
 */
export interface DecodedToken {
  /** The JOSE header, unverified: `alg` a string, `kid` a string when present. */
  header: JwtHeader
  /** The claims, unverified: anyone can write any payload. */
  payload: JwtPayload
}

/**
 * Read a token's header and payload **without verifying anything**. The result is
 * untrusted: anyone can write any payload. Use it in clients and for debugging,
 * never for an access decision (use {@link verifyToken} for that). Bad structure
 * throws the same `token_malformed` {@link InvalidTokenError} as verification.
 *
 * @example
 * ```ts
 * import { decodeToken } from 'express-jwt-gate'
 * const { header, payload } = decodeToken(token)
 * console.log(header.alg, new Date((payload.exp ?? 0) * 1000))
 * ```
 */
export function decodeToken(token: string): DecodedToken {
  if (typeof token !== 'string') fail('token_malformed', 'token must be a string')
  const { firstDot, secondDot } = splitToken(token)
  return {
    header: checkHeaderShape(decodeJsonObject(token, 0, firstDot, 'header')),
    payload: decodeJsonObject(token, firstDot + 1, secondDot, 'payload'),
  }
}
