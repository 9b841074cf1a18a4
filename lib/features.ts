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

/** The grants a claim holds, or an empty list when it has the wrong shape. */
export function grantsOf(claims: unknown, claim: string, shape: GrantShape): readonly string[] {
  if (typeof claims !== 'object' || claims === null || !Object.hasOwn(claims, claim)) return []
  const value = (claims as Record<string, unknown>)[claim]
  if (shape === 'scope') return typeof value === 'string' ? value.split(' ') : []
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : []
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
  const missing = required.filter((grant) => !granted.includes(grant))
  return mode === 'any' && missing.length < required.length ? [] : missing
}
