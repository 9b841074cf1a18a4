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
 * repeat requests with their token; its misses fall (mostly) in the warm-up. Each connection gets
 * its own share, not the whole list, because autocannon clones and prebuilds the list
 * per connection, and a list ten times larger made the load generator itself slower,
 * which would have favoured whichever server got the shorter one.
 *
 * Knobs: BENCH_HTTP_ROUNDS (default 6), BENCH_HTTP_SECONDS per run (default 5),
 * BENCH_HTTP_WARMUP seconds (default 3), BENCH_HTTP_CONNECTIONS (default 10),
 * BENCH_HTTP_TOKENS (default 10000).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import autocannon from 'autocannon'
import {
  envNumber,
  fmtInt,
  fmtPercent,
  fmtRatio,
  loadNote,
  machineNote,
  makeTokens,
  median,
  medianRatio,
  spread,
  BenchReport,
} from './harness'
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

function hasTaskset(): boolean {
  if (process.platform !== 'linux' || cpus().length < 2) return false
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * `[command, ...args]` to start plain node (compiled JavaScript, no ts-node: its hooks
 * slow what they touch), on core `core` when pinning is possible.
 */
function nodeCommand(pin: boolean, core: number, args: string[]): [string, string[]] {
  return pin
    ? ['taskset', ['-c', String(core), process.execPath, ...args]]
    : [process.execPath, args]
}

interface Server {
  variant: Variant
  child: ChildProcess
  port: number
}

async function startServer(variant: Variant, pin: boolean): Promise<Server> {
  const [command, args] = nodeCommand(pin, 1, [join(__dirname, 'server.js'), variant])
  // production: what a deployed server runs, and no stack printed for each refusal.
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${variant} server exited (${code})`)))
    lines.once('line', (line) => resolve(Number(line)))
  })
  return { variant, child, port }
}

/** CPU seconds a process has used so far (Linux), to see which side was the bottleneck. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined || process.platform !== 'linux') return NaN
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    // utime and stime, fields 14 and 15 of stat(5), counted from the state field (3).
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

interface Run {
  reqPerSec: number
  /** Server CPU seconds per request: its cost, whichever side limited throughput. */
  cpuPerRequest: number
  p99: number
  serverCpu: number
  loadCpu: number
  /** Connection errors and timeouts. */
  failures: number
}

/** Each connection's own share of the requests, in the order connections are created. */
async function load(
  server: Server,
  shares: readonly autocannon.Request[][],
  seconds: number,
): Promise<Run> {
  // taskset execs node in place, so the child's pid is the server's, pinned or not.
  const pid = server.child.pid
  const serverBefore = cpuSeconds(pid)
  const loadBefore = process.cpuUsage()
  let next = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/invoices`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: shares[0] as autocannon.Request[],
    setupClient: (client) =>
      client.setRequests(shares[next++ % shares.length] as autocannon.Request[]),
  })
  const used = process.cpuUsage(loadBefore)
  // A refused request means the server is not doing what it claims: stop. Timeouts
  // on an overloaded machine are counted and shown instead.
  if (result.non2xx > 0) throw new Error(`${server.variant}: ${result.non2xx} non-2xx responses`)
  return {
    reqPerSec: result.requests.total / result.duration,
    cpuPerRequest: (cpuSeconds(pid) - serverBefore) / result.requests.total,
    p99: result.latency.p99,
    serverCpu: (cpuSeconds(pid) - serverBefore) / result.duration,
    loadCpu: (used.user + used.system) / 1e6 / result.duration,
    failures: result.errors + result.timeouts,
  }
}

/** Each server must accept a good token and refuse a missing one, or its speed means nothing. */
async function checkServers(servers: readonly Server[], token: string): Promise<void> {
  for (const server of servers) {
    const url = `http://127.0.0.1:${server.port}/invoices`
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    if (ok.status !== 200) throw new Error(`${server.variant}: ${ok.status} for a valid token`)
    const refused = await fetch(url)
    const expected =
      server.variant === 'express' || server.variant === 'middleware-floor' ? 200 : 401
    if (refused.status !== expected) {
      throw new Error(`${server.variant}: ${refused.status} without a token`)
    }
  }
}

