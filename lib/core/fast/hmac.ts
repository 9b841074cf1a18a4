import * as crypto from 'node:crypto'
import { MAX_SCRATCH_BYTES } from '../limits'
import { latin1Write } from './native-buffer'

/** The hash behind each HMAC algorithm of RFC 7518 §3.2. */
export type HmacHash = 'sha256' | 'sha384' | 'sha512'

/** A prepared HMAC: takes ASCII text, returns the MAC as unpadded base64url. */
export type Mac = (input: string) => string

export type OneShotHash = (
  algorithm: string,
  data: Uint8Array,
  outputEncoding: 'latin1' | 'base64url',
) => string

/** `crypto.hash` appeared in Node 20.12; older 20.x falls back to `createHmac`. */
const available = (crypto as unknown as { hash?: OneShotHash }).hash

/**
 * Prepare an HMAC (RFC 2104) for one key, once, so each call does only per-message work.
 *
 * Why not `createHmac(...).digest()`: on Node 20 most of its cost is creating Buffers on
 * the native side. Here HMAC is computed as its definition, two one-shot hashes over
 * `(key ⊕ ipad) ‖ message` and `(key ⊕ opad) ‖ inner`, with the padded key blocks
 * written once into scratch buffers that belong to this key. Both digests come back as
 * strings (`latin1` bytes for the inner, `base64url` for the outer), which is what the
 * JWS compares against anyway. The scratch buffers are safe to reuse only because the
 * call is synchronous and never yields; keep it so.
 *
 * `input` must be ASCII (a JWS signing input always is: two base64url segments).
 */
export function createMac(
  hash: HmacHash,
  key: Uint8Array,
  hashImpl: OneShotHash | null = oneShotHash,
): Mac {
  const keyCopy = Buffer.from(key)
  const viaCreateHmac: Mac = (input) =>
    crypto.createHmac(hash, keyCopy).update(input, 'latin1').digest('base64url')
  if (hashImpl === null) return viaCreateHmac
  const block = hash === 'sha256' ? 64 : 128
  const digestLength = hash === 'sha256' ? 32 : hash === 'sha384' ? 48 : 64
  // RFC 2104 §2: a key longer than the block is replaced by its hash.
  const k = key.length > block ? crypto.createHash(hash).update(key).digest() : key

  const outer = Buffer.alloc(block + digestLength)
  let inner: Buffer = Buffer.alloc(block + 1024)
  for (let i = 0; i < block; i++) {
    const byte = i < k.length ? (k[i] as number) : 0
    inner[i] = byte ^ 0x36
    outer[i] = byte ^ 0x5c
  }
  return (input) => {
    const end = block + input.length
    // A rare huge input (signing a big payload) must not pin a buffer its size.
    if (end > MAX_SCRATCH_BYTES) return viaCreateHmac(input)
    // A fresh view per call: keeping views by length saved nothing measurable
    // (instruction counts under callgrind were within their run-to-run spread).
    if (end > inner.length) inner = grow(inner, block, end)
    latin1Write(inner, input, block)
    latin1Write(outer, hashImpl(hash, inner.subarray(0, end), 'latin1'), block)
    return hashImpl(hash, outer, 'base64url')
  }
}

/** A larger scratch buffer that keeps the first `keep` bytes (the padded key block). */
function grow(buffer: Buffer, keep: number, needed: number): Buffer {
  let size = buffer.length
  while (size < needed) size *= 2
  const bigger = Buffer.alloc(size)
  buffer.copy(bigger, 0, 0, keep)
  return bigger
}

/**
 * The one-shot hash to build MACs from, if it computes exactly what `createHmac` does:
 * checked once, at load, on keys shorter than, equal to and longer than the block and
 * on messages of several lengths, for each hash. Any mismatch or throw, on some future
 * Node line, falls back to `createHmac` for every key.
 */
export function checkedOneShot(candidate: OneShotHash | undefined): OneShotHash | null {
  if (candidate === undefined) return null
  try {
    for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
      for (const keyLength of [20, 64, 131]) {
        const key = Buffer.alloc(keyLength, 0x0b)
        const mac = createMac(hash, key, candidate)
        for (const input of ['', 'Hi There', 'e'.repeat(200)]) {
          const expected = crypto.createHmac(hash, key).update(input, 'latin1').digest('base64url')
          if (mac(input) !== expected) return null
        }
      }
    }
    return candidate
  } catch {
    return null
  }
}

const oneShotHash = checkedOneShot(available)

/** Which HMAC this process uses: the hand-built one over `crypto.hash`, or `createHmac`. */
export const HMAC_SOURCE: 'crypto.hash' | 'createHmac' =
  oneShotHash === null ? 'createHmac' : 'crypto.hash'
