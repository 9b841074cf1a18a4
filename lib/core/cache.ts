import { setupError } from './errors'
import { readOptions, readPositiveInteger } from './options'

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

/** One cached token, linked into the recency order. */
interface Entry<P> {
  readonly token: string
  readonly payload: P
  /** The entry used just before this one (towards the eviction end). */
  older: Entry<P> | undefined
  /** The entry used just after this one (towards the most recent end). */
  newer: Entry<P> | undefined
}

/**
 * A least-recently-used map from the exact token text to its verified payload.
 * Keyed by the whole token, never by anything derived from it: two different
 * tokens can never share an entry, so one user can never be handed another's claims.
 * Memory is bounded: at most `max` entries, each no longer than `maxTokenLength`.
 *
 * Recency is a doubly linked list beside the Map, not the Map's own insertion order:
 * re-inserting on every hit and taking `keys().next()` to evict made each eviction
 * skip every deleted slot at the front of V8's table, so a miss on a full cache of
 * 10,000 cost three times a full verification (see `npm run bench`).
 */
export class TokenCache<P extends object> {
  private readonly entries = new Map<string, Entry<P>>()
  private newest: Entry<P> | undefined
  private oldest: Entry<P> | undefined

  constructor(private readonly max: number) {}

  get(token: string): P | undefined {
    const entry = this.entries.get(token)
    if (entry === undefined) return undefined
    if (entry !== this.newest) {
      this.unlink(entry)
      this.link(entry)
    }
    return entry.payload
  }

  /** Keep a verified payload, frozen so no caller can change what the next one gets. */
  set(token: string, payload: P): P {
    deepFreeze(payload)
    const replaced = this.entries.get(token)
    if (replaced !== undefined) this.unlink(replaced)
    const entry: Entry<P> = { token, payload, older: undefined, newer: undefined }
    this.entries.set(token, entry)
    this.link(entry)
    if (this.entries.size > this.max) {
      const oldest = this.oldest as Entry<P>
      this.entries.delete(oldest.token)
      this.unlink(oldest)
    }
    return payload
  }

  delete(token: string): void {
    const entry = this.entries.get(token)
    if (entry === undefined) return
    this.entries.delete(token)
    this.unlink(entry)
  }

  get size(): number {
    return this.entries.size
  }

  /** Make `entry` (not in the list) the most recent. */
  private link(entry: Entry<P>): void {
    entry.older = this.newest
    entry.newer = undefined
    if (this.newest === undefined) this.oldest = entry
    else this.newest.newer = entry
    this.newest = entry
  }

  /** Take `entry` out of the list. */
  private unlink(entry: Entry<P>): void {
    if (entry.older === undefined) this.oldest = entry.newer
    else entry.older.newer = entry.newer
    if (entry.newer === undefined) this.newest = entry.older
    else entry.newer.older = entry.older
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

/** `undefined` (no cache) or a validated {@link CacheOptions}. */
export function readCacheOptions(value: unknown): number | undefined {
  if (value === undefined || value === false) return undefined
  if (typeof value !== 'object' || value === null) {
    throw setupError('cache must be an object such as { max: 10000 }')
  }
  const options = readOptions<CacheOptions>(value, new Set(['max']), 'cache')
  if (options.max === undefined)
    throw setupError('cache.max is required, for example { max: 10000 }')
  return readPositiveInteger(options.max, 'cache.max')
}
