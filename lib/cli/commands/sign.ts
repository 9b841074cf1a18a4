import { toSeconds } from '../../core/duration'
import { JwtSetupError } from '../../core/errors'
import type { SignOptions } from '../../core/sign-options'
import { signToken } from '../../sign'
import { onePositional, parseCommand, UsageError } from '../args'
import { EXIT_CODES, HELP, printHelp, PROGRAM, type Command } from '../command'
import { readInput, type CliIo } from '../io'
import {
  KEY_OPTIONS,
  PUBLIC_KEY_ALGORITHMS,
  SECRET_HELP_LINES,
  SECRET_NOTE,
  signingKey,
} from '../keys'

const signHelp = `Usage: ${PROGRAM} sign [options] [PAYLOAD_JSON | -]

Sign a JSON object and print the token. The payload is read from stdin when it is
"-" or absent. iat is set to now. exp is always set: from --expires-in, else from
the payload's own exp, else 15 minutes from now; there is no way to sign a token
that never expires (for a long-lived token, say so: --expires-in 30d).

The key, one of (default: the HMAC secret in the environment variable JWT_SECRET):
${SECRET_HELP_LINES}  --key-file PATH     a private key (RS*, PS*, ES*, EdDSA): PEM, or a JWK as JSON

Options:
  --alg ALG           with a secret: HS256 (default), HS384 or HS512;
                      with --key-file, required unless the JWK names its alg:
${PUBLIC_KEY_ALGORITHMS}  --expires-in TIME   lifetime: seconds, or a number with s, m, h, d or w
                      (default: 15m; 0 is refused)
  --kid KID           put this key id in the header (kid)
  -h, --help          show this help

${SECRET_NOTE}
${EXIT_CODES}
Examples:
  ${PROGRAM} sign '{"sub":"alice","licensedFeatures":["todos"]}'
  echo '{"sub":"bob"}' | ${PROGRAM} sign --secret-file ./jwt.key --expires-in 1h -
  ${PROGRAM} sign --key-file ./private.pem --alg ES256 '{"sub":"alice"}'
`

const DURATION_HELP =
  '--expires-in must be seconds, or a number with a unit s, m, h, d or w, such as 15m'

/**
 * A duration as the library reads it. On the command line bare digits are seconds
 * (the library refuses them as a string, lest they mean milliseconds). Zero is
 * refused: the library would sign it, but the token would be expired when made.
 */
function readDuration(value: string): number {
  const duration = /^\d+$/.test(value) ? Number(value) : value
  let seconds: number
  try {
    seconds = toSeconds(duration, '--expires-in')
  } catch (err) {
    if (!(err instanceof JwtSetupError)) throw err
    throw new UsageError(DURATION_HELP)
  }
  if (seconds === 0) {
    throw new UsageError(
      '--expires-in must be more than 0: a token that lives 0 seconds is expired when it is made',
    )
  }
  return seconds
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
    ...KEY_OPTIONS,
    'expires-in': { type: 'string' },
    alg: { type: 'string' },
    kid: { type: 'string' },
    ...HELP,
  })
  if (values.help === true) return printHelp(io, signHelp)
  const payloadArgument = onePositional(positionals, 'PAYLOAD_JSON')
  const options: SignOptions = {}
  if (values['expires-in'] !== undefined) options.expiresIn = readDuration(values['expires-in'])
  if (values.kid !== undefined) options.keyId = values.kid
  const now = io.now?.() ?? new Date()
  options.currentDate = now
  const { key, algorithm } = await signingKey(values, values.alg, io)
  options.algorithm = algorithm
  const payload = readPayload(await readInput(payloadArgument, io, 'payload'))
  const token = signToken(payload, key, options)
  // A payload's own exp is taken as given (a test may want an expired token), but
  // not silently: such a token is refused everywhere.
  if (typeof payload.exp === 'number' && payload.exp <= now.getTime() / 1000) {
    io.stderr.write("warning: the payload's exp is not after now: this token is already expired\n")
  }
  io.stdout.write(`${token}\n`)
  return 0
}

export const sign: Command = {
  summary: 'sign a JSON payload and print the token',
  help: signHelp,
  run,
}
