import type { CliIo } from './io'

/** One subcommand: its help and what it does; resolves to the exit code. */
export interface Command {
  readonly summary: string
  readonly help: string
  run(args: string[], io: CliIo): number | Promise<number>
}

/**
 * How every help text and message spells the command. After `npm install
 * express-jwt-gate` the executable is in the project's `node_modules/.bin`, which is
 * not on the shell's PATH: a bare `jwt-gate` there is "command not found", and
 * `export JWT_SECRET="$(jwt-gate secret)"` even exits 0 with an empty secret.
 */
export const PROGRAM = 'npx jwt-gate'

/** Shared by every help text, so the codes are documented exactly once. */
export const EXIT_CODES = `Exit codes:
  0  success
  1  the token was refused (verify) or cannot be read (decode), or the JWK Set
     could not be fetched (verify --jwks)
  2  usage error: unknown command or option, bad input, a missing, unreadable or
     unsuitable secret or key
  3  unexpected failure, such as an I/O error
`

/** The `--help` option every command takes. */
export const HELP = { help: { type: 'boolean', short: 'h' } } as const

export function printHelp(io: CliIo, text: string): number {
  io.stdout.write(text)
  return 0
}
