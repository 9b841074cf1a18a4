/**
 * The one place the Redis store meets the application's own client: node-redis
 * (`redis` 5 or 6) or ioredis (5 or 6), of one server or of a cluster, reached through
 * the few members named below, so the package pins no client and installs none. A
 * cluster client routes each command by its first key (see routingKey).
 *
 * The four clients disagree on reply shapes. node-redis 6 and ioredis 6 speak RESP3 by
 * default, where `HGETALL` and `XREAD` answer with maps: node-redis turns a map into a
 * plain object (which silently drops a field named `__proto__`), ioredis 6 into a flat
 * list, and `XREAD` in RESP2 is a list of pairs instead. Everything that leaves this
 * module is therefore in RESP2 shapes, whatever the client speaks.
 */
import { createHash } from 'node:crypto'

/**
 * A reply in the shapes RESP2 gives: text as `string`, integers as `number`, nil as
 * `null`, and lists (nested to any depth) as arrays. A RESP3 map arrives as a flat
 * `[field, value, …]` list, as `HGETALL` replies in RESP2; `XREAD` and `XREADGROUP` as a
 * list of `[stream, entries]` pairs, as in RESP2.
 *
 * @example
 * ```ts
 * const reply: RedisReply = ['s', [['1-0', ['field', 'value']]]]
 * ```
 */
export type RedisReply = string | number | null | RedisReply[]

/**
 * Why a command failed. `redis_timeout`: no reply within the bound (a stalled server,
 * or one still unreachable). `redis_reply`: the server answered with an error.
 * `redis_unavailable`: the client could not send it or lost the connection.
 *
 * @example
 * ```ts
 * const retry = (code: RedisErrorCode) => code !== 'redis_reply'
 * ```
 */
export type RedisErrorCode = 'redis_timeout' | 'redis_reply' | 'redis_unavailable'

/**
 * A failed command. The message names the command and, for an error reply, only the
 * server's error code (`WRONGTYPE`, `NOSCRIPT`): never an argument, since arguments hold
 * token hashes, and some server errors quote them. The client's own error is not kept
 * either (ioredis attaches the arguments to it).
 *
 * @example
 * ```ts
 * try {
 *   await connection.command(['GET', key], 500)
 * } catch (error) {
 *   if (error instanceof RedisCommandError && error.code === 'redis_timeout') degrade()
 * }
 * ```
 */
export class RedisCommandError extends Error {
  override readonly name = 'RedisCommandError'
  /** The command, as its first argument names it (`GET`, `EVALSHA`, `CONNECT`). */
  readonly command: string
  /** The server's error code, for `redis_reply` only. */
  readonly reply: string | undefined

  constructor(
    readonly code: RedisErrorCode,
    command: string,
    detail: string,
    reply?: string,
  ) {
    super(`redis ${command} ${detail}`)
    this.command = command
    this.reply = reply
  }
}

/**
 * A Lua script with its SHA1 computed once, for {@link RedisConnection.script}.
 *
 * @example
 * ```ts
 * const touch = prepareScript("return redis.call('PEXPIRE', KEYS[1], ARGV[1])")
 * ```
 */
export interface PreparedScript {
  readonly source: string
  readonly sha1: string
}

/**
 * Hash a script once, at setup, so each call can send `EVALSHA` instead of the source.
 *
 * @example
 * ```ts
 * const touch = prepareScript("return redis.call('PEXPIRE', KEYS[1], ARGV[1])")
 * await connection.script(touch, ['{sub}:session'], ['60000'], 500)
 * ```
 */
export function prepareScript(source: string): PreparedScript {
  if (typeof source !== 'string' || source.length === 0) {
    throw new TypeError('express-jwt-gate: a Redis script must be a non-empty string')
  }
  return { source, sha1: createHash('sha1').update(source).digest('hex') }
}

/**
 * A connection as the store uses it, the same for every client kind.
 *
 * @example
 * ```ts
 * const connection = redisConnection(client)
 * await connection.command(['SET', key, value, 'PX', '60000'], 500)
 * ```
 */
