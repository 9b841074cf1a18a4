/**
 * One server of `npm run bench:http`, started by bench/http.ts in its own process:
 * `server.ts <variant>`. Every variant answers `GET /invoices` with the same small JSON
 * body; they differ only in what runs before the handler. Prints the port it listens
 * on (loopback, chosen by the OS) as its first line of output.
 */
import express from 'express'
import type { ErrorRequestHandler, RequestHandler } from 'express'
import { expressjwt } from 'express-jwt'
import { jwtAuth, requireFeature } from 'express-jwt-gate'
import { SECRET } from './harness'

export const VARIANTS = [
  'express',
  'middleware-floor',
  'jwtAuth',
  'jwtAuth-cache',
  'express-jwt',
] as const
export type Variant = (typeof VARIANTS)[number]

export const invoices: RequestHandler = (_req, res) => {
  res.json({ invoices: [] })
}

/** Every real application has one; without it Express prints a stack per refusal. */
export const refusals: ErrorRequestHandler = (err: { status?: number }, _req, res, _next) => {
  res.status(err.status ?? 500).end()
}

export function createApp(variant: Variant): express.Express {
  // Express's defaults (ETag, X-Powered-By): bare Express is what an application gets.
  const app = express()
  switch (variant) {
    case 'express':
      app.get('/invoices', invoices)
      break
    case 'middleware-floor': {
      // The same shape as jwtAuth + requireFeature with no token work: what any
      // middleware that sets req.user, plus a route guard, costs in Express itself.
      const user = { userId: 1, licensedFeatures: ['invoicing'] }
      app.use((req, _res, next) => {
        ;(req as { user?: unknown }).user = user
        next()
      })
      app.get('/invoices', (_req, _res, next) => next(), invoices)
      break
    }
    case 'jwtAuth':
      app.use(jwtAuth(SECRET))
      app.get('/invoices', requireFeature('invoicing'), invoices)
      break
    case 'jwtAuth-cache':
      app.use(jwtAuth(SECRET, { cache: { max: 10_000 } }))
      app.get('/invoices', requireFeature('invoicing'), invoices)
      break
    case 'express-jwt':
      // As express-jwt's README configures it for HS256.
      app.use(expressjwt({ secret: SECRET, algorithms: ['HS256'] }))
      app.get('/invoices', invoices)
      break
  }
  app.use(refusals)
  return app
}

/**
 * Listen on a loopback port chosen by the OS and print it as the first line of output;
 * end (after `close`) when the parent closes stdin, so no server outlives a benchmark.
 */
export function serve(app: express.Express, close: () => Promise<void> = async () => {}): void {
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no TCP address')
    console.log(String(address.port))
  })
  process.stdin.on('end', () =>
    server.close(() => {
      void close().finally(() => process.exit(0))
    }),
  )
  process.stdin.resume()
}

if (require.main === module) {
  const variant = process.argv[2] as Variant
  if (!VARIANTS.includes(variant)) throw new Error(`variant must be one of ${VARIANTS.join(', ')}`)
  serve(createApp(variant))
}
