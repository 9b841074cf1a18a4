import { randomBytes } from 'node:crypto'
import { redisStore } from 'express-jwt-gate'
import { startRedis, type RedisServer } from '../../../helpers/redis-server'
import { describeStoreContract } from '../../store-contract'
import { CLIENTS } from './clients'

let server: RedisServer
beforeAll(async () => {
  server = await startRedis()
})
afterAll(() => server.stop())

describe.each(CLIENTS)('%s', (_name, connect) => {
  describeStoreContract('redisStore', async (now) => {
    const connected = await connect(server.url)
    // A prefix of its own per test: one server, no test sees another's keys.
    const prefix = `t${randomBytes(6).toString('hex')}:`
    return {
      store: redisStore({ client: connected.client, prefix, now }),
      dispose: () => connected.close(),
    }
  })
})
