/**
 * Buffer's per-encoding native methods, called directly on the verification path.
 *
 * The documented `buf.write(text, offset, encoding)` and `buf.toString(encoding, start,
 * end)` end in these same methods, after resolving the encoding name and checking every
 * argument again on each call. On a verification of about 2 µs that is a measurable
 * share (see `npm run bench`). The methods are not in Node's documented API, so each is
 * looked up once, here, and the documented call stands in wherever one is missing.
 */
export interface NativeBufferMethods {
  /** `buffer.write(text, offset, 'latin1')`: one byte per UTF-16 unit of `text`. */
  latin1Write: (buffer: Buffer, text: string, offset: number) => number
  /** `buffer.write(text, offset, 'base64url')`: the decoded length. */
  base64urlWrite: (buffer: Buffer, text: string, offset: number) => number
  /** `buffer.toString('utf8', start, end)`. */
  utf8Slice: (buffer: Buffer, start: number, end: number) => string
}

interface Natives {
  latin1Write?: unknown
  base64urlWrite?: unknown
  utf8Slice?: unknown
}

type Write = (this: Buffer, text: string, offset: number) => number
type Slice = (this: Buffer, start: number, end: number) => string

/** The native methods of `proto` where it has them, the documented calls otherwise. */
export function nativeBufferMethods(proto: object): NativeBufferMethods {
  const { latin1Write, base64urlWrite, utf8Slice } = proto as Natives
  return {
    latin1Write:
      typeof latin1Write === 'function'
        ? (buffer, text, offset) => (latin1Write as Write).call(buffer, text, offset)
        : (buffer, text, offset) => buffer.write(text, offset, 'latin1'),
    base64urlWrite:
      typeof base64urlWrite === 'function'
        ? (buffer, text, offset) => (base64urlWrite as Write).call(buffer, text, offset)
        : (buffer, text, offset) => buffer.write(text, offset, 'base64url'),
    utf8Slice:
      typeof utf8Slice === 'function'
        ? (buffer, start, end) => (utf8Slice as Slice).call(buffer, start, end)
        : (buffer, start, end) => buffer.toString('utf8', start, end),
  }
}

export const { latin1Write, base64urlWrite, utf8Slice } = nativeBufferMethods(
  Buffer.prototype as object,
)

/**
 * The most a reused scratch buffer (token decoding, HMAC input) grows to. Tokens are a
 * few hundred bytes; a rare huge one gets a buffer or a `createHmac` of its own, so it
 * does not pin memory its size for the life of the process.
 */
export const MAX_SCRATCH_BYTES = 64 * 1024
