/**
 * The machinery the HTTP benches share (`bench:http`, `bench:sessions`): servers in
 * processes of their own, pinned to core 1 when `taskset` can; autocannon load from this
 * process; rounds in alternating order (ABCDE, then EDCBA, …) with every server's figure
 * divided by the reference's in the same round; and the table both print.
 *
 * Why each connection gets its own share of the tokens, not the whole list: autocannon
 * clones and prebuilds the list per connection, and a list ten times larger made the
 * load generator itself slower, which would have favoured whichever server got the
 * shorter one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import autocannon from 'autocannon'
import { fmtInt, fmtPercent, fmtRatio, median, medianRatio, spread } from './harness'

/** The path every server answers, and every request asks for. */
export const PATH = '/invoices'

export function hasTaskset(): boolean {
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
export function nodeCommand(pin: boolean, core: number, args: string[]): [string, string[]] {
  return pin
    ? ['taskset', ['-c', String(core), process.execPath, ...args]]
    : [process.execPath, args]
}

/**
 * Re-run this script on core 0, every thread of it, leaving core 1 to the servers; `true`
 * in the parent, which then only waits for the pinned copy (`flag` marks the copy).
 */
export function rerunOnCore0(flag: string): boolean {
  if (process.env[flag] !== undefined) return false
  const [command, args] = nodeCommand(true, 0, [...process.execArgv, ...process.argv.slice(1)])
  const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, [flag]: '1' } })
  child.on('exit', (code) => process.exit(code ?? 1))
  return true
}

/** The cores a running process may use, as `taskset` lists them (`0,1`). */
export function affinityOf(pid: number): string {
  const text = execFileSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' })
  return text.slice(text.lastIndexOf(':') + 1).trim()
}

/** Move every thread of a running process to `cores` (a `taskset` list such as `0`). */
export function pinProcess(pid: number, cores: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' })
}

export interface Server {
  /** What the messages call it: the variant it runs. */
  name: string
  child: ChildProcess
  port: number
}

/**
 * Start `script <name>` (compiled, beside this file) in a process of its own, on core 1
 * when pinning; it prints its port as its first line once it is ready to serve.
 */
export async function startServer(
  script: string,
  name: string,
  pin: boolean,
  env: Record<string, string> = {},
): Promise<Server> {
  const [command, args] = nodeCommand(pin, 1, [join(__dirname, script), name])
  // production: what a deployed server runs, and no stack printed for each refusal.
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env, NODE_ENV: 'production' },
  })
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} server exited (${code})`)))
    lines.once('line', (line) => resolve(Number(line)))
  })
  return { name, child, port }
}

/** Closing a server's stdin ends it (see `serve` in server.ts). */
export function stopServers(servers: readonly Server[]): void {
  for (const server of servers) server.child.stdin?.end()
}

/** CPU seconds a process has used so far (Linux), to see which side was the bottleneck. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined || process.platform !== 'linux') return NaN
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    // utime and stime, fields 14 and 15 of stat(5), counted from the state field (3).
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

export interface Run {
  reqPerSec: number
  /** Server CPU seconds per request: its cost, whichever side limited throughput. */
  cpuPerRequest: number
  p99: number
  serverCpu: number
  loadCpu: number
  /** Connection errors and timeouts. */
  failures: number
}

/** Each connection's own share of `GET /invoices` requests, one per token. */
export function requestShares(
  tokens: readonly string[],
  connections: number,
): autocannon.Request[][] {
  const per = Math.ceil(tokens.length / connections)
  return Array.from({ length: connections }, (_, c) =>
    tokens.slice(c * per, (c + 1) * per).map((token): autocannon.Request => ({
      method: 'GET',
      path: PATH,
      headers: { authorization: `Bearer ${token}` },
    })),
  )
}

/** Each connection's own share of the requests, in the order connections are created. */
export async function load(
  server: Server,
  shares: readonly autocannon.Request[][],
  seconds: number,
  connections: number,
): Promise<Run> {
  // taskset execs node in place, so the child's pid is the server's, pinned or not.
  const pid = server.child.pid
  const serverBefore = cpuSeconds(pid)
  const loadBefore = process.cpuUsage()
  let next = 0
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${PATH}`,
    connections,
    duration: seconds,
    requests: shares[0] as autocannon.Request[],
    setupClient: (client) =>
      client.setRequests(shares[next++ % shares.length] as autocannon.Request[]),
  })
  const used = process.cpuUsage(loadBefore)
  // A server that died would only show as connection errors, round after round.
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    throw new Error(`${server.name} server exited`)
  }
  // A refused request means the server is not doing what it claims: stop. Timeouts
  // on an overloaded machine are counted and shown instead.
  if (result.non2xx > 0) throw new Error(`${server.name}: ${result.non2xx} non-2xx responses`)
  return {
    reqPerSec: result.requests.total / result.duration,
    cpuPerRequest: (cpuSeconds(pid) - serverBefore) / result.requests.total,
    p99: result.latency.p99,
    serverCpu: (cpuSeconds(pid) - serverBefore) / result.duration,
    loadCpu: (used.user + used.system) / 1e6 / result.duration,
    failures: result.errors + result.timeouts,
  }
}

