import { didYouMean, UsageError } from './args'
import { EXIT_CODES } from './command'
import { COMMANDS } from './commands'
import type { CliIo } from './io'
import { JwtAuthError, JwtSetupError } from '../core/errors'

export type { CliIo } from './io'

const USAGE = `Usage: jwt-gate <command> [options]

Make secrets, and sign, verify and inspect HS256/HS384/HS512 JSON Web Tokens, with
the same rules as the express-jwt-gate middleware.

Commands:
${[...COMMANDS].map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`).join('\n')}
  help     show the help of a command: jwt-gate help sign

Run "jwt-gate <command> --help" for a command's options.

${EXIT_CODES}`

/** Compact JWS shape: a token given where a command was expected. */
const LOOKS_LIKE_TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./

/** The message for a first argument that names no command; never quotes a token back. */
function unknownCommand(name: string): string {
  if (name.startsWith('-')) return `unknown option ${name}${didYouMean(name, ['--help'])}`
  if (LOOKS_LIKE_TOKEN.test(name)) {
    return 'the first argument must be a command, and this one looks like a token; to read it: jwt-gate decode -'
  }
  return `unknown command ${JSON.stringify(name)}${didYouMean(name, [...COMMANDS.keys()])}`
}

function help(args: readonly string[], io: CliIo): number {
  const [name, ...rest] = args
  if (rest.length > 0) throw new UsageError('jwt-gate help takes one command name')
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout.write(USAGE)
    return 0
  }
  const command = COMMANDS.get(name)
  if (command === undefined) throw new UsageError(unknownCommand(name))
  io.stdout.write(command.help)
  return 0
}

/**
 * Turn a failure into its message on stderr and its exit code. Library messages
 * name the rule that failed, never the token, so they are shown as they are.
 */
function report(err: unknown, io: CliIo, command: string | undefined): number {
  if (err instanceof JwtAuthError) {
    io.stderr.write(`error: ${err.code}: ${err.message}\n`)
    return 1
  }
  if (err instanceof UsageError) {
    const where =
      command !== undefined && COMMANDS.has(command) ? `jwt-gate ${command}` : 'jwt-gate'
    io.stderr.write(`error: ${err.message}\nRun "${where} --help" for usage.\n`)
    return 2
  }
  // The library's setup errors: a weak secret, an unknown algorithm, a bad claim value.
  if (err instanceof JwtSetupError) {
    io.stderr.write(`error: ${err.message}\n`)
    return 2
  }
  io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`)
  return 3
}

/**
 * Run the `jwt-gate` command-line tool on `argv` (the arguments after the program
 * name) and resolve to its exit code. It never calls `process.exit` and reads the
 * process only through `io`, so tests drive it in-process; `bin/jwt-gate` is the
 * thin wrapper that hands it the real process.
 *
 * @example
 * ```ts
 * const { stdin, stdout, stderr, env } = process
 * process.exitCode = await runCli(['verify', '-'], { stdin, stdout, stderr, env })
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv
  try {
    if (name === undefined) {
      io.stderr.write(USAGE)
      return 2
    }
    if (name === '--help' || name === '-h') return help([], io)
    if (name === 'help') return help(args, io)
    const command = COMMANDS.get(name)
    if (command === undefined) throw new UsageError(unknownCommand(name))
    return await command.run(args, io)
  } catch (err) {
    return report(err, io, name)
  }
}
