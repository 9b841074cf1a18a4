import { readFile } from 'node:fs/promises'
import { onePositional, UsageError } from './args'

/**
 * The process as the command-line tool sees it. Everything is passed in, so tests
 * run the tool in-process with their own input, environment, files and clock.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }
 * ```
 */
export interface CliIo {
  /** Read when an input argument is `-` or absent. */
  readonly stdin: AsyncIterable<string | Uint8Array> & { readonly isTTY?: boolean }
  /** `isTTY` decides how much `printJson` escapes (see output.ts). */
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean }
  readonly stderr: { write(text: string): unknown }
  readonly env: Readonly<Record<string, string | undefined>>
  /** Reads a `--secret-file` or a `--key-file`. Default: `fs.promises.readFile`. */
  readonly readFile?: (path: string) => Promise<Uint8Array | string>
  /** The clock. Default: the system clock. */
  readonly now?: () => Date
}

/** More than any token or payload this package signs (8 KiB); stops a runaway pipe. */
const MAX_INPUT_BYTES = 1 << 20

async function readStdin(io: CliIo, what: string): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of io.stdin) {
    const bytes = Buffer.from(chunk)
    size += bytes.length
    if (size > MAX_INPUT_BYTES) throw new UsageError(`${what} on stdin is larger than 1 MiB`)
    chunks.push(bytes)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * The command's input: the argument itself, or stdin when it is `-` or absent.
 * Absent with a terminal on stdin is an error rather than a silent wait for input
 * the user never meant to type. Surrounding whitespace (the newline `echo` adds)
 * is dropped.
 */
export async function readInput(
  argument: string | undefined,
  io: CliIo,
  what: string,
): Promise<string> {
  if (argument === undefined && io.stdin.isTTY === true) {
    throw new UsageError(`no ${what}: pass it as an argument, or pipe it in`)
  }
  const text = (
    argument === undefined || argument === '-' ? await readStdin(io, what) : argument
  ).trim()
  if (text === '') throw new UsageError(`${what} is empty`)
  return text
}

/**
 * `Bearer ` (or a whole `Authorization: Bearer ` header) in front of a token: the
 * scheme of the header it was copied from, which is not part of the token.
 */
const BEARER_PREFIX = /^(?:authorization:\s*)?bearer\s/i

/** What to do, said without quoting the input: it holds the token. */
function bearerPrefix(): UsageError {
  return new UsageError(
    'the token starts with "Bearer ", the scheme of the Authorization header: drop the "Bearer " prefix and pass the token alone',
  )
}

/**
 * The TOKEN of `verify` and `decode`, from its argument or stdin, refusing one pasted
 * with its `Bearer ` prefix: quoted (`'Bearer eyJ…'`), piped, or as two arguments.
 */
export async function readToken(positionals: readonly string[], io: CliIo): Promise<string> {
  if (positionals.length === 2 && /^bearer$/i.test(positionals[0] as string)) {
    throw bearerPrefix()
  }
  const token = await readInput(onePositional(positionals, 'TOKEN'), io, 'token')
  if (BEARER_PREFIX.test(token)) throw bearerPrefix()
  return token
}

/**
 * The bytes of the file an option names. On failure only the error code is shown: a
 * message may quote the path, and the path may be a secret pasted where a file name
 * belongs.
 */
export async function readFileOption(option: string, path: string, io: CliIo): Promise<Buffer> {
  if (path === '') throw new UsageError(`${option} needs the path of a file`)
  try {
    return Buffer.from(await (io.readFile ?? readFile)(path))
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new UsageError(`cannot read the file ${option} names (${reason})`)
  }
}
