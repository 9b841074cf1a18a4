/**
 * The Redis store against a real redis-server, with faults: paused (SIGSTOP), killed
 * and restarted, one instance cut off while another revokes, and refreshes from two
 * instances at once. Each "instance" here is a createSessions with a client of its own,
 * as two processes of an API would have.
 */
import express from 'express'
import request from 'supertest'
import {
  authErrorHandler,
  createSessions,
  decodeToken,
  redisStore,
  type RedisStoreOptions,
  type Sessions,
  type SessionsOptions,
} from 'express-jwt-gate'
import { failOnUnhandledRejections } from '../../../helpers/apps'
import { rawCommand, sleep, startRedis, type RedisServer } from '../../../helpers/redis-server'
import { startProxy, type TcpProxy } from '../../../helpers/tcp-proxy'
import { rejection, SESSION_SECRET } from '../../helpers'
import { CLIENT_FAMILIES, type Connect, type TestClient } from './clients'

failOnUnhandledRejections()
// Faults take seconds: a pause must outlast maxStaleness (1 s here), a restart must load.
jest.setTimeout(20_000)

/** What an instance answered: the status, and for a refusal its code and Retry-After. */
type Answer = { status: number; code?: string; retryAfter?: string | undefined }

interface Instance {
  sessions: Sessions
  client: TestClient
  access(token: string): Promise<Answer>
  close(): Promise<void>
}

/**
 * Poll `check` every 50 ms until it gives something (true, or a value), for at most
 * `ms`; resolves with what it gave.
 */
async function until<T>(check: () => Promise<T | false | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const found = await check()
    if (found !== false && found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await sleep(50)
  }
}

