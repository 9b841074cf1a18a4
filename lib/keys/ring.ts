import {
  readAlgorithm,
  type Algorithm,
  type AsymmetricAlgorithm,
  type HmacAlgorithm,
} from '../core/algorithms'
import { setupError } from '../core/errors'
import { optionNames, type OptionList } from '../core/options'
import type { AsymmetricKey } from './asymmetric'
import type { Secret } from './secret'

/**
 * One key of a {@link KeyRing}: its key id, the key, and the one algorithm it is
 * bound to. `default: true` marks the key that verifies tokens without a `kid`.
 *
 * @example
 * ```ts
 * import type { RingKey } from 'express-jwt-gate'
 * const current: RingKey = { kid: '2025-06', key: process.env.JWT_SECRET!, alg: 'HS256' }
 * ```
 */
export type RingKey =
  | {
      /** The key id, written into the tokens the key signs and looked up in the ones it verifies. */
      kid: string
      /** The one HMAC algorithm the secret serves: bound here, never read from a token. */
      alg: HmacAlgorithm
      /** The secret, as long as `alg` needs (32, 48 or 64 bytes). */
      key: Secret
      /** Whether the key verifies tokens that carry no `kid`; at most one key of a ring. */
      default?: boolean
    }
  | {
      /** The key id, written into the tokens the key signs and looked up in the ones it verifies. */
      kid: string
      /** The one public-key algorithm the key serves: bound here, never guessed from the key. */
      alg: AsymmetricAlgorithm
      /** A private key signs (and verifies); a public key only verifies. */
      key: AsymmetricKey
      /** Whether the key verifies tokens that carry no `kid`; at most one key of a ring. */
      default?: boolean
    }

/**
 * Several keys, each with its `kid` and bound to one algorithm: the first signs,
 * and every one verifies the tokens that name its `kid`. Rotate by adding the new
 * key in front and removing the old one once its last token has expired.
 *
 * @example
 * ```ts
 * import type { KeyRing } from 'express-jwt-gate'
 * const ring: KeyRing = [
 *   { kid: '2025-06', key: process.env.JWT_SECRET!, alg: 'HS256' },
 *   { kid: '2025-01', key: process.env.JWT_OLD_SECRET!, alg: 'HS256', default: true },
 * ]
 * ```
 */
export type KeyRing = readonly RingKey[]

/** A ring entry, checked: what {@link readRing} returns. */
export interface RingEntry {
  readonly kid: string
  readonly alg: Algorithm
  readonly key: unknown
  readonly isDefault: boolean
}

/** The `kid` text of setup messages. */
export const keyName = (kid: string): string => `key ${JSON.stringify(kid)}`

const RING_KEY_PROPERTIES = optionNames({
  kid: true,
  key: true,
  alg: true,
  default: true,
} satisfies OptionList<RingKey>)

/**
 * Check a key ring's shape (not yet its key material): a non-empty array of
 * `{ kid, key, alg, default? }` with distinct, non-empty `kid`s, a supported `alg`
 * each and at most one default. A misspelt property (`algorithm`, `isDefault`) is
 * refused rather than ignored.
 */
export function readRing(ring: readonly unknown[]): RingEntry[] {
  if (ring.length === 0) throw setupError('secret', 'a key ring must hold at least one key')
  const kids = new Set<string>()
  let defaults = 0
  return ring.map((item, i) => {
    const where = `key ring entry ${i}`
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw setupError(where, `${where} must be an object { kid, key, alg }`)
    }
    const entry = item as Record<string, unknown>
    for (const name of Object.keys(entry)) {
      if (!RING_KEY_PROPERTIES.has(name)) {
        throw setupError(
          where,
          `${where}: unknown property ${JSON.stringify(name)}; an entry has kid, key, alg and optionally default`,
        )
      }
    }
    const { kid, alg } = entry
    if (typeof kid !== 'string' || kid === '') {
      throw setupError(where, `${where} needs a kid: a non-empty string naming the key`)
    }
    if (kids.has(kid)) {
      throw setupError(
        where,
        `key ring holds kid ${JSON.stringify(kid)} twice; every kid must be unique`,
      )
    }
    kids.add(kid)
    const name = keyName(kid)
    readAlgorithm(alg, name, `${name}: `)
    if (entry.default !== undefined && typeof entry.default !== 'boolean') {
      throw setupError(name, `${name}: default must be true or false`)
    }
    if (entry.default === true && ++defaults > 1) {
      throw setupError(name, 'key ring marks more than one key as default; at most one may be')
    }
    // A JWK may carry its own kid; a ring that names it otherwise contradicts it.
    const jwkKid = (entry.key as { kid?: unknown } | null | undefined)?.kid
    if (jwkKid !== undefined && jwkKid !== kid) {
      throw setupError(
        name,
        `key ring entry ${JSON.stringify(kid)} holds a JWK whose kid is ${JSON.stringify(jwkKid)}; the two must agree`,
      )
    }
    return { kid, alg: alg as Algorithm, key: entry.key, isDefault: entry.default === true }
  })
}
