import type { KeyObject } from 'node:crypto'
import { isAsymmetricAlgorithm, type Algorithm, type AsymmetricAlgorithm } from '../core/algorithms'
import { toSeconds, type Duration } from '../core/duration'
import { InvalidTokenError, setupError } from '../core/errors'
import type { AsyncKeyResolver, VerificationKey } from '../core/key-contracts'
import { optionNames, readOptions, type OptionList } from '../core/options'
import { algorithmsForKey, asymmetricVerificationKey, keyProblem } from './asymmetric'
import { importJwk, jwkProblem } from './jwk'
import { checkAllowed, keyWithoutKid, remoteAlgorithms, selectKey, type KeyTable } from './select'

/**
 * Options of {@link remoteKeySet}. Every duration is in seconds (a number) or a
 * duration string such as `'10m'`.
 *
 * @example
 * ```ts
 * import type { RemoteKeySetOptions } from 'express-jwt-gate'
 * const options: RemoteKeySetOptions = { cacheMaxAge: '10m', cooldown: 30, timeout: 5 }
 * ```
 */
export interface RemoteKeySetOptions {
  /** How long a fetched set is used before it is fetched again. Default 600. */
  cacheMaxAge?: Duration
  /**
   * The least time between two fetches, whatever triggers them (an unknown `kid`, a
   * failure, an expired cache). Default 30. At most `cacheMaxAge`.
   */
  cooldown?: Duration
  /** How long one fetch may take, response body included. Default 5. */
  timeout?: Duration
}

declare const remoteKeySetBrand: unique symbol

/**
 * A JWK Set fetched from an identity provider, made by {@link remoteKeySet}: pass it
 * as the key to {@link createVerifier}, {@link verifyToken} or `jwtAuth`, and
 * verification becomes asynchronous. Only `remoteKeySet` can make one.
 *
 * @example
 * ```ts
 * import { remoteKeySet } from 'express-jwt-gate'
 * import type { RemoteKeySet } from 'express-jwt-gate'
 * const jwks: RemoteKeySet = remoteKeySet('https://auth.example.com/.well-known/jwks.json')
 * console.log(jwks.url)
 * ```
 */
export interface RemoteKeySet {
  /** The URL the set is fetched from. */
  readonly url: string
  /**
   * A brand no other object has: a plain `{ url }` is not a key set, so only
   * {@link remoteKeySet}, which checks the URL and sets up the cache, can make one.
   */
  readonly [remoteKeySetBrand]: true
}

/** One key of a fetched set that this package can use, with what it may serve. */
interface PublishedKey {
  readonly kid: string | undefined
  readonly key: KeyObject
  /** The set's `alg` for the key: binding. `undefined` when the set names none. */
  readonly alg: AsymmetricAlgorithm | undefined
  /** The algorithms the key's type could serve (only `alg`, when the set names it). */
  readonly candidates: readonly AsymmetricAlgorithm[]
  /** Verification keys already prepared, by algorithm. */
  readonly prepared: Map<AsymmetricAlgorithm, VerificationKey>
}

/**
 * The set as fetched: keys by `kid` (a `kid` that the set gives to two usable keys is
 * left out), and for tokens without `kid` the set's only usable key, if it has one.
 */
type Snapshot = KeyTable<PublishedKey>

interface State {
  readonly url: string
  readonly cacheMaxAge: number
  readonly cooldown: number
  readonly timeout: number
  snapshot: Snapshot | undefined
  /** When the snapshot was fetched, and when a fetch last started (ms, monotonic). */
  fetchedAt: number
  lastAttempt: number
  /** Why the last fetch failed; `undefined` after a success. */
  failure: Error | undefined
  inflight: Promise<void> | undefined
}

const states = new WeakMap<RemoteKeySet, State>()

const OPTION_NAMES = optionNames({
  cacheMaxAge: true,
  cooldown: true,
  timeout: true,
} satisfies OptionList<RemoteKeySetOptions>)

/** A JWK Set is a few kilobytes; a provider that sends more is not sending one. */
const MAX_RESPONSE_BYTES = 1 << 20

/** Monotonic milliseconds: a wall clock set back must not keep a set forever. */
const now = () => performance.now()

/** `localhost`, `127.0.0.0/8` and `::1`: the only hosts plain `http:` may name. */
function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  )
}

function readUrl(value: unknown): string {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw setupError('url', 'remoteKeySet needs the URL of a JWK Set, as a string or a URL')
  }
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw setupError('url', `remoteKeySet: ${JSON.stringify(String(value))} is not a valid URL`)
  }
  if (url.username !== '' || url.password !== '') {
    throw setupError('url', 'remoteKeySet: the URL must not hold credentials')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw setupError(
      'url',
      `remoteKeySet needs an https: URL (plain http: only for localhost and 127.0.0.0/8 or ::1 in development), got ${url.protocol}//${url.host}`,
    )
  }
  return url.href
}

