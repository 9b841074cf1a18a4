import { setupError } from './errors'

/**
 * Every option name of `T`, each once. A list written as this type, with `satisfies`,
 * fails to compile when the interface gains an option the list lacks, or the list
 * names one the interface does not have: the two cannot drift apart.
 */
export type OptionList<T> = { readonly [K in keyof Required<T>]: true }

/** The names of an {@link OptionList}, for {@link readOptions}. */
export function optionNames<T>(list: OptionList<T>): ReadonlySet<string> {
  return new Set(Object.keys(list))
}

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
    throw setupError('options', `${where} options must be an object`)
  }
  for (const name of Object.keys(options)) {
    if (!known.has(name)) {
      throw setupError(
        name,
        `${where}: unknown option ${JSON.stringify(name)}; known options are ${[...known].join(', ')}`,
      )
    }
  }
  return options
}

/** A non-empty string, or a setup error naming the option. */
export function readString(value: unknown, option: string, what = option): string {
  if (typeof value !== 'string' || value === '') {
    throw setupError(option, `${what} must be a non-empty string`)
  }
  return value
}

/** One non-empty string or a non-empty array of them, as a fresh array. */
export function readStringList(value: unknown, option: string): string[] {
  if (typeof value === 'string') return [readString(value, option)]
  if (!Array.isArray(value) || value.length === 0) {
    throw setupError(option, `${option} must be a non-empty string or a non-empty array of strings`)
  }
  return value.map((item) => readString(item, option, `each ${option} entry`))
}

/** A positive whole number. */
export function readPositiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw setupError(option, `${option} must be a positive whole number`)
  }
  return value
}

/** `true` or `false`, or `fallback` when absent. */
export function readBoolean(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw setupError(option, `${option} must be true or false`)
  return value
}

/** A function, or `undefined` when absent. */
export function readFunction<F>(value: unknown, option: string): F | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw setupError(option, `${option} must be a function`)
  return value as F
}
