import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'

/**
 * A JSON Web Key (RFC 7517) for a public-key algorithm: `kty` `RSA`, `EC` or `OKP`,
 * with the members of its type. A private JWK (with `d`) can sign; its public part
 * verifies.
 *
 * @example
 * ```ts
 * import type { Jwk } from 'express-jwt-gate'
 * const jwk: Jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }
 * ```
 */
export interface Jwk {
  /** Required, so that an options object can never be mistaken for a key. */
  kty: string
  /** The key id: a token's `kid` header selects the key by it. */
  kid?: string
  /** The one algorithm the key serves (RFC 7517 §4.4): binding, a token naming another is refused. */
  alg?: string
  /** `sig` or absent: a key published for encryption (`enc`) never verifies a token. */
  use?: string
  /** The operations the key allows; when given, it must include `sign` or `verify` for that use. */
  key_ops?: string[]
  /** The curve of an `EC` (`P-256`, `P-384`, `P-521`) or `OKP` (`Ed25519`) key. */
  crv?: string
  /** The x coordinate of an `EC` key, or the public key of an `OKP` key, base64url. */
  x?: string
  /** The y coordinate of an `EC` key, base64url. */
  y?: string
  /** The modulus of an `RSA` key, base64url. */
  n?: string
  /** The public exponent of an `RSA` key, base64url. */
  e?: string
  /** The private part, base64url: present only in a private JWK, which can sign. Never publish it. */
  d?: string
  [member: string]: unknown
}

/**
 * A JWK Set (RFC 7517 §5), as {@link jwksHandler} publishes it and
 * {@link remoteKeySet} reads it.
 *
 * @example
 * ```ts
 * import { exportJwks } from 'express-jwt-gate'
 * import type { JwkSet } from 'express-jwt-gate'
 * const set: JwkSet = exportJwks(ring)
 * ```
 */
export interface JwkSet {
  /**
   * The keys, told apart by `kid`. In a fetched set, a key this package cannot use (an
   * encryption key, an `oct` secret) is left out rather than failing the whole set.
   */
  keys: Jwk[]
}

/** The members that make up the public key of each key type; nothing else is read. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
}

/**
 * Why a JWK cannot be used to `purpose` under `alg` (`undefined` for any algorithm),
 * or `undefined` when it can. RFC 7517: `use` other than `sig` (§4.2) and `key_ops`
 * without the operation (§4.3) rule the key out; a key's own `alg` (§4.4) binds it.
 */
export function jwkProblem(
  jwk: Readonly<Record<string, unknown>>,
  purpose: 'sign' | 'verify',
  alg: string | undefined,
): string | undefined {
  if (jwk.kty === 'oct') {
    return `is an "oct" JWK, a shared secret: pass its bytes (Buffer.from(jwk.k, 'base64url')) with an HS* algorithm instead`
  }
  if (typeof jwk.kty !== 'string' || !Object.hasOwn(PUBLIC_MEMBERS, jwk.kty)) {
    return `is a JWK of unsupported kty ${JSON.stringify(jwk.kty)}; use RSA, EC or OKP`
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    return `is a JWK for use ${JSON.stringify(jwk.use)}; only "sig" keys sign or verify tokens`
  }
  if (
    jwk.key_ops !== undefined &&
    !(Array.isArray(jwk.key_ops) && (jwk.key_ops as unknown[]).includes(purpose))
  ) {
    return `is a JWK whose key_ops do not include "${purpose}"`
  }
  if (alg !== undefined && jwk.alg !== undefined && jwk.alg !== alg) {
    return `is a JWK for ${JSON.stringify(jwk.alg)}, not ${alg}: a key's alg is binding`
  }
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string')
    return 'is a JWK whose kid is not a string'
  return undefined
}

/**
 * The key a JWK holds, as a `KeyObject`: its public part only, for `'public'` (so a
 * private JWK yields its public key), or the private key for `'private'`. Throws a
 * plain `Error` saying what is wrong; callers decide whether that is a setup error
 * or a key to skip.
 */
export function importJwk(
  jwk: Readonly<Record<string, unknown>>,
  type: 'public' | 'private',
): KeyObject {
  const members = PUBLIC_MEMBERS[jwk.kty as string] as readonly string[]
  if (type === 'private' && jwk.d === undefined) {
    throw new Error('is a public JWK (no "d"); signing needs the private key')
  }
  const picked: Record<string, unknown> = {}
  for (const name of type === 'public' ? members : Object.keys(jwk)) picked[name] = jwk[name]
  try {
    return type === 'public'
      ? createPublicKey({ key: picked as never, format: 'jwk' })
      : createPrivateKey({ key: picked as never, format: 'jwk' })
  } catch (cause) {
    throw new Error(`is a JWK that does not hold a valid key (${(cause as Error).message})`)
  }
}

/** The public JWK of a key, with only its public members. */
export function exportPublicJwk(publicKey: KeyObject): Jwk {
  return publicKey.export({ format: 'jwk' }) as Jwk
}
