/**
 * Buffer's per-encoding native methods, called directly on the verification path.
 *
 * The documented `buf.write(text, offset, encoding)` and `buf.toString(encoding, start,
 * end)` end in these same methods, after resolving the encoding name and checking every
 * argument again on each call. On a verification of about 2 µs that is a measurable
 * share (see `npm run bench`). The methods are not in Node's documented API, so each is
 * looked up once, here, checked once against the documented call on known inputs, and
 * the documented call stands in wherever one is missing or answers differently.
 */
export interface NativeBufferMethods {
  /** `buffer.write(text, offset, 'latin1')`: one byte per UTF-16 unit of `text`. */
  latin1Write: (buffer: Buffer, text: string, offset: number) => number
  /** `buffer.write(text, offset, 'base64url')`: the decoded length. */
  base64urlWrite: (buffer: Buffer, text: string, offset: number) => number
  /** `buffer.toString('utf8', start, end)`. */
  utf8Slice: (buffer: Buffer, start: number, end: number) => string
}

/** Which implementation each method uses: Node's native one, or the documented call. */
export type NativeBufferSource = Readonly<Record<keyof NativeBufferMethods, 'native' | 'fallback'>>

type Write = (this: Buffer, text: string, offset: number) => number
type Slice = (this: Buffer, start: number, end: number) => string

/** The documented calls, which every Node line has. */
export const DOCUMENTED: NativeBufferMethods = {
  latin1Write: (buffer, text, offset) => buffer.write(text, offset, 'latin1'),
  base64urlWrite: (buffer, text, offset) => buffer.write(text, offset, 'base64url'),
  utf8Slice: (buffer, start, end) => buffer.toString('utf8', start, end),
}

/**
 * Does `candidate` do exactly what `documented` does on inputs that reach the edges
 * the verification path depends on: an offset, every byte value, a truncated write, a
 * multi-byte character cut in half, a slice in the middle?
 */
function agrees<K extends keyof NativeBufferMethods>(
  name: K,
  candidate: NativeBufferMethods[K],
): boolean {
  const bytes = Buffer.alloc(256)
  for (let i = 0; i < 256; i++) bytes[i] = i
  try {
    if (name === 'utf8Slice') {
      const slice = candidate as NativeBufferMethods['utf8Slice']
      const text = Buffer.from('aé€😀z\uFFFD', 'utf8')
      const cases: [Buffer, number, number][] = [
        [text, 0, text.length],
        [text, 1, 6],
        [text, 2, 9],
        [bytes, 100, 256],
      ]
      return cases.every(
        ([buffer, start, end]) =>
          slice(buffer, start, end) === DOCUMENTED.utf8Slice(buffer, start, end),
      )
    }
    const write = candidate as NativeBufferMethods['latin1Write']
    const documented = DOCUMENTED[name] as NativeBufferMethods['latin1Write']
    const inputs =
      name === 'latin1Write'
        ? [bytes.toString('latin1'), 'abc', '']
        : [bytes.toString('base64url'), 'AQID', 'AQI', 'AQ', '']
    return inputs.every((input) =>
      [0, 3, 200].every((offset) => {
        const a = Buffer.alloc(260, 0xaa)
        const b = Buffer.alloc(260, 0xaa)
        return write(a, input, offset) === documented(b, input, offset) && a.equals(b)
      }),
    )
  } catch {
    return false
  }
}

/**
 * The native methods of `proto` where it has them and they pass the check, the
 * documented calls otherwise; and which one each method got.
 */
export function nativeBufferMethods(proto: object): {
  methods: NativeBufferMethods
  source: NativeBufferSource
} {
  const natives = proto as Partial<Record<keyof NativeBufferMethods, unknown>>
  const pick = <K extends keyof NativeBufferMethods>(
    name: K,
    wrap: (native: never) => NativeBufferMethods[K],
  ): [NativeBufferMethods[K], 'native' | 'fallback'] => {
    const native = natives[name]
    if (typeof native === 'function') {
      const candidate = wrap(native as never)
      if (agrees(name, candidate)) return [candidate, 'native']
    }
    return [DOCUMENTED[name], 'fallback']
  }
  const [latin1Write, latin1Source] = pick(
    'latin1Write',
    (native: Write) => (buffer, text, offset) => native.call(buffer, text, offset),
  )
  const [base64urlWrite, base64urlSource] = pick(
    'base64urlWrite',
    (native: Write) => (buffer, text, offset) => native.call(buffer, text, offset),
  )
  const [utf8Slice, utf8Source] = pick(
    'utf8Slice',
    (native: Slice) => (buffer, start, end) => native.call(buffer, start, end),
  )
  return {
    methods: { latin1Write, base64urlWrite, utf8Slice },
    source: { latin1Write: latin1Source, base64urlWrite: base64urlSource, utf8Slice: utf8Source },
  }
}

const chosen = nativeBufferMethods(Buffer.prototype as object)

export const { latin1Write, base64urlWrite, utf8Slice } = chosen.methods

/** What this process uses, for the bench's report and the tests. */
export const NATIVE_BUFFER_SOURCE: NativeBufferSource = chosen.source
