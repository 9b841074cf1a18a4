import type { Express } from 'express'

/** Why a server could not listen, in words, for the errors people actually meet. */
function listenFailure(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EADDRINUSE':
      return 'the port is already in use; stop what holds it, or set PORT to another port (PORT=0 picks a free one)'
    case 'EACCES':
      return 'permission denied; ports below 1024 usually need privileges, so set PORT to 1024 or more'
    case 'EADDRNOTAVAIL':
      return 'HOST is not an address of this machine'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'HOST is not a name this machine can resolve'
    default:
      return err.message
  }
}

/** Stop the example with one line on stderr: a setup mistake needs no stack trace. */
function fail(message: string): never {
  console.error(`express-jwt-gate example: ${message}`)
  process.exit(1)
}

/** PORT as a port number: digits only, 0 (any free port) to 65535; default 3000. */
function readPort(value: string | undefined): number {
  if (value === undefined) return 3000
  const port = /^\d{1,5}$/.test(value) ? Number(value) : -1
  if (port < 0 || port > 65535) {
    fail(
      `PORT must be a whole number from 0 to 65535 (0 picks a free port); got ${JSON.stringify(value)}`,
    )
  }
  return port
}

/**
 * Listen on PORT (default 3000), bound to HOST (default 127.0.0.1: loopback only
 * unless you say otherwise), and print the URL. Call it only when the example file
 * is run directly, so tests can import its `app` without a server.
 *
 * A PORT that is not a port, or a listen that fails (the port taken, no permission, a
 * HOST that is not this machine's), stops the process with one line on stderr and
 * exit code 1. `app.listen` gets no callback, and the server's events are listened to
 * instead: Express 5 hands a listen error to that callback as an argument, and one
 * that ignores it reports success on port 0 and lets the process exit 0.
 */
export function listen(app: Express, onListening: (url: string) => void = () => {}): void {
  const host = process.env.HOST ?? '127.0.0.1'
  const port = readPort(process.env.PORT)
  const hostInUrl = host.includes(':') ? `[${host}]` : host
  const server = app.listen(port, host)
  server.once('error', (err: NodeJS.ErrnoException) => {
    fail(`cannot listen on ${hostInUrl}:${port}: ${listenFailure(err)}`)
  })
  server.once('listening', () => {
    const address = server.address()
    const bound = typeof address === 'object' && address !== null ? address.port : port
    const url = `http://${hostInUrl}:${bound}`
    console.log(`express-jwt-gate example listening on ${url}`)
    onListening(url)
  })
}
