import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { CredentialsMissingError, InsufficientScopeError, setupError } from '../core/errors'
import { grantsOf, missingGrants, type GrantShape } from './features'
import { optionNames, readOptions, type OptionList } from '../core/options'
import { readRealm, realmOf } from './realm'
import type { FeatureName } from './user'

/**
 * Options of the guards, given as a trailing object after the names.
 *
 * @example
 * ```ts
 * import { requireFeature } from 'express-jwt-gate'
 * import type { GuardOptions } from 'express-jwt-gate'
 * const options: GuardOptions = { claim: 'permissions', requestProperty: 'auth' }
 * app.get('/invoices', requireFeature('invoicing', options), handler)
 * ```
 */
export interface GuardOptions {
  /** The claim to read. Default `licensedFeatures` (`scope` for `requireScope`). */
  claim?: string
  /** Where `jwtAuth` put the payload. Default `'user'`. */
  requestProperty?: string
  /** Realm for the challenge; by default the one `jwtAuth` was given, if any. */
  realm?: string
}

/**
 * A list of names, optionally followed by {@link GuardOptions}. `Name` is `string` for
 * scopes; the feature guards take {@link FeatureName}s.
 *
 * @example
 * ```ts
 * import { requireFeature, type GuardArguments } from 'express-jwt-gate'
 * const reports: GuardArguments = ['reports:read', { claim: 'permissions' }]
 * app.get('/reports', requireFeature(...reports), handler)
 * ```
 */
export type GuardArguments<Name extends string = string> =
  Name[] | [...names: Name[], options: GuardOptions]

export const GUARD_OPTION_NAMES = optionNames({
  claim: true,
  requestProperty: true,
  realm: true,
} satisfies OptionList<GuardOptions>)

/** RFC 6750 §3 scope-token characters: printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/

function createGuard(
  guard: string,
  args: readonly unknown[],
  shape: GrantShape,
  mode: 'all' | 'any',
): RequestHandler {
  const last = args[args.length - 1]
  const hasOptions = typeof last === 'object' && last !== null
  const options = readOptions<GuardOptions>(
    hasOptions ? last : undefined,
    GUARD_OPTION_NAMES,
    guard,
  )
  const required = (hasOptions ? args.slice(0, -1) : args).map((name) => {
    // Names go into the challenge's scope attribute, which is space-separated.
    if (typeof name !== 'string' || !SCOPE_TOKEN.test(name)) {
      throw setupError(
        'names',
        `${guard}: each name must be a non-empty string of printable ASCII without spaces or quotes`,
      )
    }
    return name
  })
  if (required.length === 0) throw setupError('names', `${guard} needs at least one name`)
  const claim = options.claim ?? (shape === 'scope' ? 'scope' : 'licensedFeatures')
  if (typeof claim !== 'string' || claim === '') {
    throw setupError('claim', `${guard}: claim must be a non-empty string`)
  }
  const requestProperty = options.requestProperty ?? 'user'
  if (typeof requestProperty !== 'string' || requestProperty === '') {
    throw setupError('requestProperty', `${guard}: requestProperty must be a non-empty string`)
  }
  const realm = readRealm(options.realm)
  const code = shape === 'scope' ? 'scope_missing' : 'feature_missing'

  return function jwtGuard(req: Request, _res: Response, next: NextFunction): void {
    const user: unknown = Object.hasOwn(req, requestProperty)
      ? (req as unknown as Record<string, unknown>)[requestProperty]
      : undefined
    // Authentication comes first: with no verified user the answer is 401, not 403.
    if (user === undefined || user === null) {
      return next(new CredentialsMissingError({ realm: realm ?? realmOf(req) }))
    }
    const missing = missingGrants(grantsOf(user, claim, shape), required, mode)
    if (missing.length === 0) return next()
    next(new InsufficientScopeError({ code, missing, required, realm: realm ?? realmOf(req) }))
  }
}

/**
 * Let a request through only if its token licenses **every** named feature (the
 * `licensedFeatures` claim by default). No verified user → 401; missing features →
 * 403 `insufficient_scope`, with the error's `missing` listing them. Once
 * {@link Features} is declared, only its names compile.
 *
 * @example
 * ```ts
 * import { jwtAuth, requireFeature } from 'express-jwt-gate'
 * app.use(jwtAuth(process.env.JWT_SECRET!))
 * app.get('/invoices', requireFeature('invoicing'), (req, res) => res.json([]))
 * app.get('/reports', requireFeature('reports', { claim: 'permissions' }), handler)
 * ```
 */
export function requireFeature(...args: GuardArguments<FeatureName>): RequestHandler {
  return createGuard('requireFeature', args, 'list', 'all')
}

/**
 * Let a request through if its token licenses **at least one** of the named features.
 *
 * @example
 * ```ts
 * import { requireAnyFeature } from 'express-jwt-gate'
 * app.get('/calendar', requireAnyFeature('calendar', 'calendar-lite'), handler)
 * ```
 */
export function requireAnyFeature(...args: GuardArguments<FeatureName>): RequestHandler {
  return createGuard('requireAnyFeature', args, 'list', 'any')
}

/**
 * Let a request through only if its token's OAuth `scope` claim (a space-separated
 * string, RFC 9068 §2.2.3) grants **every** named scope.
 *
 * @example
 * ```ts
 * import { requireScope } from 'express-jwt-gate'
 * app.post('/invoices', requireScope('invoices:write'), handler)
 * ```
 */
export function requireScope(...args: GuardArguments): RequestHandler {
  return createGuard('requireScope', args, 'scope', 'all')
}
