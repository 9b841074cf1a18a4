/**
 * The admin route: change what a user has licensed, then tell the sessions, so that the
 * user's tokens issued so far are refused as stale and the next refresh carries the
 * change. Guarded by a feature of its own, `admin`.
 */
import { Router } from 'express'
import type { Response } from 'express'
import { requireFeature } from 'express-jwt-gate'
import type { Sessions } from 'express-jwt-gate'
import { GRANTABLE, type FeatureChange, type UserTable } from './users'

function badRequest(res: Response, description: string): void {
  res.status(400).json({ error: 'invalid_request', error_description: description })
}

const CHANGE_RULE = `send {"grant": feature} or {"revoke": feature}, feature one of ${GRANTABLE.join(', ')}`

/** The change a body asks for, or `undefined` for anything else. */
function readChange(body: unknown): FeatureChange | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const entries = Object.entries(body)
  if (entries.length !== 1) return undefined
  const [[verb, feature]] = entries as [[string, unknown]]
  if ((verb !== 'grant' && verb !== 'revoke') || typeof feature !== 'string') return undefined
  if (!GRANTABLE.includes(feature)) return undefined
  return verb === 'grant' ? { grant: feature } : { revoke: feature }
}

/**
 * `POST /admin/users/:name/features` with `{"grant":"invoicing"}` or
 * `{"revoke":"invoicing"}`: 200 with the user's features after the change, 404 for no
 * such user, 400 for any other body. `POST /admin/users/:name/logout`: the user is
 * logged out everywhere. Mount them after `sessions.authenticate()`.
 */
export function adminRoutes(users: UserTable, sessions: Sessions): Router {
  const router = Router()
  router.post('/admin/users/:name/features', requireFeature('admin'), async (req, res) => {
    const name = req.params.name as string
    if (users.features(name) === undefined) {
      res.status(404).json({ error: 'user_unknown', error_description: 'no such user' })
      return
    }
    const change = readChange(req.body as unknown)
    if (change === undefined) return badRequest(res, CHANGE_RULE)
    const features = users.change(name, change)
    // Even when nothing changed: an admin retrying after a failed claimsChanged (a store
    // that was down) must still get the old tokens marked, and marking twice is harmless.
    await sessions.claimsChanged(name)
    res.json({ user: name, licensedFeatures: features })
  })
  // Log a user out everywhere: every session, every access token issued so far.
  router.post('/admin/users/:name/logout', requireFeature('admin'), async (req, res) => {
    const name = req.params.name as string
    if (users.features(name) === undefined) {
      res.status(404).json({ error: 'user_unknown', error_description: 'no such user' })
      return
    }
    await sessions.revokeSubject(name)
    res.json({ user: name, loggedOut: true })
  })
  return router
}
