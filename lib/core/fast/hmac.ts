import * as crypto from 'node:crypto'
import { latin1Write, MAX_SCRATCH_BYTES } from './native-buffer'

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
  // Views of the first `n` bytes of `inner`, by n. A fresh subarray per call was about
  // 100 ns of a 2.6 µs verification; tokens from one issuer come in few lengths, so the
  // views are kept (and dropped wholesale if lengths vary more than that).
  let views = new Map<number, Buffer>()

  return (input) => {
    const end = block + input.length
    // A rare huge input (signing a big payload) must not pin a buffer its size.
    if (end > MAX_SCRATCH_BYTES) return viaCreateHmac(input)
    if (end > inner.length) {
      inner = grow(inner, block, end)
      views = new Map()
    }
    latin1Write(inner, input, block)
    let view = views.get(end)
    if (view === undefined) {
      if (views.size >= 64) views.clear()
      view = inner.subarray(0, end)
      views.set(end, view)
    }
    latin1Write(outer, hashImpl(hash, view, 'latin1'), block)
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
