import { HMAC_HASH, type HmacAlgorithm } from '../core/algorithms'
import { createMac } from '../core/fast/hmac'
import type { SigningKey, VerificationKey } from '../core/key-contracts'
import { checkSecretLength } from './secret'

/** Prepare an HMAC key (bytes from `secretBytes`) to verify tokens under one algorithm. */
export function hmacVerificationKey(
  bytes: Buffer,
  alg: HmacAlgorithm,
  option: string,
): VerificationKey {
  checkSecretLength(bytes, alg, option)
  const mac = createMac(HMAC_HASH[alg], bytes)
  return {
    alg,
    verify: (token, secondDot) => macMatches(mac(token.slice(0, secondDot)), token, secondDot + 1),
    comparesText: true,
  }
}

/**
 * How often a prepared key will be used: `'once'` (the one-call `signToken`) skips the
 * scratch buffers that make each later MAC cheap, since there is no later MAC to pay
 * them back; `'many'` (a prepared signer) builds them.
 */
export type KeyUses = 'once' | 'many'

/** Prepare an HMAC key (bytes from `secretBytes`) to sign under one algorithm. */
export function hmacSigningKey(
  bytes: Buffer,
  alg: HmacAlgorithm,
  kid: string | undefined,
  option: string,
  uses: KeyUses = 'many',
): SigningKey {
  checkSecretLength(bytes, alg, option)
  const sign =
    uses === 'once' ? createMac(HMAC_HASH[alg], bytes, null) : createMac(HMAC_HASH[alg], bytes)
  return { alg, kid, sign }
}

/**
 * Compare our MAC with the signature segment `token[from …]` in constant time: a
 * compare that stops at the first difference tells an attacker, through timing, how
 * much of a forged MAC is right, and lets them build one character at a time. The
 * length is not secret (it is fixed by the algorithm), so it is checked first.
 */
function macMatches(expected: string, token: string, from: number): boolean {
  if (token.length - from !== expected.length) return false
  let diff = 0
  for (let i = 0; i < expected.length; i++) {
    diff |= expected.charCodeAt(i) ^ token.charCodeAt(from + i)
  }
  return diff === 0
}
