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

/** Now, in seconds with their fraction, or the fixed time a test configured. */
export function secondsNow(fixed: number | undefined): number {
  return fixed ?? Date.now() / 1000
}

/**
 * A whole-second NumericDate to write into a token (`iat`, `exp`, `nbf`): written
 * values are integers, as every peer writes them.
 */
export function wholeSeconds(seconds: number): number {
  return Math.floor(seconds)
}
