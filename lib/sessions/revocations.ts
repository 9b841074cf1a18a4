import type { AccessTokenFacts, RevocationVerdict } from './store'

/**
 * One revocation, as a store records it and as the Redis feed carries it. `until` is
 * when the entry may be forgotten (ms on the store's clock): by then every token it
 * refuses has expired.
 */
export type RevocationEvent =
  | { readonly kind: 'token'; readonly jti: string; readonly until: number }
  | { readonly kind: 'session'; readonly sid: string; readonly until: number }
  | {
      readonly kind: 'subject' | 'claims'
      readonly sub: string
      /** Tokens of `sub` whose issue stamp is at most this are refused (or stale). */
      readonly stamp: number
      readonly until: number
    }

interface Cutoff {
  revokedBefore: number
  staleBefore: number
  until: number
}

/**
 * The revocations of the last access-token lifetime, in memory, for the per-request
 * check: two filter slots, at most three map lookups and a few comparisons per request,
 * no I/O. The memory store keeps its state here; the Redis store mirrors its feed into
 * one.
 *
 * Memory is bounded by the rate of revocations, not by the number of users: each entry
 * goes once its `until` has passed. Entries are swept from the oldest, so a sweep costs
 * only what it removes.
 */
export class RevocationState {
  /**
   * Revoked token ids (`jti`) and session ids (`sid`) in one map: both are 128 random
   * bits this package made, so they never meet. Empty maps are not asked at all.
   */
  private readonly ids = new Map<string, number>()
  /**
   * How many ids of the map fall in each slot (see {@link slotOf}), saturating at 255. A
   * token whose two slots are empty is not revoked by id, and the map is not asked: asking
   * it hashes both ids, which was nearly all of what the check cost per request. 256 KiB,
   * made at the first id.
   */
  private filter: Uint8Array | undefined
  private readonly subjects = new Map<string, Cutoff>()

  /**
   * @param floor Tokens stamped below it were issued before this state began and cannot
   *   be vouched for: they are refused.
   */
  constructor(public floor: number) {}

  apply(event: RevocationEvent): void {
    if (event.kind === 'token') return this.renewId(event.jti, event.until)
    if (event.kind === 'session') return this.renewId(event.sid, event.until)
    const cutoff = this.subjects.get(event.sub) ?? { revokedBefore: 0, staleBefore: 0, until: 0 }
    if (event.kind === 'subject') cutoff.revokedBefore = Math.max(cutoff.revokedBefore, event.stamp)
    else cutoff.staleBefore = Math.max(cutoff.staleBefore, event.stamp)
    cutoff.until = Math.max(cutoff.until, event.until)
    // Deleted and set again: the map stays in the order entries expire in.
    this.subjects.delete(event.sub)
    this.subjects.set(event.sub, cutoff)
  }

  /** The verdict for a verified token: `revoked` wins over `stale`. */
  verdict(token: AccessTokenFacts): Exclude<RevocationVerdict, 'unavailable'> {
    if (token.ist < this.floor) return 'revoked'
    const { ids, filter, subjects } = this
    if (
      filter !== undefined &&
      ids.size !== 0 &&
      ((filter[slotOf(token.jti)] !== 0 && ids.has(token.jti)) ||
        (filter[slotOf(token.sid)] !== 0 && ids.has(token.sid)))
    ) {
      return 'revoked'
    }
    if (subjects.size === 0) return 'ok'
    const cutoff = subjects.get(token.sub)
    if (cutoff === undefined) return 'ok'
    if (token.ist <= cutoff.revokedBefore) return 'revoked'
    return token.ist <= cutoff.staleBefore ? 'stale' : 'ok'
  }

  /** Forget every entry whose `until` is past. */
  sweep(now: number): void {
    const { filter } = this
    if (filter !== undefined) {
      sweepMap(
        this.ids,
        now,
        (until) => until,
        (id) => count(filter, id, -1),
      )
    }
    sweepMap(this.subjects, now, (cutoff) => cutoff.until)
  }

  /** Set an id to the later of its two expiries, moving it to the end of the order. */
  private renewId(id: string, until: number): void {
    const { ids } = this
    const previous = ids.get(id)
    if (previous === undefined) count((this.filter ??= new Uint8Array(1 << SLOT_BITS)), id, 1)
    ids.delete(id)
    ids.set(id, previous === undefined ? until : Math.max(previous, until))
  }

  /** Entries held, for tests and the bench. */
  get size(): number {
    return this.ids.size + this.subjects.size
  }
}

const SLOT_BITS = 18

/**
 * Count an id in or out of its slot. A saturated slot stays full: it no longer knows how
 * many ids it holds, so it can only cost lookups.
 */
function count(filter: Uint8Array, id: string, by: 1 | -1): void {
  const slot = slotOf(id)
  const held = filter[slot] as number
  if (held !== 255) filter[slot] = held + by
}

/**
 * The filter slot of an id, from its last five characters: the ids this package makes
 * end in random base64url (a Redis store's session ids begin with their subject's tag).
 * Any other string only fills slots less evenly, which costs lookups, never answers.
 */
export function slotOf(id: string): number {
  const end = id.length
  let h = Math.imul(id.charCodeAt(end - 1) | 0, 0x9e3779b1)
  h = Math.imul(h ^ (id.charCodeAt(end - 2) | 0), 0x9e3779b1)
  h = Math.imul(h ^ (id.charCodeAt(end - 3) | 0), 0x9e3779b1)
  h = Math.imul(h ^ (id.charCodeAt(end - 4) | 0), 0x9e3779b1)
  h = Math.imul(h ^ (id.charCodeAt(end - 5) | 0), 0x9e3779b1)
  return h >>> (32 - SLOT_BITS)
}

/**
 * Drop entries from the oldest while they have expired. Entries arrive with
 * `until = now + a fixed window` (or sooner), so insertion order is expiry order, up to
 * the few that expire early and wait for their turn.
 */
function sweepMap<V>(
  map: Map<string, V>,
  now: number,
  untilOf: (value: V) => number,
  forgotten?: (key: string) => void,
): void {
  for (const [key, value] of map) {
    if (untilOf(value) > now) return
    map.delete(key)
    forgotten?.(key)
  }
}
