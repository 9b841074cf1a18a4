/**
 * The token in an HttpOnly cookie instead of the Authorization header, read with
 * `getToken`. Browsers send the cookie by themselves; scripts cannot read it.
 */
import cookieParser from 'cookie-parser'
import express from 'express'
import type { Express, Request } from 'express'
import { authErrorHandler, generateSecret, jwtAuth, signToken } from 'express-jwt-gate'
import { listen } from './listen'

/** A cookie value that is a string; cookie-parser turns `j:…` values into objects. */
function tokenFromCookie(req: Request): string | undefined {
  const value: unknown = (req.cookies as Record<string, unknown> | undefined)?.token
  return typeof value === 'string' ? value : undefined
}

export function createApp(secret: string): Express {
  const app = express()
  app.use(cookieParser())

  app.post('/login', (_req, res) => {
    // A real app checks a password here.
    const token = signToken({ sub: 'alice', licensedFeatures: ['todos'] }, secret)
    res.cookie('token', token, { httpOnly: true, sameSite: 'strict', maxAge: 900_000 })
    res.json({ loggedIn: true })
  })

  app.get('/me', jwtAuth(secret, { getToken: tokenFromCookie }), (req, res) => {
    res.json(req.user)
  })
  app.use(authErrorHandler())
  return app
}

export const app = createApp(process.env.JWT_SECRET ?? generateSecret())

if (require.main === module) listen(app)
