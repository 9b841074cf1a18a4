interface Sample {
  at: number
  offset: number
}

/** How long the best sample is trusted: a step of the server's clock is followed within it. */
const WINDOW_MS = 30_000

/**
 * The server's clock as this process estimates it from its `TIME` replies, for the
 * deadlines the scripts check in server time.
 *
 * A reply can be read late (the event loop was busy, a long GC ran, a job starved it
 * of I/O) but never early, and a late one says the server is behind by however late it
 * was read. So no sample is above the true offset, and the best estimate is the largest
 * one: here, the largest of the last 30 seconds. Taking the latest instead, one reply
 * read a second late made every deadline of the next second already past, and every
 * refresh a 503. Offsets are to `performance.now()`, which no step of this machine's
 * clock moves.
 */
export class ServerClock {
  /** Samples with ever smaller offsets, newest last: the first is the window's largest. */
  private readonly samples: Sample[] = []

  constructor(
    private readonly local: () => number = () => performance.now(),
    private readonly wall: () => number = Date.now,
    private readonly windowMs = WINDOW_MS,
  ) {}

  /** A `TIME` reply, in server milliseconds, just read. */
  sample(serverMs: number): void {
    const at = this.local()
    const offset = serverMs - at
    const { samples } = this
    while (samples.length > 0 && (samples[samples.length - 1] as Sample).offset <= offset) {
      samples.pop()
    }
    samples.push({ at, offset })
    while ((samples[0] as Sample).at < at - this.windowMs) samples.shift()
  }

  /** The server's time now, in milliseconds; this machine's before any sample. */
  now(): number {
    const best = this.samples[0]
    return best === undefined ? this.wall() : this.local() + best.offset
  }
}
