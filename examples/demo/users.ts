/**
 * The example's users: an in-memory table of who has licensed which feature, and the
 * claims source that puts those features in every access token the sessions issue.
 */
import type { ClaimsSource } from 'express-jwt-gate'

/** The demo users and the features each starts with: alice is also the admin. */
export const DEMO_USERS: Readonly<Record<string, readonly string[]>> = {
  alice: ['todos', 'calendar', 'invoicing', 'admin'],
  bob: ['todos'],
}

/** What an admin may grant or take back: the products, never `admin` itself. */
export const GRANTABLE: readonly string[] = ['todos', 'calendar', 'invoicing']

/** One change to a user's features. */
export type FeatureChange = { readonly grant: string } | { readonly revoke: string }

export interface UserTable {
  /** The features of `name` now, or `undefined` when there is no such user. */
  features(name: string): readonly string[] | undefined
  /** Apply `change` to an existing user; returns the features after it. */
  change(name: string, change: FeatureChange): readonly string[]
  /** For `createSessions`: the claims of a user's next token, `null` for no such user. */
  readonly claims: ClaimsSource
}

/** A table of its own for each app, so that tests and the exported `app` share nothing. */
export function createUserTable(seed: Readonly<Record<string, readonly string[]>> = DEMO_USERS) {
  // A Map, so that a name such as `constructor` or `__proto__` is simply not a user.
  const users = new Map(Object.entries(seed).map(([name, features]) => [name, [...features]]))
  const table: UserTable = {
    features: (name) => users.get(name),
    change(name, change) {
      const current = users.get(name)
      if (current === undefined) throw new Error(`no user ${name}`)
      const next =
        'grant' in change
          ? [...new Set([...current, change.grant])]
          : current.filter((feature) => feature !== change.revoke)
      users.set(name, next)
      return next
    },
    claims: (sub) => {
      const features = users.get(sub)
      return features === undefined ? null : { licensedFeatures: [...features] }
    },
  }
  return table
}
