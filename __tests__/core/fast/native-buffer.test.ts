import { randomBytes, randomInt } from 'node:crypto'
import {
  DOCUMENTED,
  NATIVE_BUFFER_SOURCE,
  nativeBufferMethods,
  type NativeBufferMethods,
} from '../../../lib/core/fast/native-buffer'

const here = nativeBufferMethods(Buffer.prototype as object)
// An object without the undocumented methods, as a future Node might have.
const absent = nativeBufferMethods({})

/** Native methods that exist but answer wrongly: each must lose its self-check. */
const wrong = nativeBufferMethods({
  latin1Write(this: Buffer, text: string, offset: number) {
    return this.write(text, offset, 'utf8')
  },
  base64urlWrite(this: Buffer, text: string, offset: number) {
    return this.write(text, offset, 'base64url') + 1
  },
  utf8Slice(this: Buffer, start: number, end: number) {
    return this.toString('latin1', start, end)
  },
})

/** Methods that throw, as a renamed or re-signed native would. */
const throwing = nativeBufferMethods({
  latin1Write: () => {
    throw new TypeError('argument must be a buffer')
  },
  base64urlWrite: () => {
    throw new TypeError('argument must be a buffer')
  },
  utf8Slice: () => {
    throw new TypeError('argument must be a buffer')
  },
})

const everyFallback = { latin1Write: 'fallback', base64urlWrite: 'fallback', utf8Slice: 'fallback' }

describe('Buffer methods used on the verification path', () => {
  test('where the native methods exist and agree with the documented calls, they are used', () => {
    const proto = Buffer.prototype as Partial<Record<keyof NativeBufferMethods, unknown>>
    for (const name of ['latin1Write', 'base64urlWrite', 'utf8Slice'] as const) {
      const present = typeof proto[name] === 'function'
      // On a Node line without one, the fallback is what must be chosen.
      expect(here.source[name]).toBe(present ? 'native' : 'fallback')
      expect(here.methods[name] === DOCUMENTED[name]).toBe(!present)
    }
    expect(NATIVE_BUFFER_SOURCE).toEqual(here.source)
  })

  test('a missing method falls back to the documented call', () => {
    expect(absent.source).toEqual(everyFallback)
    expect(absent.methods).toEqual(DOCUMENTED)
  })

  test('a method that answers differently, or throws, fails its self-check and falls back', () => {
    expect(wrong.source).toEqual(everyFallback)
    expect(wrong.methods).toEqual(DOCUMENTED)
    expect(throwing.source).toEqual(everyFallback)
  })

  test.each([
    ['chosen', here.methods],
    ['documented', absent.methods],
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
