import { generateSecret, SECRET_BYTES } from '../../keys/secret'
import { UsageError, parseCommand } from '../args'
import { EXIT_CODES, HELP, printHelp, PROGRAM, type Command } from '../command'
import type { CliIo } from '../io'

const secretHelp = `Usage: ${PROGRAM} secret [--bytes N]

Print a new random secret: N bytes from the system's secure random generator, as
base64url text. The text itself is the secret (its UTF-8 bytes are the key).

Options:
  --bytes N   random bytes, ${SECRET_BYTES.minimum.HS256} to ${SECRET_BYTES.generated.max} (default: ${SECRET_BYTES.generated.default}); as many as the hash
              is long: ${SECRET_BYTES.minimum.HS256} for HS256, ${SECRET_BYTES.minimum.HS384} for HS384, ${SECRET_BYTES.minimum.HS512} for HS512
  -h, --help  show this help

${EXIT_CODES}
Examples:
  JWT_SECRET="$(${PROGRAM} secret)" && export JWT_SECRET
  ${PROGRAM} secret --bytes ${SECRET_BYTES.minimum.HS512} > jwt.key   # for HS512: --secret-file jwt.key
`

function run(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommand('secret', args, {
    bytes: { type: 'string' },
    ...HELP,
  })
  if (values.help === true) return printHelp(io, secretHelp)
  if (positionals.length > 0) throw new UsageError(`${PROGRAM} secret takes no arguments`)
  const { minimum, generated } = SECRET_BYTES
  let bytes: number = generated.default
  if (values.bytes !== undefined) {
    bytes = /^\d{1,4}$/.test(values.bytes) ? Number(values.bytes) : 0
    if (bytes < minimum.HS256 || bytes > generated.max) {
      throw new UsageError(
        `--bytes must be a whole number from ${minimum.HS256} to ${generated.max}`,
      )
    }
  }
  io.stdout.write(`${generateSecret(bytes)}\n`)
  return 0
}

export const secret: Command = { summary: 'print a new random secret', help: secretHelp, run }
