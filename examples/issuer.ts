/**
 * An issuer that signs with a private key and publishes the public one as a JWK Set
 * (docs/keys.md). It makes a new key at each start, so that it runs as is; a real
 * issuer loads its keys, for example createPrivateKey(readFileSync('keys/2025-06.pem')).
 */
import { generateKeyPairSync } from 'node:crypto'
import express from 'express'
import { jwksHandler, signToken } from 'express-jwt-gate'
import type { KeyRing } from 'express-jwt-gate'
import { listen } from './listen'

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ring: KeyRing = [{ kid: '2025-06', key: privateKey, alg: 'ES256' }]

const app = express()
// Public keys only, with kid, alg and use "sig"; clients may cache it for 5 minutes.
app.get('/.well-known/jwks.json', jwksHandler(ring))
app.post('/login', (_req, res) => {
  const claims = { sub: 'alice', licensedFeatures: ['invoicing'] } // from your user store
  res.json({
    token: signToken(claims, ring, { issuer: 'https://auth.example.com', audience: 'api' }),
  })
})

export { app }
if (require.main === module) listen(app)
