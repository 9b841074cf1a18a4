import { readVerifyOptions, type VerifyOptions } from './core/verify-options'
import { localVerifier, remoteVerifier, type AsyncVerifier, type Verifier } from './core/verifier'
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
 * `JSON.parse` does (the last wins).
 *
 * @example
 * ```ts
 * import { createVerifier } from 'express-jwt-gate'
 * const verify = createVerifier<{ userId: number }>(process.env.JWT_SECRET!, { audience: 'api' })
 * const claims = verify(token) // { userId: number } & JwtClaims, or throws InvalidTokenError
 * ```
 */
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
export function createVerifier<P extends object = JwtPayload>(
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions,
): Verifier<P> | AsyncVerifier<P> {
  const setup = readVerifyOptions(options, 'createVerifier')
  if (isRemoteKeySet(keys)) {
    return remoteVerifier(remoteKeyResolver(keys, setup.algorithms), setup) as AsyncVerifier<P>
  }
  return localVerifier(createKeyResolver(keys, setup.algorithms), setup) as Verifier<P>
}

/**
 * Verify one token and return its payload, or throw an {@link InvalidTokenError}
 * with a stable `code`. The one-call form of {@link createVerifier}; on a hot path,
 * prepare a verifier once instead. With a {@link RemoteKeySet} it returns a promise.
 *
 * @example
 * ```ts
 * import { verifyToken } from 'express-jwt-gate'
 * const claims = verifyToken<{ userId: number }>(token, process.env.JWT_SECRET!)
 * claims.userId // number
 * ```
 */
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
export function verifyToken<P extends object = JwtPayload>(
  token: string,
  keys: KeySource | RemoteKeySet,
  options?: VerifyOptions,
): (P & JwtClaims) | Promise<P & JwtClaims> {
  return createVerifier<P>(keys, options)(token)
}
