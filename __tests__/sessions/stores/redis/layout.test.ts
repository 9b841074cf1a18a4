import { createClient } from 'redis'
import {
  createSessions,
  JwtSetupError,
  redisStore,
  type RedisClientLike,
  type Sessions,
} from 'express-jwt-gate'
import { startRedis, type RedisServer } from '../../../helpers/redis-server'
import { thrown } from '../../../helpers/tokens'
import { SESSION_SECRET } from '../../helpers'

let server: RedisServer
let client: ReturnType<typeof createClient>
beforeAll(async () => {
  server = await startRedis()
  client = createClient({ url: server.url })
  client.on('error', () => {})
  await client.connect()
})
afterAll(async () => {
  await client.close()
  await server.stop()
}, 20_000)

/** Every key under `prefix`, with its type and TTL. */
async function keysUnder(prefix: string) {
  const names = await client.keys(`${prefix}*`)
  return Promise.all(
    names.map(async (name) => ({
      name,
      type: await client.type(name),
      ttl: await client.pTTL(name),
    })),
  )
}

/** Every value stored under `prefix`, as one text to search. */
async function everythingUnder(prefix: string): Promise<string> {
  const parts: string[] = []
  for (const { name, type } of await keysUnder(prefix)) {
    if (type === 'hash') parts.push(JSON.stringify(await client.hGetAll(name)))
    else if (type === 'stream') parts.push(JSON.stringify(await client.xRange(name, '-', '+')))
    else parts.push(String(await client.get(name)))
    parts.push(name)
  }
  return parts.join('\n')
}

/** The hash tag of a key: what Redis Cluster hashes to choose its slot. */
const hashTag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1]

describe('what the store keeps in Redis', () => {
  let sessions: Sessions
  const prefix = 'layout:'
  beforeAll(async () => {
    sessions = createSessions({
      secret: SESSION_SECRET,
      store: redisStore({ client: client, prefix }),
    })
    await sessions.ready()
  })
  afterAll(() => sessions.close())

  test('every key has a TTL; a subject and its sessions share one hash tag', async () => {
    const bob = await sessions.issue('bob')
    await sessions.issue('bob')
    const alice = await sessions.issue('alice')
    await sessions.refresh(bob.refreshToken)
    await sessions.logout(alice.refreshToken)
    await sessions.claimsChanged('bob')
    const keys = await keysUnder(prefix)
    for (const key of keys)
      expect({ key: key.name, hasTtl: key.ttl > 0 }).toEqual({ key: key.name, hasTtl: true })
    const kinds = keys.map((k) =>
      k.name.replace(/\{(?!feed\})[^}]+\}/, '{tag}').replace(/:s:.*/, ':s:<id>'),
    )
    expect(new Set(kinds)).toEqual(
      new Set(['layout:{tag}:u', 'layout:{tag}:s:<id>', 'layout:{feed}', 'layout:{feed}:epoch']),
    )
    // A subject's record and its sessions: one tag per subject, so one slot.
    const subjects = keys.filter((k) => k.name.endsWith(':u')).map((k) => hashTag(k.name))
    const sessionTags = keys.filter((k) => k.name.includes(':s:')).map((k) => hashTag(k.name))
    expect(new Set(subjects).size).toBe(2)
    expect(new Set(sessionTags)).toEqual(new Set(subjects))
    expect(
      sessionTags.filter((tag) => tag === subjects[0]).length +
        sessionTags.filter((tag) => tag === subjects[1]).length,
    ).toBe(3)
  })

  test('no refresh token, nor any part of one, is stored: a copy of Redis yields no usable token', async () => {
    const tokens = await sessions.issue('carol')
    const rotated = await sessions.refresh(tokens.refreshToken)
    const stored = await everythingUnder(prefix)
    for (const token of [tokens.refreshToken, rotated.refreshToken]) {
      const [, family, secret] = token.split('.') as [string, string, string]
      expect(stored).not.toContain(family)
      expect(stored).not.toContain(secret)
    }
  })
})

describe('redisStore setup', () => {
  test.each([
    [
      'no client',
      { client: undefined },
      'client',
      'express-jwt-gate: redisStore needs your connected Redis client: redisStore({ client })',
    ],
    [
      'not a client',
      { client: {} },
      'client',
      expect.stringMatching(/^express-jwt-gate: client must be a node-redis client/),
    ],
    [
      'a braced prefix',
      { prefix: 'a{b}:' },
      'prefix',
      'express-jwt-gate: prefix must not hold { or }: they would make it a hash tag',
    ],
    [
      'a zero timeout',
      { commandTimeout: 0 },
      'commandTimeout',
      'express-jwt-gate: commandTimeout must be more than 0 seconds',
    ],
    [
      'whenStale of another kind',
      { whenStale: 'sometimes' },
      'whenStale',
      "express-jwt-gate: whenStale must be 'refuse' or 'accept'",
    ],
    [
      'an unknown option',
      { maxStale: 5 },
      'maxStale',
      expect.stringMatching(/unknown option "maxStale"/),
    ],
  ])('%s throws a JwtSetupError', (_name, options, option, message) => {
    const err = thrown(() =>
      redisStore({ client: client as unknown as RedisClientLike, ...options } as never),
    )
    expect(err).toBeInstanceOf(JwtSetupError)
    expect(err).toMatchObject({ option, message })
  })

  test('a node-redis client that is not connected is refused at setup, saying so', async () => {
    const idle = createClient({ url: server.url })
    const err = thrown(() => redisStore({ client: idle }))
    expect(err).toMatchObject({
      option: 'client',
      message:
        'express-jwt-gate: the node-redis client is not connected: call client.connect() before passing it',
    })
    await Promise.resolve()
  })

  test('one store serves one createSessions', async () => {
    const store = redisStore({ client: client, prefix: 'twice:' })
    const first = createSessions({ secret: SESSION_SECRET, store })
    expect(thrown(() => createSessions({ secret: SESSION_SECRET, store }))).toMatchObject({
      option: 'store',
    })
    await first.close()
  })
})
