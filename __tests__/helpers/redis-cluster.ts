import { rawCommand, sleep, startRedis, type RedisServer } from './redis-server'

/** A Redis Cluster of our own: primaries on loopback, no replicas, every slot served. */
export interface RedisCluster {
  readonly nodes: readonly RedisServer[]
  /** The primary that serves `key` (by its hash slot), to pause or kill that one. */
  nodeOf(key: string): Promise<RedisServer>
  /** Stops every node; safe to call twice. */
  stop(): Promise<void>
}

const SLOTS = 16_384
const T = 2_000

/**
 * Start `size` cluster nodes (see startRedis's `cluster`), split the slots between them
 * evenly, introduce them, and resolve once every node sees the cluster as `ok`.
 *
 * @example
 * ```ts
 * const cluster = await startRedisCluster()
 * afterAll(() => cluster.stop())
 * const client = await createCluster({ rootNodes: [{ url: cluster.nodes[0].url }] }).connect()
 * ```
 */
export async function startRedisCluster(size = 3, timeoutMs = 15_000): Promise<RedisCluster> {
  const nodes = await Promise.all(Array.from({ length: size }, () => startRedis({ cluster: true })))
  const stop = () => Promise.all(nodes.map((node) => node.stop())).then(() => undefined)
  try {
    await Promise.all(
      nodes.map((node, i) => {
        const first = Math.floor((SLOTS * i) / size)
        const last = Math.floor((SLOTS * (i + 1)) / size) - 1
        return expectOk(node, ['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)])
      }),
    )
    const [seed] = nodes as [RedisServer]
    for (const node of nodes.slice(1)) {
      await expectOk(seed, [
        'CLUSTER',
        'MEET',
        '127.0.0.1',
        String(node.port),
        String(node.busPort),
      ])
    }
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const infos = await Promise.all(
        nodes.map((node) => rawCommand(node.port, ['CLUSTER', 'INFO'], T)),
      )
      const ready = infos.every(
        (info) =>
          typeof info === 'string' &&
          info.includes('cluster_state:ok') &&
          info.includes(`cluster_known_nodes:${size}`),
      )
      if (ready) break
      if (Date.now() > deadline) throw new Error(`the cluster is not ok after ${timeoutMs} ms`)
      await sleep(50)
    }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    nodes,
    async nodeOf(key) {
      const slot = Number(await rawCommand(nodes[0]!.port, ['CLUSTER', 'KEYSLOT', key], T))
      const found = nodes.find((_, i) => {
        const first = Math.floor((SLOTS * i) / size)
        const last = Math.floor((SLOTS * (i + 1)) / size) - 1
        return slot >= first && slot <= last
      })
      if (found === undefined) throw new Error(`no node serves slot ${slot}`)
      return found
    },
    stop,
  }
}

async function expectOk(node: RedisServer, args: readonly string[]): Promise<void> {
  const reply = await rawCommand(node.port, args, T)
  if (reply !== 'OK') throw new Error(`${args.slice(0, 2).join(' ')}: ${String(reply)}`)
}
