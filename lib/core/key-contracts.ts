/**
 * What the token core asks of a key, and nothing about how keys are made: the keys
 * layer implements these, the core and the verifiers only call them. Types only, so
 * that no module on either side needs the other to load.
 */
import type { Algorithm } from './algorithms'
import type { JwtHeader } from './types'

/** A key prepared for one algorithm, ready to check one token's signature. */
export interface VerificationKey {
  readonly alg: Algorithm
  /** Does `token[secondDot + 1 …]` sign `token[0, secondDot)`? */
  verify(token: string, secondDot: number): boolean
  /**
   * True when `verify` compares the signature segment's text with the one it computes
   * (HMAC), so a match proves that segment canonical base64url; false when it decodes
   * the segment leniently first (every asymmetric algorithm), so the caller must check.
   */
  readonly comparesText: boolean
}

/** A key prepared for one algorithm, ready to sign. */
export interface SigningKey {
  readonly alg: Algorithm
  readonly kid: string | undefined
  /** The signature of `signingInput` (`header.payload`), as base64url. */
  sign(signingInput: string): string
}

/** Chooses the key for a token from its header, never by trying several keys. */
export interface KeyResolver {
  /** The one key for this header; throws a 401 failure when there is none. */
  resolve(header: JwtHeader): VerificationKey
}

/** The same, for a key set that may have to be fetched first. */
export interface AsyncKeyResolver {
  resolve(header: JwtHeader): Promise<VerificationKey>
  /**
   * The set as it is now, fetched if needed: a new object after every fetch, so a
   * verifier can tell when what it cached may no longer hold. Rejects when the set
   * is unavailable.
   */
  current(): Promise<unknown>
}
