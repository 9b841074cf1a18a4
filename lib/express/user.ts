import type { JwtClaims } from '../core/types'

/**
 * The verified payload as route handlers see it on `req.user`. By default every
 * claim is `unknown` except the registered ones, `licensedFeatures` (`string[]`) and
 * `scope` (`string`). Describe your own claims by augmenting this one interface; no
 * casts are needed in handlers afterwards. It lives on `Express.User`, the same type
 * `@types/passport` gives `req.user`, so the two coexist in one program.
 *
 * @example
 * ```ts
 * declare module 'express-jwt-gate' {
 *   interface JwtUser {
 *     userId: number
 *   }
 * }
 * app.get('/me', (req, res) => res.json({ id: req.user?.userId })) // number | undefined
 * ```
 */
export interface JwtUser extends JwtClaims {
  /** The features a token licenses, read by `requireFeature` and `requireAnyFeature`. */
  licensedFeatures?: string[]
  /** OAuth scopes, space-separated, read by `requireScope`. */
  scope?: string
  [claim: string]: unknown
}

declare global {
  // Express's own types declare these interfaces in the global `Express` namespace for
  // exactly this kind of merging.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends JwtUser {}
    interface Request {
      /** The verified token payload, set by `jwtAuth` (with the default `requestProperty`). */
      user?: User | undefined
    }
  }
}
