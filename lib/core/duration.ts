import { setupError } from './errors'

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }
const DURATION = /^(\d{1,9})([smhdw])$/

/**
 * A span of time: seconds as a number, or a string of digits and one unit
 * (`s`, `m`, `h`, `d`, `w`), such as `'90s'`, `'15m'`, `'2h'` or `'7d'`.
 * Every duration in this package is in seconds; there is no millisecond form.
 *
 * @example
 * ```ts
 * import type { Duration } from 'express-jwt-gate'
 * const lifetime: Duration = '15m' // the same as 900
 * ```
 */
export type Duration = number | string

/**
 * Seconds in a {@link Duration}, or a setup error naming `option` for anything else.
 * A string without a unit is refused: elsewhere it means milliseconds, here it would
 * be a silent factor of 1000.
 */
export function toSeconds(value: unknown, option: string, allowNegative = false): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw setupError(option, `${option} must be a finite number of seconds`)
    if (value < 0 && !allowNegative) throw setupError(option, `${option} must not be negative`)
    return value
  }
  if (typeof value === 'string') {
    const match = DURATION.exec(value)
    if (match === null) {
      throw setupError(
        option,
        `${option}: unknown duration ${JSON.stringify(value)}; use seconds as a number or a string such as '90s', '15m', '2h', '7d'`,
      )
    }
    return Number(match[1]) * (UNIT_SECONDS[match[2] as string] as number)
  }
  throw setupError(
    option,
    `${option} must be a number of seconds or a duration string such as '15m'`,
  )
}
