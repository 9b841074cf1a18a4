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
 * check: at most three map lookups and a few comparisons per request, no I/O. The memory store keeps its
 * state here; the Redis store mirrors its feed into one.
 *
 * Memory is bounded by the rate of revocations, not by the number of users: each entry
 * goes once its `until` has passed. Entries are swept from the oldest, so a sweep costs
 * only what it removes.
 */
export class RevocationState {
  /**
   * Revoked token ids (`jti`) and session ids (`sid`) in one map: both are 128 random
   * bits this package made, so they never meet. Empty maps are not asked at all. (A
   * counting filter in front of the maps was tried, and measured slower: hashing the
   * ids in JavaScript cost more than the lookups it saved.)
   */
  private readonly ids = new Map<string, number>()
  private readonly subjects = new Map<string, Cutoff>()

  /**
   * @param floor Tokens stamped below it were issued before this state began and cannot
   *   be vouched for: they are refused.
   */
  constructor(public floor: number) {}

  apply(event: RevocationEvent): void {
    if (event.kind === 'token') return renew(this.ids, event.jti, event.until)
    if (event.kind === 'session') return renew(this.ids, event.sid, event.until)
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
    const { ids, subjects } = this
    if (ids.size !== 0 && (ids.has(token.jti) || ids.has(token.sid))) return 'revoked'
    if (subjects.size === 0) return 'ok'
    const cutoff = subjects.get(token.sub)
    if (cutoff === undefined) return 'ok'
    if (token.ist <= cutoff.revokedBefore) return 'revoked'
    return token.ist <= cutoff.staleBefore ? 'stale' : 'ok'
  }

  /** Forget every entry whose `until` is past. */
  sweep(now: number): void {
    sweepMap(this.ids, now, (until) => until)
    sweepMap(this.subjects, now, (cutoff) => cutoff.until)
  }

  /** Entries held, for tests and the bench. */
  get size(): number {
    return this.ids.size + this.subjects.size
  }
}

/** Set `key` to the later of its two expiries, moving it to the end of the order. */
function renew(map: Map<string, number>, key: string, until: number): void {
  const previous = map.get(key)
  map.delete(key)
  map.set(key, previous === undefined ? until : Math.max(previous, until))
}

/**
 * Drop entries from the oldest while they have expired. Entries arrive with
 * `until = now + a fixed window` (or sooner), so insertion order is expiry order, up to
 * the few that expire early and wait for their turn.
 */
function sweepMap<V>(map: Map<string, V>, now: number, untilOf: (value: V) => number): void {
  for (const [key, value] of map) {
    if (untilOf(value) > now) return
    map.delete(key)
  }
}
