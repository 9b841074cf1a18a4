import { isAsymmetricAlgorithm, type Algorithm } from '../core/algorithms'
import { toSeconds, type Duration } from '../core/duration'
import { JwtSetupError } from '../core/errors'
import type { SignOptions } from '../core/sign-options'
import type { VerifyOptions } from '../core/verify-options'
import { decodeToken } from '../decode'
import { generateSecret, SECRET_BYTES } from '../keys/secret'
import { signToken } from '../sign'
import { verifyToken } from '../verify'
import { onePositional, parseCommand, UsageError } from './args'
import { readInput, readSecret, type CliIo } from './io'
import { describeTime, type TimeClaim } from './time'

/** One subcommand: its help and what it does; resolves to the exit code. */
export interface Command {
  readonly summary: string
  readonly help: string
  run(args: string[], io: CliIo): number | Promise<number>
}

/** Shared by every help text, so the codes are documented exactly once. */
export const EXIT_CODES = `Exit codes:
  0  success
  1  the token was refused (verify) or cannot be read (decode)
  2  usage error: unknown command or option, bad input, missing or weak secret
  3  unexpected failure, such as an I/O error
`

const HELP = { help: { type: 'boolean', short: 'h' } } as const
const SECRET_OPTIONS = {
  'secret-env': { type: 'string' },
  'secret-file': { type: 'string' },
} as const

const SECRET_HELP_LINES = `  --secret-env NAME   read the secret from environment variable NAME (default: JWT_SECRET)
  --secret-file PATH  read the secret from a file: its bytes, less one trailing newline
`
const SECRET_NOTE = `The secret is never taken as an argument: it would show in ps and in shell history.
`

function printHelp(io: CliIo, text: string): number {
  io.stdout.write(text)
  return 0
}

function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

const secretHelp = `Usage: jwt-gate secret [--bytes N]

Print a new random secret: N bytes from the system's secure random generator, as
base64url text. The text itself is the secret (its UTF-8 bytes are the key).

Options:
  --bytes N   random bytes, ${SECRET_BYTES.minimum.HS256} to ${SECRET_BYTES.generated.max} (default: ${SECRET_BYTES.generated.default}); as many as the hash
              is long: ${SECRET_BYTES.minimum.HS256} for HS256, ${SECRET_BYTES.minimum.HS384} for HS384, ${SECRET_BYTES.minimum.HS512} for HS512
  -h, --help  show this help

${EXIT_CODES}
Example:
  export JWT_SECRET="$(jwt-gate secret)"
`

function secret(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommand('secret', args, {
    bytes: { type: 'string' },
    ...HELP,
  })
  if (values.help === true) return printHelp(io, secretHelp)
  if (positionals.length > 0) throw new UsageError('jwt-gate secret takes no arguments')
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
    return toSeconds(duration, '--expires-in')
  } catch (err) {
    if (!(err instanceof JwtSetupError)) throw err
    throw new UsageError(
      '--expires-in must be seconds, or a number with a unit s, m, h, d or w, such as 15m',
    )
  }
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

/**
 * The tool reads only secrets, so the library's public-key algorithms cannot work
 * here; say so now, rather than let them fail later with a message about keys. Any
 * other name goes to the library, which checks it and refuses 'none'.
 */
function readAlgorithm(value: string): Algorithm {
  if (isAsymmetricAlgorithm(value)) {
    throw new UsageError(
      `unsupported algorithm ${JSON.stringify(value)} here: jwt-gate works with a secret; use HS256, HS384 or HS512`,
    )
  }
  return value as Algorithm
}

async function sign(args: string[], io: CliIo): Promise<number> {
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

const verifyHelp = `Usage: jwt-gate verify [options] [TOKEN | -]

Verify a token's signature and claims, then print its payload as JSON. The token is
read from stdin when it is "-" or absent; piping it keeps it out of shell history.
On failure, print "error: <code>: <message>" (never the token) and exit 1.

Options:
${SECRET_HELP_LINES}  --audience AUD      require aud to name AUD; repeat to accept any of several
  --issuer ISS        require iss to be ISS; repeat to accept any of several
  --alg ALG           accept this algorithm; repeat for several (default: HS256 only)
  -h, --help          show this help

${SECRET_NOTE}
${EXIT_CODES}
Example:
  jwt-gate sign '{"sub":"alice"}' | jwt-gate verify -
`

async function verify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('verify', args, {
    ...SECRET_OPTIONS,
    audience: { type: 'string', multiple: true },
    issuer: { type: 'string', multiple: true },
    alg: { type: 'string', multiple: true },
    ...HELP,
  })
  if (values.help === true) return printHelp(io, verifyHelp)
  const tokenArgument = onePositional(positionals, 'TOKEN')
  const options: VerifyOptions = {}
  if (values.alg !== undefined) options.algorithms = values.alg.map(readAlgorithm)
  if (values.audience !== undefined) options.audience = values.audience
  if (values.issuer !== undefined) options.issuer = values.issuer
  const now = io.now?.()
  if (now !== undefined) options.currentDate = now
  const key = await readSecret(values, io)
  const token = await readInput(tokenArgument, io, 'token')
  printJson(io, verifyToken(token, key, options))
  return 0
}

const decodeHelp = `Usage: jwt-gate decode [TOKEN | -]

Print a token's header and payload WITHOUT verifying it, with iat, nbf and exp as
ISO dates and how far they are from now. Anyone can write any payload: use this to
debug, and "jwt-gate verify" to decide anything. A warning saying so goes to stderr.
The token is read from stdin when it is "-" or absent.

Options:
  -h, --help  show this help

${EXIT_CODES}
Example:
  jwt-gate sign '{"sub":"alice"}' | jwt-gate decode
`

const TIME_CLAIMS: readonly TimeClaim[] = ['iat', 'nbf', 'exp']

async function decode(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('decode', args, HELP)
  if (values.help === true) return printHelp(io, decodeHelp)
  const token = await readInput(onePositional(positionals, 'TOKEN'), io, 'token')
  const { header, payload } = decodeToken(token)
  const nowSeconds = (io.now?.() ?? new Date()).getTime() / 1000
  const times: Partial<Record<TimeClaim, string>> = {}
  for (const claim of TIME_CLAIMS) {
    if (Object.hasOwn(payload, claim))
      times[claim] = describeTime(claim, payload[claim], nowSeconds)
  }
  io.stderr.write(
    'warning: not verified: the signature was not checked, so anyone could have written this; use jwt-gate verify to check it\n',
  )
  printJson(io, { header, payload, times })
  return 0
}

/** Every command, in the order the top-level help lists them. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['secret', { summary: 'print a new random secret', help: secretHelp, run: secret }],
  ['sign', { summary: 'sign a JSON payload and print the token', help: signHelp, run: sign }],
  ['verify', { summary: 'verify a token and print its payload', help: verifyHelp, run: verify }],
  [
    'decode',
    {
      summary: "print a token's header and payload WITHOUT verifying",
      help: decodeHelp,
      run: decode,
    },
  ],
])