export interface RedisConnection {
  /**
   * Whether the client is a cluster client: then each command goes to the node of its
   * first key, and a script may only touch keys of one hash slot.
   */
  readonly cluster: boolean
  /**
   * One command, its reply in RESP2 shapes. Rejects with a {@link RedisCommandError}
   * once `timeoutMs` pass without a reply; for `XREAD BLOCK n`, pass more than `n`. A
   * reply that comes after the timeout is dropped without a trace. A command that timed
   * out while the client was offline is withdrawn by node-redis, but ioredis sends it
   * once it reconnects (and resends one in flight when the connection dropped): keep
   * writes idempotent.
   */
  command(args: readonly string[], timeoutMs: number): Promise<RedisReply>
  /**
   * `EVALSHA`, then `EVAL` with the source on `NOSCRIPT` (the script cache was flushed
   * or the server restarted), both within the one `timeoutMs`.
   */
  script(
    script: PreparedScript,
    keys: readonly string[],
    args: readonly string[],
    timeoutMs: number,
  ): Promise<RedisReply>
  /**
   * A new connection of the same client kind and options, connected, for blocking reads
   * that must not hold up the shared one. Its error events are handled here: an
   * unhandled `error` event on a node-redis client ends the process. Rejects if it is not
   * ready within `timeoutMs`, leaving nothing open.
   */
  duplicate(timeoutMs: number): Promise<RedisConnection>
  /**
   * End a connection made by {@link duplicate} at once, failing what it still waits for
   * (a blocking read would otherwise hold a graceful close for its whole block). On the
   * application's own client this does nothing: that client is not ours to close.
   */
  close(): Promise<void>
}

/**
 * The command options of node-redis this module sets, on each call.
 *
 * @inline
 */
export interface NodeRedisCommandOptions {
  /** Replies in RESP2 shapes and text as strings, whatever type mapping the client has. */
  typeMapping?: Record<number, unknown> | undefined
  /** Withdraws a command still queued when its time is up, rather than sending it late. */
  abortSignal?: AbortSignal | undefined
}

/**
 * The members of a node-redis client (`createClient()` of `redis` 5 or 6) used here.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis'
 * const client: NodeRedisClientLike = await createClient({ url }).connect()
 * ```
 */
export interface NodeRedisClientLike {
  /** Checked at setup: a client not connected yet is refused there, not on the first request. */
  readonly isOpen: boolean
  /** Every command goes through this one raw method, so no command helper's version matters. */
  sendCommand(args: readonly string[], options?: NodeRedisCommandOptions): Promise<unknown>
  /** A copy with the same options, for the blocking reads that must not hold up this client. */
  duplicate(): NodeRedisClientLike
  /** Connects a copy made by `duplicate`; the application's own client is never connected here. */
  connect(): Promise<unknown>
  /** Ends a copy at once; the application's own client is never ended here. */
  destroy(): void
  /** On a copy only: an `error` event nobody listens to would end the process. */
  on(event: 'error', listener: (error: unknown) => void): unknown
}

/**
 * The members of an ioredis client (`new Redis()` of `ioredis` 5 or 6) used here.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * const client: IoRedisClientLike = new Redis(url)
 * ```
 */
export interface IoRedisClientLike {
  /** Checked at setup: a client that has been closed (`'end'`) is refused there. */
  readonly status: string
  /** Read at setup, for the two options that would change what the store reads and writes. */
  readonly options: {
    /** Must be unset: ioredis would prefix the store's keys behind its back. */
    readonly keyPrefix?: string | undefined
    /** Must not be `true`: it turns the integer replies the scripts give into strings. */
    readonly stringNumbers?: boolean | undefined
  }
  /** Every command goes through this one raw method, so no command helper's version matters. */
  call(command: string, ...args: string[]): Promise<unknown>
  /** A copy with the same options, for the blocking reads that must not hold up this client. */
  duplicate(overrides?: { disconnectTimeout?: number }): IoRedisClientLike
  /** Connects a copy that inherited `lazyConnect`; the application's client is left alone. */
  connect(): Promise<unknown>
  /** Ends a copy; the application's own client is never ended here. */
  disconnect(): void
  /** On a copy only, so that its connection errors are handled rather than thrown. */
  on(event: 'error', listener: (error: unknown) => void): unknown
  /** On a copy only: `'ready'` once it can be used, `'end'` when it gave up connecting. */
  once(event: 'ready' | 'end', listener: () => void): unknown
}

