/**
 * The Redis store through Sentinel: a primary and a Sentinel of our own, the store
 * contract with every client kind that finds the primary through it, and revocations
 * that reach a second instance (the mirror's blocking read runs on a duplicate).
 */
import { randomBytes } from 'node:crypto'
import express from 'express'
import request from 'supertest'
import {
  authErrorHandler,
  createSessions,
  decodeToken,
  redisStore,
  type Sessions,
} from 'express-jwt-gate'
import { failOnUnhandledRejections } from '../../../helpers/apps'
import { rawCommand, sleep, startRedis, type RedisServer } from '../../../helpers/redis-server'
import { SESSION_SECRET } from '../../helpers'
import { describeStoreContract } from '../../store-contract'
import { SENTINEL_CLIENTS, type SentinelAddress } from './clients'

failOnUnhandledRejections()
jest.setTimeout(20_000)

const NAME = 'primary'
let primary: RedisServer
let sentinel: RedisServer
let address: SentinelAddress

beforeAll(async () => {
  primary = await startRedis()
  sentinel = await startRedis({ sentinelOf: { name: NAME, port: primary.port } })
  address = { host: '127.0.0.1', port: sentinel.port, name: NAME }
  // The Sentinel names the primary as soon as it has read its configuration.
  const deadline = Date.now() + 10_000
  for (;;) {
    const named = await rawCommand(
      sentinel.port,
      ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME],
      1_000,
    )
    if (Array.isArray(named) && named[1] === String(primary.port)) break
    if (Date.now() > deadline) throw new Error('the Sentinel does not name the primary')
    await sleep(50)
  }
}, 30_000)
afterAll(async () => {
  await sentinel.stop()
  await primary.stop()
})

describe.each(SENTINEL_CLIENTS)('%s', (_name, connect) => {
  describeStoreContract('redisStore through Sentinel', async (now) => {
    const connected = await connect(address)
    const prefix = `t${randomBytes(6).toString('hex')}:`
    return {
      store: redisStore({ client: connected.client, prefix, now }),
      dispose: () => connected.close(),
    }
  })

  test('a revocation on A reaches B, whose mirror follows the feed on its own duplicate', async () => {
    const prefix = `s${randomBytes(6).toString('hex')}:`
    const clients = await Promise.all([connect(address), connect(address)])
    const [a, b] = clients.map((client) =>
      createSessions({
        secret: SESSION_SECRET,
        store: redisStore({ client: client.client, prefix }),
      }),
    ) as [Sessions, Sessions]
    const app = express()
    app.use(b.authenticate())
    app.get('/', (_req, res) => res.json({}))
    app.use(authErrorHandler())
    const access = async (token: string) => {
      const res = await request(app).get('/').set('Authorization', `Bearer ${token}`)
      return res.status === 200 ? 200 : (res.body as { code: string }).code
    }
    try {
      await Promise.all([a.ready(), b.ready()])
      const [one, two] = await Promise.all([a.issue('ann'), a.issue('bob')])
      expect(await access(one.accessToken)).toBe(200)
      await a.revokeToken(decodeToken(one.accessToken).payload)
      await a.claimsChanged('bob')
      const deadline = Date.now() + 2_000
      while ((await access(two.accessToken)) === 200 && Date.now() < deadline) await sleep(20)
      expect(await access(one.accessToken)).toBe('token_revoked')
      expect(await access(two.accessToken)).toBe('token_stale')
      // B's refresh works through the same primary, and carries on the session.
      expect(await access((await b.refresh(two.refreshToken)).accessToken)).toBe(200)
    } finally {
      await Promise.all([a.close(), b.close()])
      await Promise.all(clients.map((client) => client.close()))
    }
  })
})
