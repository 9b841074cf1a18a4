import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express'
import { JwtAuthError } from '../core/errors'

/**
 * The JSON body {@link authErrorHandler} sends: the RFC 6750 `error` attribute (absent
 * when no credentials were sent, as in the challenge), the description, and the
 * package's machine code.
 *
 * @example
 * ```ts
 * import type { AuthErrorBody } from 'express-jwt-gate'
 * const body: AuthErrorBody = { error: 'invalid_token', error_description: 'token expired', code: 'token_expired' }
 * ```
 */
export interface AuthErrorBody {
  /** The RFC 6750 (or RFC 6749) `error` attribute; absent, as in the challenge, when no credentials were sent. */
  error?: string
  /** The error's message: short, and it never contains the token. */
  error_description: string
  /** The {@link JwtAuthErrorCode}, finer than `error`: what a client switches on. */
  code: string
}

/**
 * An Express error handler that renders this package's errors as JSON with the right
 * status and `WWW-Authenticate` header, and passes every other error on untouched.
 * Register it after your routes. (Without it, Express's default handler still sends
 * the right status and challenge, with an HTML body.)
 *
 * @example
 * ```ts
 * import { authErrorHandler, jwtAuth } from 'express-jwt-gate'
 * app.use(jwtAuth(process.env.JWT_SECRET!))
 * app.get('/me', (req, res) => res.json(req.user))
 * app.use(authErrorHandler())
 * // 401 {"error":"invalid_token","error_description":"token expired","code":"token_expired"}
 * ```
 */
export function authErrorHandler(): ErrorRequestHandler {
  return function renderAuthError(err: unknown, _req: Request, res: Response, next: NextFunction) {
    if (!(err instanceof JwtAuthError) || res.headersSent) return next(err)
    const body: AuthErrorBody =
      err.error === undefined
        ? { error_description: err.message, code: err.code }
        : { error: err.error, error_description: err.message, code: err.code }
    res.status(err.status).set(err.headers).json(body)
  }
}
