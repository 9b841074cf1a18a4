import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort, ping, rawCommand, sleep, startRedis, type RedisServer } from './redis-server'

jest.setTimeout(30_000)

/** Whether `pid` is a process that still runs (a zombie waiting to be reaped does not). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The state follows the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Poll `check` every 25 ms until it holds, for at most `ms`. */
async function eventually(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) return false
    await sleep(25)
  }
  return true
}

describe('startRedis', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis.stop())

  test('answers on 127.0.0.1 only, from a fresh directory under the temporary one', async () => {
    expect(await ping(redis.port, 1_000)).toBe('PONG')
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`)
    expect(running(redis.pid)).toBe(true)
    expect(redis.dir.startsWith(join(tmpdir(), 'jwt-gate-redis-'))).toBe(true)
    expect(await rawCommand(redis.port, ['CONFIG', 'GET', 'bind'], 1_000)).toEqual([
      'bind',
      '127.0.0.1',
    ])
    expect(await rawCommand(redis.port, ['CONFIG', 'GET', 'dir'], 1_000)).toEqual([
      'dir',
      redis.dir,
    ])
  })

  test('writes nothing to disk unless asked', async () => {
    expect(await rawCommand(redis.port, ['CONFIG', 'GET', 'appendonly'], 1_000)).toEqual([
      'appendonly',
      'no',
    ])
    expect(await rawCommand(redis.port, ['CONFIG', 'GET', 'save'], 1_000)).toEqual(['save', ''])
  })

  test('pause() stops answers without closing connections; resume() delivers them', async () => {
    redis.pause()
    try {
      expect(await ping(redis.port, 300)).toBe('timeout')
      const started = Date.now()
      const pending = rawCommand(redis.port, ['PING'], 5_000)
      await sleep(300)
      redis.resume()
      expect(await pending).toBe('PONG')
      expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    } finally {
      if (running(redis.pid)) redis.resume()
    }
    expect(await ping(redis.port, 1_000)).toBe('PONG')
  })

  test('kill() ends the process at once; restart() brings one back on the same port', async () => {
    const before = redis.pid
    await rawCommand(redis.port, ['SET', 'k', 'v'], 1_000)
    await redis.kill()
    expect(running(before)).toBe(false)
    expect(await ping(redis.port, 1_000)).toBe('refused')
    expect(() => redis.pause()).toThrow(`redis-server on port ${redis.port} is not running`)

    await redis.restart()
    expect(redis.pid).not.toBe(before)
    expect(await ping(redis.port, 1_000)).toBe('PONG')
    // No persistence: the key did not survive.
    expect(await rawCommand(redis.port, ['GET', 'k'], 1_000)).toBeNull()
  })

  test('restart() of a running server replaces its process', async () => {
    const before = redis.pid
    await redis.restart()
    expect(running(before)).toBe(false)
    expect(redis.pid).not.toBe(before)
    expect(await ping(redis.port, 1_000)).toBe('PONG')
  })
})

describe('startRedis({ persistence: true })', () => {
  test('keeps acknowledged writes across a SIGKILL and a restart', async () => {
    const redis = await startRedis({ persistence: true })
    try {
      expect(await rawCommand(redis.port, ['CONFIG', 'GET', 'appendfsync'], 1_000)).toEqual([
        'appendfsync',
        'always',
      ])
      expect(await rawCommand(redis.port, ['SET', 'k', 'v'], 1_000)).toBe('OK')
      expect(await rawCommand(redis.port, ['INCR', 'n'], 1_000)).toBe(1)
      await redis.kill()
      await redis.restart()
      expect(await rawCommand(redis.port, ['GET', 'k'], 1_000)).toBe('v')
      expect(await rawCommand(redis.port, ['INCR', 'n'], 1_000)).toBe(2)
    } finally {
      await redis.stop()
    }
  })
})

describe('stop()', () => {
  test('ends the process (even a paused one), removes its directory, and may be repeated', async () => {
    const redis = await startRedis()
    const { pid, dir, port } = redis
    redis.pause()
    await redis.stop()
    expect(running(pid)).toBe(false)
    expect(existsSync(dir)).toBe(false)
    expect(await ping(port, 1_000)).toBe('refused')
    await expect(redis.stop()).resolves.toBeUndefined()
    await expect(redis.restart()).rejects.toThrow('redis-server: restart() after stop()')
  })

  test('falls back to SIGKILL when SIGTERM is not enough within the bound', async () => {
    const redis = await startRedis({ stopTimeoutMs: 200 })
    const { pid } = redis
    // A long script holds the server: it does not act on SIGTERM until the script ends.
    const busy = rawCommand(
      redis.port,
      ['EVAL', 'local i = 0 while true do i = i + 1 end', '0'],
      5_000,
    ).catch((error: Error) => error.message)
    await sleep(100)
    const started = Date.now()
    await redis.stop()
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(running(pid)).toBe(false)
    expect(await busy).toBe('closed')
  })
})

describe('a port taken between choosing and binding', () => {
  let holder: Server
  let taken: number
  beforeAll(async () => {
    // It hangs up on whoever connects, as a stranger's server on that port well might.
    holder = createServer((socket) => socket.destroy())
    await new Promise<void>((done) => holder.listen(0, '127.0.0.1', done))
    taken = (holder.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((done) => holder.close(() => done())))

  test('is retried on another port, leaving the taker alone', async () => {
    const offered: number[] = []
    const redis = await startRedis({
      pickPort: async () => {
        const port = offered.length === 0 ? taken : await freePort()
        offered.push(port)
        return port
      },
    })
    try {
      expect(offered[0]).toBe(taken)
      expect(offered).toHaveLength(2)
      expect(redis.port).toBe(offered[1])
      expect(await ping(redis.port, 1_000)).toBe('PONG')
      expect(holder.listening).toBe(true)
    } finally {
      await redis.stop()
    }
  })

  test('gives up after five taken ports in a row', async () => {
    let offers = 0
    const pickPort = () => {
      offers++
      return Promise.resolve(taken)
    }
    await expect(startRedis({ pickPort })).rejects.toThrow(
      'redis-server: 5 ports in a row were taken',
    )
    expect(offers).toBe(5)
  })
})

describe('a process that never calls stop()', () => {
  const root = resolve(__dirname, '..', '..')
  /** Start a server from a separate Node process, which then ends as `how` says. */
  function forgetful(
    how: 'exits' | 'is killed',
  ): Promise<{ pid: number; dir: string; port: number }> {
    const script = `
      const { startRedis } = require('./__tests__/helpers/redis-server.ts')
      startRedis().then((redis) => {
        process.stdout.write(JSON.stringify({ pid: redis.pid, dir: redis.dir, port: redis.port }) + '\\n')
        ${how === 'exits' ? '' : 'setInterval(() => {}, 1000)'}
      })`
    const child = spawn(
      process.execPath,
      ['--require', 'ts-node/register/transpile-only', '-e', script],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        fail(new Error('the forgetful process did not report its server'))
      }, 20_000)
      child.stdout.once('data', (line: Buffer) => {
        clearTimeout(timer)
        const server = JSON.parse(line.toString('utf8')) as {
          pid: number
          dir: string
          port: number
        }
        if (how === 'is killed') child.kill('SIGKILL')
        done(server)
      })
    })
  }

  test.each(['exits', 'is killed'] as const)('leaves no server running once it %s', async (how) => {
    const server = await forgetful(how)
    expect(await eventually(() => !running(server.pid), 10_000)).toBe(true)
    expect(await eventually(() => !existsSync(server.dir), 5_000)).toBe(true)
    expect(await ping(server.port, 1_000)).toBe('refused')
  })
})
