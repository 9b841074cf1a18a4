import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection, createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** How {@link startRedis} sets up its server. */
export interface RedisServerOptions {
  /**
   * Keep data across {@link RedisServer.kill} and {@link RedisServer.restart}: an
   * append-only file written with `appendfsync always`, so even a SIGKILL loses nothing
   * that was acknowledged. Off by default: nothing is written to disk at all.
   */
  persistence?: boolean
  /**
   * Start it as a node of a Redis Cluster (`cluster-enabled`), with no slots yet: see
   * startRedisCluster in redis-cluster.ts. Its cluster bus gets a free port of its own.
   */
  cluster?: boolean
  /**
   * Start a Sentinel instead (`redis-server --sentinel`) that monitors the primary on
   * `port` under `name`, with a quorum of one: see redis-sentinel.ts.
   */
  sentinelOf?: { readonly name: string; readonly port: number }
  /** How long the server may take to answer its first PING. */
  startTimeoutMs?: number
  /** How long {@link RedisServer.stop} waits after SIGTERM before it sends SIGKILL. */
  stopTimeoutMs?: number
  /**
   * Where the port comes from; a free loopback port by default. Only the helper's own
   * tests set it, to hand out a port that is already taken.
   */
  pickPort?: () => Promise<number>
}

/** A `redis-server` of our own, on 127.0.0.1, in a temporary directory of its own. */
export interface RedisServer {
  /** The loopback port; the same for the life of the handle, restarts included. */
  readonly port: number
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** The server process; a new one after {@link restart}. */
  readonly pid: number
  /** The server's working directory (append-only file, log). */
  readonly dir: string
  /** The cluster bus port, for a cluster node; undefined otherwise. */
  readonly busPort: number | undefined
  /** SIGSTOP: the server stops answering, but its connections stay open. */
  pause(): void
  /** SIGCONT, after {@link pause}: the server answers again, pending commands first. */
  resume(): void
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>
  /** A new process on the same port and directory (stopping the old one if it still runs). */
  restart(): Promise<void>
  /** SIGTERM, then SIGKILL after a bound; removes the directory. Safe to call twice. */
  stop(): Promise<void>
}

const HOST = '127.0.0.1'
/** A port taken between choosing and binding is retried on a new port this many times. */
const PORT_ATTEMPTS = 5

/**
 * Every server started and not yet stopped in this module instance. Jest loads a fresh
 * copy of this module for each test file, so the `afterAll` below sees exactly the
 * servers of that file.
 */
const running = new Set<RedisServer>()

// A test file that forgets `stop()` still leaves nothing running once it ends. (An
// `exit` listener would not do: inside Jest's sandbox `process` is a copy whose `exit`
// never fires.) A process that dies outright is covered by the watchdog of spawnServer.
if (typeof afterAll === 'function') {
  afterAll(async () => {
    await Promise.all([...running].map((server) => server.stop()))
  })
}