/**
 * The members of a node-redis cluster client (`createCluster()` of `redis` 5 or 6) used
 * here: as {@link NodeRedisClientLike}, but each command names the key it is routed by.
 *
 * @example
 * ```ts
 * import { createCluster } from 'redis'
 * const client: NodeRedisClusterLike = await createCluster({ rootNodes: [{ url }] }).connect()
 * ```
 */
export interface NodeRedisClusterLike {
  /** Checked at setup: a cluster client not connected yet is refused there. */
  readonly isOpen: boolean
  /** One raw command, sent to the node that serves `firstKey` (any node without one). */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: readonly string[],
    options?: NodeRedisCommandOptions,
  ): Promise<unknown>
  /** A copy with the same options, for the blocking reads that must not hold up this client. */
  duplicate(): NodeRedisClusterLike
  /** Connects a copy made by `duplicate`; the application's own client is never connected here. */
  connect(): Promise<unknown>
  /** Ends a copy at once; the application's own client is never ended here. */
  destroy(): void
  /** On a copy only: an `error` event nobody listens to would end the process. */
  on(event: 'error', listener: (error: unknown) => void): unknown
  /** Not called: what tells a cluster client from a client of one server. */
  nodeClient(node: never): unknown
}

/**
 * The members of a node-redis Sentinel client (`createSentinel()` of `redis` 5 or 6)
 * used here: as {@link NodeRedisClientLike}, but each command says whether it only
 * reads (it never does here: every command goes to the primary).
 *
 * @example
 * ```ts
 * import { createSentinel } from 'redis'
 * const client: NodeRedisSentinelLike = await createSentinel({
 *   name: 'mymaster',
 *   sentinelRootNodes: [{ host: '127.0.0.1', port: 26379 }],
 * }).connect()
 * ```
 */
export interface NodeRedisSentinelLike {
  /** Checked at setup: a Sentinel client not connected yet is refused there. */
  readonly isOpen: boolean
  /** One raw command, to the primary the Sentinels name. */
  sendCommand(
    isReadonly: boolean | undefined,
    args: readonly string[],
    options?: NodeRedisCommandOptions,
  ): Promise<unknown>
  /** A copy with the same options, for the blocking reads that must not hold up this client. */
  duplicate(): NodeRedisSentinelLike
  /** Connects a copy made by `duplicate`; the application's own client is never connected here. */
  connect(): Promise<unknown>
  /** Ends a copy at once; the application's own client is never ended here. */
  destroy(): Promise<void>
  /** On a copy only: an `error` event nobody listens to would end the process. */
  on(event: 'error', listener: (error: unknown) => void): unknown
  /** Not called: what tells a Sentinel client from a client of one server. */
  getMasterNode(): unknown
}

/**
 * The members of an ioredis cluster client (`new Redis.Cluster()` of `ioredis` 5 or 6)
 * used here: as {@link IoRedisClientLike}, with its options where a cluster keeps them.
 *
 * @example
 * ```ts
 * import { Cluster } from 'ioredis'
 * const client: IoRedisClusterLike = new Cluster([{ host: '127.0.0.1', port: 7000 }])
 * ```
 */
export interface IoRedisClusterLike {
  /** What tells a cluster client from a client of one server. */
  readonly isCluster: true
  /** Checked at setup: a client that has been closed (`'end'`) is refused there. */
  readonly status: string
  /** Read at setup: `keyPrefix` must be unset, and `stringNumbers` not `true`, in either place. */
  readonly options: {
    /** Must be unset: ioredis would prefix the store's keys behind its back. */
    readonly keyPrefix?: string | undefined
    /** The options of each node's connection. */
    readonly redisOptions?:
      | {
          /** Must be unset, as above. */
          readonly keyPrefix?: string | undefined
          /** Must not be `true`: it turns the integer replies the scripts give into strings. */
          readonly stringNumbers?: boolean | undefined
        }
      | undefined
  }
  /** Every command goes through this one raw method; ioredis routes it by its keys. */
  call(command: string, ...args: string[]): Promise<unknown>
  /** A copy with the same nodes and options, for the blocking reads. */
  duplicate(startupNodes?: readonly never[], overrides?: object): IoRedisClusterLike
  /** Connects a copy that inherited `lazyConnect`; the application's client is left alone. */
  connect(): Promise<unknown>
  /** Ends a copy; the application's own client is never ended here. */
  disconnect(): void
  /** On a copy only, so that its connection errors are handled rather than thrown. */
  on(event: 'error', listener: (error: unknown) => void): unknown
  /** On a copy only: `'ready'` once it can be used, `'end'` when it gave up connecting. */
  once(event: 'ready' | 'end', listener: () => void): unknown
}

