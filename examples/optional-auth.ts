/**
 * Optional authentication (`credentialsRequired: false`), with its three outcomes:
 * no credentials → the route runs with no user; a valid token → the user is set;
 * credentials that are present but invalid → still 401, never silently anonymous.
 */
import express from 'express'
import type { Express } from 'express'
import { authErrorHandler, generateSecret, jwtAuth } from 'express-jwt-gate'
import { listen } from './listen'

export function createApp(secret: string): Express {
  const app = express()
  app.get('/greeting', jwtAuth(secret, { credentialsRequired: false }), (req, res) => {
    const name = typeof req.user?.sub === 'string' ? req.user.sub : 'guest'
    res.json({ greeting: `Hello, ${name}` })
  })
  app.use(authErrorHandler())
  return app
}

export const app = createApp(process.env.JWT_SECRET ?? generateSecret())

if (require.main === module) listen(app)
