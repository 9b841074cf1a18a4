import { fail, setupError } from './errors'

/*
 * The Standard Schema v1 interface (https://standardschema.dev), copied from
 * `@standard-schema/spec` as its authors intend: zod, valibot, arktype and others
 * implement it, and this package depends on none of them, not even for types. The
 * names are flat rather than in a namespace, but the shapes are the spec's, member for
 * member, so any implementation's schema is assignable to `StandardSchemaV1`.
 */

/**
 * A Standard Schema v1 validator, as zod, valibot and arktype implement it: the type
 * of the `claims` option of {@link jwtAuth}, {@link createVerifier} and
 * {@link verifyToken}.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import type { StandardSchemaV1 } from 'express-jwt-gate'
 * const schema: StandardSchemaV1<unknown, { tenantId: string }> = z.object({ tenantId: z.string() })
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties: a name no validator's own API uses, so both fit on one object. */
  readonly '~standard': StandardSchemaV1Props<Input, Output>
}

/**
 * The `~standard` member of a {@link StandardSchemaV1}.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Props } from 'express-jwt-gate'
 * const props: StandardSchemaV1Props<unknown, string> = {
 *   version: 1,
 *   vendor: 'example',
 *   validate: (value) => (typeof value === 'string' ? { value } : { issues: [{ message: 'not a string' }] }),
 * }
 * ```
 */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  /** The version number of the standard; anything but 1 is refused at setup. */
  readonly version: 1
  /** The vendor name of the schema library (`'zod'`, `'valibot'`, …). */
  readonly vendor: string
  /**
   * Validates unknown input values. It is called with the payload alone: this package
   * passes no options, so that a schema behaves as it does everywhere else.
   */
  readonly validate: (
    value: unknown,
    options?: StandardSchemaV1Options,
  ) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>
  /** Inferred types associated with the schema; {@link InferClaims} reads `req.user`'s type here. */
  readonly types?: StandardSchemaV1Types<Input, Output> | undefined
}

/**
 * The second argument of `validate`: vendor-specific options, which this package never passes.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Options } from 'express-jwt-gate'
 * const options: StandardSchemaV1Options = { libraryOptions: { abortEarly: true } }
 * ```
 */
export interface StandardSchemaV1Options {
  /** Explicit support for additional vendor-specific parameters, if needed. */
  readonly libraryOptions?: Record<string, unknown> | undefined
}

/**
 * What `validate` returns: the output value, or the issues.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Result } from 'express-jwt-gate'
 * const failed: StandardSchemaV1Result<never> = { issues: [{ message: 'required', path: ['tenantId'] }] }
 * ```
 */
export type StandardSchemaV1Result<Output> =
  | {
      /** The typed output value: what the verifier returns and `req.user` holds. */
      readonly value: Output
      /** The absence of issues indicates success. */
      readonly issues?: undefined
    }
  | {
      /** The issues of failed validation; the first one's path names the refused claim. */
      readonly issues: ReadonlyArray<StandardSchemaV1Issue>
    }

/**
 * One problem a validator found, and where.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Issue } from 'express-jwt-gate'
 * const issue: StandardSchemaV1Issue = { message: 'Invalid input', path: ['address', { key: 'city' }] }
 * ```
 */
export interface StandardSchemaV1Issue {
  /**
   * The error message of the issue. Never repeated in a refusal: validators quote the
   * offending value in it, and a value from a token must not be echoed.
   */
  readonly message: string
  /** The path of the issue, if any: what the refusal's message and `claim` are made of. */
  readonly path?:
    | ReadonlyArray<
        | PropertyKey
        | {
            /** The key representing a path segment. */
            readonly key: PropertyKey
          }
      >
    | undefined
}

/**
 * The static types a schema declares: what it accepts and what it produces.
 *
 * @example
 * ```ts
 * import type { StandardSchemaV1Types } from 'express-jwt-gate'
 * type Declared = StandardSchemaV1Types<unknown, { tenantId: string }>['output'] // { tenantId: string }
 * ```
 */
export interface StandardSchemaV1Types<Input = unknown, Output = Input> {
  /** The input type of the schema. */
  readonly input: Input
  /** The output type of the schema. */
  readonly output: Output
}

/**
 * A validator for a token's payload: any {@link StandardSchemaV1} whose output is an
 * object (it becomes `req.user`).
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import type { ClaimsSchema } from 'express-jwt-gate'
 * const claims: ClaimsSchema = z.object({ tenantId: z.string() })
 * ```
 */
export type ClaimsSchema = StandardSchemaV1<unknown, object>

/**
 * The output type of a claims schema: what the verifier returns and `req.user` holds.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import type { InferClaims } from 'express-jwt-gate'
 * const Claims = z.object({ tenantId: z.string() })
 * type Claims = InferClaims<typeof Claims> // { tenantId: string }
 * ```
 */
export type InferClaims<S extends ClaimsSchema> = NonNullable<S['~standard']['types']>['output']

