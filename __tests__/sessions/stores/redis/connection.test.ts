import { inspect } from 'node:util'
import Redis, { Cluster } from 'ioredis'
import Redis5 from 'ioredis5'
import { createClient, createCluster, createSentinel, RESP_TYPES } from 'redis'
import { createClient as createClient5, createSentinel as createSentinel5 } from 'redis5'
import {
  normalizeReply,
  prepareScript,
  redisConnection,
  RedisCommandError,
  type RedisClientLike,
  type RedisConnection,
  type RedisReply,
  routingKey,
} from '../../../../lib/sessions/stores/redis/connection'
import { sleep, startRedis, type RedisServer } from '../../../helpers/redis-server'

jest.setTimeout(30_000)

/** A bound for commands that should answer at once. */
const T = 2_000
/** Stands in for a token hash: it must never show in an error. */
const SECRET = 'tok-hash-3f9a1c'
const ignore = (): void => {}

/** An application's client as it would make one, and how it would close it. */
interface UserClient {
  client: RedisClientLike
  close(): Promise<unknown>
}

async function ioRedisClient(make: () => Redis | Redis5): Promise<UserClient> {
  const client = make()
  client.on('error', ignore)
  if (client.status !== 'ready') await new Promise((ready) => client.once('ready', ready))
  // quit() of a client that gave up reconnecting rejects: there is nothing left to close.
  return { client, close: async () => client.status !== 'end' && (await client.quit()) }
}

/** The four clients, each in its default protocol. */
const KINDS: readonly [string, 2 | 3, (url: string) => Promise<UserClient>][] = [
  [
    'redis 6 (node-redis)',
    3,
    async (url) => {
      const client = createClient({ url })
      // An application must listen: an unhandled error event ends the process.
      client.on('error', ignore)
      await client.connect()
      return { client, close: () => client.close() }
    },
  ],
  [
    'redis 5 (node-redis)',
    2,
    async (url) => {
      const client = createClient5({ url })
      client.on('error', ignore)
      await client.connect()
      return { client, close: () => client.close() }
    },
  ],
  ['ioredis 6', 3, (url) => ioRedisClient(() => new Redis(url))],
  ['ioredis 5', 2, (url) => ioRedisClient(() => new Redis5(url))],
]

/** The rejection of `work`, which must be a RedisCommandError. */
async function failureOf(work: Promise<unknown>): Promise<RedisCommandError> {
  const error: unknown = await work.then(
    () => new Error('expected a rejection'),
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(RedisCommandError)
  return error as RedisCommandError
}

/** Poll `attempt` every 50 ms until it resolves, for at most `ms`. */
async function eventually<V>(attempt: () => Promise<V>, ms: number): Promise<V> {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(50)
    }
  }
}

/** Connections the server has open, ours included. */
async function clientCount(connection: RedisConnection): Promise<number> {
  const list = (await connection.command(['CLIENT', 'LIST'], T)) as string
  return list.trim().split('\n').length
}

/** Calls of `command` since the last CONFIG RESETSTAT. */
async function calls(connection: RedisConnection, command: string): Promise<number> {
  const info = (await connection.command(['INFO', 'commandstats'], T)) as string
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0)
}

