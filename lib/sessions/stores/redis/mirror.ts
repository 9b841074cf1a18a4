import { randomText } from '../../refresh-token'
import { RevocationState, type RevocationEvent } from '../../revocations'
import type { AccessTokenFacts, RevocationVerdict } from '../../store'
import { prepareScript, type RedisConnection, type RedisReply } from './connection'
import type { KeyLayout } from './keys'
import { ServerClock } from './clock'

/** How the mirror is set up: the store's settings it needs, in milliseconds. */
export interface MirrorSettings {
  readonly keys: KeyLayout
  /** How long revocations are kept: the access-token lifetime plus the tolerance. */
  readonly window: number
  readonly maxStaleness: number
  readonly commandTimeout: number
  /** `'refuse'` (503 when stale) or `'accept'` (the mirror as it is). */
  readonly whenStale: 'refuse' | 'accept'
  /** The store's clock. */
  readonly now: () => number
}

/** Entries read per command, when loading the window and when following. */
const PAGE = 1000

/**
 * `TIME` on a cluster, where a command without a key may go to any node: as a script on
 * the feed's key, it asks the feed's node, queued behind the read on that connection.
 */
const TIME_OF_FEED = prepareScript("return redis.call('TIME')")

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref()
  })

/**
 * This instance's copy of the revocations of the last window, fed from the Redis
 * stream, so the per-request check is a lookup in memory.
 *
 * It loads the window once, then follows the stream with a blocking `XREAD` from the
 * last id it saw, on a connection of its own: after a reconnect it resumes there and
 * misses nothing (plain pub/sub would lose what was published while it was away).
 *
 * **Is it current?** Each read answers within its block time even when nothing
 * happens, with the server's `TIME` right behind it: that reply is the feed's own
 * progress. The mirror counts as stale once the event loop has run for `maxStaleness`
 * without such a reply: a paused or unreachable Redis. A busy or blocked event loop
 * does not count, since the reply may be waiting unread in the socket: the loop's own
 * progress is marked only after it has had a chance to read (a check-phase callback).
 *
 * **An epoch** (`epoch` key: an id and the floor of its stamps) tells one incarnation of
 * the data from the next. If Redis loses its data (restarted without persistence), the
 * epoch is gone with it; the mirror starts over and refuses every token issued before,
 * rather than forget revocations it can no longer see. Every instance renews the key.
 */
export class FeedMirror {
  private state = new RevocationState(Number.MAX_SAFE_INTEGER)
  private synced = false
  private epoch: string | undefined
  private lastId = '0-0'
  /** `performance.now()` of the last read that came back, and of the loop's last turn. */
  private progressAt = -Infinity
  private loopAt = -Infinity
  /** The server's clock, read from the `TIME` replies. */
  private readonly clock = new ServerClock()
  private reader: RedisConnection | undefined
  private closed = false
  private readonly timers: NodeJS.Timeout[] = []
  private readonly whenReady: Promise<void>
  private resolveReady!: () => void

  constructor(
    private readonly connection: RedisConnection,
    private readonly settings: MirrorSettings,
  ) {
    this.whenReady = new Promise((resolve) => {
      this.resolveReady = resolve
    })
    const tick = setInterval(() => {
      setImmediate(() => {
        this.loopAt = performance.now()
      }).unref()
    }, 100)
    const sweep = setInterval(() => this.state.sweep(settings.now()), 10_000)
    const renew = setInterval(() => void this.renewEpoch().catch(() => {}), 60_000)
    for (const timer of [tick, sweep, renew]) {
      timer.unref()
      this.timers.push(timer)
    }
    void this.follow()
  }

  /** Resolves once the window is loaded and the mirror follows the feed. */
  ready(): Promise<void> {
    return this.whenReady
  }

  /** The floor every issue stamp must exceed: the epoch's. */
  get floor(): number {
    return this.state.floor
  }

  /** The server's time now, in milliseconds, as this instance estimates it. */
  serverNow(): number {
    return this.clock.now()
  }

  /** The oldest stream id still needed: entries older than the window can go. */
  minId(): string {
    return `${Math.max(0, Math.floor(this.serverNow() - this.settings.window - 60_000))}-0`
  }

  verdict(token: AccessTokenFacts): RevocationVerdict {
    if (!this.synced) return 'unavailable'
    if (this.isStale() && this.settings.whenStale === 'refuse') return 'unavailable'
    return this.state.verdict(token)
  }

  isStale(): boolean {
    return this.loopAt - this.progressAt > this.settings.maxStaleness
  }

  /** What the mirror holds. */
  get size(): number {
    return this.state.size
  }

  /** A revocation this instance just made: applied at once, before the feed brings it. */
  apply(event: RevocationEvent): void {
    this.state.apply(event)
  }

  async close(): Promise<void> {
    this.closed = true
    for (const timer of this.timers) clearInterval(timer)
    await this.reader?.close()
  }

