import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'

export const MB = 1_000_000
/** The bound: RSS may grow by less than this from after warm-up to peak. */
export const MAX_RSS_GROWTH = 50 * MB
export const RSS_SAMPLE_MS = 500
/**
 * The first seconds of load are warm-up, for V8 to size its heap over a few GC
 * cycles. Measured here: under this mix the GC sawtooth's teeth still rose for ~10 s,
 * and runs with a 5 s warm-up saw up to +48 MB of growth with no leak at all.
 */
export const WARM_UP_SECONDS = 10

/** An RSS reading of the server, `at` in milliseconds since the load started. */
export interface RssSample {
  readonly at: number
  readonly bytes: number
}

export interface MemoryVerdict {
  /** When warm-up ended, in milliseconds since the load started. */
  readonly warmUpEnd: number
  /** The high-water mark during warm-up: what the server showed it needs for this load. */
  readonly baseline: number
  /** The highest reading of the whole run. */
  readonly peak: number
  /** How far the peak rose above the baseline. */
  readonly growth: number
}

/**
 * Under load, V8 lets the heap grow until a major GC, then RSS falls back: a sawtooth
 * some tens of MB high, whose teeth grow for the first few cycles while V8 sizes its
 * heap. Comparing one reading with a later peak would measure where on a tooth that
 * reading fell, so the baseline is the high-water mark of the warm-up (the first
 * {@link WARM_UP_SECONDS}): a leak shows as later teeth rising above it. The warm-up
 * is fixed, not "until the first GC": a leaking server frees little at each GC and
 * would stretch such a warm-up over the growth it should measure. `undefined` when
 * there is no reading on either side of the warm-up's end: memory was not measured.
 */
export function judgeMemory(samples: readonly RssSample[]): MemoryVerdict | undefined {
  const warmUpEnd = WARM_UP_SECONDS * 1000
  const during = samples.filter((sample) => sample.at <= warmUpEnd).map((sample) => sample.bytes)
  const after = samples.filter((sample) => sample.at > warmUpEnd).map((sample) => sample.bytes)
  if (during.length === 0 || after.length === 0) return undefined
  const baseline = Math.max(...during)
  const peak = Math.max(baseline, ...after)
  return { warmUpEnd, baseline, peak, growth: peak - baseline }
}

/** A process's resident set size: VmRSS where there is /proc (Linux), `ps` elsewhere. */
export async function readRss(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const kB = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
    return kB === undefined ? undefined : Number(kB) * 1024
  } catch {
    return new Promise((resolve) => {
      execFile('ps', ['-o', 'rss=', '-p', String(pid)], (error, stdout) => {
        const kB = stdout.trim()
        resolve(error === null && /^\d+$/.test(kB) ? Number(kB) * 1024 : undefined)
      })
    })
  }
}

/** Read `pid`'s RSS into `samples` every 500 ms from now; returns the stop function. */
export function sampleRss(pid: number, samples: RssSample[]): () => void {
  const start = Date.now()
  let pending = false
  const timer = setInterval(() => {
    // A slow read must not pile up reads behind it.
    if (pending) return
    pending = true
    void readRss(pid).then((bytes) => {
      pending = false
      if (bytes !== undefined) samples.push({ at: Date.now() - start, bytes })
    })
  }, RSS_SAMPLE_MS)
  return () => clearInterval(timer)
}