describe.each(KINDS)('%s', (_name, protocol, connect) => {
  let redis: RedisServer
  let user: UserClient
  let connection: RedisConnection

  beforeAll(async () => {
    redis = await startRedis()
    user = await connect(redis.url)
    connection = redisConnection(user.client)
  })
  afterAll(async () => {
    await user.close()
    await redis.stop()
  })
  beforeEach(async () => {
    await connection.command(['FLUSHALL'], T)
  })

  test(`speaks RESP${protocol}, its default, so both protocols are covered`, async () => {
    expect(await connection.command(['CLIENT', 'INFO'], T)).toMatch(` resp=${protocol}`)
  })

  test('GET and SET with PX: text, nil, and a TTL in milliseconds', async () => {
    expect(await connection.command(['SET', 'k', 'v', 'PX', '60000'], T)).toBe('OK')
    expect(await connection.command(['GET', 'k'], T)).toBe('v')
    expect(await connection.command(['GET', 'missing'], T)).toBeNull()
    expect(await connection.command(['SET', 'k', 'w', 'NX', 'PX', '60000'], T)).toBeNull()
    const ttl = await connection.command(['PTTL', 'k'], T)
    expect(typeof ttl).toBe('number')
    expect(ttl).toBeGreaterThan(59_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
  })

  test('INCR: integers as numbers', async () => {
    expect(await connection.command(['INCR', 'n'], T)).toBe(1)
    expect(await connection.command(['INCR', 'n'], T)).toBe(2)
  })

  test('HGETALL: a flat list, with a field named __proto__ kept; no hash, an empty list', async () => {
    await connection.command(['HSET', 'h', 'a', '1', '__proto__', 'x', 'b', '2'], T)
    expect(await connection.command(['HGETALL', 'h'], T)).toEqual([
      'a',
      '1',
      '__proto__',
      'x',
      'b',
      '2',
    ])
    expect(await connection.command(['HGETALL', 'missing'], T)).toEqual([])
  })

  test('XADD and XRANGE: ids, and each entry as [id, [field, value, …]]', async () => {
    const id = await connection.command(['XADD', 's', '*', 'sub', 'u1', 'jti', 'j1'], T)
    expect(id).toMatch(/^\d+-\d+$/)
    expect(await connection.command(['XRANGE', 's', '-', '+'], T)).toEqual([
      [id, ['sub', 'u1', 'jti', 'j1']],
    ])
  })

  test('XREAD: [stream, entries] pairs, for one stream or several; nil when nothing is new', async () => {
    await connection.command(['XADD', 's', '1-1', 'f', 'v'], T)
    await connection.command(['XADD', 't', '2-1', 'g', 'w'], T)
    expect(await connection.command(['XREAD', 'STREAMS', 's', '0'], T)).toEqual([
      ['s', [['1-1', ['f', 'v']]]],
    ])
    expect(
      await connection.command(['xread', 'COUNT', '5', 'STREAMS', 's', 't', '0', '0'], T),
    ).toEqual([
      ['s', [['1-1', ['f', 'v']]]],
      ['t', [['2-1', ['g', 'w']]]],
    ])
    expect(await connection.command(['XREAD', 'STREAMS', 's', '$'], T)).toBeNull()
  })

  test('XREAD BLOCK on a duplicate gets the entry the shared connection adds meanwhile', async () => {
    const reader = await connection.duplicate(T)
    try {
      const started = Date.now()
      const read = reader.command(['XREAD', 'BLOCK', '5000', 'STREAMS', 's', '$'], 6_000)
      await sleep(100)
      const id = await connection.command(['XADD', 's', '*', 'jti', 'j1'], T)
      expect(await read).toEqual([['s', [[id, ['jti', 'j1']]]]])
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      await reader.close()
    }
  })

  test('scripts: nested lists, integers and text, nil at the top, false as nil in a list', async () => {
    await connection.command(['SET', 'k', 'v'], T)
    const nested = prepareScript(
      "return {KEYS[1], tonumber(ARGV[1]), {redis.call('GET', KEYS[1]), {3, false, 'x'}}}",
    )
    expect(await connection.script(nested, ['k'], ['7'], T)).toEqual([
      'k',
      7,
      ['v', [3, null, 'x']],
    ])
    const get = prepareScript("return redis.call('GET', KEYS[1])")
    expect(await connection.script(get, ['missing'], [], T)).toBeNull()
    expect(await connection.script(prepareScript('return false'), [], [], T)).toBeNull()
    expect(await connection.script(prepareScript('return true'), [], [], T)).toBe(1)
  })

  test('script(): EVAL on NOSCRIPT, which caches it for EVALSHA; again after SCRIPT FLUSH', async () => {
    const script = prepareScript(`return ARGV[1] .. '${Date.now()}'`)
    await connection.command(['SCRIPT', 'FLUSH'], T)
    await connection.command(['CONFIG', 'RESETSTAT'], T)
    expect(await connection.command(['SCRIPT', 'EXISTS', script.sha1], T)).toEqual([0])

    expect(await connection.script(script, [], ['a'], T)).toMatch(/^a\d+$/)
    expect(await connection.command(['SCRIPT', 'EXISTS', script.sha1], T)).toEqual([1])
    expect([await calls(connection, 'evalsha'), await calls(connection, 'eval')]).toEqual([1, 1])

    await connection.script(script, [], ['b'], T)
    expect([await calls(connection, 'evalsha'), await calls(connection, 'eval')]).toEqual([2, 1])

    await connection.command(['SCRIPT', 'FLUSH'], T)
    expect(await connection.script(script, [], ['c'], T)).toMatch(/^c\d+$/)
    expect([await calls(connection, 'evalsha'), await calls(connection, 'eval')]).toEqual([3, 2])
  })

  test('error replies carry the command and the server code, never an argument', async () => {
    const unknown = await failureOf(connection.command(['NOPE', SECRET], T))
    expect(unknown).toMatchObject({ code: 'redis_reply', command: 'NOPE', reply: 'ERR' })
    // The server's own message quotes the argument; ours must not, nor may the object.
    expect(unknown.message).toBe('redis NOPE failed: ERR')
    expect(inspect(unknown)).not.toContain(SECRET)

    await connection.command(['HSET', 'h', 'f', 'v'], T)
    expect(await failureOf(connection.command(['GET', 'h'], T))).toMatchObject({
      code: 'redis_reply',
      reply: 'WRONGTYPE',
      message: 'redis GET failed: WRONGTYPE',
    })

    const raise = prepareScript("return redis.error_reply('MYERR ' .. ARGV[1])")
    // Not cached yet, then cached: the error of EVAL and that of EVALSHA alike.
    for (const command of ['EVAL', 'EVALSHA']) {
      const scripted = await failureOf(connection.script(raise, [], [SECRET], T))
      expect(scripted).toMatchObject({ code: 'redis_reply', command, reply: 'MYERR' })
      expect(inspect(scripted)).not.toContain(SECRET)
    }

    const nested = prepareScript("return {1, redis.error_reply('NESTED ' .. ARGV[1])}")
    const inList = await failureOf(connection.script(nested, [], [SECRET], T))
    expect(inList).toMatchObject({ code: 'redis_reply', reply: 'NESTED' })
    expect(inspect(inList)).not.toContain(SECRET)
  })

  test('a paused server: calls reject within their bound, and all works again after SIGCONT', async () => {
    await connection.command(['SET', 'k', 'v'], T)
    const baseline = await clientCount(connection)
    const reader = await connection.duplicate(T)
    redis.pause()
    try {
      // Its GET gives up first, then the close fails the client's own promise behind it:
      // a late rejection, which Jest would report against this test were it loose.
      expect(await failureOf(reader.command(['GET', 'k'], 200))).toMatchObject({
        code: 'redis_timeout',
      })
      await reader.close()

      let started = Date.now()
      const get = await failureOf(connection.command(['GET', 'k'], 300))
      expect(get).toMatchObject({
        code: 'redis_timeout',
        message: 'redis GET timed out after 300 ms',
      })
      expect(Date.now() - started).toBeGreaterThanOrEqual(290)
      expect(Date.now() - started).toBeLessThan(1_500)

      started = Date.now()
      const script = prepareScript('return 1')
      expect(await failureOf(connection.script(script, [], [], 300))).toMatchObject({
        code: 'redis_timeout',
      })
      expect(Date.now() - started).toBeLessThan(1_500)

      started = Date.now()
      expect(await failureOf(connection.duplicate(300))).toMatchObject({
        code: 'redis_timeout',
        command: 'CONNECT',
      })
      expect(Date.now() - started).toBeLessThan(1_500)
    } finally {
      redis.resume()
    }
    // The late replies arrive now and go nowhere; a loose rejection would fail this test.
    expect(await connection.command(['GET', 'k'], T)).toBe('v')
    // The duplicate given up on left no connection behind, and the closed one is gone.
    expect(
      await eventually(async () => {
        const count = await clientCount(connection)
        if (count !== baseline) throw new Error(`${count} connections, not ${baseline}`)
        return count
      }, 3_000),
    ).toBe(baseline)
  })

  test('a killed server: commands and duplicates fail within their bound, then recover', async () => {
    await redis.kill()
    try {
      const down = await failureOf(connection.command(['PING'], 500))
      expect(['redis_timeout', 'redis_unavailable']).toContain(down.code)
      expect(await failureOf(connection.duplicate(500))).toMatchObject({ command: 'CONNECT' })
    } finally {
      await redis.restart()
    }
    expect(await eventually(() => connection.command(['PING'], 500), 10_000)).toBe('PONG')
    const reader = await connection.duplicate(T)
    expect(await reader.command(['PING'], T)).toBe('PONG')
    await reader.close()
  })

  test('close() of a duplicate fails its pending read at once and ends its connection', async () => {
    const baseline = await clientCount(connection)
    const reader = await connection.duplicate(T)
    expect(await clientCount(connection)).toBe(baseline + 1)
    const read = failureOf(reader.command(['XREAD', 'BLOCK', '10000', 'STREAMS', 's', '$'], 15_000))
    await sleep(100)
    const started = Date.now()
    await reader.close()
    expect(await read).toMatchObject({ code: 'redis_unavailable', command: 'XREAD' })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(await failureOf(reader.command(['PING'], T))).toMatchObject({
      code: 'redis_unavailable',
    })
    await expect(reader.close()).resolves.toBeUndefined()
    expect(
      await eventually(async () => {
        const count = await clientCount(connection)
        if (count !== baseline) throw new Error(`${count} connections, not ${baseline}`)
        return count
      }, 3_000),
    ).toBe(baseline)
  })

  test("close() leaves the application's own client alone", async () => {
    await connection.close()
    expect(await connection.command(['PING'], T)).toBe('PONG')
  })
})

test('a cluster routes each command by its first key, and a keyless one anywhere', () => {
  expect(routingKey(['EVALSHA', 'sha', '2', 'k1', 'k2', 'arg'])).toBe('k1')
  expect(routingKey(['EVAL', 'return 1', '0', 'arg'])).toBeUndefined()
  expect(routingKey(['XREAD', 'COUNT', '5', 'BLOCK', '100', 'streams', 'feed', '0-0'])).toBe('feed')
  expect(routingKey(['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'feed', '>'])).toBe('feed')
  expect(routingKey(['XREAD', 'COUNT', '5'])).toBeUndefined()
  expect(routingKey(['TIME'])).toBeUndefined()
  expect(routingKey(['ping'])).toBeUndefined()
  expect(routingKey(['GET', 'epoch'])).toBe('epoch')
  expect(routingKey(['XRANGE', 'feed', '-', '+'])).toBe('feed')
})

describe('redisConnection() refuses what it cannot use, saying how to fix it', () => {
  test.each([
    ['nothing', undefined],
    ['a string', 'redis://127.0.0.1:6379'],
    ['an object of another shape', { get: () => null, set: () => null }],
  ])('%s', (_what, client) => {
    expect(() => redisConnection(client as unknown as RedisClientLike)).toThrow(
      new TypeError(
        'express-jwt-gate: client must be a node-redis client (createClient() or createCluster() ' +
          'of redis 5 or 6) or an ioredis client (new Redis() or new Redis.Cluster() of ioredis 5 or 6)',
      ),
    )
  })

  test.each([
    ['redis 6', () => createClient()],
    ['redis 5', () => createClient5()],
  ])('a %s client not connected yet', (_name, make) => {
    expect(() => redisConnection(make())).toThrow(
      new TypeError(
        'express-jwt-gate: the node-redis client is not connected: call client.connect() ' +
          'before passing it',
      ),
    )
  })

  test('a node-redis 5 Sentinel client, which cannot duplicate itself', () => {
    const sentinel = createSentinel5({
      name: 'primary',
      sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }],
    })
    expect(() => redisConnection(sentinel as unknown as RedisClientLike)).toThrow(
      new TypeError(
        'express-jwt-gate: this node-redis Sentinel client has no duplicate() for the blocking ' +
          'read of the revocation feed (redis 5): use createSentinel() of redis 6, or ioredis ' +
          'with sentinels',
      ),
    )
  })

  test('a node-redis 6 Sentinel client not connected yet', () => {
    const sentinel = createSentinel({
      name: 'primary',
      sentinelRootNodes: [{ host: '127.0.0.1', port: 1 }],
    })
    expect(() => redisConnection(sentinel as unknown as RedisClientLike)).toThrow(
      new TypeError(
        'express-jwt-gate: the node-redis sentinel client is not connected: call ' +
          'sentinel.connect() before passing it',
      ),
    )
  })

  test('a node-redis cluster not connected yet', () => {
    const cluster = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }] })
    expect(() => redisConnection(cluster as unknown as RedisClientLike)).toThrow(
      new TypeError(
        'express-jwt-gate: the node-redis cluster client is not connected: call ' +
          'cluster.connect() before passing it',
      ),
    )
  })

  test('an ioredis cluster: closed, or keyPrefix or stringNumbers in either place', async () => {
    const nodes = [{ host: '127.0.0.1', port: 1 }]
    const use = (cluster: Cluster) => () => redisConnection(cluster as unknown as RedisClientLike)
    expect(use(new Cluster(nodes, { keyPrefix: 'app:', lazyConnect: true }))).toThrow(
      /^express-jwt-gate: the ioredis client has keyPrefix set/,
    )
    expect(
      use(new Cluster(nodes, { redisOptions: { keyPrefix: 'app:' }, lazyConnect: true })),
    ).toThrow(/^express-jwt-gate: the ioredis client has keyPrefix set/)
    expect(
      use(new Cluster(nodes, { redisOptions: { stringNumbers: true }, lazyConnect: true })),
    ).toThrow(/^express-jwt-gate: the ioredis client has stringNumbers set/)
    const closed = new Cluster(nodes, { lazyConnect: true })
    closed.disconnect()
    await new Promise((settle) => setImmediate(settle))
    expect(closed.status).toBe('end')
    expect(use(closed)).toThrow(/^express-jwt-gate: the ioredis client is closed/)
    // A fine one is taken as a cluster.
    expect(use(new Cluster(nodes, { lazyConnect: true }))().cluster).toBe(true)
  })

  describe('ioredis', () => {
    let redis: RedisServer
    beforeAll(async () => {
      redis = await startRedis()
    })
    afterAll(() => redis.stop())

    test.each([
      ['ioredis 6', (url: string): Redis | Redis5 => new Redis(url)],
      ['ioredis 5', (url: string): Redis | Redis5 => new Redis5(url)],
    ])('%s: a closed client, keyPrefix, stringNumbers', async (_name, make) => {
      const closed = make(redis.url)
      const ended = new Promise((end) => closed.once('end', end))
      await closed.quit()
      await ended
      expect(() => redisConnection(closed)).toThrow(
        /^express-jwt-gate: the ioredis client is closed \(quit\(\) or disconnect\(\) was called\)/,
      )

      const prefixed = make(redis.url)
      prefixed.on('error', ignore)
      try {
        expect(() =>
          redisConnection(prefixed.duplicate({ keyPrefix: 'app:', lazyConnect: true })),
        ).toThrow(/^express-jwt-gate: the ioredis client has keyPrefix set: pass one without it/)
        expect(() =>
          redisConnection(prefixed.duplicate({ stringNumbers: true, lazyConnect: true })),
        ).toThrow(/^express-jwt-gate: the ioredis client has stringNumbers set/)
        // The fix the messages give works.
        const fixed = prefixed.duplicate({ keyPrefix: '', stringNumbers: false })
        fixed.on('error', ignore)
        expect(await redisConnection(fixed).command(['INCR', `n-${_name}`], T)).toBe(1)
        await fixed.quit()
      } finally {
        await prefixed.quit()
      }
    })

    test('a client made with lazyConnect: its duplicate connects too', async () => {
      const lazy = new Redis(redis.url, { lazyConnect: true })
      lazy.on('error', ignore)
      const connection = redisConnection(lazy)
      const reader = await connection.duplicate(T)
      expect(await reader.command(['PING'], T)).toBe('PONG')
      await reader.close()
      // The original connects on its first command, as ioredis does with lazyConnect.
      expect(await connection.command(['PING'], T)).toBe('PONG')
      await lazy.quit()
    })
  })
})

