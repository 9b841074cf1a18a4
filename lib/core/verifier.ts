import { TokenCache } from './cache'
import { validateClaims, type ClaimRules } from './claims'
import { fail } from './errors'
import { checkHeader, decodeJsonObject, isSegment, splitToken, type Split } from './jws'
import { boundedMap, type BoundedMap } from './bounded-map'
import type { AsyncKeyResolver, KeyResolver, VerificationKey } from './key-contracts'
import type { ClaimsCheck, ClaimsSchema, InferClaims, SchemaMode } from './schema'
import type { JwtClaims, JwtPayload } from './types'
import type { VerifierSetup } from './verify-options'

/**
 * A prepared verification function: checks one token and returns its payload, or
 * throws an {@link InvalidTokenError}.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'express-jwt-gate'
 * import type { Verifier } from 'express-jwt-gate'
 * const verify: Verifier<{ userId: number }> = createVerifier(secret)
 * ```
 */
export type Verifier<P extends object = JwtPayload> = (token: string) => P & JwtClaims

/**
 * A prepared verification function for a {@link RemoteKeySet}: finding the key may
 * need a fetch, so it returns a promise of the payload, or rejects with an
 * {@link InvalidTokenError} (`key_set_unavailable` when the set cannot be fetched).
 *
 * @example
 * ```ts
 * import { createVerifier, remoteKeySet } from 'express-jwt-gate'
 * import type { AsyncVerifier } from 'express-jwt-gate'
 * const jwks = remoteKeySet('https://auth.example.com/.well-known/jwks.json')
 * const verify: AsyncVerifier = createVerifier(jwks, { algorithms: ['RS256'] })
 * const claims = await verify(token)
 * ```
 */
export type AsyncVerifier<P extends object = JwtPayload> = (token: string) => Promise<P & JwtClaims>

/**
 * A prepared verification function whose claims schema may validate synchronously or
 * asynchronously, and whose types do not say which (zod's, for one): it returns the
 * payload when the schema answered at once, a promise of it when the schema answered
 * with one. `await` its result; a failure may be a throw or a rejection, and `await`
 * turns both into one.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * import { createVerifier } from 'express-jwt-gate'
 * import type { MaybeAsyncVerifier } from 'express-jwt-gate'
 * const verify: MaybeAsyncVerifier<{ tenantId: string }> = createVerifier(secret, {
 *   claims: z.object({ tenantId: z.string() }),
 * })
 * const { tenantId } = await verify(token)
 * ```
 */
export type MaybeAsyncVerifier<P extends object = JwtPayload> = (
  token: string,
) => (P & JwtClaims) | Promise<P & JwtClaims>

/**
 * The verifier a local key and a claims schema make, by what the schema's types say
 * (see {@link SchemaMode}): {@link Verifier} for a synchronous schema,
 * {@link AsyncVerifier} for an asynchronous one, {@link MaybeAsyncVerifier} when its
 * types allow both.
 *
 * @example
 * ```ts
 * import * as v from 'valibot'
 * import type { SchemaVerifier, Verifier } from 'express-jwt-gate'
 * const Claims = v.object({ tenantId: v.string() })
 * const proof: SchemaVerifier<typeof Claims> extends Verifier<{ tenantId: string }> ? true : false = true
 * ```
 */
export type SchemaVerifier<S extends ClaimsSchema> = {
  /** A schema that never answers with a promise: the claims, at once. */
  sync: Verifier<InferClaims<S>>
  /** A schema that always does: a promise of the claims. */
  async: AsyncVerifier<InferClaims<S>>
  /** A schema whose types allow both: await the result. */
  either: MaybeAsyncVerifier<InferClaims<S>>
}[SchemaMode<S>]

/** What every verifier checks first, before even a cache lookup: a string, not too large. */
function checkSize(token: unknown, maxTokenLength: number): asserts token is string {
  if (typeof token !== 'string') fail('token_malformed', 'token must be a string')
  if (token.length > maxTokenLength) fail('token_too_large', 'token too large')
}

/**
 * A cached payload whose claims still hold, or `undefined` on a miss. A cached token
 * that has expired (or passed maxAge) since can never be valid again: it is dropped,
 * and refused.
 */
function cachedPayload(
  cache: TokenCache<Record<string, unknown>>,
  token: string,
  rules: ClaimRules,
): Record<string, unknown> | undefined {
  const hit = cache.get(token)
  if (hit !== undefined) {
    try {
      validateClaims(hit, rules)
    } catch (error) {
      cache.delete(token)
      throw error
    }
  }
  return hit
}

/** Once the key is found: the signature, and only then the payload and its claims. */
function checkedPayload(
  token: string,
  { firstDot, secondDot }: Split,
  key: VerificationKey,
  rules: ClaimRules,
): Record<string, unknown> {
  if (!key.verify(token, secondDot)) fail('signature_invalid', 'signature invalid')
  const payload = decodeJsonObject(token, firstDot + 1, secondDot, 'payload')
  validateClaims(payload, rules)
  return payload
}

