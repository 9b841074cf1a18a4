import type { ClassStats } from './load'
import { MAX_RSS_GROWTH, MB, type MemoryVerdict } from './memory'
import type { RequestClass } from './mix'

/** Everything a run showed, for the checks to judge. */
export interface RunFacts {
  readonly classes: readonly RequestClass[]
  readonly stats: ReadonlyMap<string, ClassStats>
  /** autocannon's connection errors (timeouts included) and timeouts. */
  readonly errors: number
  readonly timeouts: number
  /** How long the load actually ran, and how long it was meant to. */
  readonly durationSeconds: number
  readonly seconds: number
  readonly connections: number
  /** `undefined`: not measured. */
  readonly memory: MemoryVerdict | undefined
  /** The status of a GET /health after the load, or why it failed. */
  readonly health: number | string
  /** Why the server exited during the run, if it did. */
  readonly serverExit: string | undefined
}

export interface Check {
  readonly id:
    | 'no-5xx'
    | 'no-connection-errors'
    | 'expected-statuses'
    | 'no-lost-requests'
    | 'memory'
    | 'server-up'
    | 'stopped-on-time'
  readonly name: string
  readonly ok: boolean
  readonly detail: string
}

/** Sums over every class. */
export function totals(stats: ReadonlyMap<string, ClassStats>): {
  sent: number
  answered: number
  serverErrors: number
} {
  let sent = 0
  let answered = 0
  let serverErrors = 0
  for (const s of stats.values()) {
    sent += s.sent
    answered += s.answered
    for (const [status, count] of s.statuses) if (status >= 500) serverErrors += count
  }
  return { sent, answered, serverErrors }
}

/** Responses of a class with any status but the expected one. */
export function wrongCount(cls: RequestClass, stats: ClassStats): number {
  return stats.answered - (stats.statuses.get(cls.expected) ?? 0)
}

const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`

/** The soak's assertions; the run passes when every one is `ok`. */
export function evaluate(facts: RunFacts): Check[] {
  const { sent, answered, serverErrors } = totals(facts.stats)
  const wrong = facts.classes.filter((cls) => {
    const s = facts.stats.get(cls.name)
    // A class never answered proves nothing about its status: that fails too.
    return s === undefined || s.answered === 0 || wrongCount(cls, s) > 0
  })
  const { memory } = facts
  return [
    {
      id: 'no-5xx',
      name: 'no 5xx responses',
      ok: serverErrors === 0,
      detail: String(serverErrors),
    },
    {
      id: 'no-connection-errors',
      name: 'no connection errors or timeouts',
      ok: facts.errors === 0 && facts.timeouts === 0,
      detail: `${facts.errors} errors, ${facts.timeouts} timeouts`,
    },
    {
      id: 'expected-statuses',
      name: 'every class answered, only with its expected status',
      ok: wrong.length === 0,
      detail: wrong.length === 0 ? 'all' : `wrong: ${wrong.map((cls) => cls.name).join(', ')}`,
    },
    {
      // Only requests cut off by the stop may go unanswered: one per connection.
      id: 'no-lost-requests',
      name: 'no request lost',
      ok: sent - answered <= facts.connections,
      detail: `${sent - answered} unanswered, at most ${facts.connections} in flight at the stop`,
    },
    {
      id: 'memory',
      name: `server RSS grew by less than ${mb(MAX_RSS_GROWTH)} after warm-up`,
      ok: memory !== undefined && memory.growth < MAX_RSS_GROWTH,
      detail:
        memory === undefined
          ? 'not measured: no reading after warm-up'
          : `peak ${mb(memory.peak)} - warm-up high ${mb(memory.baseline)} = +${mb(memory.growth)}`,
    },
    {
      id: 'server-up',
      name: 'the server stayed up and answers /health',
      ok: facts.serverExit === undefined && facts.health === 200,
      detail:
        facts.serverExit === undefined
          ? `/health: ${facts.health}`
          : `server exited: ${facts.serverExit}`,
    },
    {
      // autocannon stops on its 1 s sampling tick: a little over is normal.
      id: 'stopped-on-time',
      name: 'the run stopped by itself, on time',
      ok: facts.durationSeconds <= facts.seconds + 5,
      detail: `${facts.durationSeconds} s for a ${facts.seconds} s run`,
    },
  ]
}
