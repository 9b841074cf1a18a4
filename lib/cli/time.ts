/** Units for a human-readable span, largest first. */
const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
]

/**
 * A span of seconds as its largest unit and the next one, such as `14m 59s` or
 * `2d 3h`: precise enough to read at a glance; the exact value is in the ISO date.
 */
export function formatSpan(seconds: number): string {
  const rest = Math.round(Math.abs(seconds))
  const i = UNITS.findIndex(([, size]) => rest >= size)
  if (i === -1) return '0s'
  const [unit, size] = UNITS[i] as readonly [string, number]
  const count = `${Math.floor(rest / size)}${unit}`
  const next = UNITS[i + 1]
  if (next === undefined) return count
  const nextCount = Math.floor((rest % size) / next[1])
  return nextCount === 0 ? count : `${count} ${nextCount}${next[0]}`
}

/** What a time claim means relative to now, in words, for one direction or the other. */
const WORDING: Readonly<Record<TimeClaim, readonly [future: string, past: string]>> = {
  exp: ['expires in %', 'expired % ago'],
  nbf: ['becomes valid in %', 'valid since % ago'],
  iat: ['issued in the future, % from now', 'issued % ago'],
}

/** The NumericDate claims of RFC 7519, in the order a token lives through them. */
export type TimeClaim = 'iat' | 'nbf' | 'exp'

/**
 * One time claim as an ISO date and its distance from now, such as
 * `2027-01-15T08:15:00.000Z (expires in 14m 59s)`. An unverified token can hold
 * anything, so a value that is not a date is described, not thrown on.
 */
export function describeTime(claim: TimeClaim, value: unknown, nowSeconds: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return 'not a NumericDate (a number of seconds since 1970)'
  }
  const date = new Date(value * 1000)
  if (Number.isNaN(date.getTime())) return `${value} seconds: beyond the dates JavaScript can show`
  const delta = value - nowSeconds
  // Strictly after now: at the very second exp names, the token is already expired
  // (RFC 7519 §4.1.4), and at the second nbf names it is already valid.
  const [ahead, behind] = WORDING[claim]
  return `${date.toISOString()} (${(delta > 0 ? ahead : behind).replace('%', formatSpan(delta))})`
}