describe('a client set never to reconnect', () => {
  test.each<[string, (url: string) => Promise<UserClient>]>([
    [
      'redis 6',
      async (url) => {
        const client = createClient({ url, socket: { reconnectStrategy: false } })
        client.on('error', ignore)
        await client.connect()
        return { client, close: () => Promise.resolve(client.isOpen && client.destroy()) }
      },
    ],
    [
      'redis 5',
      async (url) => {
        const client = createClient5({ url, socket: { reconnectStrategy: false } })
        client.on('error', ignore)
        await client.connect()
        return { client, close: () => Promise.resolve(client.isOpen && client.destroy()) }
      },
    ],
    ['ioredis 6', (url) => ioRedisClient(() => new Redis(url, { retryStrategy: () => null }))],
    ['ioredis 5', (url) => ioRedisClient(() => new Redis5(url, { retryStrategy: () => null }))],
  ])('%s: a duplicate of it fails at once while the server is down', async (_name, connect) => {
    const redis = await startRedis()
    const user = await connect(redis.url)
    try {
      const connection = redisConnection(user.client)
      const reader = await connection.duplicate(T)
      await redis.kill()
      // Its connection is gone for good; closing it still works.
      expect(await failureOf(reader.command(['PING'], T))).toMatchObject({
        code: 'redis_unavailable',
      })
      await expect(reader.close()).resolves.toBeUndefined()
      const started = Date.now()
      expect(await failureOf(connection.duplicate(5_000))).toMatchObject({
        code: 'redis_unavailable',
        command: 'CONNECT',
        message: 'redis CONNECT failed: the connection is unavailable',
      })
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      await user.close()
      await redis.stop()
    }
  })
})

