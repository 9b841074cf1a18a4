import { setupError } from './errors'

/**
 * Refuse anything that is not an options object, or that names an option we do not
 * know: a misspelt `audiance` must not silently turn a check off.
 */
export function readOptions<T extends object>(
  options: unknown,
  known: ReadonlySet<string>,
  where: string,
): Partial<T> {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw setupError(`${where} options must be an object`)
  }
  for (const name of Object.keys(options)) {
    if (!known.has(name)) {
      throw setupError(
        `${where}: unknown option ${JSON.stringify(name)}; known options are ${[...known].join(', ')}`,
      )
    }
  }
  return options
}

/** A non-empty string, or a TypeError naming the option. */
export function readString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value === '')
    throw setupError(`${option} must be a non-empty string`)
  return value
}

/** One non-empty string or a non-empty array of them, as a fresh array. */
export function readStringList(value: unknown, option: string): string[] {
  if (typeof value === 'string') return [readString(value, option)]
  if (!Array.isArray(value) || value.length === 0) {
    throw setupError(`${option} must be a non-empty string or a non-empty array of strings`)
  }
  return value.map((item) => readString(item, `each ${option} entry`))
}

/** A `Date` holding a real time, as seconds since the epoch. */
export function readDate(value: unknown, option: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw setupError(`${option} must be a valid Date`)
  }
  return value.getTime() / 1000
}

/** A positive whole number. */
export function readPositiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw setupError(`${option} must be a positive whole number`)
  }
  return value
}
