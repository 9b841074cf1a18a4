/** Run the jwt-gate tool in-process, with its input, environment, files and clock injected. */
import { Readable } from 'node:stream'
import { runCli } from '../../lib/cli/main'
import type { CliIo } from '../../lib/cli/main'
import { NOW_DATE, SECRET } from '../helpers/tokens'

export interface RunOptions {
  /** Text on stdin; nothing by default. */
  stdin?: string
  /** stdin is a terminal: nothing is piped in. */
  tty?: boolean
  env?: Record<string, string | undefined>
  readFile?: CliIo['readFile']
  stdout?: CliIo['stdout']
  /** stdout is a terminal (`isTTY: true`), as when a person reads the output. */
  ttyOut?: boolean
  /** Read the system clock instead of the frozen {@link NOW}. */
  realClock?: boolean
}

export interface Result {
  code: number
  stdout: string
  stderr: string
}

/** Run the tool in-process at {@link NOW}, with JWT_SECRET set unless `env` says otherwise. */
export async function run(argv: string[], options: RunOptions = {}): Promise<Result> {
  let stdout = ''
  let stderr = ''
  const stdin = Object.assign(Readable.from(options.stdin === undefined ? [] : [options.stdin]), {
    isTTY: options.tty === true,
  })
  const io: CliIo = {
    stdin,
    stdout: options.stdout ?? {
      write: (text: string) => (stdout += text),
      ...(options.ttyOut === true ? { isTTY: true } : {}),
    },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? { JWT_SECRET: SECRET },
    ...(options.realClock === true ? {} : { now: () => NOW_DATE }),
    ...(options.readFile === undefined ? {} : { readFile: options.readFile }),
  }
  const code = await runCli(argv, io)
  return { code, stdout, stderr }
}

/** The one line a successful `sign` prints, without its newline. */
export function tokenOf(result: Result): string {
  expect(result).toMatchObject({ code: 0, stderr: '' })
  expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
  return result.stdout.trimEnd()
}

/** What `decode` prints on stdout. */
export interface Decoded {
  header: Record<string, unknown>
  payload: Record<string, unknown>
  times: Record<string, string>
}

export function decoded(stdout: string): Decoded {
  return JSON.parse(stdout) as Decoded
}

/** A usage error: exit 2, nothing on stdout, the message and a pointer to --help on stderr. */
export function expectUsageError(result: Result, message: string | RegExp): void {
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr).toMatch(/^error: /)
  expect(result.stderr).toMatch(message)
  expect(result.stderr).toMatch(/Run "npx jwt-gate( \w+)? --help" for usage\.\n$/)
}
