import type { CliIo } from './io'

/** One subcommand: its help and what it does; resolves to the exit code. */
export interface Command {
  readonly summary: string
  readonly help: string
  run(args: string[], io: CliIo): number | Promise<number>
}

/** Shared by every help text, so the codes are documented exactly once. */
export const EXIT_CODES = `Exit codes:
  0  success
  1  the token was refused (verify) or cannot be read (decode)
  2  usage error: unknown command or option, bad input, missing or weak secret
  3  unexpected failure, such as an I/O error
`

/** The `--help` option every command takes. */
export const HELP = { help: { type: 'boolean', short: 'h' } } as const

export function printHelp(io: CliIo, text: string): number {
  io.stdout.write(text)
  return 0
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}
