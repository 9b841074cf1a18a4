import type { VerifyOptions } from '../../core/verify-options'
import { verifyToken } from '../../verify'
import { onePositional, parseCommand } from '../args'
import { EXIT_CODES, HELP, printHelp, printJson, type Command } from '../command'
import { readInput, type CliIo } from '../io'
import { readAlgorithm, readSecret, SECRET_HELP_LINES, SECRET_NOTE, SECRET_OPTIONS } from '../keys'

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

async function run(args: string[], io: CliIo): Promise<number> {
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

export const verify: Command = {
  summary: 'verify a token and print its payload',
  help: verifyHelp,
  run,
}
