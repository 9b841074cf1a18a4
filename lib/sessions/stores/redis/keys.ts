import { createHash } from 'node:crypto'
import { randomText } from '../../refresh-token'

/**
 * The key layout, in one place. With the prefix `jwt-gate:`:
 *
 * | key | type | holds | TTL |
 * | --- | --- | --- | --- |
 * | `jwt-gate:{<tag>}:s:<sid>` | hash | one session: subject, family hash, current and previous token hashes, times | its absolute lifetime |
 * | `jwt-gate:{<tag>}:u` | hash | one subject: its last issue stamp, and when it was revoked everywhere | the refresh token lifetime, renewed |
 * | `jwt-gate:{feed}` | stream | every revocation, in order: the instances' mirrors follow it | entries trimmed after the access-token lifetime + tolerance |
 * | `jwt-gate:{feed}:epoch` | string | which incarnation of the data this is, and where its stamps start | the same window, renewed by every instance |
 *
 * `<tag>` is 16 characters of the SHA-256 of the subject: every key of one subject (its
 * sessions and its record) has the same hash tag, so on Redis Cluster they share a slot
 * and one script may read and change them together. The session id starts with the
 * tag, so a refresh token leads to its keys without a lookup. The feed and the epoch
 * share the tag `feed`: on a cluster, a mirror talks to that one node only.
 */
export interface KeyLayout {
  /** The hash tag of a subject. */
  tagOf(sub: string): string
  /** A new session id for a subject's tag. */
  newSessionId(tag: string): string
  /** The session key and subject key of a session id; `undefined` for an id not ours. */
  keysOf(sid: string): { session: string; subject: string } | undefined
  subjectKey(tag: string): string
  readonly feed: string
  readonly epoch: string
}

const TAG_LENGTH = 16

export function keyLayout(prefix: string): KeyLayout {
  const subjectKey = (tag: string) => `${prefix}{${tag}}:u`
  return {
    tagOf: (sub) => createHash('sha256').update(sub).digest('base64url').slice(0, TAG_LENGTH),
    newSessionId: (tag) => `${tag}${randomText(16)}`,
    keysOf(sid) {
      if (sid.length <= TAG_LENGTH) return undefined
      const tag = sid.slice(0, TAG_LENGTH)
      return { session: `${prefix}{${tag}}:s:${sid.slice(TAG_LENGTH)}`, subject: subjectKey(tag) }
    },
    subjectKey,
    feed: `${prefix}{feed}`,
    epoch: `${prefix}{feed}:epoch`,
  }
}
