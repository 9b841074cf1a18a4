/**
 * Guards over a claim with another name: here the identity provider puts grants in
 * `permissions`, and the verified payload goes to `req.auth` instead of `req.user`.
 */
import express from 'express'
import type { Express } from 'express'
import {
  authErrorHandler,
  generateSecret,
  jwtAuth,
  requireAnyFeature,
  requireFeature,
} from 'express-jwt-gate'
import { listen } from './listen'

export function createApp(secret: string): Express {
  const app = express()
  const inAuth = { claim: 'permissions', requestProperty: 'auth' }
  app.use(jwtAuth(secret, { requestProperty: 'auth' }))
  app.get('/reports', requireFeature('reports:read', inAuth), (_req, res) => {
    res.json([{ id: 'Q4', revenue: 1000 }])
  })
  app.delete(
    '/reports/:id',
    requireFeature('reports:read', 'reports:delete', inAuth),
    (_req, res) => {
      res.status(204).end()
    },
  )
  app.get('/dashboard', requireAnyFeature('reports:read', 'dashboard', inAuth), (_req, res) => {
    res.json({ widgets: 3 })
  })
  app.use(authErrorHandler())
  return app
}

export const app = createApp(process.env.JWT_SECRET ?? generateSecret())

if (require.main === module) listen(app)
