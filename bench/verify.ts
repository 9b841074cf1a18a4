/**
 * `npm run bench`: verify and sign the same realistic HS256 token with this package and
 * its peers, in one process, and print median ops/s, their spread and per-round ratios.
 * Then show that the verified-token cache keeps the heap bounded, and what freezing
 * cached payloads costs against copying them on every hit.
 *
 * It measures the built package (`express-jwt-gate` resolves to `dist/` through the
 * package's own "exports"), which is what an application gets, and runs as compiled
 * JavaScript on plain node (`npm run build:bench` writes `.bench/`): under ts-node,
 * jose's awaited verification ran at half speed.
 *
 * Knobs: BENCH_ROUNDS (default 7); BENCH_MS measured per candidate per round (default
 * 300), after BENCH_WARM_MS unmeasured (default 50); BENCH_TOKENS in rotation (default
 * 10000); BENCH_MEMORY_OPS (default 1000000). Run with --expose-gc (npm run bench
 * does) for the heap figures.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto'
import { createSigner, createVerifier as createFastVerifier } from 'fast-jwt'
import jsonwebtoken from 'jsonwebtoken'
import { createSigner as createOurSigner, createVerifier, signToken } from 'express-jwt-gate'
// Only to count the hit rate of the memory run, and to say which fast paths this Node
// line took; everything timed uses the built package.
import { TokenCache } from '../lib/core/cache'
import { HMAC_SOURCE } from '../lib/core/fast/hmac'
import { NATIVE_BUFFER_SOURCE } from '../lib/core/fast/native-buffer'
import {
  asAuthorization,
  BenchReport,
  envNumber,
  FEATURES,
  fmtInt,
  fmtPercent,
  fmtRatio,
  loadNote,
  machineNote,
  makeTokens,
  measureAsync,
  measureSync,
  median,
  medianRatio,
  perRequest,
  SECRET,
  type Slice,
  spread,
} from './harness'

const ROUNDS = envNumber('BENCH_ROUNDS', 7)
const MS = envNumber('BENCH_MS', 300)
const TOKENS = envNumber('BENCH_TOKENS', 10_000)
const MEMORY_OPS = envNumber('BENCH_MEMORY_OPS', 1_000_000)
const WARM_MS = envNumber('BENCH_WARM_MS', 50)

type AnyCandidate<T> =
  | { name: string; sync: (input: T) => unknown }
  | { name: string; async: (input: T) => Promise<unknown> }

type Candidate = AnyCandidate<string>
type SignCandidate = AnyCandidate<SignInput>

interface SignInput {
  userId: number
  userName: string
  licensedFeatures: string[]
  nbf: number
}

const gc = (globalThis as { gc?: () => void }).gc
const out = new BenchReport('verify')

const FLOOR = 'floor: createHmac + decode + JSON.parse + timingSafeEqual'
const OURS = 'express-jwt-gate createVerifier'
const FAST = 'fast-jwt createVerifier cache:false'
const SIGN_OURS = 'express-jwt-gate createSigner'
const SIGN_ONE_CALL = 'express-jwt-gate signToken (one call, key prepared each time)'
const SIGN_FAST = 'fast-jwt createSigner'
const SIGN_FLOOR = 'floor: JSON.stringify + base64url + createHmac'

/** The naive verifier every library is built around, with no validation at all. */
function floorVerifier(secret: string): (token: string) => unknown {
  const key = Buffer.from(secret)
  return (token) => {
    const firstDot = token.indexOf('.')
    const secondDot = token.indexOf('.', firstDot + 1)
    const mac = createHmac('sha256', key).update(token.slice(0, secondDot)).digest()
    const signature = Buffer.from(token.slice(secondDot + 1), 'base64url')
    if (signature.length !== mac.length || !timingSafeEqual(mac, signature)) {
      throw new Error('bad signature')
    }
    return JSON.parse(
      Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString(),
    ) as unknown
  }
}

