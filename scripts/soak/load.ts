import autocannon from 'autocannon'
import type { RequestClass } from './mix'

/** What one class of requests got. */
export interface ClassStats {
  sent: number
  answered: number
  /** Count of each status received. */
  readonly statuses: Map<number, number>
}

export interface LoadOptions {
  readonly seconds: number
  readonly connections: number
  readonly maxRequests: number
}

export interface LoadOutcome {
  readonly result: autocannon.Result
  /** By class name. */
  readonly stats: ReadonlyMap<string, ClassStats>
  /** Connection errors and timeouts by code or message: never a request's content. */
  readonly errorKinds: ReadonlyMap<string, number>
}

/**
 * Drive `url` with every class in turn on each connection, for `seconds` or
 * `maxRequests` requests, whichever comes first, counting each class's statuses.
 */
export function runLoad(
  url: string,
  options: LoadOptions,
  classes: readonly RequestClass[],
): Promise<LoadOutcome> {
  const stats = new Map<string, ClassStats>()
  const errorKinds = new Map<string, number>()
  const requests: autocannon.Request[] = classes.map((cls) => {
    const own: ClassStats = { sent: 0, answered: 0, statuses: new Map() }
    stats.set(cls.name, own)
    return {
      method: cls.method,
      path: cls.path,
      ...(cls.body === undefined ? {} : { body: cls.body }),
      // Called once per request, just before it is written: a fresh token each time.
      setupRequest: (request) => {
        own.sent++
        return { ...request, headers: cls.headers() }
      },
      // autocannon hands each response to the request object it answers.
      onResponse: (status) => {
        own.answered++
        own.statuses.set(status, (own.statuses.get(status) ?? 0) + 1)
      },
    }
  })
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.seconds,
        maxOverallRequests: options.maxRequests,
        // Real HTTP/1.1 clients do not pipeline; one request in flight per connection
        // also bounds how many the stop can cut off (the "no request lost" check).
        pipelining: 1,
        timeout: 10,
        requests,
      },
      (error: Error | null | undefined, result) =>
        error ? reject(error) : resolve({ result, stats, errorKinds }),
    )
    instance.on('reqError', (error: unknown) => {
      const kind = (error as { code?: string }).code ?? (error as Error).message ?? 'unknown error'
      errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1)
    })
  })
}