/**
 * Start a `redis-server` from the system (7.x), answering PING before this resolves.
 *
 * @example
 * ```ts
 * const redis = await startRedis({ persistence: true })
 * afterAll(() => redis.stop())
 * ```
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const startTimeoutMs = options.startTimeoutMs ?? 10_000
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000
  const pickPort = options.pickPort ?? freePort
  const dir = mkdtempSync(join(tmpdir(), 'jwt-gate-redis-'))
  let started: Started | undefined
  let port = 0
  const busPort = options.cluster === true ? await freePort() : undefined
  // What comes before the options (a configuration file) and after them.
  const extra: { leading: string[]; trailing: string[] } = { leading: [], trailing: [] }
  if (busPort !== undefined) {
    extra.trailing.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf')
    extra.trailing.push('--cluster-port', String(busPort))
  }
  if (options.sentinelOf !== undefined) {
    // A Sentinel rewrites its configuration file, so it gets one of its own, in dir.
    const { name, port: primary } = options.sentinelOf
    const config = join(dir, 'sentinel.conf')
    writeFileSync(
      config,
      `sentinel monitor ${name} ${HOST} ${primary} 1\n` +
        `sentinel down-after-milliseconds ${name} 1000\n`,
    )
    extra.leading.push(config)
    extra.trailing.push('--sentinel')
  }
  try {
    for (let attempt = 1; started === undefined; attempt++) {
      port = await pickPort()
      if (port === busPort) continue
      const outcome = await launch(port, dir, options.persistence === true, startTimeoutMs, extra)
      if (outcome !== 'port taken') started = outcome
      else if (attempt === PORT_ATTEMPTS) {
        throw new Error(`redis-server: ${PORT_ATTEMPTS} ports in a row were taken`)
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }

  let current: Started = started
  let stopped = false
  const persistence = options.persistence === true

  /** Signal our own process, and only while it runs: a pid is reused once reaped. */
  const signal = (name: NodeJS.Signals): void => {
    if (!current.alive()) throw new Error(`redis-server on port ${port} is not running`)
    current.child.kill(name)
  }
  const terminate = async (): Promise<void> => {
    if (!current.alive()) return
    current.child.kill('SIGTERM')
    // A paused server only acts on SIGTERM once it runs again.
    current.child.kill('SIGCONT')
    if (!(await current.exited(stopTimeoutMs))) {
      current.child.kill('SIGKILL')
      await current.exited(stopTimeoutMs)
    }
  }

  const server: RedisServer = {
    port,
    url: `redis://${HOST}:${port}`,
    get pid() {
      return current.child.pid as number
    },
    dir,
    busPort,
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    async kill() {
      if (!current.alive()) return
      current.child.kill('SIGKILL')
      await current.exited(stopTimeoutMs)
    },
    async restart() {
      if (stopped) throw new Error('redis-server: restart() after stop()')
      await terminate()
      retire(current.watchdog)
      // The port is ours by now, but the kernel may take a moment to let it go, and
      // something else may have taken it meanwhile: retry for a while, on this port only.
      const deadline = Date.now() + startTimeoutMs
      for (;;) {
        const outcome = await launch(port, dir, persistence, startTimeoutMs, extra)
        if (outcome !== 'port taken') {
          current = outcome
          return
        }
        if (Date.now() > deadline) throw new Error(`redis-server: port ${port} stays taken`)
        await sleep(50)
      }
    },
    async stop() {
      if (stopped) return
      stopped = true
      running.delete(server)
      await terminate()
      retire(current.watchdog)
      rmSync(dir, { recursive: true, force: true })
    },
  }
  running.add(server)
  return server
}

/** Arguments of redis-server before its options (a configuration file) and after them. */
interface Extra {
  readonly leading: readonly string[]
  readonly trailing: readonly string[]
}

/** One server process, and what is known about it. */
interface Started {
  readonly child: ChildProcess
  /** Guards `child` until stop() or restart() ends it; see spawnServer. */
  readonly watchdog: ChildProcess
  alive(): boolean
  /** Resolves true once the process has exited, false if it still runs after `ms`. */
  exited(ms: number): Promise<boolean>
}

/** Start one process on `port`; 'port taken' when it could not bind there. */
async function launch(
  port: number,
  dir: string,
  persistence: boolean,
  startTimeoutMs: number,
  extra: Extra,
): Promise<Started | 'port taken'> {
  const log = join(dir, 'redis.log')
  rmSync(log, { force: true })
  const { child, watchdog } = spawnServer(port, dir, persistence, log, extra)
  let spawnError: Error | undefined
  child.once('error', (error) => (spawnError = error))
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const started: Started = {
    child,
    watchdog,
    alive: () => spawnError === undefined && child.exitCode === null && child.signalCode === null,
    exited: (ms) =>
      new Promise((resolve) => {
        if (!started.alive()) return resolve(true)
        const timer = setTimeout(() => resolve(false), ms)
        void exit.then(() => {
          clearTimeout(timer)
          resolve(true)
        })
      }),
  }

  const deadline = Date.now() + startTimeoutMs
  while (Date.now() < deadline) {
    if (spawnError !== undefined) {
      retire(watchdog)
      throw new Error(`redis-server could not start (${spawnError.message}): is it installed?`)
    }
    if (!started.alive()) {
      retire(watchdog)
      const text = readLog(log)
      if (/address already in use/i.test(text)) return 'port taken'
      throw new Error(`redis-server exited at start: ${text.slice(-2000)}`)
    }
    if ((await ping(port, 250)) === 'PONG') return started
    await sleep(25)
  }
  child.kill('SIGKILL')
  await started.exited(5_000)
  retire(watchdog)
  throw new Error(`redis-server did not answer PING within ${startTimeoutMs} ms`)
}

/**
 * The server process, plus a watchdog that SIGKILLs it and removes its directory if this
 * process dies without stopping it (a crash, a killed Jest worker, Ctrl-C). The watchdog
 * waits for end-of-file on a pipe only this process holds, and kills only a process that
 * still calls itself `redis-server 127.0.0.1:<port>`: never one that reused the pid.
 */
