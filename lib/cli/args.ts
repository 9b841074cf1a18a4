import { parseArgs, type ParseArgsConfig } from 'node:util'

/** The options of one command, in the shape `node:util` `parseArgs` takes. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>

/**
 * What `parseArgs` returns in strict mode for these options, spelled out: its own
 * result type is built from types `node:util` does not export, which a declaration
 * file cannot name. Every option is optional, as none has a default.
 */
export interface ParsedArgs<T extends OptionSpec> {
  values: {
    [K in keyof T]?: T[K] extends { multiple: true }
      ? string[]
      : T[K] extends { type: 'string' }
        ? string
        : boolean
  }
  positionals: string[]
}

/**
 * The person at the keyboard asked for something the tool cannot do: an unknown
 * command or option, a bad value, a missing input. Always exit code 2, so a script
 * can tell "I called it wrong" from "the token was refused" (exit code 1).
 */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** Edit distance, to suggest `sign` for `sing` and `--expires-in` for `--expire-in`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)
      row.push(Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, substitution))
    }
    previous = row
  }
  return previous[b.length] as number
}

/**
 * `; did you mean X?` for the closest candidate within two edits, or one that the
 * input begins (`--exp` for `--expires-in`); an empty string when nothing is close.
 */
export function didYouMean(input: string, candidates: readonly string[]): string {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of candidates) {
    const d = input.length >= 3 && candidate.startsWith(input) ? 1 : distance(input, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best === undefined ? '' : `; did you mean ${best}?`
}

/**
 * Parse a command's arguments, with messages written for this tool. `parseArgs`
 * names an unknown option but suggests nothing, and its message for a stray
 * positional quotes the argument, which may be a token; so unknown options are
 * found first in a lenient pass, and positionals are always allowed and counted
 * by each command without ever quoting them.
 */
export function parseCommand<const T extends OptionSpec>(
  command: string,
  args: string[],
  options: T,
): ParsedArgs<T> {
  const known = Object.keys(options).map((name) => `--${name}`)
  const { tokens } = parseArgs({
    args,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  })
  for (const token of tokens) {
    if (token.kind !== 'option' || Object.hasOwn(options, token.name)) continue
    if (token.name === 'secret' && Object.hasOwn(options, 'secret-env')) {
      throw new UsageError(
        `the secret is never taken as an argument (it would show in ps and in shell history); use --secret-env NAME or --secret-file PATH`,
      )
    }
    throw new UsageError(
      `unknown option ${token.rawName} for jwt-gate ${command}${didYouMean(token.rawName, known)}`,
    )
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true })
  } catch (err) {
    // With unknown options and positionals already handled, what strict parsing
    // still refuses is a value problem (`--bytes` with no value, `--help=yes`), and
    // its messages name only the option.
    throw new UsageError((err as Error).message)
  }
}

/** The single optional positional of a command (TOKEN, PAYLOAD_JSON), never quoted back. */
export function onePositional(positionals: readonly string[], name: string): string | undefined {
  if (positionals.length > 1) {
    throw new UsageError(`expected at most one ${name} argument, got ${positionals.length}`)
  }
  return positionals[0]
}

/** `a`, `a or b`, `a, b or c` (or with `and`): a list in a message. */
export function orList(items: readonly string[], conjunction: 'or' | 'and' = 'or'): string {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1) as string}`
}