function floorSigner(secret: string): (payload: SignInput) => string {
  const key = Buffer.from(secret)
  const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')
  return (payload) => {
    const iat = Math.floor(Date.now() / 1000)
    const body = JSON.stringify({ ...payload, iat, exp: iat + 900 })
    const input = `${header}.${Buffer.from(body).toString('base64url')}`
    return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
  }
}

async function runSlice<T>(
  candidate: AnyCandidate<T>,
  inputs: readonly T[],
  ms: number,
  from: number,
): Promise<Slice> {
  return 'sync' in candidate
    ? measureSync(candidate.sync, inputs, ms, from)
    : measureAsync(candidate.async, inputs, ms, from)
}

/**
 * Rounds of ops/s by name, the candidates' order rotated each round. Each measurement
 * starts from a full GC and a short unmeasured warm-up of that same candidate, so it
 * sees the heap it would have if it were all the process did: measured back to back,
 * a candidate pays for the garbage the one before left (the peers make far more than
 * this package does), and right after a forced GC it pays for regrowing the young
 * generation. In trials each moved the ratios far more than noise, in opposite ways.
 */
async function rounds<T>(
  candidates: readonly AnyCandidate<T>[],
  inputs: readonly T[],
): Promise<Rounds> {
  const cursor = new Map<string, number>(candidates.map((c) => [c.name, 0]))
  const run = async (candidate: AnyCandidate<T>, ms: number): Promise<Slice> => {
    const slice = await runSlice(candidate, inputs, ms, cursor.get(candidate.name) as number)
    cursor.set(candidate.name, slice.next)
    return slice
  }
  // One unrecorded pass, so every candidate is optimised before it is timed.
  for (const candidate of candidates) await run(candidate, Math.min(MS, 200))
  const results: Rounds = { wall: [], cpu: [] }
  for (let r = 0; r < ROUNDS; r++) {
    const wall = new Map<string, number>()
    const cpu = new Map<string, number>()
    for (let c = 0; c < candidates.length; c++) {
      const candidate = candidates[(c + r) % candidates.length] as AnyCandidate<T>
      gc?.()
      await run(candidate, WARM_MS)
      const slice = await run(candidate, MS)
      wall.set(candidate.name, slice.ops / slice.seconds)
      cpu.set(candidate.name, slice.ops / slice.cpuSeconds)
    }
    results.wall.push(wall)
    results.cpu.push(cpu)
    process.stderr.write(`  round ${r + 1}/${ROUNDS}\n`)
  }
  return results
}

/** Ops/s by candidate, one map per round: by wall clock, and by this thread's CPU time. */
interface Rounds {
  wall: Map<string, number>[]
  cpu: Map<string, number>[]
}

function report(
  key: string,
  names: readonly string[],
  results: Rounds,
  references: readonly [label: string, name: string][],
): void {
  const rows = names.map((name) => {
    const ops = results.wall.map((round) => round.get(name) as number)
    return [
      name,
      fmtInt(median(ops)),
      fmtPercent(spread(ops)),
      ...references.map(([, reference]) => fmtRatio(medianRatio(results.wall, name, reference))),
      ...references.map(([, reference]) => fmtRatio(medianRatio(results.cpu, name, reference))),
    ]
  })
  out.table(
    key,
    [
      'candidate',
      'median ops/s',
      'spread',
      ...references.map(([label]) => label),
      ...references.map(([label]) => `CPU: ${label}`),
    ],
    rows,
  )
}

/** The same candidate, taking an `Authorization` value (see {@link perRequest}). */
function fromRequest(candidate: Candidate): Candidate {
  return 'sync' in candidate
    ? { name: candidate.name, sync: perRequest(candidate.sync) }
    : { name: candidate.name, async: perRequest(candidate.async) }
}

