/**
 * Rotating the signing secret without logging anyone out (docs/keys.md). JWT_SECRET
 * is the secret used so far, JWT_SECRET_NEXT the one that replaces it. Run it with
 * both set; it listens like the other examples.
 */
import express from 'express'
import { authErrorHandler, jwtAuth, signToken } from 'express-jwt-gate'
import type { KeyRing } from 'express-jwt-gate'
import { listen } from './listen'

// The new key goes in front: it signs from now on, and names itself in the kid.
// The old one still verifies the tokens that name it and, as the default, those
// issued before keys had ids. Remove it once the last of them has expired.
const ring: KeyRing = [
  { kid: '2025-06', key: process.env.JWT_SECRET_NEXT!, alg: 'HS256' },
  { kid: '2025-01', key: process.env.JWT_SECRET!, alg: 'HS256', default: true },
]

const app = express()
app.post('/login', (_req, res) => {
  res.json({ token: signToken({ sub: 'alice' }, ring, { expiresIn: '15m' }) })
})
app.get('/me', jwtAuth(ring), (req, res) => {
  res.json(req.user)
})
app.use(authErrorHandler())

export { app }
if (require.main === module) listen(app)
