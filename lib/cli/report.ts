import { types } from 'node:util'
import { JwtAuthError, JwtSetupError } from '../core/errors'
import { UsageError } from './args'
import { PROGRAM } from './command'
import type { CliIo } from './io'

/** How many causes deep a reason is looked for; fetch errors nest two or three. */
const MAX_CAUSES = 4

/** An Error from any realm: `fetch`'s errors are not always of this realm's `Error`. */
const isError = (value: unknown): value is Error =>
  value instanceof Error || types.isNativeError(value)

/**
 * The reasons in a chain of causes, each said once: `key set fetch failed: fetch
 * failed: connect ECONNREFUSED 127.0.0.1:9`. An error with no message (Node's
 * AggregateError for a host with two addresses) gives its code instead.
 */
function reasons(cause: unknown): string {
  const parts: string[] = []
  for (let error = cause, depth = 0; isError(error) && depth < MAX_CAUSES; depth++) {
    const reason = error.message || ((error as NodeJS.ErrnoException).code ?? '')
    if (reason !== '' && !parts.some((part) => part.includes(reason))) parts.push(reason)
    error = error.cause
  }
  return parts.join(': ')
}

/**
 * A refused token's message. `key_set_unavailable` says why the set could not be
 * had: its cause is the library's fetch error (network, timeout, HTTP status, not a
 * JWK Set), which never holds the token nor the response body, so it can be shown.
 */
function authMessage(err: JwtAuthError): string {
  if (err.code !== 'key_set_unavailable') return err.message
  const why = reasons(err.cause)
  return `the JWK Set could not be fetched${why === '' ? '' : ` (${why})`}`
}

/**
 * Turn a failure into its message on stderr and its exit code. Library messages
 * name the rule that failed, never the token, so they are shown as they are.
 */
export function report(err: unknown, io: CliIo, where: string | undefined): number {
  if (err instanceof JwtAuthError) {
    io.stderr.write(`error: ${err.code}: ${authMessage(err)}\n`)
    return 1
  }
  if (err instanceof UsageError) {
    const help = where === undefined ? PROGRAM : `${PROGRAM} ${where}`
    io.stderr.write(`error: ${err.message}\nRun "${help} --help" for usage.\n`)
    return 2
  }
  // The library's setup errors: a weak secret, an unsuitable key, an unknown algorithm,
  // a bad claim value or URL.
  if (err instanceof JwtSetupError) {
    io.stderr.write(`error: ${err.message}\n`)
    return 2
  }
  io.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`)
  return 3
}
