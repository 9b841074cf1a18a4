/**
 * Two instances of the example API in separate processes, on one real redis-server:
 * what one instance decides (a feature change, a logout everywhere, a logout) the other
 * honours, within a couple of seconds at most (milliseconds, in practice).
 */
import { generateSecret } from 'express-jwt-gate'
import { startServer, stopServer, type Server } from '../../../../scripts/soak/server'
import { sleep, startRedis, type RedisServer } from '../../../helpers/redis-server'

// Two ts-node processes start, compile and connect: allow for a slow machine.
jest.setTimeout(90_000)

let redis: RedisServer
let a: Server
let b: Server
beforeAll(async () => {
  redis = await startRedis()
  const secret = generateSecret()
  const env = { REDIS_URL: redis.url }
  ;[a, b] = await Promise.all([
    startServer('127.0.0.1', secret, env),
    startServer('127.0.0.1', secret, env),
  ])
})
afterAll(async () => {
  await Promise.all([a, b].filter((s) => s !== undefined).map((s) => stopServer(s)))
  await redis.stop()
})

async function post(server: Server, path: string, body: object, token?: string) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function me(server: Server, token: string) {
  const res = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } })
  const body = (await res.json()) as { code?: string; sub?: string }
  return { status: res.status, code: body.code }
}

/** Poll until `server` answers `/me` with `status`, for at most two seconds. */
async function eventually(server: Server, token: string, status: number) {
  for (let i = 0; i < 40; i++) {
    const answer = await me(server, token)
    if (answer.status === status) return answer
    await sleep(50)
  }
  return me(server, token)
}

const login = async (server: Server, username: string) =>
  (await post(server, '/login', { username })).body as {
    access_token: string
    refresh_token: string
  }

test("a token issued by A works on B, and B's refresh of it works on A", async () => {
  const bob = await login(a, 'bob')
  expect(await me(b, bob.access_token)).toEqual({ status: 200, code: undefined })
  const refreshed = await post(b, '/token', {
    grant_type: 'refresh_token',
    refresh_token: bob.refresh_token,
  })
  expect(refreshed.status).toBe(200)
  expect(await me(a, refreshed.body.access_token as string)).toEqual({
    status: 200,
    code: undefined,
  })
})

test('claimsChanged on A: B refuses the old token as stale', async () => {
  const bob = await login(a, 'bob')
  const admin = await login(a, 'alice')
  expect(
    (await post(a, '/admin/users/bob/features', { grant: 'invoicing' }, admin.access_token)).status,
  ).toBe(200)
  expect(await eventually(b, bob.access_token, 401)).toEqual({ status: 401, code: 'token_stale' })
})

test('revokeSubject on A (log out everywhere): B refuses every token, and every refresh', async () => {
  const phone = await login(b, 'bob')
  const laptop = await login(a, 'bob')
  const admin = await login(b, 'alice')
  expect((await post(a, '/admin/users/bob/logout', {}, admin.access_token)).status).toBe(200)
  expect(await eventually(b, phone.access_token, 401)).toEqual({
    status: 401,
    code: 'token_revoked',
  })
  expect(await me(b, laptop.access_token)).toEqual({ status: 401, code: 'token_revoked' })
  const refresh = await post(b, '/token', {
    grant_type: 'refresh_token',
    refresh_token: phone.refresh_token,
  })
  expect(refresh).toMatchObject({ status: 400, body: { code: 'session_revoked' } })
})

test('a logout on A is honoured by B', async () => {
  const bob = await login(a, 'bob')
  expect((await post(a, '/logout', { token: bob.refresh_token })).status).toBe(200)
  expect(await eventually(b, bob.access_token, 401)).toEqual({ status: 401, code: 'token_revoked' })
})
