import { readFile } from 'node:fs/promises'
import { isAsymmetricAlgorithm, type Algorithm } from '../core/algorithms'
import { UsageError } from './args'
import type { CliIo } from './io'

/** The options that name where the key comes from. */
export const SECRET_OPTIONS = {
  'secret-env': { type: 'string' },
  'secret-file': { type: 'string' },
} as const

export const SECRET_HELP_LINES = `  --secret-env NAME   read the secret from environment variable NAME (default: JWT_SECRET)
  --secret-file PATH  read the secret from a file: its bytes, less one trailing newline
`
export const SECRET_NOTE = `The secret is never taken as an argument: it would show in ps and in shell history.
`

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

/**
 * The tool reads only secrets, so the library's public-key algorithms cannot work
 * here; say so now, rather than let them fail later with a message about keys. Any
 * other name goes to the library, which checks it and refuses 'none'.
 */
export function readAlgorithm(value: string): Algorithm {
  if (isAsymmetricAlgorithm(value)) {
    throw new UsageError(
      `unsupported algorithm ${JSON.stringify(value)} here: jwt-gate works with a secret; use HS256, HS384 or HS512`,
    )
  }
  return value as Algorithm
}
