import { isIP } from 'node:net'
import { WARM_UP_SECONDS } from './memory'

/** A configuration mistake: exit 2, not a soak failure. */
export class SoakConfigError extends Error {}

export interface SoakConfig {
  /** How long the load runs. */
  readonly seconds: number
  /** Concurrent keep-alive connections. */
  readonly connections: number
  /** The run also stops after this many requests, whichever comes first. */
  readonly maxRequests: number
  /** Where the server listens and the load goes: a loopback address. */
  readonly host: string
}

/**
 * Literal loopback addresses only. Names are refused, even `localhost`: what a name
 * resolves to is up to /etc/hosts and DNS, and this tool must never load anyone else.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const family = isIP(bare)
  if (family === 4) return bare.split('.')[0] === '127'
  if (family !== 6) return false
  // The URL parser canonicalises IPv6 (zero runs, leading zeros, mapped IPv4) for us.
  const canonical = new URL(`http://[${bare}]/`).hostname
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical)
}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  why = '',
): number {
  const text = env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new SoakConfigError(`${name} must be a whole number from ${min} to ${max}${why}`)
  }
  return value
}

/**
 * The run's settings from SOAK_SECONDS (default 30, at least 20), SOAK_CONNECTIONS (64),
 * SOAK_MAX_REQUESTS (100 000 per second of run) and SOAK_HOST (127.0.0.1). Throws
 * {@link SoakConfigError} for a bad value or a host that is not loopback.
 */
export function readConfig(env: NodeJS.ProcessEnv): SoakConfig {
  // At least as long measured as warmed up, or the memory check has little to judge.
  const seconds = readInteger(
    env,
    'SOAK_SECONDS',
    30,
    2 * WARM_UP_SECONDS,
    86_400,
    ` (the first ${WARM_UP_SECONDS} s warm the server's heap up)`,
  )
  const connections = readInteger(env, 'SOAK_CONNECTIONS', 64, 1, 1024)
  const maxRequests = readInteger(
    env,
    'SOAK_MAX_REQUESTS',
    seconds * 100_000,
    connections,
    Number.MAX_SAFE_INTEGER,
  )
  const host = env.SOAK_HOST === undefined || env.SOAK_HOST === '' ? '127.0.0.1' : env.SOAK_HOST
  if (!isLoopbackHost(host)) {
    throw new SoakConfigError(
      `SOAK_HOST must be a literal loopback address (127.0.0.0/8 or ::1); refusing ${JSON.stringify(host)}`,
    )
  }
  return { seconds, connections, maxRequests, host }
}
