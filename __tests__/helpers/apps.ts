import express5 from 'express'
import express4 from 'express4'
import type { ErrorRequestHandler, Express, RequestHandler } from 'express'
import { connect } from 'node:net'
import type { AddressInfo, Server } from 'node:net'

/** Both supported major versions, so every middleware suite runs against each. */
export const EXPRESS_VERSIONS = [
  ['Express 5', express5],
  ['Express 4', express4],
] as const

export type ExpressFactory = typeof express5

/** What a test app saw: which handlers ran and which error reached the error handler. */
export interface Trace {
  handled: number
  users: unknown[]
  errors: unknown[]
}

/**
 * A real app: `middleware` in front of `GET /` (which records `req.user` and answers
 * 200), with or without a recording error handler in front of Express's default one.
 */
export function traceApp(
  express: ExpressFactory,
  middleware: RequestHandler[],
  options: { recordErrors?: boolean; errorHandler?: ErrorRequestHandler } = {},
): { app: Express; trace: Trace } {
  const trace: Trace = { handled: 0, users: [], errors: [] }
  const app = express()
  app.get('/', ...middleware, (req, res) => {
    trace.handled++
    trace.users.push(req.user)
    res.json({ user: req.user ?? null })
  })
  if (options.recordErrors !== false) {
    app.use(((err, _req, _res, next) => {
      trace.errors.push(err)
      next(err)
    }) as ErrorRequestHandler)
  }
  if (options.errorHandler !== undefined) app.use(options.errorHandler)
  return { app, trace }
}

/**
 * Send raw request bytes and return the response's status line and headers. For what
 * clients like supertest cannot send: repeated header lines, odd whitespace.
 */
export async function rawRequest(
  app: Express,
  head: string,
): Promise<{ status: number; headers: string }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    const { port } = server.address() as AddressInfo
    const response = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.end(`${head}\r\nConnection: close\r\n\r\n`),
      )
      let data = ''
      socket.setEncoding('latin1')
      socket.on('data', (chunk: string) => (data += chunk))
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    const [headers = ''] = response.split('\r\n\r\n')
    return { status: Number(headers.split(' ')[1]), headers }
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

/**
 * Fail the suite if any promise rejection goes unhandled while it runs. Express 4 does
 * not forward rejected promises, so a rejection the middleware left loose would only
 * show here. Call once at the top of a suite file.
 */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = []
  const record = (reason: unknown) => unhandled.push(reason)
  beforeAll(() => process.on('unhandledRejection', record))
  afterAll(() => {
    process.off('unhandledRejection', record)
    expect(unhandled).toEqual([])
  })
}
