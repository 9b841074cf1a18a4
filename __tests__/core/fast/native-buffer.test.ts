import { randomBytes, randomInt } from 'node:crypto'
import { nativeBufferMethods } from '../../../lib/core/fast/native-buffer'

const native = nativeBufferMethods(Buffer.prototype as object)
// An object without the undocumented methods, as a future Node might have.
const documented = nativeBufferMethods({})

describe('Buffer methods used on the verification path', () => {
  test('Node 20 has the native methods, so they are the ones used', () => {
    expect(native.latin1Write).not.toBe(documented.latin1Write)
    expect(typeof (Buffer.prototype as { latin1Write?: unknown }).latin1Write).toBe('function')
    expect(typeof (Buffer.prototype as { base64urlWrite?: unknown }).base64urlWrite).toBe(
      'function',
    )
    expect(typeof (Buffer.prototype as { utf8Slice?: unknown }).utf8Slice).toBe('function')
  })

  test.each([
    ['native', native],
    ['documented', documented],
  ])('%s methods write and read exactly what the documented calls do', (_name, methods) => {
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(randomInt(0, 300))
      const offset = randomInt(0, 16)

      const text = bytes.toString('latin1')
      const a = Buffer.alloc(offset + bytes.length)
      const b = Buffer.alloc(offset + bytes.length)
      expect(methods.latin1Write(a, text, offset)).toBe(b.write(text, offset, 'latin1'))
      expect(a).toEqual(b)

      const encoded = bytes.toString('base64url')
      const c = Buffer.alloc(offset + bytes.length)
      const d = Buffer.alloc(offset + bytes.length)
      expect(methods.base64urlWrite(c, encoded, offset)).toBe(d.write(encoded, offset, 'base64url'))
      expect(c).toEqual(d)

      const start = randomInt(0, bytes.length + 1)
      expect(methods.utf8Slice(bytes, start, bytes.length)).toBe(
        bytes.toString('utf8', start, bytes.length),
      )
    }
  })
})
