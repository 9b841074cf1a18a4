import IoRedis6, { Cluster as Cluster6 } from 'ioredis'
import IoRedis5, { Cluster as Cluster5 } from 'ioredis5'
import {
  createClient as createClient6,
  createCluster as createCluster6,
  createSentinel as createSentinel6,
} from 'redis'
import { createClient as createClient5, createCluster as createCluster5 } from 'redis5'
import type { RedisClientLike } from 'express-jwt-gate'

/** A connected client of one kind, and how to close it. */
export interface TestClient {
  readonly client: RedisClientLike
  close(): Promise<void>
}

export type Connect = (url: string) => Promise<TestClient>

const ignore = (): void => {}

/** What the ioredis clients and clusters, of either version, have in common here. */
interface IoRedisAny {
  on(event: 'error', listener: (error: unknown) => void): unknown
  once(event: 'ready', listener: () => void): unknown
  disconnect(): void
}

/** ioredis keeps retrying forever (the store bounds every call itself). */
async function ioRedis(client: IoRedisAny): Promise<TestClient> {
  client.on('error', ignore)
  await new Promise<void>((resolve) => client.once('ready', () => resolve()))
  return {
    client: client as unknown as RedisClientLike,
    close: () => {
      client.disconnect()
      return Promise.resolve()
    },
  }
}

/** Every client kind the store supports, for describe.each. */
export const CLIENTS: readonly (readonly [string, Connect])[] = [
  [
    'node-redis 6',
    async (url) => {
      const client = createClient6({ url })
      client.on('error', ignore)
      await client.connect()
      return { client: client as unknown as RedisClientLike, close: () => client.close() }
    },
  ],
  [
    'node-redis 5',
    async (url) => {
      const client = createClient5({ url })
      client.on('error', ignore)
      await client.connect()
      return { client: client as unknown as RedisClientLike, close: () => client.close() }
    },
  ],
  ['ioredis 6', (url) => ioRedis(new IoRedis6(url, { maxRetriesPerRequest: null }))],
  ['ioredis 5', (url) => ioRedis(new IoRedis5(url, { maxRetriesPerRequest: null }))],
]

/** One client of each family, for the slower tests. */
export const CLIENT_FAMILIES = CLIENTS.filter(([name]) => name.endsWith('6'))

/** A connected cluster client of one kind, given the address of one node. */
export type ConnectCluster = (url: string) => Promise<TestClient>

/** Every cluster client kind the store supports, for describe.each. */
export const CLUSTER_CLIENTS: readonly (readonly [string, ConnectCluster])[] = [
  [
    'node-redis 6 cluster',
    async (url) => {
      const client = createCluster6({ rootNodes: [{ url }] })
      client.on('error', ignore)
      await client.connect()
      return { client: client as unknown as RedisClientLike, close: () => client.close() }
    },
  ],
  [
    'node-redis 5 cluster',
    async (url) => {
      const client = createCluster5({ rootNodes: [{ url }] })
      client.on('error', ignore)
      await client.connect()
      return { client: client as unknown as RedisClientLike, close: () => client.close() }
    },
  ],
  ['ioredis 6 cluster', (url) => ioRedis(new Cluster6([nodeOf(url)]))],
  ['ioredis 5 cluster', (url) => ioRedis(new Cluster5([nodeOf(url)]))],
]

const nodeOf = (url: string) => {
  const { hostname, port } = new URL(url)
  return { host: hostname, port: Number(port) }
}

/** Where a Sentinel is, and the name of the primary it watches. */
export interface SentinelAddress {
  readonly host: string
  readonly port: number
  readonly name: string
}

/**
 * Every client kind that reaches the primary through Sentinel, for describe.each. Not
 * node-redis 5's, which has no duplicate(): redisStore refuses it (connection.test.ts).
 */
export const SENTINEL_CLIENTS: readonly (readonly [
  string,
  (sentinel: SentinelAddress) => Promise<TestClient>,
])[] = [
  [
    'node-redis 6 sentinel',
    async ({ host, port, name }) => {
      const client = createSentinel6({ name, sentinelRootNodes: [{ host, port }] })
      client.on('error', ignore)
      await client.connect()
      return { client: client as unknown as RedisClientLike, close: () => client.close() }
    },
  ],
  [
    'ioredis 6 sentinel',
    ({ host, port, name }) =>
      ioRedis(new IoRedis6({ sentinels: [{ host, port }], name, maxRetriesPerRequest: null })),
  ],
  [
    'ioredis 5 sentinel',
    ({ host, port, name }) =>
      ioRedis(new IoRedis5({ sentinels: [{ host, port }], name, maxRetriesPerRequest: null })),
  ],
]