function spawnServer(
  port: number,
  dir: string,
  persistence: boolean,
  log: string,
  extra: Extra,
): { child: ChildProcess; watchdog: ChildProcess } {
  const args = [
    ...extra.leading,
    '--port',
    String(port),
    '--bind',
    HOST,
    '--dir',
    dir,
    '--logfile',
    log,
    '--daemonize',
    'no',
    '--save',
    '',
    '--appendonly',
    persistence ? 'yes' : 'no',
    '--appendfsync',
    'always',
    ...extra.trailing,
  ]
  const child = spawn('redis-server', args, { stdio: 'ignore' })
  const watchdog = spawn(
    'sh',
    [
      '-c',
      'read _ignored; case "$(tr "\\0" " " < /proc/$1/cmdline 2>/dev/null)" in ' +
        '"redis-server $2:$3 "*) kill -KILL "$1" ;; esac; rm -rf "$4"',
      'watchdog',
      String(child.pid),
      HOST,
      String(port),
      dir,
    ],
    { stdio: ['pipe', 'ignore', 'ignore'] },
  )
  // Neither may keep a script alive that forgot to stop its server: the watchdog then
  // sees its pipe close as this process exits, and cleans up.
  child.unref()
  watchdog.unref()
  ;(watchdog.stdin as unknown as { unref(): void }).unref()
  return { child, watchdog }
}

/** End a watchdog whose server is gone: kill it first, so closing its pipe triggers nothing. */
function retire(watchdog: ChildProcess): void {
  watchdog.kill('SIGKILL')
  watchdog.stdin?.destroy()
}

function readLog(log: string): string {
  try {
    return readFileSync(log, 'utf8')
  } catch {
    return '(no log)'
  }
}

/** A loopback port nobody listens on right now (it may be taken before we bind it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** A RESP2 reply as {@link rawCommand} reads it; an error reply is an `Error`. */
export type RawReply = string | number | null | Error | RawReply[]

/**
 * Send one command in RESP on a fresh connection and read its reply, with no client
 * library involved: enough for the helper's own checks and tests. Rejects with `timeout`,
 * `refused`, or `closed` when the server hangs up first; never waits past `timeoutMs`.
 */
export function rawCommand(
  port: number,
  args: readonly string[],
  timeoutMs: number,
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port })
    let received = Buffer.alloc(0)
    const finish = (settle: () => void): void => {
      clearTimeout(timer)
      socket.destroy()
      settle()
    }
    const timer = setTimeout(() => finish(() => reject(new Error('timeout'))), timeoutMs)
    socket.once('error', () => finish(() => reject(new Error('refused'))))
    socket.once('close', () => finish(() => reject(new Error('closed'))))
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const parsed = parseReply(received, 0)
      if (parsed !== undefined) finish(() => resolve(parsed.value))
    })
    const encoded = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')
    socket.write(`*${args.length}\r\n${encoded}`)
  })
}

/** One RESP2 value at `at`, and where the next one starts; undefined while incomplete. */
function parseReply(data: Buffer, at: number): { value: RawReply; next: number } | undefined {
  const lineEnd = data.indexOf('\r\n', at)
  if (lineEnd === -1) return undefined
  const line = data.toString('utf8', at + 1, lineEnd)
  const next = lineEnd + 2
  switch (String.fromCharCode(data[at] as number)) {
    case '+':
      return { value: line, next }
    case '-':
      return { value: new Error(line), next }
    case ':':
      return { value: Number(line), next }
    case '$': {
      const length = Number(line)
      if (length === -1) return { value: null, next }
      if (data.length < next + length + 2) return undefined
      return { value: data.toString('utf8', next, next + length), next: next + length + 2 }
    }
    default: {
      const count = Number(line)
      if (count === -1) return { value: null, next }
      const items: RawReply[] = []
      let cursor = next
      for (let i = 0; i < count; i++) {
        const item = parseReply(data, cursor)
        if (item === undefined) return undefined
        items.push(item.value)
        cursor = item.next
      }
      return { value: items, next: cursor }
    }
  }
}

/** PING on a fresh connection: `PONG`, or `timeout` / `refused` / `closed`. */
export async function ping(port: number, timeoutMs: number): Promise<string> {
  try {
    return String(await rawCommand(port, ['PING'], timeoutMs))
  } catch (error) {
    return (error as Error).message
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms))