/**
 * Any client kind: node-redis or ioredis, of one server, of a cluster, or through
 * Sentinel (ioredis's `new Redis({ sentinels, name })` is a client of one server here).
 *
 * @example
 * ```ts
 * function redisStore(options: { client: RedisClientLike }) {}
 * ```
 */
export type RedisClientLike =
  NodeRedisClientLike | IoRedisClientLike | NodeRedisClusterLike | IoRedisClusterLike

/** How one client kind sends, duplicates and ends; the rest is shared. */
interface Driver {
  readonly cluster: boolean
  /** `signal` withdraws a command still waiting to be written (node-redis only). */
  send(args: readonly string[], signal: AbortSignal): Promise<unknown>
  /** A connected copy; rejects (leaving nothing open) if not ready within `timeoutMs`. */
  duplicate(timeoutMs: number): Promise<Driver>
  destroy(): Promise<void>
}

const ignore = (): void => {}

/**
 * Per-command node-redis type mapping, by RESP3 type byte: maps (`%`) as flat arrays,
 * doubles (`,`) and big numbers (`(`) as strings, as RESP2 sends them. Given on each
 * call, it also replaces any type mapping the application set on its client, so text
 * never arrives as a Buffer.
 */
const NODE_REDIS_TYPES: Record<number, unknown> = { 37: Array, 44: String, 40: String }

/** How long closing an ioredis copy waits for its socket to close, before destroying it. */
const CLOSE_WAIT_MS = 100

/**
 * Wrap the application's connected node-redis or ioredis client. Mistakes in setup (not
 * a client, a cluster client, a node-redis client not connected yet, a closed ioredis
 * client, ioredis options that change keys or reply shapes) throw a `TypeError` here,
 * at setup, rather than failing every request later.
 *
 * @example
 * ```ts
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const connection = redisConnection(client)
 * const reader = await connection.duplicate(2_000)
 * ```
 */
export function redisConnection(client: RedisClientLike): RedisConnection {
  return connectionOver(driverFor(client), false)
}

function driverFor(client: unknown): Driver {
  const shape = (typeof client === 'object' && client !== null ? client : {}) as Record<
    string,
    unknown
  >
  const ioRedisShaped =
    typeof shape.call === 'function' &&
    typeof shape.duplicate === 'function' &&
    typeof shape.status === 'string'
  if (ioRedisShaped) {
    if (shape.isCluster === true) {
      const cluster = client as IoRedisClusterLike
      checkIoRedis(cluster.status, cluster.options, cluster.options.redisOptions)
      return ioRedisClusterDriver(cluster)
    }
    const single = client as IoRedisClientLike
    checkIoRedis(single.status, single.options)
    return ioRedisDriver(single)
  }
  if (typeof shape.getMasterNode === 'function' && typeof shape.duplicate !== 'function') {
    throw new TypeError(
      'express-jwt-gate: this node-redis Sentinel client has no duplicate() for the blocking ' +
        'read of the revocation feed (redis 5): use createSentinel() of redis 6, or ioredis ' +
        'with sentinels',
    )
  }
  if (
    typeof shape.sendCommand === 'function' &&
    typeof shape.duplicate === 'function' &&
    typeof shape.destroy === 'function' &&
    typeof shape.isOpen === 'boolean'
  ) {
    const kind =
      typeof shape.nodeClient === 'function'
        ? 'cluster'
        : typeof shape.getMasterNode === 'function'
          ? 'sentinel'
          : 'client'
    if (shape.isOpen !== true) {
      throw new TypeError(
        `express-jwt-gate: the node-redis ${kind === 'client' ? '' : `${kind} `}client is not ` +
          `connected: call ${kind}.connect() before passing it`,
      )
    }
    if (kind === 'cluster') return nodeRedisClusterDriver(client as NodeRedisClusterLike)
    if (kind === 'sentinel') return nodeRedisSentinelDriver(client as NodeRedisSentinelLike)
    return nodeRedisDriver(client as NodeRedisClientLike)
  }
  throw new TypeError(
    'express-jwt-gate: client must be a node-redis client (createClient() or createCluster() ' +
      'of redis 5 or 6) or an ioredis client (new Redis() or new Redis.Cluster() of ioredis 5 or 6)',
  )
}

