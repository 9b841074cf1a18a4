/**
 * How a token's header chooses its key, for every kind of key source (one key, a
 * ring, a remote set): one set of rules, one set of messages.
 *
 * 1. The token's `alg` must be in the verifier's allowlist.
 * 2. Its `kid` names one key; a token without `kid` gets the source's key for tokens
 *    without one (the only key, or the ring's default), if it has one.
 * 3. The key is bound to one algorithm, and the token's `alg` must be exactly that one.
 *
 * Never by trying several keys, and never by the key's shape: the binding is made
 * when the key is configured.
 */
import { ASYMMETRIC, isHmacAlgorithm, type Algorithm } from '../core/algorithms'
import { fail, setupError } from '../core/errors'
import type { JwtHeader } from '../core/types'

/** What one key serves when the options name no algorithm. */
export const DEFAULT_ALGORITHMS: readonly Algorithm[] = ['HS256']

/** The keys of a source, as the header finds them. */
export interface KeyTable<K> {
  /** Keys that a `kid` names. */
  readonly byKid: ReadonlyMap<string, K>
  /** The key for tokens without `kid`: the only key, or the default one. */
  readonly withoutKid: K | undefined
}

/** Rule 1: the token's `alg` is one this verifier accepts. */
export function checkAllowed(header: JwtHeader, allowed: ReadonlySet<string>): void {
  if (!allowed.has(header.alg)) fail('algorithm_not_allowed', 'algorithm not allowed')
}

/**
 * Rules 2 and 3: the key the header names, bound to the header's `alg`. `algOf` says
 * which algorithm a key is bound to; `undefined` for a published key whose
 * algorithm neither its set nor the options settle.
 */
export function selectKey<K>(
  header: JwtHeader,
  table: KeyTable<K>,
  algOf: (key: K) => Algorithm | undefined,
): K {
  const kid = header.kid
  const key = kid === undefined ? table.withoutKid : table.byKid.get(kid)
  if (key === undefined) {
    fail(
      'key_unknown',
      kid === undefined ? 'token has no kid, and no key serves tokens without one' : 'key unknown',
    )
  }
  const alg = algOf(key)
  if (alg === undefined) {
    fail('key_unknown', 'key has no alg, and the algorithms option does not settle it')
  }
  if (alg !== header.alg) fail('algorithm_not_allowed', 'algorithm does not match the key')
  return key
}

/** The key of a table that serves tokens without `kid`: the default, else the only one. */
export function keyWithoutKid<K>(
  entries: readonly { readonly key: K; readonly isDefault?: boolean }[],
): K | undefined {
  const chosen = entries.find((entry) => entry.isDefault === true)
  if (chosen !== undefined) return chosen.key
  return entries.length === 1 ? (entries[0] as { key: K }).key : undefined
}

/**
 * The allowlist of one key (not a ring, not a remote set): the options' algorithms,
 * or {@link DEFAULT_ALGORITHMS}. Several HMAC algorithms may share one secret; a
 * public key serves exactly one algorithm.
 */
export function singleKeyAlgorithms(algorithms: readonly Algorithm[] | undefined): Algorithm[] {
  const allowed = [...(algorithms ?? DEFAULT_ALGORITHMS)]
  if (!allowed.every(isHmacAlgorithm) && allowed.length !== 1) {
    throw setupError(
      'algorithms',
      `one key is bound to one algorithm, but algorithms lists ${allowed.join(', ')}; name the key's algorithm only, or pass a key ring with one entry per key`,
    )
  }
  return allowed
}

/**
 * The allowlist of a ring: its keys' algorithms. When the options name algorithms,
 * every key's must be among them: a ring that holds a key the configuration says it
 * never accepts is a mistake to report now.
 */
export function ringAlgorithms(
  entries: readonly { readonly kid: string; readonly alg: Algorithm }[],
  algorithms: readonly Algorithm[] | undefined,
): Set<Algorithm> {
  for (const entry of entries) {
    if (algorithms !== undefined && !algorithms.includes(entry.alg)) {
      throw setupError(
        'algorithms',
        `key ${JSON.stringify(entry.kid)} is bound to ${entry.alg}, which the algorithms option does not allow; remove the key or add ${entry.alg}`,
      )
    }
  }
  return new Set(entries.map((entry) => entry.alg))
}

/** The allowlist of a remote set: public-key algorithms only, all of them by default. */
export function remoteAlgorithms(algorithms: readonly Algorithm[] | undefined): Set<string> {
  const hmac = algorithms?.filter(isHmacAlgorithm) ?? []
  if (hmac.length > 0) {
    throw setupError(
      'algorithms',
      `a remote key set holds only public keys and never verifies ${hmac.join(', ')}; remove it from algorithms`,
    )
  }
  return new Set(algorithms ?? Object.keys(ASYMMETRIC))
}
