import { readPositiveInteger } from './options'

/** The default limit on token size, in bytes, for signing and verification alike. */
export const DEFAULT_MAX_TOKEN_LENGTH = 8192

/** The `maxTokenLength` option of signing and verification: its default, or a positive whole number. */
export function readMaxTokenLength(value: unknown): number {
  return value === undefined
    ? DEFAULT_MAX_TOKEN_LENGTH
    : readPositiveInteger(value, 'maxTokenLength')
}

/**
 * The most a reused scratch buffer (token decoding, HMAC input) grows to. Tokens are a
 * few hundred bytes; a rare huge one gets a buffer or a `createHmac` of its own, so it
 * does not pin memory its size for the life of the process.
 */
export const MAX_SCRATCH_BYTES = 64 * 1024
