import { decodeToken } from '../../decode'
import { onePositional, parseCommand } from '../args'
import { EXIT_CODES, HELP, printHelp, printJson, type Command } from '../command'
import { readInput, type CliIo } from '../io'
import { describeTime, type TimeClaim } from '../time'

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

async function run(args: string[], io: CliIo): Promise<number> {
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

export const decode: Command = {
  summary: "print a token's header and payload WITHOUT verifying",
  help: decodeHelp,
  run,
}
