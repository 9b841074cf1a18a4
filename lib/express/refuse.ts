import type { NextFunction, Request } from 'express'
import { JwtAuthError } from '../core/errors'

/** What `onFailure` is: told every refusal, for logs and metrics; never a token. */
export type FailureHook = (error: JwtAuthError, req: Request) => void

/**
 * How the middleware hands a refusal to Express: naming the configured realm (or the
 * error's own, when none is configured), after telling `onFailure`. Anything that is not
 * a refusal goes on unchanged, and so does an error `onFailure` throws.
 */
export function refusalHandler(
  realm: string | undefined,
  onFailure: FailureHook | undefined,
): (req: Request, next: NextFunction, error: unknown) => void {
  return (req, next, error) => {
    if (!(error instanceof JwtAuthError)) return next(error)
    const refusal = error.withRealm(realm ?? error.realm)
    if (onFailure !== undefined) {
      try {
        onFailure(refusal, req)
      } catch (callbackError) {
        return next(callbackError)
      }
    }
    next(refusal)
  }
}
