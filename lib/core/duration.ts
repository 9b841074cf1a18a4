import { setupError } from './errors'

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }
const DURATION = /^(\d{1,9})([smhdw])$/

/**
 * A digit, for the first character of a {@link Duration} string.
 *
 * @inline
 */
type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9'

/**
 * A span of time: seconds as a number, or a string of digits and one unit
 * (`s`, `m`, `h`, `d`, `w`), such as `'90s'`, `'15m'`, `'2h'` or `'7d'`.
 * Every duration in this package is in seconds; there is no millisecond form.
 *
 * The string form is checked by the compiler too: `'900'` (no unit, which elsewhere
 * means milliseconds), `'15 m'`, `'15min'`, `'1.5h'` and `'-5m'` fail to compile.
 * `${bigint}` admits only whole numbers without spaces or signs, and the leading digit
 * shuts out a minus sign. The check at run time stays, for values the compiler cannot
 * see (a `string` from the environment must be checked, or cast, first) and for the
 * few spellings the type lets through (`'0x10m'`); a leading zero (`'07d'`) compiles
 * only as a number.
 *
 * @example
 * ```ts
 * import type { Duration } from 'express-jwt-gate'
 * const lifetime: Duration = '15m' // the same as 900
 * ```
 */
export type Duration = number | (`${bigint}${DurationUnit}` & `${Digit}${string}`)

/**
 * The units of a {@link Duration} string: seconds, minutes, hours, days, weeks.
 *
 * @example
 * ```ts
 * import type { DurationUnit } from 'express-jwt-gate'
 * const unit: DurationUnit = 'm'
 * ```
 */
export type DurationUnit = 's' | 'm' | 'h' | 'd' | 'w'

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
