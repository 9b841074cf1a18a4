import { didYouMean, UsageError } from './args'
import { EXIT_CODES, PROGRAM } from './command'
import { COMMANDS } from './commands'
import type { CliIo } from './io'
import { report } from './report'
import { packageVersion } from './version'

export type { CliIo } from './io'

const USAGE = `Usage: ${PROGRAM} <command> [options]

Make secrets, and sign, verify and inspect JSON Web Tokens with the same rules as
the express-jwt-gate middleware: HS256/384/512 with a secret; RS*, PS*, ES* and
EdDSA with a key file, or to verify, the issuer's JWK Set.

Commands:
${[...COMMANDS].map(([name, { summary }]) => `  ${name.padEnd(8)} ${summary}`).join('\n')}
  help     show the help of a command: ${PROGRAM} help sign

Options:
  -h, --help     show this help
  -V, --version  print the version of express-jwt-gate

Run "${PROGRAM} <command> --help" for a command's options.

Where the command is: "npm install express-jwt-gate" puts jwt-gate in the
project's node_modules/.bin, which npx (and npm scripts) search, but your shell
does not. Outside such a project npx would fetch a package named jwt-gate instead:
there, run "npx -p express-jwt-gate jwt-gate", or install it globally
("npm install -g express-jwt-gate") to have a plain jwt-gate on your PATH.

${EXIT_CODES}`

const TOP_LEVEL_OPTIONS = ['--help', '--version']

/** Compact JWS shape: a token given where a command was expected. */
const LOOKS_LIKE_TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./

/** The message for a first argument that names no command; never quotes a token back. */
function unknownCommand(name: string): string {
  if (name.startsWith('-')) return `unknown option ${name}${didYouMean(name, TOP_LEVEL_OPTIONS)}`
  if (LOOKS_LIKE_TOKEN.test(name)) {
    return `the first argument must be a command, and this one looks like a token; to read it: ${PROGRAM} decode -`
  }
  return `unknown command ${JSON.stringify(name)}${didYouMean(name, [...COMMANDS.keys()])}`
}

function help(args: readonly string[], io: CliIo): number {
  const [name, ...rest] = args
  if (rest.length > 0) throw new UsageError(`${PROGRAM} help takes one command name`)
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
    if (name === '--version' || name === '-V') {
      io.stdout.write(`${packageVersion()}\n`)
      return 0
    }
    if (name === 'help') return help(args, io)
    const command = COMMANDS.get(name)
    if (command === undefined) throw new UsageError(unknownCommand(name))
    return await command.run(args, io)
  } catch (err) {
    return report(err, io, name !== undefined && COMMANDS.has(name) ? name : undefined)
  }
}
