import type { HmacAlgorithm } from '../core/algorithms'
import { SECRET_BYTES } from '../keys/secret'
import { UsageError } from './args'
import { PROGRAM } from './command'
import { readFileOption, type CliIo } from './io'

/** Where an HMAC secret comes from: never the command line itself. */
export interface SecretSource {
  readonly 'secret-env'?: string | undefined
  readonly 'secret-file'?: string | undefined
}

/** The default environment variable holding the secret. */
const DEFAULT_SECRET_ENV = 'JWT_SECRET'

/**
 * The command that makes a secret long enough for `alg`, from the same table the
 * library's own hints read (`secretHint`): as many random bytes as the hash is long.
 */
export function secretCommand(alg: HmacAlgorithm): string {
  const bytes = SECRET_BYTES.minimum[alg]
  return bytes === SECRET_BYTES.generated.default
    ? `${PROGRAM} secret`
    : `${PROGRAM} secret --bytes ${bytes}`
}

/**
 * The secret for `alg`, from an environment variable or a file. A file's bytes are
 * the key, less one trailing newline (`\n` or `\r\n`): `jwt-gate secret > key` and
 * editors add one that was never meant to be part of the secret. The caller has
 * already made sure that at most one of the two is given.
 */
export async function readSecret(
  source: SecretSource,
  io: CliIo,
  alg: HmacAlgorithm,
): Promise<string | Buffer> {
  const path = source['secret-file']
  if (path !== undefined) {
    const contents = await readFileOption('--secret-file', path, io)
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
        ? `environment variable ${DEFAULT_SECRET_ENV} is not set; put the secret in it (make one with: ${secretCommand(alg)}), or use --secret-env NAME, --secret-file PATH or, for a public-key algorithm, --key-file PATH`
        : 'the environment variable --secret-env names is not set; pass the NAME of the variable (--secret-env JWT_SECRET), never the secret itself',
    )
  }
  return secret
}
