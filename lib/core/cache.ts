import { boundedMap, type BoundedMap } from './bounded-map'
import { setupError } from './errors'
import { optionNames, readOptions, readPositiveInteger, type OptionList } from './options'

/**
 * Options of the verified-token cache (off by default).
 *
 * @example
 * ```ts
 * import { createVerifier } from 'express-jwt-gate'
 * import type { CacheOptions } from 'express-jwt-gate'
 * const cache: CacheOptions = { max: 10_000 }
 * const verify = createVerifier(process.env.JWT_SECRET!, { cache })
 * ```
 */
export interface CacheOptions {
  /** Most tokens kept; the least recently used goes first. */
  max: number
}

const CACHE_OPTIONS = { max: true } as const satisfies OptionList<CacheOptions>

/**
 * A least-recently-used map from the exact token text to its verified payload.
 * Keyed by the whole token, never by anything derived from it: two different
 * tokens can never share an entry, so one user can never be handed another's claims.
 * Memory is bounded: at most `max` entries, each no longer than `maxTokenLength`.
 */
export class TokenCache<P extends object> {
  private readonly entries: BoundedMap<string, P>

  constructor(max: number) {
    this.entries = boundedMap(max, 'least-recently-used')
  }

  get(token: string): P | undefined {
    return this.entries.get(token)
  }

  /** Keep a verified payload, frozen so no caller can change what the next one gets. */
  set(token: string, payload: P): P {
    deepFreeze(payload)
    this.entries.set(token, payload)
    return payload
  }

  delete(token: string): void {
    this.entries.delete(token)
  }

  get size(): number {
    return this.entries.size
  }
}

/**
 * Freeze a parsed JSON value all the way down. Freezing once costs less than copying
 * on every hit, and a handler that tries to change a cached payload fails loudly
 * instead of changing it for the next request with the same token.
 */
function deepFreeze(root: object): void {
  // A loop, not recursion: a validly signed payload may still nest thousands deep.
  // `for…in` with an own-property check, not Object.keys(): no array per object, and
  // JSON.parse makes a tree, so no value is reached twice.
  const pending: object[] = [root]
  for (let value = pending.pop(); value !== undefined; value = pending.pop()) {
    Object.freeze(value)
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i]
        if (typeof child === 'object' && child !== null) pending.push(child)
      }
    } else {
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue
        const child = (value as Record<string, unknown>)[key]
        if (typeof child === 'object' && child !== null) pending.push(child)
      }
    }
  }
}

/** `undefined` (no cache) or the `max` of a validated {@link CacheOptions}. */
export function readCacheOptions(value: unknown): number | undefined {
  if (value === undefined || value === false) return undefined
  if (typeof value !== 'object' || value === null) {
    throw setupError('cache', 'cache must be an object such as { max: 10000 }')
  }
  const options = readOptions<CacheOptions>(value, optionNames(CACHE_OPTIONS), 'cache')
  if (options.max === undefined) {
    throw setupError('cache.max', 'cache.max is required, for example { max: 10000 }')
  }
  return readPositiveInteger(options.max, 'cache.max')
}
