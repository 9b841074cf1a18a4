/**
 * The ways {@link decodeToken} can refuse a string. They are the server's codes for the
 * same input, so one `switch` serves both sides: `token_malformed` for anything that is
 * not three canonical base64url segments of UTF-8 JSON objects, `header_invalid` for a
 * header whose `alg` (or `kid`) is not a string.
 *
 * @example
 * ```ts
 * import type { TokenDecodeErrorCode } from 'express-jwt-gate/client'
 * const code: TokenDecodeErrorCode = 'token_malformed'
 * ```
 */
export type TokenDecodeErrorCode = 'token_malformed' | 'header_invalid'

/**
 * What the decoding helpers throw for a string that is not a well-formed token. The
 * message names the part and the rule, never the token.
 *
 * @example
 * ```ts
 * import { decodeToken, TokenDecodeError } from 'express-jwt-gate/client'
 * try {
 *   decodeToken('not.a.token')
 * } catch (err) {
 *   if (err instanceof TokenDecodeError) console.log(err.code) // 'token_malformed'
 * }
 * ```
 */
export class TokenDecodeError extends Error {
  /** `'TokenDecodeError'`, for stack traces and logs. */
  override name = 'TokenDecodeError'
  /** The stable machine code, the same one the server's `decodeToken` gives. */
  readonly code: TokenDecodeErrorCode

  constructor(code: TokenDecodeErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

/** Throw a {@link TokenDecodeError}; reads as one line at each rule. */
export function fail(code: TokenDecodeErrorCode, message: string): never {
  throw new TokenDecodeError(code, message)
}

/** `express-jwt-gate: …` TypeError for a programmer mistake, as the server package throws. */
export function setupError(message: string): TypeError {
  return new TypeError(`express-jwt-gate: ${message}`)
}
