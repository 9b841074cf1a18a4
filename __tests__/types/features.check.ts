/* eslint-disable @typescript-eslint/no-namespace -- Express's types are merged through its namespace */
// Compile-only, in its own program (tsconfig.json here): express-jwt-gate.d.ts beside
// this file declares Features, and this file req.auth, as an application would.
import express from 'express'
import { jwtAuth, requireAnyFeature, requireFeature, requireScope } from 'express-jwt-gate'
import type { FeatureName, GuardArguments, JwtUser } from 'express-jwt-gate'

// requestProperty: 'auth' puts the payload on req.auth, which Express has never heard of:
// declare it, once, in any module file.
declare global {
  namespace Express {
    interface Request {
      auth?: JwtUser
    }
  }
}

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<T extends true>(_proof?: T): void {}

const app = express()
app.use(jwtAuth('x'.repeat(32)))

// Declared names compile; a typo does not.
app.get('/invoices', requireFeature('invoicing'), requireAnyFeature('invoicing', 'todos'))
app.get('/reports', requireFeature('todos', { claim: 'permissions' }))
// @ts-expect-error 'invocing' is not a declared feature
requireFeature('invocing')
// @ts-expect-error nor in requireAnyFeature, in any position
requireAnyFeature('todos', 'invocing')
// @ts-expect-error nor before the options
requireFeature('invocing', { claim: 'permissions' })

// Scopes stay strings: they come from the authorization server, not from this registry.
app.post('/invoices', requireScope('invoices:write'))

assertType<Equal<FeatureName, 'invoicing' | 'todos'>>()
const reports: GuardArguments<FeatureName> = ['todos', { requestProperty: 'auth' }]
app.get('/todos', requireFeature(...reports))

app.get('/me', (req, res) => {
  // licensedFeatures is an array of the declared names.
  const features = req.user?.licensedFeatures
  assertType<Equal<typeof features, ('invoicing' | 'todos')[] | undefined>>()
  // requestProperty: 'auth': req.auth has the type the declaration gave it.
  const auth = req.auth
  assertType<Equal<typeof auth, JwtUser | undefined>>()
  res.json({ features, tenant: auth?.sub })
})

const user: JwtUser = { licensedFeatures: ['invoicing'] }
// @ts-expect-error a token's features are declared names too
const wrong: JwtUser = { licensedFeatures: ['invocing'] }
void [user, wrong]
