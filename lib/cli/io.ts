import { readFile } from 'node:fs/promises'
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

/** Where the secret comes from: never the command line itself. */
export interface SecretSource {
  'secret-env'?: string | undefined
  'secret-file'?: string | undefined
}

/** The default environment variable holding the secret. */
const DEFAULT_SECRET_ENV = 'JWT_SECRET'

/**
 * The secret, from an environment variable or a file. A file's bytes are the key,
 * less one trailing newline (`\n` or `\r\n`): `jwt-gate secret > key` and editors
 * add one that was never meant to be part of the secret.
 */
export async function readSecret(source: SecretSource, io: CliIo): Promise<string | Buffer> {
  const path = source['secret-file']
  if (path !== undefined) {
    if (source['secret-env'] !== undefined) {
      throw new UsageError('use either --secret-env or --secret-file, not both')
    }
    let contents: Buffer
    try {
      contents = Buffer.from(await (io.readFile ?? readFile)(path))
    } catch (err) {
      // Only the error code: a message may quote the path, and the path may be a
      // secret pasted where a file name belongs.
      const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable'
      throw new UsageError(`cannot read the file --secret-file names (${reason})`)
    }
    const end = contents.at(-1) === 0x0a ? (contents.at(-2) === 0x0d ? -2 : -1) : undefined
    const secret = contents.subarray(0, end)
    if (secret.length === 0) throw new UsageError('the file --secret-file names is empty')
    return secret
  }
  const name = source['secret-env']
  if (name === '') throw new UsageError('--secret-env needs the name of an environment variable')
  const secret = io.env[name ?? DEFAULT_SECRET_ENV]
  if (secret === undefined || secret === '') {
    // The default name is ours to print; a name the user gave may be the secret itself
    // ("--secret-env $JWT_SECRET"), so it is never repeated.
    throw new UsageError(
      name === undefined
        ? `environment variable ${DEFAULT_SECRET_ENV} is not set; put the secret in it (make one with: jwt-gate secret), or use --secret-env NAME or --secret-file PATH`
        : 'the environment variable --secret-env names is not set; pass the NAME of the variable (--secret-env JWT_SECRET), never the secret itself',
    )
  }
  return secret
}
