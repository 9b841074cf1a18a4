/**
 * How a {@link BoundedMap} makes room when it is full.
 *
 * - `'least-recently-used'`: drop the entry read or written longest ago. For caches
 *   whose keys keep coming back, such as verified tokens.
 * - `'clear'`: drop everything. For memos over a handful of keys (the few header texts
 *   of one issuer), where overflowing means the input is not what was expected and
 *   bookkeeping on every hit would cost more than it saves.
 */
export type EvictionPolicy = 'least-recently-used' | 'clear'

/** A map that never holds more than its `max` entries. */
export interface BoundedMap<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): void
  delete(key: K): void
  readonly size: number
}

/** A map of at most `max` entries that makes room as `policy` says. */
export function boundedMap<K, V>(max: number, policy: EvictionPolicy): BoundedMap<K, V> {
  return policy === 'clear' ? new ClearingMap(max) : new LruMap(max)
}

class ClearingMap<K, V> implements BoundedMap<K, V> {
  private readonly entries = new Map<K, V>()
  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key)
  }

  set(key: K, value: V): void {
    if (this.entries.size >= this.max && !this.entries.has(key)) this.entries.clear()
    this.entries.set(key, value)
  }

  delete(key: K): void {
    this.entries.delete(key)
  }

  get size(): number {
    return this.entries.size
  }
}

/** One entry, linked into the recency order. */
interface Node<K, V> {
  readonly key: K
  value: V
  /** The entry used just before this one (towards the eviction end). */
  older: Node<K, V> | undefined
  /** The entry used just after this one (towards the most recent end). */
  newer: Node<K, V> | undefined
}

/**
 * Recency is a doubly linked list beside the Map, not the Map's own insertion order:
 * re-inserting on every hit and taking `keys().next()` to evict made each eviction
 * skip every deleted slot at the front of V8's table, so a miss on a full cache of
 * 10,000 tokens cost three times a full verification (see `npm run bench`).
 */
class LruMap<K, V> implements BoundedMap<K, V> {
  private readonly entries = new Map<K, Node<K, V>>()
  private newest: Node<K, V> | undefined
  private oldest: Node<K, V> | undefined
  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const node = this.entries.get(key)
    if (node === undefined) return undefined
    if (node !== this.newest) {
      this.unlink(node)
      this.link(node)
    }
    return node.value
  }

  set(key: K, value: V): void {
    const existing = this.entries.get(key)
    if (existing !== undefined) {
      existing.value = value
      this.unlink(existing)
      this.link(existing)
      return
    }
    const node: Node<K, V> = { key, value, older: undefined, newer: undefined }
    this.entries.set(key, node)
    this.link(node)
    if (this.entries.size > this.max) {
      const oldest = this.oldest as Node<K, V>
      this.entries.delete(oldest.key)
      this.unlink(oldest)
    }
  }

  delete(key: K): void {
    const node = this.entries.get(key)
    if (node === undefined) return
    this.entries.delete(key)
    this.unlink(node)
  }

  get size(): number {
    return this.entries.size
  }

  /** Make `node` (not in the list) the most recent. */
  private link(node: Node<K, V>): void {
    node.older = this.newest
    node.newer = undefined
    if (this.newest === undefined) this.oldest = node
    else this.newest.newer = node
    this.newest = node
  }

  /** Take `node` out of the list. */
  private unlink(node: Node<K, V>): void {
    if (node.older === undefined) this.oldest = node.newer
    else node.older.newer = node.newer
    if (node.newer === undefined) this.newest = node.older
    else node.newer.older = node.older
  }
}
