/**
 * `npm run start:cluster`: a local redis-server of its own (a temporary directory, a free
 * loopback port) and two instances of the example API on it, sharing one secret. It
 * prints curl lines that log in on the first, log out there, and show the second
 * refusing the token. Ctrl-C stops everything it started, and nothing else.
 */
import { generateSecret } from 'express-jwt-gate'
import { startRedis } from '../__tests__/helpers/redis-server'
import { startServer, stopServer, type Server } from './soak/server'

async function main(): Promise<void> {
  const redis = await startRedis({ persistence: true })
  const servers: Server[] = []
  const stop = async () => {
    await Promise.all(servers.map((server) => stopServer(server)))
    await redis.stop()
  }
  process.once('SIGINT', () => void stop().then(() => process.exit(0)))
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)))
  try {
    const secret = generateSecret()
    const env = { REDIS_URL: redis.url }
    for (let i = 0; i < 2; i++) servers.push(await startServer('127.0.0.1', secret, env))
  } catch (err) {
    await stop()
    throw err
  }
  const [a, b] = servers.map((server) => server.url) as [string, string]
  const json = `-H 'Content-Type: application/json'`
  console.log(
    `redis-server on ${redis.url} (pid ${redis.pid}), instance A on ${a}, instance B on ${b}`,
  )
  console.log('Log in on A, use the token on B, log out on A, and see B refuse it:')
  for (const line of [
    `field() { node -pe "JSON.parse(require('fs').readFileSync(0, 'utf8')).$1"; }`,
    `LOGIN=$(curl -s -X POST ${a}/login ${json} -d '{"username":"bob"}')`,
    `ACCESS=$(echo "$LOGIN" | field access_token); REFRESH=$(echo "$LOGIN" | field refresh_token)`,
    `curl -s -w '\\n' ${b}/me -H "Authorization: Bearer $ACCESS"      # 200 on B`,
    `curl -s -w '\\n' -X POST ${a}/logout -d "token=$REFRESH"           # logout on A`,
    `curl -s -w '\\n' ${b}/me -H "Authorization: Bearer $ACCESS"      # 401 token_revoked on B`,
  ]) {
    console.log(`  ${line}`)
  }
  console.log('Ctrl-C stops the instances and the redis-server.')
}

main().catch((err: unknown) => {
  console.error((err as Error).message)
  process.exitCode = 1
})