/**
 * Whether a schema's types say it validates synchronously, asynchronously, or could do
 * either. A schema that declares `async: true` or `false` (valibot does) is taken at
 * its word; otherwise the declared return type of `validate` decides. Zod and most
 * others declare "a result or a promise of one", which is `'either'`.
 *
 * @example
 * ```ts
 * import * as v from 'valibot'
 * import type { SchemaMode } from 'express-jwt-gate'
 * type Mode = SchemaMode<typeof v.object({})> // 'sync'
 * ```
 */
export type SchemaMode<S extends ClaimsSchema> = S extends {
  /** A schema that can only answer with a promise says so (valibot's `objectAsync`). */
  readonly async: true
}
  ? 'async'
  : S extends {
        /** A schema that never answers with a promise says so (valibot's `object`). */
        readonly async: false
      }
    ? 'sync'
    : [ReturnType<S['~standard']['validate']>] extends [PromiseLike<unknown>]
      ? 'async'
      : [Extract<ReturnType<S['~standard']['validate']>, PromiseLike<unknown>>] extends [never]
        ? 'sync'
        : 'either'

/** A claims schema, checked at setup and ready for the per-token path. */
export interface ClaimsCheck {
  /** The validated output of a payload: an object, a promise of one, or a `claim_invalid` throw. */
  readonly run: (payload: Record<string, unknown>) => object | Promise<object>
  /** True when every verification must answer with a promise (the schema says `async: true`). */
  readonly alwaysAsync: boolean
}

const SCHEMA_HINT =
  "claims must be a Standard Schema v1 validator (zod, valibot, arktype, …): an object or function whose ['~standard'] has version 1 and a validate function"

/** Check the `claims` option once, at setup. */
export function readClaimsSchema(value: unknown): ClaimsCheck | undefined {
  if (value === undefined) return undefined
  // arktype's types are functions with the `~standard` member; most are objects.
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
    throw setupError('claims', SCHEMA_HINT)
  }
  const props: unknown = (value as { '~standard'?: unknown })['~standard']
  if (
    typeof props !== 'object' ||
    props === null ||
    (props as { version?: unknown }).version !== 1 ||
    typeof (props as { validate?: unknown }).validate !== 'function'
  ) {
    throw setupError('claims', SCHEMA_HINT)
  }
  const standard = props as StandardSchemaV1Props<unknown, unknown>
  return {
    run: (payload) => {
      const result = standard.validate(payload)
      return isThenable(result) ? Promise.resolve(result).then(outputOf) : outputOf(result)
    },
    alwaysAsync: (value as { async?: unknown }).async === true,
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * The output of a validation result, or a `claim_invalid` failure. Anything but
 * `{ value: object }` without issues fails: a result that is neither shape is a broken
 * validator, reported as a setup error (a server error, never an accepted token).
 */
function outputOf(result: unknown): object {
  if (typeof result !== 'object' || result === null) {
    throw setupError('claims', 'the claims schema returned neither { value } nor { issues }')
  }
  const { issues, value } = result as { issues?: unknown; value?: unknown }
  if (issues !== undefined) {
    const first: unknown = Array.isArray(issues) ? issues[0] : undefined
    const path = pathOf(first)
    if (path.length === 0) fail('claim_invalid', 'claims are invalid')
    fail('claim_invalid', `${describePath(path)} claim is invalid`, claimOf(path[0]))
  }
  if (typeof value !== 'object' || value === null) {
    throw setupError('claims', 'the claims schema must produce an object, which becomes req.user')
  }
  return value
}

/** The keys of an issue's path, with `{ key }` segments unwrapped; at most 16 of them. */
function pathOf(issue: unknown): PropertyKey[] {
  const path: unknown =
    typeof issue === 'object' && issue !== null ? (issue as { path?: unknown }).path : undefined
  if (!Array.isArray(path)) return []
  return path
    .slice(0, 16)
    .map((segment: unknown) =>
      typeof segment === 'object' && segment !== null
        ? ((segment as { key?: unknown }).key as PropertyKey)
        : (segment as PropertyKey),
    )
}

/**
 * A key fit to appear in a message and a `WWW-Authenticate` header: printable ASCII
 * without quotes or backslashes, at most 64 characters. A key of a record comes from
 * the token itself, so anything else is shown as `?`.
 */
const SHOWN_KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/

function claimOf(segment: PropertyKey | undefined): string | undefined {
  return typeof segment === 'string' && SHOWN_KEY.test(segment) ? segment : undefined
}

/**
 * `tenantId`, `address.city`, `licensedFeatures[1]`: built from the path alone. An
 * issue's own message is never used: validators quote the offending value in it, and
 * a value from a token must not be echoed.
 */
function describePath(path: readonly PropertyKey[]): string {
  let text = ''
  for (const segment of path) {
    if (typeof segment === 'number' && Number.isSafeInteger(segment) && segment >= 0) {
      text += `[${segment}]`
    } else {
      const key = claimOf(segment) ?? '?'
      text += text === '' ? key : `.${key}`
    }
  }
  return text
}