/**
 * A verifier over local keys: synchronous from end to end.
 *
 * Nearly every token a verifier sees has one of a few headers, and the key for a
 * given header text never changes (the keys are fixed at setup), so the header is
 * parsed and its key found once per distinct header text: without this memo a
 * verification ran 7 to 10% more instructions (callgrind, HS256, 200,000 tokens).
 */
export function localVerifier(keys: KeyResolver, setup: VerifierSetup): Verifier<JwtPayload> {
  const { rules, maxTokenLength, cacheMax } = setup
  const cache =
    cacheMax === undefined ? undefined : new TokenCache<Record<string, unknown>>(cacheMax)
  const keyByHeader = boundedMap<string, VerificationKey>(16, 'clear')
  return (token) => {
    checkSize(token, maxTokenLength)
    if (cache !== undefined) {
      const hit = cachedPayload(cache, token, rules)
      if (hit !== undefined) return hit
    }
    const firstDot = token.indexOf('.')
    const secondDot = firstDot < 0 ? -1 : token.indexOf('.', firstDot + 1)
    const known = secondDot < 0 ? undefined : keyByHeader.get(token.slice(0, firstDot))
    const payload =
      known === undefined
        ? firstSight(token, keys, keyByHeader, rules)
        : knownHeader(token, { firstDot, secondDot }, known, rules)
    return cache === undefined ? payload : cache.set(token, payload)
  }
}

/** A header text not in the memo: the whole token checked, the header parsed, its key found. */
function firstSight(
  token: string,
  keys: KeyResolver,
  keyByHeader: BoundedMap<string, VerificationKey>,
  rules: ClaimRules,
): Record<string, unknown> {
  const parts = splitToken(token)
  const key = keys.resolve(checkHeader(decodeJsonObject(token, 0, parts.firstDot, 'header')))
  keyByHeader.set(token.slice(0, parts.firstDot), key)
  return checkedPayload(token, parts, key, rules)
}

/**
 * A header text the memo holds, so that segment is known good. An HMAC that matches
 * is text equal to our own MAC, canonical base64url by construction, so only the
 * payload segment is left to check (and an asymmetric signature, which is decoded
 * leniently before it is verified). A token that fails any of this is checked as a
 * whole first, so its code is what {@link splitToken} would have said before any
 * signature: `token_malformed` comes before `signature_invalid`.
 */
function knownHeader(
  token: string,
  parts: Split,
  key: VerificationKey,
  rules: ClaimRules,
): Record<string, unknown> {
  const { firstDot, secondDot } = parts
  if (
    !isSegment(token, firstDot + 1, secondDot) ||
    (!key.comparesText && !isSegment(token, secondDot + 1, token.length))
  ) {
    splitToken(token)
  }
  if (!key.verify(token, secondDot)) {
    splitToken(token)
    fail('signature_invalid', 'signature invalid')
  }
  const payload = decodeJsonObject(token, firstDot + 1, secondDot, 'payload')
  validateClaims(payload, rules)
  return payload
}

/**
 * A verifier over a key set that may need fetching. The set's keys change when it is
 * fetched again, so no header is memoized to a key: each token's key is looked up in
 * the set as it is now. Everything after the lookup is synchronous, as for a local key.
 *
 * A cached payload is only as good as the key that verified it, and a provider may
 * withdraw a key: so the cache starts empty again whenever the set is fetched anew,
 * and a set too old to use (its provider unreachable) serves no cached token either.
 */
export function remoteVerifier(
  keys: AsyncKeyResolver,
  setup: VerifierSetup,
): AsyncVerifier<JwtPayload> {
  const { rules, maxTokenLength, cacheMax } = setup
  let cache: TokenCache<Record<string, unknown>> | undefined
  let cachedFor: unknown
  return async (token) => {
    checkSize(token, maxTokenLength)
    let entries: TokenCache<Record<string, unknown>> | undefined
    if (cacheMax !== undefined) {
      const current = await keys.current()
      if (cache === undefined || current !== cachedFor) {
        cache = new TokenCache<Record<string, unknown>>(cacheMax)
        cachedFor = current
      }
      // Kept for this token: if the set is fetched anew while its key is found, the
      // payload lands in this cache, which the next call discards; never in a newer one.
      entries = cache
      const hit = cachedPayload(entries, token, rules)
      if (hit !== undefined) return hit
    }
    const parts = splitToken(token)
    const header = checkHeader(decodeJsonObject(token, 0, parts.firstDot, 'header'))
    const payload = checkedPayload(token, parts, await keys.resolve(header), rules)
    return entries === undefined ? payload : entries.set(token, payload)
  }
}

/**
 * A verifier whose payload then goes through a claims schema. The schema's answer sets
 * the pace: a result at once keeps a local verifier synchronous, a promise makes this
 * call return one. A schema that declares `async: true` always gets a promise, even
 * for a failure found before it runs, so that an {@link AsyncVerifier} never throws.
 */
export function withClaims(
  verify: (token: string) => Record<string, unknown> | Promise<Record<string, unknown>>,
  claims: ClaimsCheck,
): (token: string) => object | Promise<object> {
  const { run, alwaysAsync } = claims
  if (alwaysAsync) {
    return async (token) => run(await verify(token))
  }
  return (token) => {
    const payload = verify(token)
    return payload instanceof Promise ? payload.then(run) : run(payload)
  }
}
