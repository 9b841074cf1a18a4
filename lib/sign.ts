import { readSignOptions, type SignOptions } from './core/sign-options'
import { tokenSigner, type Signer } from './core/signer'
import { createSigningKey, type KeySource } from './keys/source'

/**
 * Prepare a signer once and use it for every token, as {@link createVerifier} does
 * for verification: every option is checked and the key prepared here, so a bad
 * option or a weak or unsuitable key throws a {@link JwtSetupError} now, and each
 * call does only per-token work. Nothing is kept between signers: two secrets in
 * turn (one per tenant, say) each keep their own.
 *
 * The key is an HMAC secret, a private key (with its `algorithm`: `RS256`, `PS256`,
 * `ES256`, `EdDSA`, …) or a {@link KeyRing}, whose first key signs and names itself
 * in `kid`. Each call sets `iat` to now and, unless `expiresIn: null` is passed
 * explicitly, `exp` 15 minutes later (or `expiresIn` later); the header is
 * `{"alg":…,"typ":"JWT"}`, plus `kid` when `keyId` is given or a ring is used.
 *
 * A call throws a {@link JwtSetupError} for a payload that is not a plain object, a
 * claim given both in the payload and as an option, a non-finite number anywhere in
 * the payload, a payload nested more than 64 levels deep, or a token longer than
 * `maxTokenLength`. The payload is readable by anyone who holds the token: never put
 * secrets in it.
 *
 * @example
 * ```ts
 * import { createSigner } from 'express-jwt-gate'
 * const sign = createSigner(process.env.JWT_SECRET!, { expiresIn: '15m', issuer: 'https://api.example.com' })
 * const token = sign({ sub: 'alice', licensedFeatures: ['invoicing'] })
 * ```
 */
export function createSigner(key: KeySource, options?: SignOptions): Signer {
  const setup = readSignOptions(options, 'createSigner')
  return tokenSigner(createSigningKey(key, setup.algorithm, setup.keyId), setup)
}

/**
 * Sign one payload into a compact JWS (`header.payload.signature`, base64url without
 * padding): the one-call form of {@link createSigner}, with the same rules. It
 * prepares the key on every call; to sign many tokens, prepare a signer once instead.
 *
 * @example
 * ```ts
 * import { signToken } from 'express-jwt-gate'
 * const token = signToken({ userId: 1001, licensedFeatures: ['invoicing'] }, secret, { expiresIn: '15m' })
 * ```
 */
export function signToken(
  payload: Record<string, unknown>,
  key: KeySource,
  options?: SignOptions,
): string {
  const setup = readSignOptions(options, 'signToken')
  const once = createSigningKey(key, setup.algorithm, setup.keyId, 'once')
  return tokenSigner(once, setup)(payload)
}
