import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import express from 'express'
import type { Express } from 'express'
import { generateSecret } from 'express-jwt-gate'
import { createApp } from '../examples/server'
import { isLoopbackHost, readConfig, SoakConfigError } from '../scripts/soak/config'
import { runLoad, type LoadOutcome } from '../scripts/soak/load'
import { judgeMemory, MB, type RssSample } from '../scripts/soak/memory'
import { requestClasses, type RequestClass } from '../scripts/soak/mix'
import { sessionPools } from '../scripts/soak/sessions'
import { evaluate, type RunFacts } from '../scripts/soak/verdict'

describe('scripts/soak: loopback only', () => {
  test.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true)
    },
  )

  test.each([
    'localhost',
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '128.0.0.1',
    '::ffff:10.0.0.1',
    '127.1',
    '127.0.0.1.nip.io',
    'example.com',
  ])('%j is refused', (host) => {
    expect(isLoopbackHost(host)).toBe(false)
    expect(() => readConfig({ SOAK_HOST: host })).toThrow(SoakConfigError)
  })
})

describe('scripts/soak: configuration', () => {
  test('defaults: 30 s, 64 connections, a request cap, 127.0.0.1', () => {
    expect(readConfig({})).toEqual({
      seconds: 30,
      connections: 64,
      maxRequests: 3_000_000,
      host: '127.0.0.1',
    })
  })

  test('SOAK_SECONDS sets the length, and the default cap with it', () => {
    expect(readConfig({ SOAK_SECONDS: '20' })).toMatchObject({ seconds: 20, maxRequests: 2e6 })
  })

  test.each([
    ['SOAK_SECONDS', '0'],
    ['SOAK_SECONDS', '19'],
    ['SOAK_SECONDS', '1.5'],
    ['SOAK_SECONDS', '10s'],
    ['SOAK_SECONDS', '-5'],
    ['SOAK_CONNECTIONS', '0'],
    ['SOAK_MAX_REQUESTS', '10'],
  ])('%s=%s is refused', (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(SoakConfigError)
  })
})

describe('scripts/soak: memory verdict', () => {
  /** Readings every 500 ms for `seconds`, of a 4 s, 50 MB sawtooth plus `slope` MB/s. */
  function sawtooth(seconds: number, slope: number): RssSample[] {
    return Array.from({ length: seconds * 2 }, (_, i) => {
      const at = (i + 1) * 500
      return { at, bytes: (150 + ((at % 4000) / 4000) * 50 + (slope * at) / 1000) * MB }
    })
  }

  test('a steady GC sawtooth is not growth', () => {
    const verdict = judgeMemory(sawtooth(30, 0))
    expect(verdict).toMatchObject({ warmUpEnd: 10_000, growth: 0 })
  })

  test('a leak of 3 MB/s over 20 s after warm-up is over 50 MB', () => {
    const verdict = judgeMemory(sawtooth(30, 3))
    expect(verdict?.growth).toBeGreaterThan(50 * MB)
  })

  test('a leak with no sawtooth fails too: the warm-up does not wait for a GC', () => {
    const climb = Array.from({ length: 60 }, (_, i) => ({
      at: (i + 1) * 500,
      bytes: (100 + 3 * (i + 1) * 0.5) * MB,
    }))
    expect(judgeMemory(climb)).toMatchObject({ warmUpEnd: 10_000, growth: 60 * MB })
  })

  test('no reading after warm-up: not measured', () => {
    expect(judgeMemory(sawtooth(4, 0))).toBeUndefined()
    expect(judgeMemory([])).toBeUndefined()
  })
})

