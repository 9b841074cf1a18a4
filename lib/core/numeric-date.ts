import { setupError } from './errors'

/**
 * NumericDate (RFC 7519 §2): seconds since the epoch, as a finite JSON number. The
 * one place that says what a time claim may hold and how "now" is read, for signing,
 * verification and the command-line tool alike.
 */

/** A finite number; `1e400` parses to Infinity and is not a date. */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

/** A `Date` holding a real time (a `currentDate` option), as seconds since the epoch. */
export function readDate(value: unknown, option: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw setupError(option, `${option} must be a valid Date`)
  }
  return value.getTime() / 1000
}

/** A clock: now, in seconds since the epoch, with their fraction. */
export type Clock = () => number

/** The system clock, in seconds. */
export const systemClock: Clock = () => Date.now() / 1000

/**
 * The clock an option set asks for: a fixed `currentDate` (tests), a clock of the
 * package's own (a session store's), or the system clock.
 */
export function clockOf(currentDate: number | undefined, clock: Clock | undefined): Clock {
  if (currentDate !== undefined) return () => currentDate
  return clock ?? systemClock
}

/**
 * Where the package passes a clock of its own to verification and signing, with no
 * public option for it: sessions sign and verify by their store's clock, so a test
 * that controls the store's time controls every time rule.
 */
export const CLOCK: unique symbol = Symbol('express-jwt-gate clock')

/** The clock under {@link CLOCK} in an options object, if it holds a function there. */
export function internalClock(options: unknown): Clock | undefined {
  const clock =
    typeof options === 'object' && options !== null
      ? (options as { [CLOCK]?: unknown })[CLOCK]
      : undefined
  return typeof clock === 'function' ? (clock as Clock) : undefined
}

/**
 * A whole-second NumericDate to write into a token (`iat`, `exp`, `nbf`): written
 * values are integers, as every peer writes them.
 */
export function wholeSeconds(seconds: number): number {
  return Math.floor(seconds)
}
