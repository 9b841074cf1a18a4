/**
 * `npm run bench:http`: autocannon on loopback against Express 5 servers, each in its
 * own process (bench/server.ts): bare Express; `jwtAuth` + `requireFeature`; the same
 * with the verified-token cache; express-jwt as its README configures HS256; and a
 * floor with the same shape and no token work (a middleware that only sets `req.user`
 * and a pass-through guard), which shows what Express itself charges any such pair.
 *
 * Rounds alternate the order (ABCDE, then EDCBA, …) so drift on a shared machine falls on
 * every server alike, and each server's throughput is divided by bare Express's in the
 * same round. With `taskset` and two or more cores, the servers run on core 1 and this
 * process (the load generator) on core 0.
 *
 * Tokens: every server, bare Express included, receives the same requests byte for
 * byte: 10,000 distinct tokens, each connection cycling through its own share (1,000
 * with 10 connections). No cache can help the uncached servers: a token recurs only
 * after a thousand others. The cached server sees what a cache is for, users sending
 * repeat requests with their token; its misses fall (mostly) in the warm-up. Why each
 * connection gets its own share: see bench/http-load.ts, which both HTTP benches share.
 *
 * Knobs: BENCH_HTTP_ROUNDS (default 6), BENCH_HTTP_SECONDS per run (default 5),
 * BENCH_HTTP_WARMUP seconds (default 3), BENCH_HTTP_CONNECTIONS (default 10),
 * BENCH_HTTP_TOKENS (default 10000).
 */
import {
  envNumber,
  fmtRatio,
  loadNote,
  machineNote,
  makeTokens,
  medianRatio,
  BenchReport,
} from './harness'
import {
  alternatingRounds,
  hasTaskset,
  httpHead,
  httpRows,
  PATH,
  requestShares,
  rerunOnCore0,
  startServer,
  stopServers,
  type Server,
} from './http-load'
import { VARIANTS, type Variant } from './server'

const ROUNDS = envNumber('BENCH_HTTP_ROUNDS', 6)
const SECONDS = envNumber('BENCH_HTTP_SECONDS', 5)
const WARMUP = envNumber('BENCH_HTTP_WARMUP', 3)
const CONNECTIONS = envNumber('BENCH_HTTP_CONNECTIONS', 10)
const TOKENS = envNumber('BENCH_HTTP_TOKENS', 10_000)

const LABELS: Record<Variant, string> = {
  express: 'bare Express 5',
  'middleware-floor': 'floor: app.use setting req.user + pass-through',
  jwtAuth: 'jwtAuth + requireFeature',
  'jwtAuth-cache': 'jwtAuth {cache:{max:10000}} + requireFeature',
  'express-jwt': 'express-jwt (README, HS256)',
}

/** Each server must accept a good token and refuse a missing one, or its speed means nothing. */
async function checkServers(servers: readonly Server[], token: string): Promise<void> {
  for (const server of servers) {
    const url = `http://127.0.0.1:${server.port}${PATH}`
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    if (ok.status !== 200) throw new Error(`${server.name}: ${ok.status} for a valid token`)
    const refused = await fetch(url)
    const expected = server.name === 'express' || server.name === 'middleware-floor' ? 200 : 401
    if (refused.status !== expected) {
      throw new Error(`${server.name}: ${refused.status} without a token`)
    }
  }
}

async function main(): Promise<void> {
  const pin = hasTaskset()
  if (pin && rerunOnCore0('BENCH_HTTP_PINNED')) return

  const out = new BenchReport('http')
  out.log(`# npm run bench:http — ${machineNote()}, load average ${loadNote()}`)
  out.log(
    `${ROUNDS} rounds (ABCDE, EDCBA, …) × ${SECONDS} s per server after ${WARMUP} s of warm-up, ${CONNECTIONS} connections; ` +
      (pin ? 'servers on core 1, load generator on core 0 (taskset)' : 'not pinned (no taskset)'),
  )

  const tokens = makeTokens(TOKENS)
  const shares = requestShares(tokens, CONNECTIONS)
  const servers: Server[] = []
  try {
    for (const variant of VARIANTS) servers.push(await startServer('server.js', variant, pin))
    await checkServers(servers, tokens[0] as string)
    const results = await alternatingRounds(servers, shares, {
      rounds: ROUNDS,
      seconds: SECONDS,
      warmup: WARMUP,
      connections: CONNECTIONS,
    })
    const rows = httpRows(servers, LABELS, results, 'express')
    const { rounds } = results
    out.log('\n## HTTP: GET /invoices on loopback\n')
    out.table('http', httpHead('bare'), rows)

    const targets: [string, number, number][] = [
      ['jwtAuth + requireFeature ÷ bare Express', medianRatio(rounds, 'jwtAuth', 'express'), 0.92],
      [
        'the same with the cache ÷ bare Express',
        medianRatio(rounds, 'jwtAuth-cache', 'express'),
        0.95,
      ],
    ]
    out.log('\n## Targets (median per-round ratios)\n')
    out.table(
      'targets',
      ['target', 'measured', 'wanted', 'met'],
      targets.map(([name, value, wanted]) => [
        name,
        fmtRatio(value),
        `≥ ${fmtRatio(wanted)}`,
        value >= wanted ? 'yes' : 'NO',
      ]),
    )
    out.log(`\nLoad average at the end: ${loadNote()}.`)
    for (const file of out.save()) process.stderr.write(`wrote ${file}\n`)
  } finally {
    stopServers(servers)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