/**
 * A JWK Set at `url`, fetched with the global `fetch` when first needed and cached.
 * Use it as the key of {@link createVerifier}, {@link verifyToken} or `jwtAuth`.
 *
 * - **Caching**: the set is used for `cacheMaxAge` seconds (default 600), then
 *   fetched again. A token whose `kid` is not in the set makes it fetch again at
 *   once (a provider has rotated), but never more than once per `cooldown` (default
 *   30 s): a flood of tokens with made-up `kid`s costs the provider one request.
 * - **Fails closed**: when the set cannot be fetched (network error, `timeout`
 *   exceeded, a status other than 200, anything but a JWK Set), tokens are refused
 *   with a 401 {@link InvalidTokenError} of code `key_set_unavailable`, whose `cause`
 *   says why; never a 500. A set fetched earlier is still used until it is
 *   `cacheMaxAge` old. Redirects are refused.
 * - **Which keys** (RFC 7517): keys with `use` other than `sig`, `key_ops` without
 *   `verify`, a `kty` other than `RSA`/`EC`/`OKP` (so never a secret), an `alg` this
 *   package does not implement, a key unfit for its `alg` (wrong curve, RSA under
 *   2048 bits) or a `kid` shared by two keys are ignored. A key's `alg` is binding.
 *   A key without `alg` is used only when the verifier's `algorithms` option names
 *   exactly one algorithm its type can serve: the token never chooses.
 * - A token without `kid` is accepted only when the set holds exactly one usable key.
 * - Only `https:` URLs, except `http://localhost` and loopback addresses.
 *
 * @example
 * ```ts
 * import { createVerifier, remoteKeySet } from 'express-jwt-gate'
 * const jwks = remoteKeySet('https://auth.example.com/.well-known/jwks.json', { cacheMaxAge: '10m' })
 * const verify = createVerifier(jwks, { issuer: 'https://auth.example.com/', audience: 'api' })
 * const claims = await verify(token)
 * ```
 */
export function remoteKeySet(url: string | URL, options?: RemoteKeySetOptions): RemoteKeySet {
  const href = readUrl(url)
  const o = readOptions<RemoteKeySetOptions>(options, OPTION_NAMES, 'remoteKeySet')
  const seconds = (value: unknown, name: string, fallback: number) =>
    value === undefined ? fallback : toSeconds(value, name)
  const cacheMaxAge = seconds(o.cacheMaxAge, 'cacheMaxAge', 600)
  const cooldown = seconds(o.cooldown, 'cooldown', 30)
  const timeout = seconds(o.timeout, 'timeout', 5)
  if (cooldown > cacheMaxAge) {
    throw setupError(
      'cooldown',
      `cooldown (${cooldown} s) must not exceed cacheMaxAge (${cacheMaxAge} s): an expired set could not be fetched again`,
    )
  }
  if (timeout <= 0) throw setupError('timeout', 'timeout must be more than 0 seconds')
  const set = Object.freeze({ url: href }) as unknown as RemoteKeySet
  states.set(set, {
    url: href,
    cacheMaxAge: cacheMaxAge * 1000,
    cooldown: cooldown * 1000,
    timeout: timeout * 1000,
    snapshot: undefined,
    fetchedAt: -Infinity,
    lastAttempt: -Infinity,
    failure: undefined,
    inflight: undefined,
  })
  return set
}

/** True for the sets {@link remoteKeySet} made, and nothing else. */
export function isRemoteKeySet(value: unknown): value is RemoteKeySet {
  return typeof value === 'object' && value !== null && states.has(value as RemoteKeySet)
}

/** One JWK of a fetched set, if this package can use it (RFC 7517 §5: ignore the rest). */
function publishedKey(item: unknown): PublishedKey | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined
  const jwk = item as Record<string, unknown>
  if (jwkProblem(jwk, 'verify', undefined) !== undefined) return undefined
  const alg = jwk.alg
  if (alg !== undefined && !isAsymmetricAlgorithm(alg)) return undefined
  let key: KeyObject
  try {
    key = importJwk(jwk, 'public')
  } catch {
    return undefined
  }
  if (alg !== undefined && keyProblem(key, alg) !== undefined) return undefined
  const candidates = alg === undefined ? algorithmsForKey(key) : [alg]
  if (candidates.length === 0) return undefined
  return { kid: jwk.kid as string | undefined, key, alg, candidates, prepared: new Map() }
}

function snapshotOf(items: readonly unknown[]): Snapshot {
  const usable = items.map(publishedKey).filter((key) => key !== undefined)
  const byKid = new Map<string, PublishedKey>()
  const shared = new Set<string>()
  for (const key of usable) {
    if (key.kid === undefined) continue
    if (byKid.has(key.kid)) shared.add(key.kid)
    byKid.set(key.kid, key)
  }
  // Two keys under one kid: choosing either would be trying keys. Use neither.
  for (const kid of shared) byKid.delete(kid)
  return { byKid, withoutKid: keyWithoutKid(usable.map((key) => ({ key }))) }
}

