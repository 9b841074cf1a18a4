/**
 * An API that accepts the tokens of an issuer it does not share a secret with: it
 * verifies them with the public keys the issuer publishes (docs/keys.md). JWKS_URL
 * is where; run examples/issuer.ts on port 4000 for the default.
 */
import express from 'express'
import { authErrorHandler, jwtAuth, remoteKeySet, requireFeature } from 'express-jwt-gate'
import { listen } from './listen'

const jwks = remoteKeySet(process.env.JWKS_URL ?? 'http://127.0.0.1:4000/.well-known/jwks.json')

const app = express()
app.use(jwtAuth(jwks, { issuer: 'https://auth.example.com', audience: 'api' }))
app.get('/invoices', requireFeature('invoicing'), (req, res) => {
  res.json({ owner: req.user?.sub, invoices: [] })
})
app.use(authErrorHandler())

export { app }
if (require.main === module) listen(app)
