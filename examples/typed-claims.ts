/**
 * Claims validated at run time and typed from the validator: a zod schema describes
 * the payload once, jwtAuth refuses a token that does not match it (401
 * claim_invalid), and auth.userOf(req) hands each route the schema's output type.
 */
import express from 'express'
import type { Express } from 'express'
import { z } from 'zod'
import { authErrorHandler, generateSecret, jwtAuth } from 'express-jwt-gate'
import { listen } from './listen'

const Claims = z.object({
  sub: z.string(),
  tenantId: z.string().startsWith('t-'),
  roles: z.array(z.enum(['admin', 'member'])).default([]),
})

export function createApp(secret: string): Express {
  const app = express()
  const auth = jwtAuth(secret, { claims: Claims })
  app.get('/tenant', auth, (req, res) => {
    const user = auth.userOf(req) // { sub: string; tenantId: string; roles: ('admin' | 'member')[] }
    res.json({ tenant: user.tenantId, admin: user.roles.includes('admin') })
  })
  app.use(authErrorHandler())
  return app
}

export const app = createApp(process.env.JWT_SECRET ?? generateSecret())

if (require.main === module) listen(app)
