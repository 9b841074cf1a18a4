/**
 * The pure rule behind the feature and scope guards, free of Express.
 *
 * Only an own property counts (never one inherited through the prototype), holding
 * exactly the expected shape: an array of strings for features, a space-separated
 * string for OAuth scopes (RFC 9068 §2.2.3). Anything else counts as holding nothing.
 * Matching is exact and case-sensitive; a string never matches by substring.
 */

/** How a claim lists what a token grants. */
export type GrantShape = 'list' | 'scope'

/*
 * Plain loops rather than every()/includes()/filter(): a payload from the verified-token
 * cache is deeply frozen, and V8's array builtins take a generic path on frozen arrays
 * that is about ten times slower, on every request.
 */

/** True when every element is a string (a JSON array has no holes). */
function allStrings(list: readonly unknown[]): list is string[] {
  for (let i = 0; i < list.length; i++) if (typeof list[i] !== 'string') return false
  return true
}

function holds(granted: readonly string[], grant: string): boolean {
  for (let i = 0; i < granted.length; i++) if (granted[i] === grant) return true
  return false
}

/** The grants a claim holds, or an empty list when it has the wrong shape. */
export function grantsOf(claims: unknown, claim: string, shape: GrantShape): readonly string[] {
  if (typeof claims !== 'object' || claims === null || !Object.hasOwn(claims, claim)) return []
  const value = (claims as Record<string, unknown>)[claim]
  if (shape === 'scope') return typeof value === 'string' ? value.split(' ') : []
  return Array.isArray(value) && allStrings(value) ? value : []
}

/**
 * What a token lacks: with `mode: 'all'` each required grant it does not hold; with
 * `mode: 'any'` nothing when it holds one of them, otherwise all of them.
 */
export function missingGrants(
  granted: readonly string[],
  required: readonly string[],
  mode: 'all' | 'any',
): string[] {
  const missing: string[] = []
  for (const grant of required) if (!holds(granted, grant)) missing.push(grant)
  return mode === 'any' && missing.length < required.length ? [] : missing
}