/** The options of an ioredis client (or cluster) that would change what the store reads and writes. */
interface IoRedisOptions {
  readonly keyPrefix?: string | undefined
  readonly stringNumbers?: boolean | undefined
}

function checkIoRedis(status: string, ...layers: (IoRedisOptions | undefined)[]): void {
  if (status === 'end') {
    throw new TypeError(
      'express-jwt-gate: the ioredis client is closed (quit() or disconnect() was called): ' +
        'pass an open client',
    )
  }
  // ioredis would prefix the store's keys and the stream names in XREAD replies too,
  // behind the store's back; BullMQ refuses it for the same reason.
  if (layers.some((o) => typeof o?.keyPrefix === 'string' && o.keyPrefix !== '')) {
    throw new TypeError(
      'express-jwt-gate: the ioredis client has keyPrefix set: pass one without it ' +
        "(such as client.duplicate({ keyPrefix: '' })) and give the store its own prefix",
    )
  }
  if (layers.some((o) => o?.stringNumbers === true)) {
    throw new TypeError(
      'express-jwt-gate: the ioredis client has stringNumbers set, which turns integer ' +
        'replies into strings: pass one without it ' +
        '(such as client.duplicate({ stringNumbers: false }))',
    )
  }
}

function nodeRedisDriver(client: NodeRedisClientLike): Driver {
  return {
    cluster: false,
    send: (args, signal) =>
      client.sendCommand(args, { typeMapping: NODE_REDIS_TYPES, abortSignal: signal }),
    duplicate: async (timeoutMs) => nodeRedisDriver(await connected(client.duplicate(), timeoutMs)),
    destroy: () => end(client),
  }
}

function nodeRedisClusterDriver(client: NodeRedisClusterLike): Driver {
  return {
    cluster: true,
    send: (args, signal) =>
      client.sendCommand(routingKey(args), false, args, {
        typeMapping: NODE_REDIS_TYPES,
        abortSignal: signal,
      }),
    duplicate: async (timeoutMs) =>
      nodeRedisClusterDriver(await connected(client.duplicate(), timeoutMs)),
    destroy: () => end(client),
  }
}

function nodeRedisSentinelDriver(client: NodeRedisSentinelLike): Driver {
  return {
    cluster: false,
    send: (args, signal) =>
      client.sendCommand(false, args, { typeMapping: NODE_REDIS_TYPES, abortSignal: signal }),
    duplicate: async (timeoutMs) =>
      nodeRedisSentinelDriver(await connected(client.duplicate(), timeoutMs)),
    destroy: () => end(client),
  }
}

/**
 * The key a cluster routes a command by: a script's first key, a read's first stream, or
 * the first argument; none for the few commands this module sends that have no key
 * (`TIME`), which any node answers.
 */
export function routingKey(args: readonly string[]): string | undefined {
  const name = (args[0] ?? '').toUpperCase()
  if (name === 'EVAL' || name === 'EVALSHA') return Number(args[2]) > 0 ? args[3] : undefined
  if (name === 'XREAD' || name === 'XREADGROUP') {
    const at = args.findIndex((arg) => arg.toUpperCase() === 'STREAMS')
    return at === -1 ? undefined : args[at + 1]
  }
  if (name === 'TIME' || name === 'PING') return undefined
  return args[1]
}

/** A node-redis copy, connected within `timeoutMs`, or ended and the failure passed on. */
async function connected<
  C extends NodeRedisClientLike | NodeRedisClusterLike | NodeRedisSentinelLike,
>(copy: C, timeoutMs: number): Promise<C> {
  copy.on('error', ignore)
  try {
    await withDeadline(copy.connect(), timeoutMs)
  } catch (error) {
    await end(copy)
    throw error
  }
  return copy
}

/**
 * Destroy a node-redis client unless it is closed already: node-redis 5 throws then, as
 * it does for a client that gave up reconnecting.
 */
async function end(
  client: NodeRedisClientLike | NodeRedisClusterLike | NodeRedisSentinelLike,
): Promise<void> {
  if (client.isOpen) await client.destroy()
}

