import {
  ASYMMETRIC,
  isAsymmetricAlgorithm,
  readAlgorithm,
  type Algorithm,
  type HmacAlgorithm,
} from '../core/algorithms'
import { remoteKeySet, type RemoteKeySet } from '../keys/remote'
import { SECRET_BYTES } from '../keys/secret'
import type { KeySource } from '../keys/source'
import { orList, UsageError } from './args'
import type { CliIo } from './io'
import { keyFileAlgorithm, readKeyFile } from './key-file'
import { readSecret, secretCommand } from './secret-source'

/**
 * The options that say where the key comes from; at most one of them at a time. With
 * none, the HMAC secret is read from the environment variable JWT_SECRET.
 */
export const KEY_OPTIONS = {
  'secret-env': { type: 'string' },
  'secret-file': { type: 'string' },
  'key-file': { type: 'string' },
  jwks: { type: 'string' },
} as const

/** The key options as parsed. */
export type KeyFlags = { readonly [K in keyof typeof KEY_OPTIONS]?: string | undefined }

const KEY_FLAGS = Object.keys(KEY_OPTIONS) as (keyof KeyFlags)[]

/** The help lines of the secret options, which `sign` and `verify` share. */
export const SECRET_HELP_LINES = `  --secret-env NAME   an HMAC secret: the environment variable NAME
  --secret-file PATH  an HMAC secret: a file's bytes, less one trailing newline
`

/** Where the text of an option's help starts. */
const HELP_INDENT = ' '.repeat(22)
const PUBLIC_KEY_NAMES = Object.keys(ASYMMETRIC)

/** The public-key algorithms, as two lines of an option's help. */
export const PUBLIC_KEY_ALGORITHMS = `${HELP_INDENT}${PUBLIC_KEY_NAMES.slice(0, 6).join(', ')},
${HELP_INDENT}${orList(PUBLIC_KEY_NAMES.slice(6))}
`

/** What the secret options imply, said once for `sign` and `verify`. */
export const SECRET_NOTE = `An HMAC secret needs at least as many bytes as its hash: ${SECRET_BYTES.minimum.HS256} for HS256, ${SECRET_BYTES.minimum.HS384} for
HS384, ${SECRET_BYTES.minimum.HS512} for HS512 (${secretCommand('HS512')} makes one for HS512). It is
never taken as an argument: it would show in ps and in shell history.
`

/** The one option that names the key, or `undefined` for the default (JWT_SECRET). */
function keyFlag(
  flags: KeyFlags,
  accepted: readonly (keyof KeyFlags)[],
): keyof KeyFlags | undefined {
  const given = KEY_FLAGS.filter((name) => flags[name] !== undefined)
  if (given.length > 1) {
    throw new UsageError(
      `one key at a time, but ${orList(
        given.map((name) => `--${name}`),
        'and',
      )} were given; use only one of ${orList(accepted.map((name) => `--${name}`))}`,
    )
  }
  return given[0]
}

/** The `--alg` values, as the library checks them (it refuses `none` and unknown names). */
function readAlgorithms(values: readonly string[]): Algorithm[] {
  return values.map((value) => readAlgorithm(value, '--alg'))
}

/** Of HMAC algorithms, the one that needs the longest secret: the one the hint is for. */
function longestSecret(algorithms: readonly HmacAlgorithm[]): HmacAlgorithm {
  return algorithms.reduce((a, b) => (SECRET_BYTES.minimum[b] > SECRET_BYTES.minimum[a] ? b : a))
}

/** What `sign` signs with: the key as the library takes it, and its algorithm. */
export interface SigningSetup {
  readonly key: KeySource
  readonly algorithm: Algorithm
}

/**
 * The key and algorithm to sign with: a secret (HS256 unless `--alg` says HS384 or
 * HS512), or the private key in `--key-file` with the algorithm it is for.
 */
export async function signingKey(
  flags: KeyFlags,
  alg: string | undefined,
  io: CliIo,
): Promise<SigningSetup> {
  const algorithms = readAlgorithms(alg === undefined ? [] : [alg])
  if (flags.jwks !== undefined) {
    throw new UsageError(
      '--jwks is for verify: a JWK Set holds public keys, and signing needs the private key; pass it with --key-file PATH',
    )
  }
  if (keyFlag(flags, ['secret-env', 'secret-file', 'key-file']) === 'key-file') {
    const key = await readKeyFile(flags['key-file'] as string, io)
    return { key, algorithm: keyFileAlgorithm(key, algorithms, 'sign') }
  }
  const algorithm = algorithms[0] ?? 'HS256'
  if (isAsymmetricAlgorithm(algorithm)) {
    throw new UsageError(
      `${algorithm} signs with a private key, not a secret: pass the key with --key-file PATH`,
    )
  }
  return { key: await readSecret(flags, io, algorithm), algorithm }
}

/** What `verify` verifies with: the key or JWK Set, and the algorithms to accept. */
export interface VerificationSetup {
  readonly key: KeySource | RemoteKeySet
  /** `undefined`: the library's default (HS256 for a secret, every public-key one for a set). */
  readonly algorithms: Algorithm[] | undefined
}

/**
 * The key and algorithms to verify with: a secret (HS256 unless `--alg` names
 * others), the public key in `--key-file` with the one algorithm it is for, or the
 * JWK Set at `--jwks`, whose keys are bound by their own `alg` or by `--alg`.
 */
export async function verificationKey(
  flags: KeyFlags,
  alg: readonly string[] | undefined,
  io: CliIo,
): Promise<VerificationSetup> {
  const algorithms = alg === undefined ? undefined : readAlgorithms(alg)
  const flag = keyFlag(flags, KEY_FLAGS)
  // The library enforces https: (or loopback http:) and refuses HMAC algorithms here.
  if (flag === 'jwks') return { key: remoteKeySet(flags.jwks as string), algorithms }
  if (flag === 'key-file') {
    const key = await readKeyFile(flags['key-file'] as string, io)
    return { key, algorithms: [keyFileAlgorithm(key, algorithms ?? [], 'verify')] }
  }
  const publicKeyAlgorithm = algorithms?.find(isAsymmetricAlgorithm)
  if (publicKeyAlgorithm !== undefined) {
    throw new UsageError(
      `${publicKeyAlgorithm} verifies with a public key, not a secret: pass the key with --key-file PATH, or the issuer's JWK Set with --jwks URL`,
    )
  }
  const hmac = (algorithms ?? ['HS256']) as HmacAlgorithm[]
  return { key: await readSecret(flags, io, longestSecret(hmac)), algorithms }
}