describe('scripts/soak: the request mix against the example API', () => {
  const secret = generateSecret()
  /** The classes' shape alone: names and expected statuses, with placeholder tokens. */
  const shapes = requestClasses(secret, 60, { alice: () => 'a.b.c', bob: () => 'a.b.c' })

  /**
   * Each class exactly once, through the soak's own autocannon set-up, with valid
   * tokens from `app`'s own sessions (a few logins: the pools' size is not under test).
   */
  async function oneOfEach(
    app: Express,
  ): Promise<{ classes: RequestClass[]; outcome: LoadOutcome }> {
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    const url = `http://127.0.0.1:${port}`
    const pools = await sessionPools(url, 3)
    try {
      const classes = requestClasses(secret, 60, pools)
      const outcome = await runLoad(
        url,
        { seconds: 30, connections: 1, maxRequests: classes.length },
        classes,
      )
      return { classes, outcome }
    } finally {
      pools.stop()
      server.closeAllConnections()
      server.close()
    }
  }

  function facts(classes: RequestClass[], outcome: LoadOutcome): RunFacts {
    return {
      classes,
      stats: outcome.stats,
      errors: outcome.result.errors,
      timeouts: outcome.result.timeouts,
      durationSeconds: outcome.result.duration,
      seconds: 30,
      connections: 1,
      memory: { warmUpEnd: 1000, baseline: 100 * MB, peak: 100 * MB, growth: 0 },
      health: 200,
      serverExit: undefined,
    }
  }

  const byClass = (each: (cls: RequestClass) => unknown) =>
    Object.fromEntries(shapes.map((cls) => [cls.name, each(cls)]))

  test('class names are unique, so no two classes share counters', () => {
    expect(new Set(shapes.map((cls) => cls.name)).size).toBe(shapes.length)
  })

  test('every class gets exactly its expected status, and every check passes', async () => {
    const { classes, outcome } = await oneOfEach(createApp(secret))
    expect(byClass((cls) => [...(outcome.stats.get(cls.name)?.statuses ?? [])])).toEqual(
      byClass((cls) => [[cls.expected, 1]]),
    )
    expect(evaluate(facts(classes, outcome)).filter((check) => !check.ok)).toEqual([])
  }, 20_000)

  test('a 5xx fails the run and names the classes that got it', async () => {
    const broken = express()
    broken.get('/calendar', (_req, res) => {
      res.status(500).end()
    })
    broken.use(createApp(secret))
    const { classes, outcome } = await oneOfEach(broken)
    const checks = evaluate(facts(classes, outcome))
    expect(checks.filter((check) => !check.ok)).toEqual([
      expect.objectContaining({ id: 'no-5xx', detail: '2' }),
      expect.objectContaining({
        id: 'expected-statuses',
        detail: 'wrong: alice /calendar, bob /calendar',
      }),
    ])
  }, 20_000)
})

describe('scripts/soak: session pools', () => {
  const secret = generateSecret()

  async function serve(app: Express) {
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return {
      url,
      close: () => {
        server.closeAllConnections()
        server.close()
      },
    }
  }

  test('tokens of distinct live sessions, per user, in turn', async () => {
    const { url, close } = await serve(createApp(secret))
    const pools = await sessionPools(url, 4)
    try {
      const alice = Array.from({ length: 5 }, pools.alice)
      expect(new Set(alice.slice(0, 4)).size).toBe(4)
      expect(alice[4]).toBe(alice[0])
      const bob = pools.bob()
      expect(alice).not.toContain(bob)
      const me = await fetch(`${url}/me`, { headers: { Authorization: `Bearer ${bob}` } })
      expect(await me.json()).toMatchObject({ sub: 'bob', licensedFeatures: ['todos'] })
    } finally {
      pools.stop()
      close()
    }
  })

  test('the pools are replaced with fresh sessions while the run goes on', async () => {
    const { url, close } = await serve(createApp(secret))
    const pools = await sessionPools(url, 2, 50)
    try {
      const first = [pools.alice(), pools.alice()]
      await new Promise((resolve) => setTimeout(resolve, 400))
      const later = [pools.alice(), pools.alice()]
      expect(later.some((token) => first.includes(token))).toBe(false)
    } finally {
      pools.stop()
      close()
    }
  })

  test('a login the server refuses fails the set-up with its status', async () => {
    const refusing = express()
    refusing.post('/login', (_req, res) => {
      res.status(503).end()
    })
    const { url, close } = await serve(refusing)
    try {
      await expect(sessionPools(url, 2)).rejects.toThrow('soak: login as alice answered 503')
    } finally {
      close()
    }
  })
})
