/**
 * The Redis store on a Redis Cluster of three primaries of our own: the store contract
 * with every cluster client, then sessions across two instances, a node that stops, and
 * the order of writes that errs toward refusing (the feed entry before the state).
 */
import { randomBytes } from 'node:crypto'
import express from 'express'
import request from 'supertest'
import {
  authErrorHandler,
  createSessions,
  decodeToken,
  redisStore,
  type RedisClientLike,
  type Sessions,
} from 'express-jwt-gate'
import { failOnUnhandledRejections } from '../../../helpers/apps'
import { startRedisCluster, type RedisCluster } from '../../../helpers/redis-cluster'
import { sleep, type RedisServer } from '../../../helpers/redis-server'
import { SESSION_SECRET } from '../../helpers'
import { describeStoreContract } from '../../store-contract'
import { CLUSTER_CLIENTS, type TestClient } from './clients'

failOnUnhandledRejections()
jest.setTimeout(20_000)

let cluster: RedisCluster
beforeAll(async () => {
  cluster = await startRedisCluster()
}, 30_000)
afterAll(() => cluster.stop())

describe.each(CLUSTER_CLIENTS)('%s', (_name, connect) => {
  describeStoreContract('redisStore on a cluster', async (now) => {
    const connected = await connect((cluster.nodes[0] as { url: string }).url)
    const prefix = `t${randomBytes(6).toString('hex')}:`
    return {
      store: redisStore({ client: connected.client, prefix, now }),
      dispose: () => connected.close(),
    }
  })
})

/** What an instance answered: the status, and for a refusal its code. */
type Answer = { status: number; code?: string }

interface Instance {
  sessions: Sessions
  client: TestClient
  access(token: string): Promise<Answer>
}

/** Poll `check` every 50 ms until it returns true, for at most `ms`. */
async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await sleep(50)
  }
}

/** Run `after` once, right after the first script the client sends on `key` resolves. */
function afterScriptOn(client: RedisClientLike, key: string, after: () => void): void {
  let armed = true
  const fire = (args: readonly unknown[]) => {
    if (armed && /^EVAL/i.test(String(args[0])) && args[3] === key) {
      armed = false
      after()
    }
  }
  const target = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  // node-redis: sendCommand(firstKey, isReadonly, args, options); ioredis: call(...args).
  const method = typeof target.call === 'function' ? 'call' : 'sendCommand'
  const original = target[method]!.bind(client)
  target[method] = async (...params: unknown[]) => {
    const reply = await original(...params)
    fire(method === 'call' ? params : (params[2] as unknown[]))
    return reply
  }
}