  /** Load the epoch and the window, then follow, reconnecting as long as it lives. */
  private async follow(): Promise<void> {
    let backoff = 50
    while (!this.closed) {
      try {
        this.reader ??= await this.connection.duplicate(this.timeout())
        if (!this.synced) await this.load()
        await this.read()
        backoff = 50
      } catch {
        await this.reader?.close()
        this.reader = undefined
        await sleep(backoff)
        backoff = Math.min(backoff * 2, 1000)
      }
    }
  }

  private timeout(extra = 0): number {
    return this.settings.commandTimeout + extra
  }

  /** Read the epoch, creating it when there is none, and return it. */
  private async currentEpoch(): Promise<string> {
    const { epoch } = this.settings.keys
    const found = await this.connection.command(['GET', epoch], this.timeout())
    if (typeof found === 'string') return found
    const fresh = `${randomText(9)}:${Math.floor(this.settings.now() * 1000)}`
    await this.connection.command(
      ['SET', epoch, fresh, 'NX', 'PX', String(this.settings.window)],
      this.timeout(),
    )
    const won = await this.connection.command(['GET', epoch], this.timeout())
    if (typeof won !== 'string') throw new Error('epoch vanished')
    return won
  }

  private async renewEpoch(): Promise<void> {
    if (this.epoch === undefined) return
    await this.connection.command(
      ['PEXPIRE', this.settings.keys.epoch, String(this.settings.window)],
      this.timeout(),
    )
  }

  /** A fresh state from the epoch and every revocation of the window. */
  private async load(): Promise<void> {
    const reader = this.reader as RedisConnection
    this.clockFrom(await this.time(reader, this.timeout()))
    const epoch = await this.currentEpoch()
    const state = new RevocationState(Number(epoch.slice(epoch.indexOf(':') + 1)))
    let from = this.minId()
    let lastId = '0-0'
    for (;;) {
      const page = await reader.command(
        ['XRANGE', this.settings.keys.feed, from, '+', 'COUNT', String(PAGE)],
        this.timeout(),
      )
      const entries = Array.isArray(page) ? page : []
      for (const entry of entries) lastId = applyEntry(state, entry) ?? lastId
      if (entries.length < PAGE) break
      from = `(${lastId}`
    }
    this.state = state
    this.epoch = epoch
    this.lastId = lastId
    this.synced = true
    this.progressAt = performance.now()
    this.resolveReady()
  }

  /** One blocking read of new entries, with the server's time and the epoch behind it. */
  private async read(): Promise<void> {
    const reader = this.reader as RedisConnection
    const block = Math.max(50, Math.min(1000, Math.floor(this.settings.maxStaleness / 4)))
    const entries = reader.command(
      [
        'XREAD',
        'COUNT',
        String(PAGE),
        'BLOCK',
        String(block),
        'STREAMS',
        this.settings.keys.feed,
        this.lastId,
      ],
      this.timeout(block),
    )
    // Queued behind the read on the same connection: answered the moment it returns.
    const time = this.time(reader, this.timeout(block * 2))
    const epoch = reader.command(['GET', this.settings.keys.epoch], this.timeout(block * 2))
    const [reply, now, current] = await Promise.all([entries, time, epoch])
    this.clockFrom(now)
    if (current !== this.epoch) {
      // The data was lost (or the epoch expired): start over, refusing what came before.
      this.synced = false
      return
    }
    for (const [, streamEntries] of streamsOf(reply)) {
      for (const entry of streamEntries) this.lastId = applyEntry(this.state, entry) ?? this.lastId
    }
    this.progressAt = performance.now()
  }

  /** The server's `TIME`, from the feed's node. */
  private time(reader: RedisConnection, timeoutMs: number): Promise<RedisReply> {
    return reader.cluster
      ? reader.script(TIME_OF_FEED, [this.settings.keys.feed], [], timeoutMs)
      : reader.command(['TIME'], timeoutMs)
  }

  private clockFrom(time: RedisReply): void {
    if (!Array.isArray(time)) return
    const [seconds, micros] = time
    this.clock.sample(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000))
  }
}

/** The `[stream, entries]` pairs of an XREAD reply (nil when nothing came). */
function streamsOf(reply: RedisReply): [string, RedisReply[]][] {
  if (!Array.isArray(reply)) return []
  return reply.filter(
    (pair): pair is [string, RedisReply[]] => Array.isArray(pair) && Array.isArray(pair[1]),
  )
}

/**
 * Apply one stream entry, `[id, [field, value, …]]`, and return its id. An entry this
 * version does not understand is skipped (a newer instance may write more kinds).
 */
function applyEntry(state: RevocationState, entry: RedisReply): string | undefined {
  if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) {
    return undefined
  }
  const fields = new Map<string, string>()
  const list = entry[1]
  for (let i = 0; i + 1 < list.length; i += 2) fields.set(String(list[i]), String(list[i + 1]))
  const kind = fields.get('k')
  const value = fields.get('v') ?? ''
  const until = Number(fields.get('u'))
  const stamp = Number(fields.get('s'))
  if (kind === 'token') state.apply({ kind, jti: value, until })
  else if (kind === 'session') state.apply({ kind, sid: value, until })
  else if (kind === 'subject' || kind === 'claims') state.apply({ kind, sub: value, stamp, until })
  return entry[0]
}