export interface RoundSettings {
  rounds: number
  /** Seconds of load per server per round. */
  seconds: number
  /** Seconds of unrecorded load per server before the first round. */
  warmup: number
  connections: number
}

/** What the rounds measured, by server name. */
export interface HttpRounds {
  /** Requests per second, one map per round. */
  rounds: Map<string, number>[]
  /**
   * Requests per server CPU second, one map per round: divided by the reference's, the
   * cost ratio, which holds even when the loopback round trip, not the server, limits
   * req/s.
   */
  costRounds: Map<string, number>[]
  runs: Map<string, Run[]>
}

/**
 * A warm-up of every server, then `rounds` rounds in alternating order (ABCDE, EDCBA, …),
 * so drift on a shared machine falls on every server alike.
 */
export async function alternatingRounds(
  servers: readonly Server[],
  shares: readonly autocannon.Request[][],
  settings: RoundSettings,
): Promise<HttpRounds> {
  for (const server of servers) await load(server, shares, settings.warmup, settings.connections)
  const result: HttpRounds = {
    rounds: [],
    costRounds: [],
    runs: new Map(servers.map((server) => [server.name, []])),
  }
  for (let r = 0; r < settings.rounds; r++) {
    const order = r % 2 === 0 ? servers : [...servers].reverse()
    const round = new Map<string, number>()
    const cost = new Map<string, number>()
    for (const server of order) {
      const run = await load(server, shares, settings.seconds, settings.connections)
      result.runs.get(server.name)?.push(run)
      round.set(server.name, run.reqPerSec)
      cost.set(server.name, 1 / run.cpuPerRequest)
    }
    result.rounds.push(round)
    result.costRounds.push(cost)
    process.stderr.write(`  round ${r + 1}/${settings.rounds}\n`)
  }
  return result
}

/** The head of {@link httpRows}'s table; `bare` names the reference in two columns. */
export function httpHead(bare: string): string[] {
  return [
    'server',
    'median req/s',
    'spread',
    'p99',
    `req/s ÷ ${bare}`,
    'server CPU/req',
    `CPU/req: ${bare} ÷ this`,
    'server CPU',
    'autocannon CPU',
    'errors',
  ]
}

/** One row per server: medians over rounds, and ratios to `reference` per round. */
export function httpRows(
  servers: readonly Server[],
  labels: Readonly<Record<string, string>>,
  results: HttpRounds,
  reference: string,
): string[][] {
  return servers.map(({ name }) => {
    const list = results.runs.get(name) as Run[]
    const reqs = list.map((run) => run.reqPerSec)
    const percent = (values: number[]) => `${Math.round(100 * median(values))}%`
    return [
      labels[name] ?? name,
      fmtInt(median(reqs)),
      fmtPercent(spread(reqs)),
      `${median(list.map((run) => run.p99)).toFixed(1)} ms`,
      fmtRatio(medianRatio(results.rounds, name, reference)),
      `${fmtInt(1e6 * median(list.map((run) => run.cpuPerRequest)))} µs`,
      fmtRatio(medianRatio(results.costRounds, name, reference)),
      percent(list.map((run) => run.serverCpu)),
      percent(list.map((run) => run.loadCpu)),
      fmtInt(list.reduce((sum, run) => sum + run.failures, 0)),
    ]
  })
}