/** What an ioredis client and an ioredis cluster share, for the drivers below. */
type IoRedisLike = Pick<
  IoRedisClientLike,
  'status' | 'call' | 'connect' | 'disconnect' | 'on' | 'once'
>

/** An ioredis driver, with the client it drives (a duplicate's must be watched until ready). */
type IoRedisDriver = Driver & { readonly client: IoRedisLike }

function ioRedisDriver(client: IoRedisClientLike): IoRedisDriver {
  // ioredis ends a connection gracefully and destroys it only after disconnectTimeout
  // (2 s by default), a timer that outlives even a socket that never opened. Ours
  // close at once anyway (see close()).
  return ioRedisFamilyDriver(client, false, () =>
    ioRedisDriver(client.duplicate({ disconnectTimeout: CLOSE_WAIT_MS })),
  )
}

function ioRedisClusterDriver(client: IoRedisClusterLike): IoRedisDriver {
  const redisOptions = { ...client.options.redisOptions, disconnectTimeout: CLOSE_WAIT_MS }
  return ioRedisFamilyDriver(client, true, () =>
    ioRedisClusterDriver(client.duplicate([], { redisOptions })),
  )
}

/** The driver over an ioredis client or cluster; `copy` makes the driver of a duplicate. */
function ioRedisFamilyDriver(
  client: IoRedisLike,
  cluster: boolean,
  copy: () => IoRedisDriver,
): IoRedisDriver {
  return {
    cluster,
    client,
    send: (args) => client.call(args[0] as string, ...args.slice(1)),
    duplicate: async (timeoutMs) => {
      const driver = copy()
      const duplicate = driver.client
      duplicate.on('error', ignore)
      // 'end' comes first when its retryStrategy gives up: fail then, not at the deadline.
      const ready = new Promise<void>((resolve, reject) => {
        duplicate.once('ready', resolve)
        duplicate.once('end', () => reject(new Error('the connection ended')))
      })
      // A client made with lazyConnect waits for its first command; a copy inherits that.
      if (duplicate.status === 'wait') duplicate.connect().catch(ignore)
      try {
        await withDeadline(ready, timeoutMs)
      } catch (error) {
        duplicate.disconnect()
        throw error
      }
      return driver
    },
    destroy: () => {
      const ended = new Promise<void>((resolve) => {
        client.once('end', resolve)
        setTimeout(resolve, CLOSE_WAIT_MS).unref()
      })
      client.disconnect()
      return ended
    },
  }
}

function connectionOver(driver: Driver, owned: boolean): RedisConnection {
  let closed = false
  const connection: RedisConnection = {
    cluster: driver.cluster,
    async command(args, timeoutMs) {
      checkCommand(args, timeoutMs)
      const name = args[0].toUpperCase()
      const controller = new AbortController()
      let raw: unknown
      try {
        raw = await withDeadline(driver.send(args, controller.signal), timeoutMs)
      } catch (error) {
        if (error !== TIMED_OUT) throw failure(error, name)
        // node-redis then drops a command still queued (offline), instead of sending a
        // write long after its caller gave up on it.
        controller.abort()
        throw new RedisCommandError('redis_timeout', name, `timed out after ${timeoutMs} ms`)
      }
      let reply: RedisReply
      try {
        reply = normalizeReply(raw)
      } catch (error) {
        throw failure(error, name)
      }
      return name === 'XREAD' || name === 'XREADGROUP' ? streamsAsPairs(reply) : reply
    },

    async script(script, keys, args, timeoutMs) {
      const deadline = Date.now() + timeoutMs
      const tail = [String(keys.length), ...keys, ...args]
      try {
        return await connection.command(['EVALSHA', script.sha1, ...tail], timeoutMs)
      } catch (error) {
        if (!(error instanceof RedisCommandError) || error.reply !== 'NOSCRIPT') throw error
      }
      // What is left of the one bound; at the very end, EVAL times out in its turn.
      const left = Math.max(1, deadline - Date.now())
      return connection.command(['EVAL', script.source, ...tail], left)
    },

    async duplicate(timeoutMs) {
      checkTimeout(timeoutMs)
      try {
        return connectionOver(await driver.duplicate(timeoutMs), true)
      } catch (error) {
        if (error !== TIMED_OUT) throw failure(error, 'CONNECT')
        throw new RedisCommandError('redis_timeout', 'CONNECT', `timed out after ${timeoutMs} ms`)
      }
    },

    async close() {
      if (!owned || closed) return
      closed = true
      await driver.destroy()
    },
  }
  return connection
}