describe.each(CLIENT_FAMILIES)('%s', (_name, connect: Connect) => {
  let server: RedisServer
  let prefix: string
  const open: Instance[] = []

  async function instance(
    url: string,
    options: Partial<Omit<RedisStoreOptions, 'client'>> = {},
    sessionOptions: Partial<SessionsOptions> = {},
    waitReady = true,
  ): Promise<Instance> {
    const client = await connect(url)
    const sessions = createSessions({
      ...sessionOptions,
      secret: SESSION_SECRET,
      store: redisStore({
        client: client.client,
        prefix,
        maxStaleness: 1,
        commandTimeout: 0.3,
        ...options,
      }),
    })
    const app = express()
    app.use(sessions.authenticate())
    app.get('/', (_req, res) => res.json({}))
    app.use(authErrorHandler())
    const made: Instance = {
      sessions,
      client,
      async access(token) {
        const res = await request(app).get('/').set('Authorization', `Bearer ${token}`)
        return res.status === 200
          ? { status: 200 }
          : {
              status: res.status,
              code: res.body.code as string,
              retryAfter: res.headers['retry-after'],
            }
      },
      async close() {
        await sessions.close()
        await client.close()
      },
    }
    open.push(made)
    if (waitReady) await sessions.ready()
    return made
  }

  beforeEach(async () => {
    server = await startRedis({ persistence: true })
    prefix = `f${Date.now()}:`
  })
  afterEach(async () => {
    for (const made of open.splice(0)) await made.close()
    await server.stop()
  })

  test('paused beyond maxStaleness: 503 with Retry-After, then it recovers by itself', async () => {
    const a = await instance(server.url)
    const tokens = await a.sessions.issue('bob')
    expect(await a.access(tokens.accessToken)).toEqual({ status: 200 })
    server.pause()
    await sleep(1_600)
    expect(await a.access(tokens.accessToken)).toEqual({
      status: 503,
      code: 'revocation_unavailable',
      retryAfter: '1',
    })
    // The endpoints answer 503 within the bound too, never hang.
    const refused = await rejection(a.sessions.refresh(tokens.refreshToken))
    expect(refused).toMatchObject({ code: 'store_unavailable', status: 503 })
    server.resume()
    await until(async () => (await a.access(tokens.accessToken)).status === 200, 5_000)
    await expect(a.sessions.refresh(tokens.refreshToken)).resolves.toMatchObject({
      tokenType: 'Bearer',
    })
  })

  test("a refresh that timed out while paused does nothing when Redis resumes: the client's retry works", async () => {
    // A grace shorter than the pause: had the late rotation taken effect, the retry
    // below would present a retired token, outside the grace, and end the session.
    // The claims source runs between the session's lookup and its rotation: pausing
    // there sends the rotation itself to a stalled server.
    let pauseOnClaims = false
    const claims = () => {
      if (pauseOnClaims) server.pause()
      pauseOnClaims = false
      return {}
    }
    const a = await instance(server.url, {}, { reuseGrace: 0.2, claims })
    // One refresh first, so the rotation script is cached and the late call would run
    // (an uncached one would only meet NOSCRIPT).
    const tokens = await a.sessions.refresh((await a.sessions.issue('bob')).refreshToken)
    pauseOnClaims = true
    expect(await rejection(a.sessions.refresh(tokens.refreshToken))).toMatchObject({
      code: 'store_unavailable',
    })
    await sleep(100)
    server.resume()
    await until(async () => (await a.access(tokens.accessToken)).status === 200, 5_000)
    await sleep(400)
    const retried = await a.sessions.refresh(tokens.refreshToken)
    expect(retried.tokenType).toBe('Bearer')
    await expect(a.sessions.refresh(retried.refreshToken)).resolves.toMatchObject({
      tokenType: 'Bearer',
    })
  })

  test('killed and restarted with persistence: sessions and revocations survive, service resumes', async () => {
    const a = await instance(server.url)
    const kept = await a.sessions.issue('bob')
    const revoked = await a.sessions.issue('alice')
    await a.sessions.logout(revoked.refreshToken)
    await server.kill()
    await sleep(1_200)
    expect((await a.access(kept.accessToken)).status).toBe(503)
    await server.restart()
    await until(async () => (await a.access(kept.accessToken)).status === 200, 8_000)
    expect(await a.access(revoked.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
    // The application's own client reconnects on its own schedule (ioredis backs off up
    // to seconds); until it has, a refresh is a 503, and then it works.
    await until(
      () =>
        a.sessions.refresh(kept.refreshToken).then(
          () => true,
          (error: { code?: string }) => {
            if (error.code !== 'store_unavailable') throw error
            return false
          },
        ),
      8_000,
    )
    // A new instance loads the window from the restarted server, revocations included.
    const b = await instance(server.url)
    expect(await b.access(revoked.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
  })

  test('an instance that starts after 2,500 revocations loads every one, page by page', async () => {
    const a = await instance(server.url)
    const tokens = await a.sessions.issue('bob')
    const exp = decodeToken(tokens.accessToken).payload.exp as number
    const jtis = Array.from({ length: 2_500 }, (_, i) => `jti-${i}`)
    for (let i = 0; i < jtis.length; i += 250) {
      await Promise.all(jtis.slice(i, i + 250).map((jti) => a.sessions.revokeToken({ jti, exp })))
    }
    await a.sessions.revokeToken(decodeToken(tokens.accessToken).payload)
    // B reads the window in pages of 1,000: the last revocation is on the third page.
    const b = await instance(server.url)
    expect(await b.access(tokens.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
  })

  test('Redis loses its data (no persistence): tokens from before are refused, new logins work', async () => {
    const volatile = await startRedis()
    try {
      const a = await instance(volatile.url)
      const before = await a.sessions.issue('bob')
      expect(await a.access(before.accessToken)).toEqual({ status: 200 })
      await volatile.restart()
      // A new epoch: the revocations of the old one are gone, so nothing issued under it
      // can be vouched for, whatever it was.
      await until(async () => (await a.access(before.accessToken)).status === 401, 8_000)
      expect(await a.access(before.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
      const after = await until(
        () =>
          a.sessions.issue('bob').then(
            (tokens) => tokens,
            () => undefined,
          ),
        8_000,
      )
      expect(await a.access(after.accessToken)).toEqual({ status: 200 })
      await expect(a.sessions.refresh(before.refreshToken)).rejects.toMatchObject({
        code: 'refresh_token_invalid',
      })
      // The same with the connections up: the data flushed under a mirror that follows it.
      expect(await rawCommand(volatile.port, ['FLUSHALL'], 1_000)).toBe('OK')
      await until(async () => (await a.access(after.accessToken)).status === 401, 8_000)
      expect(await a.access(after.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
    } finally {
      for (const made of open.splice(0)) await made.close()
      await volatile.stop()
    }
  })

  test('a revocation made on A while B is cut off is honoured by B once it reconnects', async () => {
    const proxy: TcpProxy = await startProxy(server.port)
    try {
      const a = await instance(server.url)
      const b = await instance(proxy.url)
      const tokens = await a.sessions.issue('bob')
      expect(await b.access(tokens.accessToken)).toEqual({ status: 200 })
      proxy.cut()
      await a.sessions.revokeSubject('bob')
      await sleep(1_500)
      // Cut off, B cannot vouch for its mirror: it refuses rather than accept.
      expect((await b.access(tokens.accessToken)).status).toBe(503)
      proxy.restore()
      await until(async () => (await b.access(tokens.accessToken)).status !== 503, 8_000)
      expect(await b.access(tokens.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
    } finally {
      await proxy.close()
    }
  })

  test('a blocked event loop is not taken for an outage: no 503 when it frees up', async () => {
    const a = await instance(server.url)
    const tokens = await a.sessions.issue('bob')
    expect(await a.access(tokens.accessToken)).toEqual({ status: 200 })
    // Longer than maxStaleness (1 s), with Redis healthy all along.
    const until = Date.now() + 1_500
    while (Date.now() < until) {
      // busy: no timer, no I/O, no read of the feed can run
    }
    expect(await a.access(tokens.accessToken)).toEqual({ status: 200 })
    expect(await a.access(tokens.accessToken)).toEqual({ status: 200 })
  })

  test("a blocked event loop does not skew the server's clock: refreshes go on", async () => {
    const a = await instance(server.url)
    const tokens = await a.sessions.issue('bob')
    await sleep(600) // a few reads of the feed, each with the server's TIME, on time
    // The read outstanding now is answered while the loop is blocked, and its TIME is
    // read 1 s late: an instance that took it at its word would think the server 1 s
    // behind, and every refresh's deadline (150 ms) already past.
    const until = Date.now() + 1_200
    while (Date.now() < until) {
      // busy, as a synchronous job or a long GC would be
    }
    await sleep(20) // the late reply is read
    const refreshed = await a.sessions.refresh(tokens.refreshToken)
    expect(await a.access(refreshed.accessToken)).toEqual({ status: 200 })
    await expect(a.sessions.refresh(refreshed.refreshToken)).resolves.toMatchObject({
      tokenType: 'Bearer',
    })
  })

  test("whenStale: 'accept' keeps answering from the mirror while cut off", async () => {
    const proxy = await startProxy(server.port)
    try {
      const a = await instance(proxy.url, { whenStale: 'accept' })
      const tokens = await a.sessions.issue('bob')
      proxy.cut()
      await sleep(1_500)
      expect(await a.access(tokens.accessToken)).toEqual({ status: 200 })
    } finally {
      await proxy.close()
    }
  })

  test('concurrent refreshes of one token from two instances: all succeed, none ends the session', async () => {
    const a = await instance(server.url)
    const b = await instance(server.url)
    const tokens = await a.sessions.issue('bob')
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? a : b).sessions.refresh(tokens.refreshToken),
      ),
    )
    expect(new Set(results.map((r) => r.refreshToken)).size).toBe(6)
    for (const result of results) {
      expect(await a.access(result.accessToken)).toEqual({ status: 200 })
      expect(await b.access(result.accessToken)).toEqual({ status: 200 })
    }
  })

  test('claimsChanged and revokeSubject on A are honoured by B', async () => {
    const a = await instance(server.url)
    const b = await instance(server.url)
    const bob = await a.sessions.issue('bob')
    const alice = await b.sessions.issue('alice')
    await a.sessions.claimsChanged('bob')
    await a.sessions.revokeSubject('alice')
    await until(async () => (await b.access(bob.accessToken)).status === 401, 2_000)
    expect(await b.access(bob.accessToken)).toEqual({ status: 401, code: 'token_stale' })
    expect(await b.access(alice.accessToken)).toEqual({ status: 401, code: 'token_revoked' })
    expect(await rejection(b.sessions.refresh(alice.refreshToken))).toMatchObject({
      code: 'session_revoked',
    })
  })

  test('before the first sync, nothing is accepted unchecked, whenStale or not', async () => {
    const issuer = await instance(server.url)
    const tokens = await issuer.sessions.issue('bob')
    const proxy = await startProxy(server.port)
    try {
      // Connected, then cut before its mirror could load: it has never been current.
      const late = await instance(proxy.url, { whenStale: 'accept' }, {}, false)
      proxy.cut()
      await sleep(300)
      expect(await late.access(tokens.accessToken)).toEqual({
        status: 503,
        code: 'revocation_unavailable',
        retryAfter: '1',
      })
      expect(await rejection(late.sessions.issue('bob'))).toMatchObject({
        code: 'store_unavailable',
      })
    } finally {
      await proxy.close()
    }
  })
})
