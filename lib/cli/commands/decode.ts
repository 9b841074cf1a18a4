import { decodeToken } from '../../decode'
import { parseCommand } from '../args'
import { EXIT_CODES, HELP, printHelp, PROGRAM, type Command } from '../command'
import { readToken, type CliIo } from '../io'
import { printJson } from '../output'
import { describeTime, type TimeClaim } from '../time'

const decodeHelp = `Usage: ${PROGRAM} decode [TOKEN | -]

Print a token's header and payload WITHOUT verifying it, with iat, nbf and exp as
ISO dates and how far they are from now. Anyone can write any payload: use this to
debug, and "${PROGRAM} verify" to decide anything; a warning on stderr says
so. The token is read from stdin when it is "-" or absent.

On a terminal, control, bidirectional and invisible characters in the header and
payload are shown as \\uXXXX escapes, so a token cannot disguise what it says or
take over the terminal; piped, only controls and bidirectional ones are escaped.
Either way the output is JSON, and parses to the token's exact values.

Options:
  -h, --help  show this help

${EXIT_CODES}
Example:
  ${PROGRAM} sign '{"sub":"alice"}' | ${PROGRAM} decode
`

const TIME_CLAIMS: readonly TimeClaim[] = ['iat', 'nbf', 'exp']

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('decode', args, HELP)
  if (values.help === true) return printHelp(io, decodeHelp)
  const token = await readToken(positionals, io)
  const { header, payload } = decodeToken(token)
  const nowSeconds = (io.now?.() ?? new Date()).getTime() / 1000
  const times: Partial<Record<TimeClaim, string>> = {}
  for (const claim of TIME_CLAIMS) {
    if (Object.hasOwn(payload, claim))
      times[claim] = describeTime(claim, payload[claim], nowSeconds)
  }
  io.stderr.write(
    `warning: not verified: the signature was not checked, so anyone could have written this; use ${PROGRAM} verify to check it\n`,
  )
  printJson(io, { header, payload, times })
  return 0
}

export const decode: Command = {
  summary: "print a token's header and payload WITHOUT verifying",
  help: decodeHelp,
  run,
}
