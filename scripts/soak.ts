/**
 * `npm run soak`: the example API in its own process, under sustained mixed load on
 * loopback, must answer every request with the status its class expects, never a 5xx,
 * never drop a connection, and keep its memory flat. See bench/README.md, "Soak test".
 *
 * Exit 0 when every check passes, 1 when one fails (or the hard time limit is hit),
 * 2 for a configuration mistake such as a non-loopback SOAK_HOST.
 */
// The sources, not dist/: tokens can be minted before the build has run.
import { generateSecret } from '../lib'
import { isLoopbackHost, readConfig, SoakConfigError, type SoakConfig } from './soak/config'
import { runLoad } from './soak/load'
import { judgeMemory, readRss, RSS_SAMPLE_MS, sampleRss, type RssSample } from './soak/memory'
import { requestClasses } from './soak/mix'
import { sessionPools } from './soak/sessions'
import { counts, mb, printTable, timeline } from './soak/report'
import {
  buildIfStale,
  killServersNow,
  startServer,
  stopServer,
  STARTUP_TIMEOUT_MS,
} from './soak/server'
import { evaluate, totals } from './soak/verdict'

/** One GET after the load: the server is still up and still answering. */
async function healthAfterLoad(url: string): Promise<number | string> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })
    return res.status
  } catch (error) {
    return (error as Error).message
  }
}

async function soak(config: SoakConfig): Promise<boolean> {
  buildIfStale()
  const secret = generateSecret()
  const server = await startServer(config.host, secret)
  let stopPools = () => {}
  try {
    // The URL comes from the child's output: check it too, not just what we asked for.
    if (!isLoopbackHost(new URL(server.url).hostname)) {
      throw new SoakConfigError('the server reported a non-loopback URL; refusing to load it')
    }
    // Valid tokens are those of the server's own sessions: log in for them.
    const pools = await sessionPools(server.url)
    stopPools = () => pools.stop()
    const classes = requestClasses(secret, config.seconds, pools)
    console.log(
      `soak: ${config.seconds} s, ${config.connections} connections, at most ` +
        `${config.maxRequests} requests, ${classes.length} request classes, ` +
        `against ${server.url} (server pid ${server.pid})`,
    )
    const before = await readRss(server.pid)
    const samples: RssSample[] = []
    const stopSampling = sampleRss(server.pid, samples)
    const load = await runLoad(server.url, config, classes).finally(stopSampling)
    const afterLoad = await readRss(server.pid)
    const health = await healthAfterLoad(server.url)
    const { result, stats, errorKinds } = load
    const memory = judgeMemory(samples)
    const { sent, answered, serverErrors } = totals(stats)

    console.log('')
    printTable(classes, stats)
    console.log('')
    console.log(
      `requests: ${sent} sent, ${answered} answered in ${result.duration} s ` +
        `(${Math.round(answered / result.duration)}/s), stopped by ` +
        `${sent >= config.maxRequests ? 'the request cap' : 'the clock'}; latency ` +
        `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    )
    console.log(
      `5xx: ${serverErrors}; connection errors: ${result.errors} (timeouts ${result.timeouts})` +
        (errorKinds.size === 0 ? '' : ` [${counts(errorKinds)}]`),
    )
    console.log(
      `server RSS: before load ${mb(before)}, ` +
        (memory === undefined
          ? 'not measured after warm-up, '
          : `warm-up high ${mb(memory.baseline)} (warm-up ended at ` +
            `${(memory.warmUpEnd / 1000).toFixed(1)} s), peak ${mb(memory.peak)}, `) +
        `after load ${mb(afterLoad)} (${samples.length} readings, one per ${RSS_SAMPLE_MS} ms)`,
    )
    console.log(`server RSS timeline (s:MB): ${timeline(samples)}`)

    const checks = evaluate({
      classes,
      stats,
      errors: result.errors,
      timeouts: result.timeouts,
      durationSeconds: result.duration,
      seconds: config.seconds,
      connections: config.connections,
      memory,
      health,
      serverExit: server.exit,
    })
    console.log('')
    for (const check of checks) {
      console.log(`${check.ok ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`)
    }
    const failed = checks.filter((check) => !check.ok).length
    console.log(failed === 0 ? '\nsoak passed' : `\nsoak FAILED: ${failed} check(s)`)
    return failed === 0
  } finally {
    stopPools()
    await stopServer(server)
  }
}

function main(): void {
  let config: SoakConfig
  try {
    config = readConfig(process.env)
  } catch (error) {
    console.error(`soak: ${(error as Error).message}`)
    process.exit(2)
  }
  // The last line of defence: whatever hangs (build, start-up, load, shutdown), the
  // run ends, and no server outlives it.
  const hardLimitMs = STARTUP_TIMEOUT_MS + (config.seconds + 120) * 1000
  setTimeout(() => {
    console.error(`soak: FAILED: still running after ${hardLimitMs / 1000} s; killing the server`)
    process.exit(1)
  }, hardLimitMs).unref()
  process.on('exit', killServersNow)
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => process.exit(code))
  }
  soak(config).then(
    (passed) => process.exit(passed ? 0 : 1),
    (error: unknown) => {
      console.error(`soak: ${(error as Error).message}`)
      process.exit(error instanceof SoakConfigError ? 2 : 1)
    },
  )
}

if (require.main === module) main()