describe.each(CLUSTER_CLIENTS.filter(([name]) => name.includes(' 6 ')))(
  '%s: sessions across instances',
  (_name, connect) => {
    const open: { sessions: Sessions; client: TestClient }[] = []
    let prefix: string

    async function instance(): Promise<Instance> {
      const client = await connect((cluster.nodes[0] as { url: string }).url)
      const sessions = createSessions({
        secret: SESSION_SECRET,
        store: redisStore({ client: client.client, prefix, maxStaleness: 1, commandTimeout: 0.3 }),
      })
      open.push({ sessions, client })
      const app = express()
      app.use(sessions.authenticate())
      app.get('/', (_req, res) => res.json({}))
      app.use(authErrorHandler())
      await sessions.ready()
      return {
        sessions,
        client,
        async access(token) {
          const res = await request(app).get('/').set('Authorization', `Bearer ${token}`)
          return res.status === 200 ? { status: 200 } : { status: res.status, code: res.body.code }
        },
      }
    }

    /** A login of a subject whose sessions live on another node than the feed. */
    async function loginAwayFromFeed(a: Instance) {
      const feedNode = await cluster.nodeOf('{feed}')
      for (let i = 0; ; i++) {
        const tokens = await a.sessions.issue(`user${i}`)
        const tag = tokens.refreshToken.slice(0, 16)
        const node = await cluster.nodeOf(`{${tag}}`)
        if (node !== feedNode) return { tokens, node, sub: `user${i}` }
      }
    }

    /** Stop `node` the moment A's next feed entry is written, and expect `call` to fail with 503. */
    async function cutAfterFeed(a: Instance, node: RedisServer, call: () => Promise<unknown>) {
      afterScriptOn(a.client.client, `${prefix}{feed}`, () => node.pause())
      await expect(call()).rejects.toMatchObject({ status: 503, code: 'store_unavailable' })
    }

    /** B refuses `token` as revoked, once the feed entry has reached it. */
    async function refusedBy(b: Instance, token: string) {
      await until(async () => (await b.access(token)).status === 401, 2_000)
      expect(await b.access(token)).toEqual({ status: 401, code: 'token_revoked' })
    }

    /** Whether the state change that was cut off ran late or not, the session gives nothing. */
    async function sessionRefused(b: Instance, refreshToken: string) {
      try {
        const after = await b.sessions.refresh(refreshToken)
        expect(await b.access(after.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
      } catch (error) {
        expect(error).toMatchObject({ code: 'session_revoked' })
      }
    }

    beforeEach(() => {
      prefix = `c${randomBytes(6).toString('hex')}:`
    })
    afterEach(async () => {
      for (const node of cluster.nodes) {
        try {
          node.resume()
        } catch {
          // not paused
        }
      }
      for (const { sessions, client } of open.splice(0)) {
        await sessions.close()
        await client.close()
      }
    })

    test('a logout, a revoked token, a claims change and a revokeSubject on A are honoured by B', async () => {
      const a = await instance()
      const b = await instance()
      const [one, two, three, four] = await Promise.all(
        ['ann', 'bob', 'cat', 'dan'].map((sub) => a.sessions.issue(sub)),
      )
      for (const tokens of [one, two, three, four]) {
        expect(await b.access(tokens!.accessToken)).toEqual({ status: 200 })
      }
      await a.sessions.logout(one!.refreshToken)
      await a.sessions.revokeToken(decodeToken(two!.accessToken).payload)
      await a.sessions.claimsChanged('cat')
      await a.sessions.revokeSubject('dan')
      await until(async () => (await b.access(four!.accessToken)).status === 401, 2_000)
      expect(await b.access(one!.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
      expect(await b.access(two!.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
      expect(await b.access(three!.accessToken)).toEqual({ status: 401, code: 'token_stale' })
      expect(await b.access(four!.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
      // And the stores agree: only the stale session refreshes, on either instance.
      const fresh = await b.sessions.refresh(three!.refreshToken)
      expect(await a.access(fresh.accessToken)).toEqual({ status: 200 })
      await expect(b.sessions.refresh(one!.refreshToken)).rejects.toMatchObject({
        code: 'session_revoked',
      })
      await expect(b.sessions.refresh(four!.refreshToken)).rejects.toMatchObject({
        code: 'session_revoked',
      })
    })

    test('a node that holds sessions but not the feed stops: requests go on, its refreshes are 503', async () => {
      const a = await instance()
      const { tokens, node } = await loginAwayFromFeed(a)
      node.pause()
      await sleep(1_500)
      // The mirror talks to the feed's node only: still current, so no 503.
      expect(await a.access(tokens.accessToken)).toEqual({ status: 200 })
      await expect(a.sessions.refresh(tokens.refreshToken)).rejects.toMatchObject({
        status: 503,
        code: 'store_unavailable',
      })
      node.resume()
      await until(async () => {
        try {
          await a.sessions.refresh(tokens.refreshToken)
          return true
        } catch {
          return false
        }
      }, 5_000)
    })

    test('the feed first: a logout cut off after its feed entry still refuses the session everywhere', async () => {
      const a = await instance()
      const b = await instance()
      const { tokens, node } = await loginAwayFromFeed(a)
      // The session's node stops after the feed entry, before the session is ended there.
      await cutAfterFeed(a, node, () => a.sessions.logout(tokens.refreshToken))
      await refusedBy(b, tokens.accessToken)
      node.resume()
      await sessionRefused(b, tokens.refreshToken)
    })

    test('the feed first: a reuse cut off after its feed entry still ends the session everywhere', async () => {
      const a = await instance()
      const b = await instance()
      const { tokens, node } = await loginAwayFromFeed(a)
      const second = await a.sessions.refresh(tokens.refreshToken)
      const third = await a.sessions.refresh(second.refreshToken)
      expect(await b.access(third.accessToken)).toEqual({ status: 200 })
      // The first token again, two rotations late: a thief's.
      await cutAfterFeed(a, node, () => a.sessions.refresh(tokens.refreshToken))
      await refusedBy(b, third.accessToken)
      node.resume()
      await sessionRefused(b, third.refreshToken)
    })

    test('the feed first: a revokeSubject cut off after its feed entry refuses every token so far', async () => {
      const a = await instance()
      const b = await instance()
      const { tokens, node, sub } = await loginAwayFromFeed(a)
      await cutAfterFeed(a, node, () => a.sessions.revokeSubject(sub))
      await refusedBy(b, tokens.accessToken)
      node.resume()
      // Retried, as the docs say: then the sessions end too.
      await until(async () => {
        try {
          await a.sessions.revokeSubject(sub)
          return true
        } catch {
          return false
        }
      }, 5_000)
      await expect(b.sessions.refresh(tokens.refreshToken)).rejects.toMatchObject({
        code: 'session_revoked',
      })
    })
  },
)
