/**
 * `npm run bench:compare -- <dist folder of another build>`: this build against another
 * (an older commit, built into its own dist/), in one process, rounds alternating, for
 * the figures a refactor must not move: uncached HS256 verification and signing, each
 * divided by fast-jwt's in the same round. Build the other one with, for example:
 *
 *   git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci && npm run build)
 *   npm run bench:compare -- /tmp/before/dist
 *
 * Knobs: BENCH_ROUNDS (default 9), BENCH_MS per candidate per round (default 300),
 * BENCH_COMPARE_LABEL: how the results name the other build (default "another build"; the
 * results never print its folder, which names a path of the machine that ran them).
 */
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { createSigner as createFastSigner, createVerifier as createFastVerifier } from 'fast-jwt'
import {
  asAuthorization,
  BenchReport,
  envNumber,
  fmtInt,
  fmtRatio,
  loadNote,
  machineNote,
  makeTokens,
  measureSync,
  median,
  perRequest,
  SECRET,
} from './harness'

const ROUNDS = envNumber('BENCH_ROUNDS', 9)
const MS = envNumber('BENCH_MS', 300)

/** The part of a build's public API the comparison needs; createSigner is new. */
interface Build {
  createVerifier(secret: string): (token: string) => unknown
  signToken(payload: object, secret: string, options: object): string
  createSigner?: (secret: string, options: object) => (payload: object) => string
}

/** One thing to time: a function and the inputs it cycles through. */
interface Candidate {
  name: string
  run: (input: never) => unknown
  inputs: readonly never[]
}

function main(): void {
  const otherDist = process.argv[2]
  if (otherDist === undefined)
    throw new Error('usage: bench:compare <dist folder of another build>')
  // Loaded by path at run time: the other build is wherever the caller put it.
  const load = createRequire(__filename)
  const before = load(resolve(otherDist, 'index.js')) as Build
  const after = load(resolve(__dirname, '..', '..', 'dist', 'index.js')) as Build
  const out = new BenchReport('compare')
  out.log(`# npm run bench:compare — ${machineNote()}, load average ${loadNote()}`)
  const label = process.env.BENCH_COMPARE_LABEL ?? 'another build'
  out.log(`${ROUNDS} rounds × ${MS} ms per candidate; other build: ${label}\n`)

  const headers = asAuthorization(makeTokens(10_000))
  const payloads = Array.from({ length: 1000 }, (_, i) => ({
    userId: 100_000 + i,
    userName: `user-${i}@example.com`,
    licensedFeatures: ['invoicing', 'reports', 'calendar'],
  }))
  const options = { expiresIn: '15m' }
  const fastVerify = createFastVerifier({ key: SECRET, algorithms: ['HS256'], cache: false })
  const fastSign = createFastSigner({ key: SECRET, algorithm: 'HS256', expiresIn: '15m' })
  const verifyOf = (build: Build) => perRequest(build.createVerifier(SECRET))
  const signers = (build: Build, label: string): Candidate[] => [
    {
      name: `${label} signToken`,
      run: (p: object) => build.signToken({ ...p }, SECRET, options),
      inputs: payloads as never[],
    },
    ...(build.createSigner === undefined
      ? []
      : [
          {
            name: `${label} createSigner`,
            run: (
              (sign: (p: object) => string) => (p: object) =>
                sign({ ...p })
            )(build.createSigner(SECRET, options)),
            inputs: payloads as never[],
          },
        ]),
  ]
  const candidates: Candidate[] = [
    { name: 'before createVerifier', run: verifyOf(before), inputs: headers as never[] },
    { name: 'after createVerifier', run: verifyOf(after), inputs: headers as never[] },
    { name: 'fast-jwt verify', run: perRequest(fastVerify), inputs: headers as never[] },
    ...signers(before, 'before'),
    ...signers(after, 'after'),
    { name: 'fast-jwt sign', run: (p: object) => fastSign({ ...p }), inputs: payloads as never[] },
  ]
  const gc = (globalThis as { gc?: () => void }).gc
  const rounds: Map<string, number>[] = []
  for (const c of candidates) measureSync(c.run, c.inputs, 200)
  for (let r = 0; r < ROUNDS; r++) {
    const round = new Map<string, number>()
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(i + r) % candidates.length] as Candidate
      gc?.()
      measureSync(c.run, c.inputs, 50)
      const slice = measureSync(c.run, c.inputs, MS)
      round.set(c.name, slice.ops / slice.seconds)
    }
    rounds.push(round)
    process.stderr.write(`  round ${r + 1}/${ROUNDS}\n`)
  }
  const ratio = (name: string, reference: string) =>
    median(rounds.map((round) => (round.get(name) as number) / (round.get(reference) as number)))
  const rows = candidates.map((c) => {
    const reference =
      c.name.includes('createVerifier') || c.name.includes('verify')
        ? 'fast-jwt verify'
        : 'fast-jwt sign'
    return [
      c.name,
      fmtInt(median(rounds.map((round) => round.get(c.name) as number))),
      fmtRatio(ratio(c.name, reference)),
    ]
  })
  out.table('compare', ['candidate', 'median ops/s', '÷ fast-jwt (median per round)'], rows)
  const changes: string[][] = [
    [
      'uncached verify',
      fmtRatio(ratio('before createVerifier', 'fast-jwt verify')),
      fmtRatio(ratio('after createVerifier', 'fast-jwt verify')),
      fmtRatio(ratio('after createVerifier', 'before createVerifier')),
    ],
    [
      'signToken',
      fmtRatio(ratio('before signToken', 'fast-jwt sign')),
      fmtRatio(ratio('after signToken', 'fast-jwt sign')),
      fmtRatio(ratio('after signToken', 'before signToken')),
    ],
  ]
  if (after.createSigner !== undefined) {
    changes.push([
      'sign, prepared (before: signToken; after: createSigner)',
      fmtRatio(ratio('before signToken', 'fast-jwt sign')),
      fmtRatio(ratio('after createSigner', 'fast-jwt sign')),
      fmtRatio(ratio('after createSigner', 'before signToken')),
    ])
  }
  out.log('\n## Before and after\n')
  out.table(
    'change',
    ['figure', 'before ÷ fast-jwt', 'after ÷ fast-jwt', 'after ÷ before'],
    changes,
  )
  out.log(`\nLoad average at the end: ${loadNote()}.`)
  for (const file of out.save()) process.stderr.write(`wrote ${file}\n`)
}

main()