/** The response body as text, refusing more than `MAX_RESPONSE_BYTES`. */
async function readLimited(response: Response): Promise<string> {
  if (Number(response.headers.get('content-length')) > MAX_RESPONSE_BYTES) {
    await response.body?.cancel()
    throw new Error(`key set response is larger than ${MAX_RESPONSE_BYTES} bytes`)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  if (response.body !== null) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength
      if (size > MAX_RESPONSE_BYTES) {
        throw new Error(`key set response is larger than ${MAX_RESPONSE_BYTES} bytes`)
      }
      chunks.push(chunk)
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

async function load(state: State): Promise<Snapshot> {
  let response: Response
  try {
    response = await fetch(state.url, {
      redirect: 'error',
      signal: AbortSignal.timeout(state.timeout),
      headers: { accept: 'application/jwk-set+json, application/json' },
    })
  } catch (cause) {
    throw new Error(`key set fetch failed: ${(cause as Error).message}`, { cause })
  }
  if (response.status !== 200) {
    await response.body?.cancel()
    throw new Error(`key set request answered HTTP ${response.status}`)
  }
  let text: string
  try {
    text = await readLimited(response)
  } catch (cause) {
    throw new Error(`key set response failed: ${(cause as Error).message}`, { cause })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new Error('key set response is not JSON')
  }
  const keys = (value as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys)) throw new Error('key set response is not a JWK Set (no "keys" array)')
  return snapshotOf(keys)
}

/** Start a fetch, or join the one already running. It never rejects: it records. */
function refresh(state: State): Promise<void> {
  state.inflight ??= (async () => {
    state.lastAttempt = now()
    try {
      state.snapshot = await load(state)
      state.fetchedAt = now()
      state.failure = undefined
    } catch (cause) {
      state.failure = cause as Error
    } finally {
      state.inflight = undefined
    }
  })()
  return state.inflight
}

const mayFetch = (state: State) =>
  state.inflight !== undefined || now() - state.lastAttempt >= state.cooldown

const isFresh = (state: State) =>
  state.snapshot !== undefined && now() - state.fetchedAt < state.cacheMaxAge

function unavailable(state: State): never {
  throw new InvalidTokenError({
    code: 'key_set_unavailable',
    message: 'key set unavailable',
    cause: state.failure,
  })
}

/**
 * The set as it is now: fetched (again) only if there is none or it is too old. A
 * fresh set answers at once, even while a fetch that some other token's unknown `kid`
 * started is still under way: otherwise one made-up `kid` against a slow provider
 * would hold every request for up to `timeout`.
 */
async function freshSnapshot(state: State): Promise<Snapshot> {
  if (isFresh(state)) return state.snapshot as Snapshot
  if (mayFetch(state)) await refresh(state)
  if (!isFresh(state)) unavailable(state)
  return state.snapshot as Snapshot
}

/** The set to find `kid` in: fetched again (once per cooldown) when `kid` is unknown. */
async function snapshotFor(state: State, kid: string | undefined): Promise<Snapshot> {
  const snapshot = await freshSnapshot(state)
  if (kid === undefined || snapshot.byKid.has(kid) || !mayFetch(state)) return snapshot
  await refresh(state)
  if (state.failure !== undefined) unavailable(state)
  return state.snapshot as Snapshot
}

/**
 * A resolver over a remote set for one verifier. `algorithms` (the verifier's option)
 * limits the algorithms accepted, and binds keys that the set publishes without
 * `alg` when exactly one of them suits the key.
 */
export function remoteKeyResolver(
  set: RemoteKeySet,
  algorithms: readonly Algorithm[] | undefined,
): AsyncKeyResolver {
  const allowed = remoteAlgorithms(algorithms)
  const state = states.get(set) as State

  /** The algorithm a key serves for this verifier, or `undefined` if none is settled. */
  function boundAlgorithm(key: PublishedKey): AsymmetricAlgorithm | undefined {
    if (key.alg !== undefined) return key.alg
    if (algorithms === undefined) return undefined
    const matching = key.candidates.filter((alg) => allowed.has(alg))
    return matching.length === 1 ? matching[0] : undefined
  }

  return {
    current: () => freshSnapshot(state),
    async resolve(header) {
      checkAllowed(header, allowed)
      const snapshot = await snapshotFor(state, header.kid)
      const published = selectKey(header, snapshot, boundAlgorithm)
      const alg = header.alg as AsymmetricAlgorithm
      let key = published.prepared.get(alg)
      if (key === undefined) {
        key = asymmetricVerificationKey(published.key, alg)
        published.prepared.set(alg, key)
      }
      return key
    },
  }
}
