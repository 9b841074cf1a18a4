import { toSeconds, type Duration } from '../../core/duration'
import { JwtSetupError } from '../../core/errors'
import type { SignOptions } from '../../core/sign-options'
import { signToken } from '../../sign'
import { onePositional, parseCommand, UsageError } from '../args'
import { EXIT_CODES, HELP, printHelp, type Command } from '../command'
import { readInput, type CliIo } from '../io'
import { readAlgorithm, readSecret, SECRET_HELP_LINES, SECRET_NOTE, SECRET_OPTIONS } from '../keys'

const signHelp = `Usage: jwt-gate sign [options] [PAYLOAD_JSON | -]

Sign a JSON object and print the token. The payload is read from stdin when it is
"-" or absent. iat is set to now. exp is always set: from --expires-in, else from
the payload's own exp, else 15 minutes from now; there is no way to sign a token
that never expires (for a long-lived token, say so: --expires-in 30d).

Options:
${SECRET_HELP_LINES}  --expires-in TIME   lifetime: seconds, or a number with s, m, h, d or w (default: 15m)
  --alg ALG           HS256 (default), HS384 or HS512; these need 32, 48 and 64-byte secrets
  --kid KID           put this key id in the header (kid)
  -h, --help          show this help

${SECRET_NOTE}
${EXIT_CODES}
Examples:
  jwt-gate sign '{"sub":"alice","licensedFeatures":["todos"]}'
  echo '{"sub":"bob"}' | jwt-gate sign --secret-file ./jwt.key --expires-in 1h -
`

/**
 * A duration as the library reads it. On the command line bare digits are seconds
 * (the library refuses them as a string, lest they mean milliseconds).
 */
function readDuration(value: string): Duration {
  const duration = /^\d+$/.test(value) ? Number(value) : value
  try {
    toSeconds(duration, '--expires-in')
  } catch (err) {
    if (!(err instanceof JwtSetupError)) throw err
    throw new UsageError(
      '--expires-in must be seconds, or a number with a unit s, m, h, d or w, such as 15m',
    )
  }
  return duration
}

function readPayload(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`payload is not valid JSON (${(err as Error).message})`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError('payload must be a JSON object, such as {"sub":"alice"}')
  }
  return value as Record<string, unknown>
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('sign', args, {
    ...SECRET_OPTIONS,
    'expires-in': { type: 'string' },
    alg: { type: 'string' },
    kid: { type: 'string' },
    ...HELP,
  })
  if (values.help === true) return printHelp(io, signHelp)
  const payloadArgument = onePositional(positionals, 'PAYLOAD_JSON')
  const options: SignOptions = {}
  if (values['expires-in'] !== undefined) options.expiresIn = readDuration(values['expires-in'])
  if (values.alg !== undefined) options.algorithm = readAlgorithm(values.alg)
  if (values.kid !== undefined) options.keyId = values.kid
  const now = io.now?.()
  if (now !== undefined) options.currentDate = now
  const key = await readSecret(values, io)
  const payload = readPayload(await readInput(payloadArgument, io, 'payload'))
  io.stdout.write(`${signToken(payload, key, options)}\n`)
  return 0
}

export const sign: Command = {
  summary: 'sign a JSON payload and print the token',
  help: signHelp,
  run,
}
