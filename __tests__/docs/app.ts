// The app of docs/testing.md: it takes its key, so a test can hand it the test key.
import express from 'express'
import { authErrorHandler, jwtAuth, requireFeature } from 'express-jwt-gate'
import type { KeySource, VerifyOptions } from 'express-jwt-gate'

export function createApp(key: KeySource, options: VerifyOptions = {}) {
  const app = express()
  app.use(jwtAuth(key, options))
  app.get('/invoices', requireFeature('invoicing'), (_req, res) => {
    res.json({ invoices: [] })
  })
  app.use(authErrorHandler())
  return app
}