async function main(): Promise<void> {
  const pin = hasTaskset()
  if (pin && process.env.BENCH_HTTP_PINNED === undefined) {
    // Re-run this script on core 0, every thread of it, leaving core 1 to the servers.
    const [command, args] = nodeCommand(true, 0, process.argv.slice(1))
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, BENCH_HTTP_PINNED: '1' },
    })
    child.on('exit', (code) => process.exit(code ?? 1))
    return
  }

  const out = new BenchReport('http')
  out.log(`# npm run bench:http — ${machineNote()}, load average ${loadNote()}`)
  out.log(
    `${ROUNDS} rounds (ABCDE, EDCBA, …) × ${SECONDS} s per server after ${WARMUP} s of warm-up, ${CONNECTIONS} connections; ` +
      (pin ? 'servers on core 1, load generator on core 0 (taskset)' : 'not pinned (no taskset)'),
  )

  const tokens = makeTokens(TOKENS)
  const per = Math.ceil(TOKENS / CONNECTIONS)
  const shares = Array.from({ length: CONNECTIONS }, (_, c) =>
    tokens.slice(c * per, (c + 1) * per).map((token): autocannon.Request => ({
      method: 'GET',
      path: '/invoices',
      headers: { authorization: `Bearer ${token}` },
    })),
  )

  const servers: Server[] = []
  try {
    for (const variant of VARIANTS) servers.push(await startServer(variant, pin))
    await checkServers(servers, tokens[0] as string)
    for (const server of servers) await load(server, shares, WARMUP)

    const rounds: Map<string, number>[] = []
    // Bare Express's server CPU per request over each server's, per round: the cost
    // ratio, which holds even when the loopback round trip, not the server, limits req/s.
    const costRounds: Map<string, number>[] = []
    const runs = new Map<Variant, Run[]>(VARIANTS.map((variant) => [variant, []]))
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? servers : [...servers].reverse()
      const round = new Map<string, number>()
      const cost = new Map<string, number>()
      for (const server of order) {
        const run = await load(server, shares, SECONDS)
        runs.get(server.variant)?.push(run)
        round.set(server.variant, run.reqPerSec)
        cost.set(server.variant, 1 / run.cpuPerRequest)
      }
      rounds.push(round)
      costRounds.push(cost)
      process.stderr.write(`  round ${r + 1}/${ROUNDS}\n`)
    }

    const rows = servers.map(({ variant }) => {
      const list = runs.get(variant) as Run[]
      const reqs = list.map((run) => run.reqPerSec)
      const percent = (values: number[]) => `${Math.round(100 * median(values))}%`
      return [
        LABELS[variant],
        fmtInt(median(reqs)),
        fmtPercent(spread(reqs)),
        `${median(list.map((run) => run.p99)).toFixed(1)} ms`,
        fmtRatio(medianRatio(rounds, variant, 'express')),
        `${fmtInt(1e6 * median(list.map((run) => run.cpuPerRequest)))} µs`,
        fmtRatio(medianRatio(costRounds, variant, 'express')),
        percent(list.map((run) => run.serverCpu)),
        percent(list.map((run) => run.loadCpu)),
        fmtInt(list.reduce((sum, run) => sum + run.failures, 0)),
      ]
    })
    out.log('\n## HTTP: GET /invoices on loopback\n')
    out.table(
      'http',
      [
        'server',
        'median req/s',
        'spread',
        'p99',
        'req/s ÷ bare',
        'server CPU/req',
        'CPU/req: bare ÷ this',
        'server CPU',
        'autocannon CPU',
        'errors',
      ],
      rows,
    )

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
    for (const server of servers) server.child.stdin?.end()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
