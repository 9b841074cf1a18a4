/**
 * One server of `npm run bench:sessions`, started by bench/sessions.ts in its own
 * process: `sessions-server.ts <variant>`, with `BENCH_REDIS_URL`, `BENCH_REDIS_PREFIX` and
 * `BENCH_HELD_REVOCATIONS` in its environment. Every variant answers `GET /invoices` as bench/server.ts does;
 * they differ only in what checks the token first. A Redis variant prints its port only
 * once it is ready to serve (its mirror loaded, its client connected).
 */
import { randomBytes } from 'node:crypto'
import express from 'express'
import { createClient } from 'redis'
import {
  createSessions,
  jwtAuth,
  memoryStore,
  redisStore,
  requireFeature,
  type RedisClientLike,
} from 'express-jwt-gate'
import { SECRET } from './harness'
import { createApp, invoices, refusals, serve } from './server'

export const SESSION_VARIANTS = [
  'express',
  'jwtAuth',
  'sessions-memory',
  'sessions-redis',
  'naive-redis',
] as const
export type SessionVariant = (typeof SESSION_VARIANTS)[number]

/** The key the naive check looks up: one per revoked access token. */
export const naiveKey = (prefix: string, jti: string): string => `${prefix}revoked:${jti}`

/** A connected node-redis client whose connection errors are left to the store's bounds. */
export async function connectRedis(
  url: string,
): Promise<{ client: RedisClientLike & ReturnType<typeof createClient>; close(): Promise<void> }> {
  const client = createClient({ url })
  client.on('error', () => {})
  await client.connect()
  return {
    client: client as unknown as RedisClientLike & ReturnType<typeof createClient>,
    close: () => client.close(),
  }
}

async function createSessionApp(
  variant: SessionVariant,
  url: string,
  prefix: string,
  held: number,
): Promise<{ app: express.Express; close: () => Promise<void> }> {
  if (variant === 'express' || variant === 'jwtAuth') {
    return { app: createApp(variant), close: async () => {} }
  }
  const app = express()
  if (variant === 'sessions-memory') {
    // Made before the bench issues its tokens: the store refuses tokens stamped before it.
    const sessions = createSessions({ secret: SECRET, store: memoryStore() })
    // As many revocations of other tokens as the Redis server's mirror gets from the
    // feed, so both look up in maps of the same size.
    const exp = Math.floor(Date.now() / 1000) + 900
    for (let i = 0; i < held; i++) {
      await sessions.revokeToken({ jti: randomBytes(16).toString('base64url'), exp })
    }
    app.use(sessions.authenticate())
    app.get('/invoices', requireFeature('invoicing'), invoices)
    app.use(refusals)
    return { app, close: () => sessions.close() }
  }
  const redis = await connectRedis(url)
  if (variant === 'sessions-redis') {
    const sessions = createSessions({
      secret: SECRET,
      store: redisStore({ client: redis.client, prefix }),
    })
    await sessions.ready()
    app.use(sessions.authenticate())
    app.get('/invoices', requireFeature('invoicing'), invoices)
    app.use(refusals)
    return {
      app,
      close: async () => {
        await sessions.close()
        await redis.close()
      },
    }
  }
  // What one would write without a mirror: jwtAuth's own isRevoked hook, awaiting one
  // Redis round trip per request.
  app.use(
    jwtAuth(SECRET, {
      isRevoked: async (payload) =>
        (await redis.client.get(naiveKey(prefix, String(payload.jti)))) !== null,
    }),
  )
  app.get('/invoices', requireFeature('invoicing'), invoices)
  app.use(refusals)
  return { app, close: () => redis.close() }
}

if (require.main === module) {
  const variant = process.argv[2] as SessionVariant
  if (!SESSION_VARIANTS.includes(variant)) {
    throw new Error(`variant must be one of ${SESSION_VARIANTS.join(', ')}`)
  }
  const url = process.env.BENCH_REDIS_URL ?? ''
  const prefix = process.env.BENCH_REDIS_PREFIX ?? ''
  const held = Number(process.env.BENCH_HELD_REVOCATIONS ?? 0)
  createSessionApp(variant, url, prefix, held).then(
    ({ app, close }) => serve(app, close),
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    },
  )
}