/** Every candidate must accept a good token and refuse a forged one, or its speed means nothing. */
async function checkHonest(candidates: readonly Candidate[], token: string): Promise<void> {
  const forged = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}A`
  for (const candidate of candidates) {
    const call = (t: string) =>
      'sync' in candidate ? Promise.resolve().then(() => candidate.sync(t)) : candidate.async(t)
    const result = (await call(token)) as { userId?: unknown; payload?: { userId?: unknown } }
    const userId = result.payload?.userId ?? result.userId
    if (userId !== 100_000) throw new Error(`${candidate.name} returned the wrong payload`)
    const refused = await call(forged).then(
      () => false,
      () => true,
    )
    if (!refused) throw new Error(`${candidate.name} accepted a forged token`)
  }
}

function checkSigned(name: string, token: string, verify: (token: string) => unknown): void {
  const payload = verify(token) as Record<string, unknown>
  const claims = Object.keys(payload).sort().join(',')
  const header = Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString()
  if (
    claims !== 'exp,iat,licensedFeatures,nbf,userId,userName' ||
    header !== '{"alg":"HS256","typ":"JWT"}'
  ) {
    throw new Error(`${name} signed something else: ${header} ${claims}`)
  }
}

async function main(): Promise<void> {
  const jose = await import('jose')
  out.log(`# npm run bench — ${machineNote()}, load average ${loadNote()}`)
  out.log(
    `${ROUNDS} rounds × ${MS} ms per candidate, ${fmtInt(TOKENS)} distinct tokens in rotation`,
  )
  const natives = Object.entries(NATIVE_BUFFER_SOURCE)
    .map(([name, source]) => `${name} ${source}`)
    .join(', ')
  out.log(`Fast paths on this Node line: HMAC over ${HMAC_SOURCE}; Buffer ${natives}.\n`)
  out.value('fastPaths', { hmac: HMAC_SOURCE, buffer: NATIVE_BUFFER_SOURCE })

  const tokens = makeTokens(TOKENS)
  const keyObject = createSecretKey(Buffer.from(SECRET))
  const joseKey = await jose.importJWK(
    { kty: 'oct', k: Buffer.from(SECRET).toString('base64url') },
    'HS256',
  )

  const ours = createVerifier(SECRET)
  const oursCached = createVerifier(SECRET, { cache: { max: 10_000 } })
  const fast = createFastVerifier({ key: SECRET, algorithms: ['HS256'], cache: false })
  // cache: true with the same capacity as ours, so neither cache is starved.
  const fastCached = createFastVerifier({ key: SECRET, algorithms: ['HS256'], cache: 10_000 })
  const floor = floorVerifier(SECRET)

  const verifiers: Candidate[] = [
    { name: OURS, sync: ours },
    { name: 'express-jwt-gate createVerifier cache {max:10000}', sync: oursCached },
    { name: FAST, sync: fast },
    { name: 'fast-jwt createVerifier cache:10000', sync: fastCached },
    {
      name: 'jsonwebtoken verify, KeyObject secret',
      sync: (t) => jsonwebtoken.verify(t, keyObject, { algorithms: ['HS256'] }),
    },
    {
      name: 'jsonwebtoken verify, string secret',
      sync: (t) => jsonwebtoken.verify(t, SECRET, { algorithms: ['HS256'] }),
    },
    {
      name: 'jose jwtVerify, imported key (awaited)',
      async: (t) => jose.jwtVerify(t, joseKey, { algorithms: ['HS256'] }),
    },
    { name: FLOOR, sync: floor },
  ]
  await checkHonest(verifiers, tokens[0] as string)

  out.log('## Verify (HS256, every token distinct, each cut fresh from its header)\n')
  const verifyResults = await rounds(verifiers.map(fromRequest), asAuthorization(tokens))
  report(
    'verify',
    verifiers.map((c) => c.name),
    verifyResults,
    [
      ['÷ floor', FLOOR],
      ['÷ fast-jwt', FAST],
    ],
  )

  const nbf = Math.floor(Date.now() / 1000)
  const inputs: SignInput[] = Array.from({ length: Math.min(TOKENS, 10_000) }, (_, i) => ({
    userId: 100_000 + i,
    userName: `user-${i}@example.com`,
    licensedFeatures: [...FEATURES],
    nbf,
  }))
  const signOptions = { expiresIn: '15m' } as const
  const fastSigner = createSigner({ key: SECRET, algorithm: 'HS256', expiresIn: '15m' })
  const ourSigner = createOurSigner(SECRET, signOptions)
  const signers: SignCandidate[] = [
    { name: SIGN_OURS, sync: (p) => ourSigner({ ...p }) },
    { name: SIGN_ONE_CALL, sync: (p) => signToken({ ...p }, SECRET, signOptions) },
    { name: SIGN_FAST, sync: (p) => fastSigner({ ...p }) },
    {
      name: 'jsonwebtoken sign, KeyObject secret',
      sync: (p) => jsonwebtoken.sign({ ...p }, keyObject, { algorithm: 'HS256', expiresIn: '15m' }),
    },
    {
      name: 'jose SignJWT, imported key (awaited)',
      async: (p) =>
        new jose.SignJWT({ ...p })
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setIssuedAt()
          .setExpirationTime('15m')
          .sign(joseKey),
    },
    { name: SIGN_FLOOR, sync: floorSigner(SECRET) },
  ]
  for (const signer of signers) {
    const token = (await ('sync' in signer
      ? Promise.resolve(signer.sync(inputs[0] as SignInput))
      : signer.async(inputs[0] as SignInput))) as string
    checkSigned(signer.name, token, ours)
  }

  out.log('\n## Sign (same claims: userId, userName, licensedFeatures, nbf; exp and iat added)\n')
  const signResults = await rounds(signers, inputs)
  report(
    'sign',
    signers.map((c) => c.name),
    signResults,
    [
      ['÷ floor', SIGN_FLOOR],
      ['÷ fast-jwt', SIGN_FAST],
    ],
  )

  out.log('\n## Targets (median per-round ratios)\n')
  const targets: [string, Rounds, string, string, number][] = [
    ['uncached verify ÷ fast-jwt cache:false', verifyResults, OURS, FAST, 2.0],
    ['uncached verify ÷ createHmac floor', verifyResults, OURS, FLOOR, 1.5],
    ['createSigner ÷ fast-jwt createSigner', signResults, SIGN_OURS, SIGN_FAST, 1.3],
  ]
  out.table(
    'targets',
    ['target', 'measured', 'wanted', 'met', 'CPU time'],
    targets.map(([name, results, ours, reference, wanted]) => {
      const value = medianRatio(results.wall, ours, reference)
      return [
        name,
        fmtRatio(value),
        `≥ ${fmtRatio(wanted)}`,
        value >= wanted ? 'yes' : 'NO',
        fmtRatio(medianRatio(results.cpu, ours, reference)),
      ]
    }),
  )

  memory()
  freezeOrCopy(tokens)
  out.log(`\nLoad average at the end: ${loadNote()}.`)
  for (const file of out.save()) process.stderr.write(`wrote ${file}\n`)
}

