import { ServerClock } from '../../../../lib/sessions/stores/redis/clock'

/** A clock whose local time the test moves; the server runs 5 s ahead of it. */
function setup(windowMs = 30_000) {
  let local = 1_000
  const clock = new ServerClock(
    () => local,
    () => 42,
    windowMs,
  )
  const AHEAD = 5_000
  return {
    clock,
    /** Let `ms` pass here, then read a TIME reply the server sent `late` ms ago. */
    read(ms: number, late = 0, serverStep = 0) {
      local += ms
      clock.sample(local + AHEAD + serverStep - late)
    },
    pass(ms: number) {
      local += ms
    },
    /** The true server time. */
    truth: () => local + AHEAD,
  }
}

describe('ServerClock', () => {
  test("before any reply it is this machine's clock", () => {
    expect(setup().clock.now()).toBe(42)
  })

  test('follows the server, between replies too', () => {
    const c = setup()
    c.read(0)
    expect(c.clock.now()).toBe(c.truth())
    c.pass(700)
    expect(c.clock.now()).toBe(c.truth())
  })

  test('a reply read late never sets it back: the best reply of the window counts', () => {
    const c = setup()
    c.read(0, 3)
    c.read(1_000, 0)
    c.read(1_000, 4_000) // read 4 s after the server sent it (a starved event loop)
    c.read(1_000, 900)
    expect(c.clock.now()).toBe(c.truth())
  })

  test('a better reply takes over at once', () => {
    const c = setup()
    c.read(0, 800)
    expect(c.clock.now()).toBe(c.truth() - 800)
    c.read(1_000, 2)
    expect(c.clock.now()).toBe(c.truth() - 2)
  })

  test('a step back of the server clock is followed once the window has passed', () => {
    const c = setup(10_000)
    c.read(0)
    for (let i = 0; i < 9; i++) c.read(1_000, 0, -60_000)
    expect(c.clock.now()).toBe(c.truth()) // still the sample from before the step
    c.read(1_500, 0, -60_000)
    expect(c.clock.now()).toBe(c.truth() - 60_000)
  })
})
