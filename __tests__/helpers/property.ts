import fc from 'fast-check'
import { JWT_AUTH_ERROR_CODES, JwtAuthError } from 'express-jwt-gate'
import type { HmacAlgorithm, JwtAuthErrorCode } from 'express-jwt-gate'

/**
 * `FC_NUM_RUNS` is the run count of an ordinary property (fast-check's own default is
 * 100). Every property states its default and is scaled by the same factor, so one
 * variable turns the whole suite into a long run without making the costly
 * properties (thousands of verifications per run) dominate it.
 */
const requested = Number(process.env.FC_NUM_RUNS)
const scale = Number.isSafeInteger(requested) && requested > 0 ? requested / 100 : undefined

/** fast-check parameters for a property that makes `defaultRuns` runs in `npm test`. */
export function runs(defaultRuns: number): fc.Parameters<unknown> {
  return {
    numRuns: scale === undefined ? defaultRuns : Math.max(1, Math.ceil(defaultRuns * scale)),
  }
}

/** Jest's 5 s default is too tight for a long run on a busy machine, and far too tight for FC_NUM_RUNS. */
export const TIMEOUT_MS = scale === undefined ? 60_000 : 6 * 3_600_000

export const ALGORITHMS: readonly HmacAlgorithm[] = ['HS256', 'HS384', 'HS512']
/** RFC 7518 §3.2: a key at least as long as the hash output. */
export const MIN_SECRET_BYTES = { HS256: 32, HS384: 48, HS512: 64 } as const
export const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const

/** The base64url alphabet, in value order. */
export const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * One UTF-16 code unit of any value, lone surrogates included: `fc.string`'s own units
 * never produce a lone surrogate, and those are where UTF-8 encoders disagree.
 */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit))

/**
 * Any text: ASCII, any code point, or raw code units (so lone surrogates too).
 * fast-check keeps lengths near the minimum unless told otherwise; `size: 'max'` uses
 * the whole range up to `maxLength`.
 */
export const anyText = (
  maxLength = 24,
  size: fc.SizeForArbitrary = 'small',
): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength, size }),
    fc.string({ unit: 'binary', maxLength, size }),
    fc.string({ unit: codeUnit, maxLength, size }),
  )

/**
 * A JSON value in the form `JSON.parse` returns it: no `-0` (it reads back as `0`),
 * every object with `Object.prototype`, `"__proto__"` as an own member. Comparing a
 * verified payload with such a value checks the token core, not JSON's own quirks.
 */
export const jsonValue: fc.Arbitrary<unknown> = fc
  .jsonValue({ maxDepth: 4, stringUnit: fc.oneof(fc.string(), fc.string({ unit: codeUnit })) })
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown)

/** Member names worth trying on purpose: prototype keys, the empty name, header names. */
const trickyNames = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  'alg',
  'kid',
  'crit',
)

/** The registered claims (RFC 7519 §4.1), which sign and verify give meaning to. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
])

/** A JSON object of private claims only (no registered claim name), as `JSON.parse` returns it. */
export const privateClaims: fc.Arbitrary<Record<string, unknown>> = fc
  .dictionary(
    fc.oneof(trickyNames, anyText()).filter((name) => !REGISTERED_CLAIMS.has(name)),
    jsonValue,
    { maxKeys: 6 },
  )
  .map((claims) => JSON.parse(JSON.stringify(claims)) as Record<string, unknown>)

/**
 * Random key bytes, `minBytes` to 200 long, over the whole range: a key longer than
 * the hash block (64 bytes for HS256, 128 for the others) is hashed first by HMAC.
 */
export const keyBytes = (minBytes: number): fc.Arbitrary<Buffer> =>
  fc
    .uint8Array({ minLength: minBytes, maxLength: 200, size: 'max' })
    .map((bytes) => Buffer.from(bytes))

const CODES: ReadonlySet<string> = new Set(JWT_AUTH_ERROR_CODES)

/**
 * Run `fn`, which must throw, and check the failure has the shape every refusal must
 * have: a `JwtAuthError` with status 401 and a code from the exported union. Anything
 * else (a TypeError from deep inside, a return) fails the property.
 */
export function refusal(fn: () => unknown): JwtAuthError {
  let result: unknown
  try {
    result = fn()
  } catch (err) {
    expectRefusalShape(err)
    return err as JwtAuthError
  }
  throw new Error(`expected a refusal, but it returned ${show(result)}`)
}

/**
 * A thrown value is a 401 `JwtAuthError` whose code is one of the exported codes.
 * Plain checks rather than `expect`: sweeps call this tens of thousands of times.
 */
export function expectRefusalShape(err: unknown): void {
  if (!(err instanceof JwtAuthError)) {
    throw new Error(`expected a JwtAuthError, got ${show(err)}`, { cause: err })
  }
  if (err.status !== 401 || err.statusCode !== 401 || !CODES.has(err.code)) {
    throw new Error(`expected a 401 with a known code, got ${err.status} ${err.code}`)
  }
}

/** The outcome of a call that may either return or refuse: the value, or the refusal code. */
export function outcome<T>(
  fn: () => T,
): { ok: true; value: T } | { ok: false; code: JwtAuthErrorCode } {
  try {
    return { ok: true, value: fn() }
  } catch (err) {
    expectRefusalShape(err)
    return { ok: false, code: (err as JwtAuthError).code }
  }
}

function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`
  try {
    return JSON.stringify(value)?.slice(0, 200) ?? String(value)
  } catch {
    return String(value)
  }
}

/** A single-character edit: where (any natural number, taken modulo the length), what, with which character. */
export interface Edit {
  at: number
  edit: 'substitute' | 'insert' | 'delete'
  c: string
}

/** Single-character edits whose characters come from `chars`. */
export const singleEdit = (chars: fc.Arbitrary<string>): fc.Arbitrary<Edit> =>
  fc.record({
    at: fc.nat(),
    edit: fc.constantFrom('substitute' as const, 'insert' as const, 'delete' as const),
    c: chars,
  })

/**
 * `token` with the edit applied. Substituting a character by itself gives `token`
 * back: callers skip that case (`fc.pre`), since it is no mutation.
 */
export function applyEdit(token: string, { at, edit, c }: Edit): string {
  const i = at % (edit === 'insert' ? token.length + 1 : token.length)
  const rest = token.slice(edit === 'insert' ? i : i + 1)
  return token.slice(0, i) + (edit === 'delete' ? '' : c) + rest
}
