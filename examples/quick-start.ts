/** The README's quick start, exactly as it appears there (plus the export and listen). */
import express from 'express'
import { authErrorHandler, jwtAuth, requireFeature, signToken } from 'express-jwt-gate'

const secret = process.env.JWT_SECRET! // 32+ random bytes, e.g. from `npx jwt-gate secret`
const app = express()
app.use(express.json())

// Public: issue a token once the user has proved who they are.
app.post('/login', (_req, res) => {
  const user = { userId: 1001, licensedFeatures: ['invoicing'] } // from your user store
  res.json({ token: signToken(user, secret, { expiresIn: '15m' }) })
})

// Everything below needs a valid Bearer token; its payload is on req.user.
app.use(jwtAuth(secret))
app.get('/me', (req, res) => {
  res.json(req.user)
})
app.get('/invoices', requireFeature('invoicing'), (req, res) => {
  res.json({ owner: req.user?.userId, invoices: [] })
})

// Errors as JSON, with the right status and WWW-Authenticate challenge.
app.use(authErrorHandler())

export { app }
if (require.main === module) app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
