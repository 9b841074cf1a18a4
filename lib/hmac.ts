import * as crypto from 'node:crypto'

/** The hash behind each HMAC algorithm of RFC 7518 §3.2. */
export type HmacHash = 'sha256' | 'sha384' | 'sha512'

/** A prepared HMAC: takes ASCII text, returns the MAC as unpadded base64url. */
export type Mac = (input: string) => string

type OneShotHash = (
  algorithm: string,
  data: Uint8Array,
  outputEncoding: 'latin1' | 'base64url',
) => string

/** `crypto.hash` appeared in Node 20.12; older 20.x falls back to `createHmac`. */
const oneShotHash = (crypto as unknown as { hash?: OneShotHash }).hash

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
  hashImpl: OneShotHash | null = oneShotHash ?? null,
): Mac {
  if (hashImpl === null) {
    const keyCopy = Buffer.from(key)
    return (input) => crypto.createHmac(hash, keyCopy).update(input, 'latin1').digest('base64url')
  }
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
    if (block + input.length > inner.length) inner = grow(inner, block, block + input.length)
    const written = inner.write(input, block, 'latin1')
    outer.write(hashImpl(hash, inner.subarray(0, block + written), 'latin1'), block, 'latin1')
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
