import { UsageError } from './args'

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
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
  readonly env: Readonly<Record<string, string | undefined>>
  /** Reads a `--secret-file`. Default: `fs.promises.readFile`. */
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