function checkCommand(args: readonly string[], timeoutMs: number): asserts args is [string] {
  if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string')) {
    throw new TypeError('express-jwt-gate: a Redis command is a non-empty list of strings')
  }
  checkTimeout(timeoutMs)
}

function checkTimeout(timeoutMs: number): void {
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new TypeError('express-jwt-gate: a Redis timeout is a positive number of milliseconds')
  }
}

/** What {@link withDeadline} rejects with when time runs out; never seen outside. */
const TIMED_OUT = new Error('timed out')

/**
 * `work`, or a rejection with {@link TIMED_OUT} after `ms`. Either way `work` keeps a
 * handler, so settling after the deadline is never an unhandled rejection.
 */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    // The rejection waits for the check phase: timers run before the poll phase of a
    // turn, so after a blocked event loop a reply already in the socket would otherwise
    // lose to its own deadline, and a healthy server would look like a dead one.
    const timer = setTimeout(() => setImmediate(() => reject(TIMED_OUT)), ms)
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passed on as the client gave it
        reject(error)
      },
    )
  })
}

/**
 * The error a client failure becomes: `redis_reply` with the server's code when the
 * server answered, `redis_unavailable` otherwise. The original is dropped on purpose.
 */
function failure(error: unknown, command: string): RedisCommandError {
  const code = serverErrorCode(error)
  return code === undefined
    ? new RedisCommandError('redis_unavailable', command, 'failed: the connection is unavailable')
    : new RedisCommandError('redis_reply', command, `failed: ${code}`, code)
}

/**
 * The code word an error reply starts with (`ERR`, `NOSCRIPT`, `WRONGTYPE`), if `error`
 * is one. Redis starts every error reply with an upper-case word (it puts `ERR` before a
 * script's error that has none), and no error the four clients make up themselves does,
 * so the message tells; their class names would not survive a bundler that minifies.
 */
function serverErrorCode(error: unknown): string | undefined {
  const message = String((Object(error) as { message?: unknown }).message)
  return /^[A-Z][A-Z0-9_]+(?= |$)/.exec(message)?.[0]
}

/**
 * A client's reply in RESP2 shapes (see {@link RedisReply}). An error nested in a list
 * (a script can return one) is thrown, so the call fails as a whole.
 *
 * @example
 * ```ts
 * normalizeReply(new Map([['a', '1']])) // ['a', '1']
 * normalizeReply(true) // 1
 * ```
 */
export function normalizeReply(value: unknown): RedisReply {
  switch (typeof value) {
    case 'string':
    case 'number':
      return value
    case 'boolean':
      // What Redis itself sends a RESP2 client in place of a RESP3 boolean.
      return value ? 1 : 0
    case 'bigint':
      return String(value)
    case 'undefined':
      return null
  }
  if (value === null) return null
  if (Array.isArray(value)) return value.map(normalizeReply)
  // Tags rather than instanceof: a client may build its values in another realm (Jest
  // runs node_modules in a sandbox), and then instanceof says no to a real Error.
  const tag = Object.prototype.toString.call(value)
  if (tag === '[object Error]') throw value as Error
  if (ArrayBuffer.isView(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')
  }
  if (tag === '[object Map]') return flatten([...(value as Map<unknown, unknown>)])
  if (typeof value === 'object') return flatten(Object.entries(value))
  throw new TypeError(`express-jwt-gate: unexpected Redis reply of type ${typeof value}`)
}

function flatten(entries: readonly (readonly [unknown, unknown])[]): RedisReply[] {
  const flat: RedisReply[] = []
  for (const [field, value] of entries) flat.push(normalizeReply(field), normalizeReply(value))
  return flat
}

/**
 * An `XREAD` reply as RESP2 gives it, `[[stream, entries], …]`. RESP3 sends a map,
 * which arrives flattened as `[stream, entries, stream, entries]`: its first item is a
 * stream name, where in RESP2 it is a pair.
 */
function streamsAsPairs(reply: RedisReply): RedisReply {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string') return reply
  const pairs: RedisReply[] = []
  for (let i = 0; i < reply.length; i += 2) pairs.push(reply.slice(i, i + 2))
  return pairs
}
