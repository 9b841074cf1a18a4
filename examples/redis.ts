/**
 * The example API's store on Redis, for several instances: `REDIS_URL=redis://… npm start`
 * (or `npm run start:cluster`, which starts a Redis and two instances). See
 * docs/instances.md.
 */
import { createClient } from 'redis' // or: new Redis(url) from 'ioredis'
import { redisStore } from 'express-jwt-gate'
import type { SessionStore } from 'express-jwt-gate'

/** A store on the Redis at `url`, through your own connected client. */
export async function storeOnRedis(url: string): Promise<SessionStore> {
  const client = await createClient({ url }).connect()
  return redisStore({ client, prefix: 'jwt-gate:' })
}
