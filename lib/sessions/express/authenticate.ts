import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { JwtAuthError } from '../../core/errors'
import { optionNames, readFunction, readOptions, type OptionList } from '../../core/options'
import { jwtAuth, type JwtAuthOptions } from '../../express/middleware'
import { readRealm } from '../../express/realm'
import { refusalHandler, type FailureHook } from '../../express/refuse'
import type { Lifecycle } from '../lifecycle'

/**
 * Options of `sessions.authenticate()`: how the middleware finds the token and what it
 * does with the result, as for `jwtAuth`. The verification options are the sessions'
 * own, set once on `createSessions`.
 *
 * @example
 * ```ts
 * import type { AuthenticateOptions } from 'express-jwt-gate'
 * const options: AuthenticateOptions = { realm: 'api', onFailure: (err) => metrics.count(err.code) }
 * app.use(sessions.authenticate(options))
 * ```
 */
export type AuthenticateOptions = Pick<
  JwtAuthOptions,
  'credentialsRequired' | 'getToken' | 'requestProperty' | 'isRevoked' | 'realm' | 'onFailure'
>

const OPTION_NAMES = optionNames({
  credentialsRequired: true,
  getToken: true,
  requestProperty: true,
  isRevoked: true,
  realm: true,
  onFailure: true,
} satisfies OptionList<AuthenticateOptions>)

/**
 * `jwtAuth` over the sessions' key and options, with the revocation check after the
 * signature and claims: the same outcomes, plus 401 `token_revoked`, 401 `token_stale`
 * and 503 `revocation_unavailable` (with `Retry-After`). The check reads state the
 * store keeps current: synchronous, no I/O per request.
 */
export function authenticate(lifecycle: Lifecycle, options?: AuthenticateOptions): RequestHandler {
  const o = readOptions<AuthenticateOptions>(options, OPTION_NAMES, 'authenticate')
  const realm = readRealm(o.realm)
  const onFailure = readFunction<FailureHook>(o.onFailure, 'onFailure')
  const property = o.requestProperty ?? 'user'
  const verify = jwtAuth(lifecycle.setup.secret, { ...lifecycle.setup.verifyOptions, ...o })

  const refuse = refusalHandler(realm, onFailure)

  return function sessionAuth(req: Request, res: Response, next: NextFunction): void {
    const fields = req as unknown as Record<string, unknown>
    const before = fields[property]
    verify(req, res, (error?: unknown) => {
      if (error !== undefined) return next(error)
      const payload = fields[property]
      // Nothing was verified: no credentials, and credentialsRequired is false.
      if (payload === before || typeof payload !== 'object' || payload === null) return next()
      let refusal: JwtAuthError | undefined
      try {
        refusal = lifecycle.check(payload as Record<string, unknown>)
      } catch (checkError) {
        refusal = checkError as JwtAuthError
      }
      if (refusal !== undefined) {
        // The payload of a refused token is no one's identity.
        delete fields[property]
        return refuse(req, next, refusal)
      }
      const { claimsCheck } = lifecycle.setup
      if (claimsCheck === undefined) return next()
      // The schema last: its output is what handlers see.
      const validated = (output: object) => {
        fields[property] = output
        next()
      }
      const invalid = (schemaError: unknown) => {
        delete fields[property]
        if (schemaError instanceof JwtAuthError) refuse(req, next, schemaError)
        else next(schemaError)
      }
      let output: object | Promise<object>
      try {
        output = claimsCheck.run(payload as Record<string, unknown>)
      } catch (schemaError) {
        return invalid(schemaError)
      }
      if (output instanceof Promise) output.then(validated, invalid)
      else validated(output)
    })
  }
}
