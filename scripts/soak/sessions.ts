/**
 * Access tokens of real sessions for the soak's valid-token classes: the example API
 * accepts only tokens of sessions it issued (`sessions.authenticate()`), so they come
 * from its own `POST /login`, not from signing with the secret.
 */

/** The users the mix sends valid tokens for. */
export type PoolUser = 'alice' | 'bob'

/** A token of a live session, a different one each call, in turn. */
export type SessionPools = Readonly<Record<PoolUser, () => string>> & {
  /** Stop renewing the pools. */
  stop(): void
}

/** Distinct tokens per user, so no class is answered from one hot cache entry. */
export const SESSION_POOL_SIZE = 500
/**
 * The example's access tokens live 15 minutes; pools are replaced well before that, so
 * no pooled token expires in a long run. Each renewal is 2 × the pool size logins,
 * outside the measured mix.
 */
export const RENEW_EVERY_MS = 5 * 60_000
/** Logins in flight at once while a pool fills. */
const CONCURRENCY = 16

async function logIn(url: string, username: PoolUser): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username }),
    signal: AbortSignal.timeout(10_000),
  })
  if (res.status !== 200) throw new Error(`soak: login as ${username} answered ${res.status}`)
  const { access_token: token } = (await res.json()) as { access_token?: unknown }
  if (typeof token !== 'string') throw new Error('soak: login answered without an access_token')
  return token
}

/** `size` tokens of `size` sessions of `username`. */
async function fill(url: string, username: PoolUser, size: number): Promise<string[]> {
  const tokens: string[] = []
  let claimed = 0
  const worker = async () => {
    // Each slot is claimed before the await, so the workers together make exactly `size`.
    while (claimed < size) {
      const at = claimed++
      tokens[at] = await logIn(url, username)
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, size) }, worker))
  return tokens
}

/**
 * Log in `size` times as each user at `url` and hand the tokens out round-robin,
 * replacing them every `renewEveryMs` (default {@link RENEW_EVERY_MS}). A renewal that
 * fails keeps the old pool (and says so): if the server is down, the run fails on its
 * own checks anyway.
 */
export async function sessionPools(
  url: string,
  size = SESSION_POOL_SIZE,
  renewEveryMs = RENEW_EVERY_MS,
): Promise<SessionPools> {
  const pools: Record<PoolUser, string[]> = {
    alice: await fill(url, 'alice', size),
    bob: await fill(url, 'bob', size),
  }
  let stopped = false
  let renewing: Promise<void> | undefined
  const renew = async () => {
    const [alice, bob] = await Promise.all([fill(url, 'alice', size), fill(url, 'bob', size)])
    if (!stopped) Object.assign(pools, { alice, bob })
  }
  const timer = setInterval(() => {
    // One renewal at a time: a slow server must not pile them up.
    renewing ??= renew()
      .catch((error: unknown) => {
        if (!stopped)
          console.error(`soak: renewing the session pools failed: ${(error as Error).message}`)
      })
      .finally(() => {
        renewing = undefined
      })
  }, renewEveryMs)
  timer.unref()
  const take = (user: PoolUser) => {
    let next = 0
    return () => pools[user][next++ % pools[user].length] as string
  }
  const stop = () => {
    stopped = true
    clearInterval(timer)
  }
  return { alice: take('alice'), bob: take('bob'), stop }
}
