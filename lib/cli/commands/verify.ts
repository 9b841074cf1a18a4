import type { VerifyOptions } from '../../core/verify-options'
import { verifyToken } from '../../verify'
import { parseCommand } from '../args'
import { EXIT_CODES, HELP, printHelp, PROGRAM, type Command } from '../command'
import { readToken, type CliIo } from '../io'
import {
  KEY_OPTIONS,
  PUBLIC_KEY_ALGORITHMS,
  SECRET_HELP_LINES,
  SECRET_NOTE,
  verificationKey,
} from '../keys'
import { printJson } from '../output'

const verifyHelp = `Usage: ${PROGRAM} verify [options] [TOKEN | -]

Verify a token's signature and claims, then print its payload as JSON, escaped as
"${PROGRAM} decode" escapes it so that it cannot spoof the terminal. The token
is read from stdin when it is "-" or absent; piping it keeps it out of shell
history. On failure, print "error: <code>: <message>" (never the token), exit 1.

The key, one of (default: the HMAC secret in the environment variable JWT_SECRET):
${SECRET_HELP_LINES}  --key-file PATH     a public key (RS*, PS*, ES*, EdDSA): PEM, that is a public
                      key, a certificate or a private key, or a JWK as JSON
  --jwks URL          the issuer's JWK Set, fetched from URL: https:, or http: on
                      localhost, 127.0.0.0/8 or ::1 only

Options:
  --alg ALG           accept this algorithm; repeatable. With a secret: HS256
                      (default), HS384, HS512. With --key-file, required (once)
                      unless the JWK names its alg:
${PUBLIC_KEY_ALGORITHMS}                      and with --jwks, optional: accept only these (default: all
                      the public-key ones; a key's own alg in the set binds it)
  --audience AUD      require aud to name AUD; repeat to accept any of several
  --issuer ISS        require iss to be ISS; repeat to accept any of several
  -h, --help          show this help

${SECRET_NOTE}
${EXIT_CODES}
Examples:
  ${PROGRAM} sign '{"sub":"alice"}' | ${PROGRAM} verify -
  echo "$TOKEN" | ${PROGRAM} verify --key-file ./public.pem --alg ES256 -
  echo "$TOKEN" | ${PROGRAM} verify --jwks https://auth.example.com/jwks.json -
`

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('verify', args, {
    ...KEY_OPTIONS,
    audience: { type: 'string', multiple: true },
    issuer: { type: 'string', multiple: true },
    alg: { type: 'string', multiple: true },
    ...HELP,
  })
  if (values.help === true) return printHelp(io, verifyHelp)
  const options: VerifyOptions = {}
  if (values.audience !== undefined) options.audience = values.audience
  if (values.issuer !== undefined) options.issuer = values.issuer
  const now = io.now?.()
  if (now !== undefined) options.currentDate = now
  const { key, algorithms } = await verificationKey(values, values.alg, io)
  if (algorithms !== undefined) options.algorithms = algorithms
  const token = await readToken(positionals, io)
  printJson(io, await verifyToken(token, key, options))
  return 0
}

export const verify: Command = {
  summary: 'verify a token and print its payload',
  help: verifyHelp,
  run,
}
