import * as crypto from 'node:crypto'
import { createHmac, randomBytes, randomInt } from 'node:crypto'
import {
  checkedOneShot,
  createMac,
  HMAC_SOURCE,
  type HmacHash,
  type OneShotHash,
} from '../../../lib/core/fast/hmac'

const hashes: HmacHash[] = ['sha256', 'sha384', 'sha512']
const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'

function randomAscii(length: number): string {
  let text = ''
  for (let i = 0; i < length; i++) text += base64urlAlphabet[randomInt(base64urlAlphabet.length)]
  return text
}

describe('the hand-built HMAC equals createHmac', () => {
  test.each(hashes)('%s over 3000 random keys (0 to 300 bytes) and messages', (hash) => {
    for (let i = 0; i < 3000; i++) {
      const key = randomBytes(randomInt(0, 301))
      const mac = createMac(hash, key)
      // Several messages per key, some longer than the first scratch buffer, so the
      // reused buffers are exercised across sizes, growth and shrinking.
      for (const length of [0, randomInt(1, 200), randomInt(200, 3000)]) {
        const message = randomAscii(length)
        expect(mac(message)).toBe(createHmac(hash, key).update(message).digest('base64url'))
      }
    }
  })

  test.each(hashes)('%s keys at and around the block size', (hash) => {
    for (const length of [63, 64, 65, 127, 128, 129, 1000]) {
      const key = randomBytes(length)
      const mac = createMac(hash, key)
      const message = randomAscii(100)
      expect(mac(message)).toBe(createHmac(hash, key).update(message).digest('base64url'))
    }
  })

  test.each(hashes)('%s with one key over many lengths, repeated, across growth', (hash) => {
    const key = randomBytes(32)
    const mac = createMac(hash, key)
    // Views of the scratch buffer are kept by length: more than the 64 kept, each length
    // seen again, and lengths on both sides of a growth of the buffer.
    // Past 64 KiB the MAC comes from createHmac instead of a scratch buffer that size.
    const lengths = [10, 2500, 10, ...Array.from({ length: 150 }, (_, i) => i * 7), 10, 2500, 6000]
    lengths.push(65_536 - 64, 65_536, 200_000, 10)
    for (const length of [...lengths, ...lengths]) {
      const message = randomAscii(length)
      expect(mac(message)).toBe(createHmac(hash, key).update(message).digest('base64url'))
    }
  })

  test('falls back to createHmac where crypto.hash is missing (Node < 20.12)', () => {
    const key = randomBytes(32)
    const original = Buffer.from(key)
    const mac = createMac('sha256', key, null)
    key.fill(0) // the fallback keeps its own copy of the key
    const message = randomAscii(80)
    expect(mac(message)).toBe(createHmac('sha256', original).update(message).digest('base64url'))
  })
})

describe('the one-shot hash is checked once before the hand-built HMAC uses it', () => {
  const real = (crypto as unknown as { hash?: OneShotHash }).hash

  test('this Node line uses crypto.hash where it exists and passes, createHmac otherwise', () => {
    expect(HMAC_SOURCE).toBe(real === undefined ? 'createHmac' : 'crypto.hash')
    if (real !== undefined) expect(checkedOneShot(real)).toBe(real)
    expect(checkedOneShot(undefined)).toBeNull()
  })

  test('a hash that answers wrongly, or throws, is refused', () => {
    const wrong: OneShotHash = (algorithm, data, encoding) =>
      createHmac(algorithm, 'k')
        .update(data)
        .digest(encoding === 'latin1' ? 'binary' : 'base64url')
    const throwing: OneShotHash = () => {
      throw new Error('unsupported')
    }
    expect(checkedOneShot(wrong)).toBeNull()
    expect(checkedOneShot(throwing)).toBeNull()
  })
})