/**
 * The hits of a sequence of token indices replayed through the cache class alone, so
 * the measured run holds nothing but the verifier (and this cache is garbage by then).
 */
function countHits(sequence: Uint32Array, max: number): number {
  const replay = new TokenCache<object>(max)
  let hits = 0
  for (const index of sequence) {
    if (replay.get(String(index)) === undefined) replay.set(String(index), {})
    else hits++
  }
  return hits
}

/**
 * 1,000,000 verifications over 100,000 distinct tokens through a cache of 10,000:
 * the heap after a full GC must level off at the cache's size, not grow with traffic.
 * Indices are skewed (a few users send most requests), so the cache both hits and evicts.
 */
function memory(): void {
  out.log(
    `\n## Cache memory: ${fmtInt(MEMORY_OPS)} verifications, 100,000 distinct tokens, cache {max:10000}\n`,
  )
  if (gc === undefined) {
    out.log('(run with node --expose-gc for heap figures)')
    return
  }
  const sequence = new Uint32Array(MEMORY_OPS)
  let seed = 0x2545f491
  for (let i = 0; i < MEMORY_OPS; i++) {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    // Cubing a uniform number: most traffic from few users, a long tail from the rest.
    sequence[i] = Math.floor(100_000 * ((seed >>> 0) / 2 ** 32) ** 3)
  }
  const hits = countHits(sequence, 10_000)

  const headers = asAuthorization(makeTokens(100_000))
  const verify = perRequest(createVerifier(SECRET, { cache: { max: 10_000 } }))
  const heap = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1)
  const before = heap()
  const rows: string[][] = [['0', mib(before), '—']]
  const checkpoint = Math.ceil(MEMORY_OPS / 4)
  const start = process.hrtime.bigint()
  for (let i = 0; i < MEMORY_OPS; i++) {
    verify(headers[sequence[i] as number] as string)
    if ((i + 1) % checkpoint === 0 || i + 1 === MEMORY_OPS) {
      const used = heap()
      rows.push([fmtInt(i + 1), mib(used), `+${mib(used - before)}`])
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  out.table('cacheMemory', ['verifications', 'heap MiB (after GC)', 'Δ from empty cache'], rows)
  out.log(
    `\n${((100 * hits) / MEMORY_OPS).toFixed(1)}% hits; ${fmtInt(MEMORY_OPS / seconds)} verifications/s including the GCs above.`,
  )
}

/**
 * Cached payloads are deeply frozen once, when stored. The alternative is a copy on
 * every hit, so no caller can change what the next one gets; measure both on hits.
 */
function freezeOrCopy(tokens: readonly string[]): void {
  const hot = asAuthorization(tokens.slice(0, 1000))
  const cached = createVerifier(SECRET, { cache: { max: 10_000 } })
  const uncached = createVerifier(SECRET)
  const missTokens = asAuthorization(makeTokens(30_000))
  const missing = createVerifier(SECRET, { cache: { max: 10_000 } })
  const onHits: Candidate[] = [
    { name: 'hit, frozen once (what ships)', sync: cached },
    { name: 'hit + structuredClone per hit', sync: (t) => structuredClone(cached(t)) },
    {
      name: 'hit + JSON re-parse per hit',
      sync: (t) => JSON.parse(JSON.stringify(cached(t))) as unknown,
    },
    { name: 'no cache (full verify)', sync: uncached },
  ]
  const candidates = onHits.map(fromRequest)
  const msOf = (ops: number) => `${(1e9 / ops).toFixed(0)} ns`
  const rowsOf = (list: readonly Candidate[], inputs: readonly string[]) =>
    list.map((c) => {
      const samples = Array.from({ length: ROUNDS }, () => {
        gc?.()
        const slice = 'sync' in c ? measureSync(c.sync, inputs, MS / 2) : undefined
        return slice === undefined ? 0 : slice.ops / slice.seconds
      })
      return [c.name, fmtInt(median(samples)), msOf(median(samples))]
    })
  out.log('\n## Cached payloads: freeze once vs copy per hit\n')
  const rows = rowsOf(candidates, hot)
  // Every token misses (30,000 in rotation, 10,000 kept): verify + freeze + insert + evict.
  rows.push(
    ...rowsOf(
      [fromRequest({ name: 'miss: verify + deep freeze + insert + evict', sync: missing })],
      missTokens,
    ),
  )
  out.table('cachedPayloads', ['cache path', 'median ops/s', 'per op'], rows)
  out.log(`\n(median of ${ROUNDS} samples each)`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
