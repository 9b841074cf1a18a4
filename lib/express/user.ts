import type { JwtClaims } from '../core/types'

/**
 * The registry of feature names, empty until you declare yours. Once declared,
 * `requireFeature` and `requireAnyFeature` accept only those names (a typo fails to
 * compile) and `req.user.licensedFeatures` is an array of them. Without a declaration
 * every string is allowed. Declare it in a module file (one with an `import` or
 * `export {}`), or the declaration replaces the package's types instead of adding to
 * them.
 *
 * @example
 * ```ts
 * declare module 'express-jwt-gate' {
 *   interface Features {
 *     invoicing: true
 *     todos: true
 *   }
 * }
 * ```
 */
// Empty on purpose: applications add their names to it by declaration merging.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Features {}

/**
 * A feature name: one of the names declared in {@link Features}, or any string when
 * none are declared.
 *
 * @example
 * ```ts
 * import type { FeatureName } from 'express-jwt-gate'
 * const feature: FeatureName = 'invoicing'
 * ```
 */
export type FeatureName = keyof Features extends never ? string : Extract<keyof Features, string>

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
  /**
   * The features a token licenses, read by `requireFeature` and `requireAnyFeature`:
   * the names declared in {@link Features}, or strings when none are. The type is what
   * the application declared; the token is what was signed, and the guards match
   * exact strings whatever the type says.
   */
  licensedFeatures?: FeatureName[]
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
