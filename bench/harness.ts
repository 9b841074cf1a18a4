/**
 * Shared pieces of the benchmarks: the realistic token, a time-bounded measuring loop,
 * per-round ratios and plain-text tables. Nothing here is timed by a test: speed is
 * shown only by running the benchmarks.
 */
import { createHmac } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { arch, cpus, loadavg, platform } from 'node:os'
import { join } from 'node:path'

/** Read a positive number from the environment, for longer or shorter runs. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
  return value
}

/** A 32-character secret: 32 bytes, the HS256 minimum, as most deployments have. */
export const SECRET = 'bench-secret-0123456789abcdefghi'

export const FEATURES = ['invoicing', 'reports', 'calendar'] as const

export interface BenchPayload {
  userId: number
  userName: string
  licensedFeatures: string[]
  exp: number
  iat: number
  nbf: number
}

const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')

/**
 * `count` distinct tokens of the realistic shape, signed with `createHmac` so that no
 * candidate's own signer is trusted to make its competitors' input. Each differs in
 * its user, so no verifier can recognise a repeat unless it really caches.
 */
export function makeTokens(count: number, secret: string = SECRET, lifetime = 3600): string[] {
  const now = Math.floor(Date.now() / 1000)
  const tokens: string[] = []
  for (let i = 0; i < count; i++) {
    const payload: BenchPayload = {
      userId: 100_000 + i,
      userName: `user-${i}@example.com`,
      licensedFeatures: [...FEATURES],
      exp: now + lifetime,
      iat: now,
      nbf: now,
    }
    const input = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`
    const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
    // A concatenation is a rope until first read; a token read from a request is one flat
    // string, so each is copied flat here. (Flattening mid-run would also shrink the heap
    // under the memory figures.)
    tokens.push(Buffer.from(token, 'latin1').toString('latin1'))
  }
  return tokens
}

/** Keeps results reachable, so the optimiser cannot drop the work that made them. */
export let sink: unknown

/** Work done in one measured slice. */
export interface Slice {
  ops: number
  /** Wall-clock seconds. */
  seconds: number
  /**
   * CPU seconds of this thread alone (Linux; NaN elsewhere): unlike wall time, not
   * inflated while other processes hold the core. Work on other threads is not in it.
   */
  cpuSeconds: number
  /** Where the next slice continues in the rotation of inputs. */
  next: number
}

/** CPU time of the calling thread, in seconds, from the scheduler's own ns counter. */
export function threadCpuSeconds(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e9
  } catch {
    return NaN
  }
}

/** Run `fn` over the inputs in rotation, from `from`, for at least `ms` of wall time. */
export function measureSync<T>(
  fn: (input: T) => unknown,
  inputs: readonly T[],
  ms: number,
  from = 0,
): Slice {
  const n = inputs.length
  let i = from % n
  let ops = 0
  const cpu = threadCpuSeconds()
  const start = process.hrtime.bigint()
  const limit = start + BigInt(Math.round(ms * 1e6))
  let now = start
  do {
    for (let k = 0; k < 64; k++) {
      sink = fn(inputs[i] as T)
      if (++i === n) i = 0
    }
    ops += 64
    now = process.hrtime.bigint()
  } while (now < limit)
  const seconds = Number(now - start) / 1e9
  return { ops, seconds, cpuSeconds: threadCpuSeconds() - cpu, next: i }
}

/** The same for a promise-returning candidate: each call is awaited before the next. */
export async function measureAsync<T>(
  fn: (input: T) => Promise<unknown>,
  inputs: readonly T[],
  ms: number,
  from = 0,
): Promise<Slice> {
  const n = inputs.length
  let i = from % n
  let ops = 0
  const cpu = threadCpuSeconds()
  const start = process.hrtime.bigint()
  const limit = start + BigInt(Math.round(ms * 1e6))
  let now = start
  do {
    for (let k = 0; k < 64; k++) {
      sink = await fn(inputs[i] as T)
      if (++i === n) i = 0
    }
    ops += 64
    now = process.hrtime.bigint()
  } while (now < limit)
  const seconds = Number(now - start) / 1e9
  return { ops, seconds, cpuSeconds: threadCpuSeconds() - cpu, next: i }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** (max − min) / median: how much the rounds disagree. */
export function spread(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values)
}

/**
 * Each candidate's median over rounds of its ratio to `reference` in the same round.
 * A ratio taken within one round cancels most of what a shared machine does to both.
 */
export function medianRatio(
  rounds: readonly Map<string, number>[],
  name: string,
  reference: string,
): number {
  return median(
    rounds.map((round) => (round.get(name) as number) / (round.get(reference) as number)),
  )
}

/** A left-aligned first column and right-aligned others, in Markdown table syntax. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join(' | ')} |`
  const rule = `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`
  return [line(head), rule, ...rows.map(line)].join('\n')
}

export const fmtInt = (value: number): string => Math.round(value).toLocaleString('en-US')
export const fmtRatio = (value: number): string => `${value.toFixed(2)}×`
export const fmtPercent = (value: number): string => `±${((value * 100) / 2).toFixed(1)}%`

/** Node version, CPU and core count, printed with every run. */
export function machineNote(): string {
  const cores = cpus()
  return `Node ${process.version}, ${cores.length} × ${cores[0]?.model ?? 'unknown CPU'}, ${platform()} ${arch()}`
}

/**
 * The 1-minute load average, printed at the start and end of a run: on a shared
 * machine it says how much else competed for the cores while the numbers were made.
 */
export function loadNote(): string {
  return (loadavg()[0] ?? 0).toFixed(2)
}

/** `Authorization` values for the tokens, each one flat string as a request holds it. */
export function asAuthorization(tokens: readonly string[]): string[] {
  return tokens.map((token) => Buffer.from(`Bearer ${token}`, 'latin1').toString('latin1'))
}

/**
 * A candidate that takes an `Authorization` value and verifies the token cut from it,
 * as a server does per request. The token is then a new string on every call, so a
 * cache pays for hashing its text as it would in a server, instead of reusing the hash
 * V8 keeps on a string object it has already seen. Every candidate pays the same cut.
 */
export function perRequest<R>(verify: (token: string) => R): (authorization: string) => R {
  return (authorization) => verify(authorization.slice(7))
}

/** The Node line whose results are the plain `bench/results/<name>.md`: CI's. */
const BENCH_NODE_LINE = '20'

/**
 * What a bench prints, kept as it goes: the same Markdown on stdout and in
 * `bench/results/<name>.md`, and every table as data in `bench/results/<name>.json`,
 * so the docs quote a file the bench wrote rather than a table pasted by hand.
 */
export class BenchReport {
  private readonly lines: string[] = []
  private readonly tables: Record<
    string,
    { head: readonly string[]; rows: readonly (readonly string[])[] }
  > = {}
  private readonly values: Record<string, unknown> = {}

  constructor(private readonly name: string) {}

  /** A line of Markdown. */
  log(text = ''): void {
    console.log(text)
    this.lines.push(text)
  }

  /** A table, printed and kept under `key` in the JSON. */
  table(key: string, head: readonly string[], rows: readonly (readonly string[])[]): void {
    this.tables[key] = { head, rows }
    this.log(table(head, rows))
  }

  /** A figure for the JSON only (a ratio, a setting). */
  value(key: string, value: unknown): void {
    this.values[key] = value
  }

  /** Write both files; returns their paths. */
  save(): string[] {
    const dir = join(__dirname, '..', '..', 'bench', 'results')
    mkdirSync(dir, { recursive: true })
    // The machine's own Node line writes `<name>.md`; another line (run with its binary,
    // such as the ones scripts/node-lines.mjs installs) gets a file of its own.
    const major = process.versions.node.split('.')[0] as string
    const base = major === BENCH_NODE_LINE ? this.name : `${this.name}-node${major}`
    const md = join(dir, `${base}.md`)
    const json = join(dir, `${base}.json`)
    writeFileSync(
      md,
      `${this.lines
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
        .trim()}\n`,
    )
    const data = {
      bench: this.name,
      date: new Date().toISOString(),
      machine: machineNote(),
      values: this.values,
      tables: this.tables,
    }
    writeFileSync(json, `${JSON.stringify(data, null, 2)}\n`)
    return [md, json]
  }
}
