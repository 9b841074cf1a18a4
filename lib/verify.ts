import type { ClaimsSchema, InferClaims } from './core/schema'
import { readVerifyOptions, type VerifyOptions } from './core/verify-options'
import {
  localVerifier,
  remoteVerifier,
  withClaims,
  type AsyncVerifier,
  type MaybeAsyncVerifier,
  type SchemaVerifier,
  type Verifier,
} from './core/verifier'
import type { JwtClaims, JwtPayload } from './core/types'
import { isRemoteKeySet, remoteKeyResolver, type RemoteKeySet } from './keys/remote'
import { createKeyResolver, type KeySource } from './keys/source'

/**
 * Prepare a verifier once and use it for every token: all option checks and key
 * preparation happen here, and the returned function does only per-token work.
 * Bad options or a weak or unsuitable key throw a `TypeError` now, not at the first
 * request.
 *
 * The key is a secret, a public key (its algorithm named in `algorithms`), a
 * {@link KeyRing}, or a {@link RemoteKeySet}. With a remote set the verifier returns
 * a promise; with anything else it is synchronous.
 *
 * Rules, in order: size; three strict base64url segments; header (no `crit`; `alg`
 * allowed and, with a ring or a set, the key named by `kid` bound to exactly that
 * `alg`); the signature over the exact signing input; payload is a JSON object in
 * valid UTF-8; then the claims. Duplicate member names in the payload resolve as
 * `JSON.parse` does (the last wins). Last, with the `claims` option, the payload goes
 * through that schema, and the verifier returns its output: synchronously,
 * asynchronously, or either, as the schema's types say ({@link SchemaVerifier}).
 *
 * @example
 * ```ts
 * import { createVerifier } from 'express-jwt-gate'
 * const verify = createVerifier<{ userId: number }>(process.env.JWT_SECRET!, { audience: 'api' })
 * const claims = verify(token) // { userId: number } & JwtClaims, or throws InvalidTokenError
 * ```
 */
export function createVerifier<S extends ClaimsSchema>(
  keys: RemoteKeySet,
  options: VerifyOptions<S> & { claims: S },
): AsyncVerifier<InferClaims<S>>
export function createVerifier<S extends ClaimsSchema>(
  keys: KeySource,
  options: VerifyOptions<S> & { claims: S },
): SchemaVerifier<S>
export function createVerifier<S extends ClaimsSchema>(
  keys: KeySource | RemoteKeySet,
  options: VerifyOptions<S> & { claims: S },
): SchemaVerifier<S> | AsyncVerifier<InferClaims<S>>
export function createVerifier<P extends object = JwtPayload>(
  keys: RemoteKeySet,
  options?: VerifyOptions,
): AsyncVerifier<P>
export function createVerifier<P extends object = JwtPayload>(
  keys: KeySource,
  options?: VerifyOptions,
): Verifier<P>
export function createVerifier<P extends object = JwtPayload>(
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions,
): Verifier<P> | AsyncVerifier<P>
export function createVerifier(
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions<ClaimsSchema | undefined>,
): MaybeAsyncVerifier<object> {
  return buildVerifier(keys, options)
}

/**
 * Every form of {@link createVerifier} at once, for callers inside the package that
 * handle each kind of answer (`jwtAuth`): the overloads only say what each returns.
 */
export function buildVerifier(keys: unknown, options: unknown): MaybeAsyncVerifier<object> {
  const setup = readVerifyOptions(options, 'createVerifier')
  const verify = isRemoteKeySet(keys)
    ? remoteVerifier(remoteKeyResolver(keys, setup.algorithms), setup)
    : localVerifier(createKeyResolver(keys, setup.algorithms), setup)
  return setup.claims === undefined ? verify : withClaims(verify, setup.claims)
}

/**
 * Verify one token and return its payload, or throw an {@link InvalidTokenError}
 * with a stable `code`. The one-call form of {@link createVerifier}; on a hot path,
 * prepare a verifier once instead. With a {@link RemoteKeySet} it returns a promise;
 * with a `claims` schema it returns what {@link createVerifier} would.
 *
 * @example
 * ```ts
 * import { verifyToken } from 'express-jwt-gate'
 * const claims = verifyToken<{ userId: number }>(token, process.env.JWT_SECRET!)
 * claims.userId // number
 * ```
 */
export function verifyToken<S extends ClaimsSchema>(
  token: string,
  keys: RemoteKeySet,
  options: VerifyOptions<S> & { claims: S },
): Promise<InferClaims<S> & JwtClaims>
export function verifyToken<S extends ClaimsSchema>(
  token: string,
  keys: KeySource,
  options: VerifyOptions<S> & { claims: S },
): ReturnType<SchemaVerifier<S>>
export function verifyToken<S extends ClaimsSchema>(
  token: string,
  keys: KeySource | RemoteKeySet,
  options: VerifyOptions<S> & { claims: S },
): ReturnType<SchemaVerifier<S>> | Promise<InferClaims<S> & JwtClaims>
export function verifyToken<P extends object = JwtPayload>(
  token: string,
  keys: RemoteKeySet,
  options?: VerifyOptions,
): Promise<P & JwtClaims>
export function verifyToken<P extends object = JwtPayload>(
  token: string,
  keys: KeySource,
  options?: VerifyOptions,
): P & JwtClaims
export function verifyToken<P extends object = JwtPayload>(
  token: string,
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions,
): (P & JwtClaims) | Promise<P & JwtClaims>
export function verifyToken(
  token: string,
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions<ClaimsSchema | undefined>,
): object | Promise<object> {
  return buildVerifier(keys, options)(token)
}
