/**
 * The example API: log in, get a token, use the features it licenses, be refused the
 * others. Run it with `npm start`; try it with the curl lines it prints.
 */
import express from 'express'
import type { ErrorRequestHandler, Express } from 'express'
import {
  authErrorHandler,
  generateSecret,
  jwtAuth,
  requireFeature,
  signToken,
} from 'express-jwt-gate'
import { listen } from './listen'

/** Demo users and the features each one has licensed. */
export const USERS: Readonly<Record<string, readonly string[]>> = {
  alice: ['todos', 'calendar', 'invoicing'],
  bob: ['todos'],
}

/** Token lifetime, in seconds, as every duration in the package. */
const TOKEN_LIFETIME = 900

/** Errors that are not authentication errors: a bad login body, or a bug. */
const jsonErrors: ErrorRequestHandler = (
  err: { status?: number; type?: string },
  _req,
  res,
  next,
) => {
  if (res.headersSent) return next(err)
  if (err.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'invalid_json', error_description: 'body is not valid JSON' })
  } else {
    res.status(500).json({ error: 'server_error', error_description: 'something went wrong' })
  }
}

/** The whole API for one secret. A weak secret throws here, with the package's message. */
export function createApp(secret: string): Express {
  const app = express()
  app.use(express.json())

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' })
  })

  app.post('/login', (req, res) => {
    const username: unknown = (req.body as { username?: unknown } | undefined)?.username
    if (typeof username !== 'string') {
      res
        .status(400)
        .json({ error: 'invalid_request', error_description: 'send {"username": "alice"}' })
      return
    }
    const features = Object.hasOwn(USERS, username) ? USERS[username] : undefined
    if (features === undefined) {
      res.status(401).json({ error: 'unknown_user', error_description: 'try alice or bob' })
      return
    }
    const token = signToken({ sub: username, licensedFeatures: [...features] }, secret, {
      expiresIn: TOKEN_LIFETIME,
    })
    res.json({ token, expiresIn: TOKEN_LIFETIME })
  })

  // Everything below needs a valid token.
  app.use(jwtAuth(secret))
  app.get('/me', (req, res) => {
    res.json(req.user)
  })
  app.get('/todos', requireFeature('todos'), (_req, res) => {
    res.json([{ id: 1, title: 'Try express-jwt-gate', done: true }])
  })
  app.get('/calendar', requireFeature('calendar'), (_req, res) => {
    res.json([{ date: '2026-12-01', title: 'Rotate the JWT secret' }])
  })
  app.get('/invoices', requireFeature('invoicing'), (_req, res) => {
    res.json([{ id: 'INV-1', amount: 120 }])
  })

  app.use(authErrorHandler())
  app.use(jsonErrors)
  return app
}

const runDirectly = require.main === module

function secretFromEnvironment(): string {
  const fromEnv = process.env.JWT_SECRET
  if (fromEnv !== undefined) return fromEnv
  if (runDirectly)
    console.log('JWT_SECRET is not set: using a fresh secret; tokens will not survive a restart.')
  return generateSecret()
}

function buildApp(): Express {
  try {
    return createApp(secretFromEnvironment())
  } catch (err) {
    if (!runDirectly) throw err
    // A clear one-line reason, not a stack trace: this is a configuration mistake.
    console.error((err as Error).message)
    process.exit(1)
  }
}

export const app = buildApp()

if (runDirectly) {
  listen(app, (url) => {
    console.log('Try it (bob has only "todos"; log in as alice for everything):')
    console.log(
      `  TOKEN=$(curl -s -X POST ${url}/login -H 'Content-Type: application/json' -d '{"username":"bob"}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')`,
    )
    console.log(`  curl -s ${url}/me -H "Authorization: Bearer $TOKEN"`)
    console.log(`  curl -s -i ${url}/invoices -H "Authorization: Bearer $TOKEN"`)
  })
}