describe('node-redis with a type mapping of its own', () => {
  test('text still arrives as strings, never Buffers', async () => {
    const redis = await startRedis()
    const client = createClient({ url: redis.url })
    client.on('error', ignore)
    await client.connect()
    try {
      const buffers = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer })
      await buffers.set('k', 'v')
      expect(Buffer.isBuffer(await buffers.get('k'))).toBe(true)
      const connection = redisConnection(buffers)
      expect(await connection.command(['GET', 'k'], T)).toBe('v')
      const reader = await connection.duplicate(T)
      expect(await reader.command(['GET', 'k'], T)).toBe('v')
      await reader.close()
    } finally {
      await client.close()
      await redis.stop()
    }
  })
})

describe('arguments the store itself must get right', () => {
  let redis: RedisServer
  let user: UserClient
  let connection: RedisConnection
  beforeAll(async () => {
    redis = await startRedis()
    user = await ioRedisClient(() => new Redis(redis.url))
    connection = redisConnection(user.client)
  })
  afterAll(async () => {
    await user.close()
    await redis.stop()
  })

  test.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '500' as unknown as number])(
    'a timeout of %p',
    async (timeoutMs) => {
      const message = 'express-jwt-gate: a Redis timeout is a positive number of milliseconds'
      await expect(connection.command(['PING'], timeoutMs)).rejects.toThrow(new TypeError(message))
      await expect(connection.duplicate(timeoutMs)).rejects.toThrow(new TypeError(message))
    },
  )

  test.each([[[]], [[1 as unknown as string]], ['PING' as unknown as string[]]])(
    'a command of %p',
    async (args) => {
      await expect(connection.command(args, T)).rejects.toThrow(
        new TypeError('express-jwt-gate: a Redis command is a non-empty list of strings'),
      )
    },
  )

  test('an empty script', () => {
    expect(() => prepareScript('')).toThrow(
      new TypeError('express-jwt-gate: a Redis script must be a non-empty string'),
    )
  })

  test('prepareScript hashes the source as Redis does', async () => {
    const script = prepareScript('return 42')
    expect(await connection.command(['SCRIPT', 'LOAD', script.source], T)).toBe(script.sha1)
  })
})

describe('normalizeReply', () => {
  test.each<[string, unknown, RedisReply]>([
    ['a Map (node-redis typeMapping Map)', new Map([['a', '1']]), ['a', '1']],
    ['a plain object (a RESP3 map)', { a: '1', b: [2] }, ['a', '1', 'b', [2]]],
    ['a Buffer', Buffer.from('héllo'), 'héllo'],
    ['a bigint (a RESP3 big number)', 12345678901234567890n, '12345678901234567890'],
    ['true (a RESP3 boolean)', true, 1],
    ['false', false, 0],
    ['undefined', undefined, null],
    ['nested lists', [1, ['a', [null]]], [1, ['a', [null]]]],
  ])('%s', (_what, value, expected) => {
    expect(normalizeReply(value)).toEqual(expected)
  })

  test('an error nested in a list is thrown, failing the reply as a whole', () => {
    const nested = new Error('NESTED boom')
    expect(() => normalizeReply([1, nested])).toThrow(nested)
  })

  test('a value no client returns is refused by type, not echoed', () => {
    expect(() => normalizeReply(Symbol(SECRET))).toThrow(
      new TypeError('express-jwt-gate: unexpected Redis reply of type symbol'),
    )
  })
})
