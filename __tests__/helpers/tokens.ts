import { createHmac } from 'node:crypto'

/** A fixed 43-byte secret for tests (long enough for HS256, not for HS384/HS512). */
export const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstu'
/** A 64-byte secret that every HS algorithm accepts. */
export const LONG_SECRET = 'L'.repeat(64)
/** The frozen "now" of time-rule tests, in seconds. */
export const NOW = 1_800_000_000
/** The same instant as a Date, for `currentDate`. */
export const NOW_DATE = new Date(NOW * 1000)

const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const

/** base64url of a string's UTF-8 bytes, of raw bytes, or of an object's JSON. */
export function b64(value: string | Buffer | object): string {
  if (Buffer.isBuffer(value)) return value.toString('base64url')
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  )
}

export interface TokenParts {
  /** The header as an object, or its exact encoded segment as a string. */
  header?: object | string
  /** The payload as an object, or its exact encoded segment as a string. */
  payload?: object | string
  secret?: string | Buffer
  /** The HMAC used to sign, independent of the header's `alg`. */
  signWith?: keyof typeof HASH
}

/**
 * Build a token by hand, independently of the code under test: any header, any
 * payload, signed with `createHmac`. Defaults make a valid HS256 token at {@link NOW}.
 */
export function createToken(parts: TokenParts = {}): string {
  const header = parts.header ?? { alg: 'HS256', typ: 'JWT' }
  const payload = parts.payload ?? { sub: 'alice', iat: NOW, exp: NOW + 600 }
  const h = typeof header === 'string' ? header : b64(header)
  const p = typeof payload === 'string' ? payload : b64(payload)
  const signature = createHmac(HASH[parts.signWith ?? 'HS256'], parts.secret ?? SECRET)
    .update(`${h}.${p}`)
    .digest('base64url')
  return `${h}.${p}.${signature}`
}

/** Sign an exact signing input (`header.payload`) with `createHmac`. */
export function signInput(
  input: string,
  secret: string | Buffer = SECRET,
  hash = 'sha256',
): string {
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`
}

/** Run `fn` and return what it threw (failing the test when it returns). */
export function thrown(fn: () => unknown): Error & { code?: string; status?: number } {
  try {
    fn()
  } catch (err) {
    return err as Error & { code?: string }
  }
  throw new Error('expected a throw, but the call returned')
}

/**
 * Run `fn`, which must throw a setup error, and return what a test should pin down:
 * the option it names and its whole message.
 */
export function setupFailure(fn: () => unknown): { option: string; message: string } {
  const err = thrown(fn) as Error & { option?: unknown }
  if (err.name !== 'JwtSetupError' || !(err instanceof TypeError)) {
    throw new Error(`expected a JwtSetupError, got ${err.name}: ${err.message}`)
  }
  return { option: err.option as string, message: err.message }
}
