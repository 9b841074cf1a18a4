import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { Readable } from 'node:stream'
import { delimiter, dirname, join, resolve } from 'node:path'
import { decodeToken, generateSecret, signToken, verifyToken } from 'express-jwt-gate'
import type { VerifyOptions } from 'express-jwt-gate'
import * as source from '../../lib'
import { InvalidTokenError } from '../../lib/core/errors'
import type { CliIo } from '../../lib/cli/io'
import { report } from '../../lib/cli/report'
import { formatSpan } from '../../lib/cli/time'
import { packageVersion } from '../../lib/cli/version'
import pkg from '../../package.json'
import { createToken, LONG_SECRET, NOW, NOW_DATE, SECRET } from '../helpers/tokens'
import { decoded, expectUsageError, run, tokenOf } from './run'

const COMMANDS = ['secret', 'sign', 'verify', 'decode'] as const

/**
 * `jwt-gate sign` and the like without `npx ` in front (or `npx -p express-jwt-gate `):
 * after a local install the shell does not find it.
 */
const BARE_COMMAND =
  /(?<!npx |npx -p express-jwt-gate )\bjwt-gate (?:secret|sign|verify|decode|help|<command>|--)/g
const at: VerifyOptions = { currentDate: NOW_DATE }

/** An io for calling a CLI module directly; each test replaces what it reads. */
const ioStub: CliIo = {
  stdin: Readable.from([]),
  stdout: { write: () => true },
  stderr: { write: () => true },
  env: {},
}

describe('jwt-gate (in-process)', () => {
  describe('top level', () => {
    test('with no command, prints the usage on stderr and exits 2', async () => {
      const result = await run([])
      expect(result.code).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/^Usage: npx jwt-gate <command>/)
    })

    test.each([['--help'], ['-h'], ['help'], ['help', '--help']])(
      '%s lists every command and the exit codes on stdout',
      async (...argv) => {
        const result = await run(argv)
        expect(result).toMatchObject({ code: 0, stderr: '' })
        for (const command of COMMANDS)
          expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'))
        expect(result.stdout).toContain('Exit codes:\n  0  success\n  1  the token was refused')
      },
    )

    test('help COMMAND prints that command’s help', async () => {
      const result = await run(['help', 'verify'])
      expect(result).toMatchObject({ code: 0, stderr: '' })
      expect(result.stdout).toMatch(/^Usage: npx jwt-gate verify /)
    })

    test('help with an unknown command or two names is a usage error', async () => {
      expectUsageError(await run(['help', 'sing']), 'unknown command "sing"; did you mean sign?')
      expectUsageError(await run(['help', 'sign', 'verify']), 'help takes one command name')
    })

    test('an unknown command is a usage error that suggests the closest one', async () => {
      const result = await run(['verfy'])
      expectUsageError(result, 'error: unknown command "verfy"; did you mean verify?\n')
      expect(result.stderr).toContain('Run "npx jwt-gate --help" for usage.')
      expect((await run(['frobnicate'])).stderr).toBe(
        'error: unknown command "frobnicate"\nRun "npx jwt-gate --help" for usage.\n',
      )
    })

    test('an unknown option before the command suggests --help or --version', async () => {
      expectUsageError(await run(['--hlp']), 'unknown option --hlp; did you mean --help?')
      expectUsageError(
        await run(['--verison']),
        'unknown option --verison; did you mean --version?',
      )
      expectUsageError(await run(['--secret']), 'error: unknown option --secret\n')
    })

    test.each(['--version', '-V'])(
      '%s prints the version in package.json, and nothing else',
      async (flag) => {
        // No environment at all: the version needs no secret.
        expect(await run([flag], { env: {} })).toEqual({
          code: 0,
          stdout: `${pkg.version}\n`,
          stderr: '',
        })
      },
    )

    test('a token given in place of the command is not echoed back', async () => {
      const token = createToken()
      const result = await run([token])
      expectUsageError(result, 'looks like a token; to read it: npx jwt-gate decode -')
      expect(result.stderr).not.toContain(token.slice(0, 20))
    })

    test('the CLI is not part of the library’s exports', () => {
      expect(Object.keys(source)).not.toContain('runCli')
    })
  })

  describe.each(COMMANDS)('%s --help', (command) => {
    test.each(['--help', '-h'])(
      '%s prints usage and exit codes on stdout, exit 0',
      async (flag) => {
        // No JWT_SECRET: help must not need one.
        const result = await run([command, flag], { env: {} })
        expect(result).toMatchObject({ code: 0, stderr: '' })
        expect(result.stdout).toMatch(new RegExp(`^Usage: npx jwt-gate ${command}`))
        expect(result.stdout).toContain('Exit codes:')
        expect(result.stdout).toContain('-h, --help')
      },
    )

    test('an unknown option points to the command’s help', async () => {
      const result = await run([command, '--bogus'])
      expectUsageError(result, `error: unknown option --bogus for jwt-gate ${command}\n`)
      expect(result.stderr).toContain(`Run "npx jwt-gate ${command} --help" for usage.`)
    })

    test('a value given to --help is refused', async () => {
      expectUsageError(await run([command, '--help=yes']), 'does not take an argument')
    })
  })

  describe('secret', () => {
    test('prints 32 random bytes as base64url, a new one each time', async () => {
      const first = await run(['secret'])
      expect(first).toMatchObject({ code: 0, stderr: '' })
      expect(first.stdout).toMatch(/^[\w-]{43}\n$/)
      expect(Buffer.from(first.stdout.trim(), 'base64url')).toHaveLength(32)
      expect((await run(['secret'])).stdout).not.toBe(first.stdout)
    })

    test.each([
      ['48', 64],
      ['32', 43],
      ['1024', 1366],
    ])('--bytes %s gives %d characters', async (bytes, length) => {
      const result = await run(['secret', '--bytes', bytes])
      expect(result.code).toBe(0)
      expect(result.stdout.trim()).toHaveLength(length)
    })

    test('a 48-byte secret is long enough for HS512', async () => {
      const key = (await run(['secret', '--bytes=48'])).stdout.trim()
      const token = tokenOf(
        await run(['sign', '--alg', 'HS512', '{}'], { env: { JWT_SECRET: key } }),
      )
      expect(decodeToken(token).header.alg).toBe('HS512')
    })

    test.each(['31', '1025', 'abc', '32.5', '', '-1', '99999'])(
      '--bytes=%s is refused',
      async (bytes) => {
        expectUsageError(
          await run(['secret', `--bytes=${bytes}`]),
          '--bytes must be a whole number from 32 to 1024',
        )
      },
    )

    test('--bytes without a value, or an argument, is refused', async () => {
      expectUsageError(
        await run(['secret', '--bytes']),
        "Option '--bytes <value>' argument missing",
      )
      expectUsageError(await run(['secret', 'extra']), 'jwt-gate secret takes no arguments')
    })
  })

  describe('sign', () => {
    test('signs the payload argument with JWT_SECRET: HS256, iat now, exp in 15 minutes', async () => {
      const token = tokenOf(await run(['sign', '{"sub":"alice","features":["todos"]}']))
      expect(decodeToken(token).header).toEqual({ alg: 'HS256', typ: 'JWT' })
      expect(verifyToken(token, SECRET, at)).toEqual({
        sub: 'alice',
        features: ['todos'],
        iat: NOW,
        exp: NOW + 900,
      })
    })

    test.each([
      ['"-"', ['-']],
      ['no argument', []],
    ])('reads the payload from stdin with %s', async (_name, rest) => {
      const token = tokenOf(await run(['sign', ...rest], { stdin: '  {"sub":"bob"}\n' }))
      expect(verifyToken(token, SECRET, at).sub).toBe('bob')
    })

    test('with no argument and a terminal on stdin, says so rather than wait', async () => {
      expectUsageError(
        await run(['sign'], { tty: true }),
        'no payload: pass it as an argument, or pipe it in',
      )
    })

    test('reads an explicit "-" even from a terminal', async () => {
      const token = tokenOf(await run(['sign', '-'], { tty: true, stdin: '{"a":1}' }))
      expect(verifyToken(token, SECRET, at).a).toBe(1)
    })

    test.each([
      ['1h', NOW + 3600],
      ['90', NOW + 90],
      ['7d', NOW + 7 * 86400],
    ])('--expires-in %s sets exp', async (value, exp) => {
      const token = tokenOf(await run(['sign', '--expires-in', value, '{}']))
      expect(decodeToken(token).payload.exp).toBe(exp)
    })

    test.each(['15x', '1.5h', '-5m', 'never', 'none', ''])(
      '--expires-in=%s is refused',
      async (value) => {
        expectUsageError(
          await run(['sign', `--expires-in=${value}`, '{}']),
          '--expires-in must be seconds, or a number with a unit s, m, h, d or w',
        )
      },
    )

    test('keeps the payload’s own exp, but refuses it beside --expires-in', async () => {
      const token = tokenOf(await run(['sign', `{"exp":${NOW + 60}}`]))
      expect(decodeToken(token).payload.exp).toBe(NOW + 60)
      const both = await run(['sign', '--expires-in', '1h', `{"exp":${NOW + 60}}`])
      expect(both.code).toBe(2)
      expect(both.stderr).toContain('claim exp is given both in the payload and as the expiresIn')
    })

    test('cannot make a token that never expires', async () => {
      const result = await run(['sign', '{"exp":null}'])
      expect(result).toMatchObject({ code: 2, stdout: '' })
      expect(result.stderr).toBe(
        'error: express-jwt-gate: payload.exp must be a finite number of seconds since the epoch\n',
      )
    })

    test('--alg HS512 and --kid set the header', async () => {
      const token = tokenOf(
        await run(['sign', '--alg', 'HS512', '--kid', 'k2', '{}'], {
          env: { JWT_SECRET: LONG_SECRET },
        }),
      )
      expect(decodeToken(token).header).toEqual({ alg: 'HS512', typ: 'JWT', kid: 'k2' })
      expect(verifyToken(token, LONG_SECRET, { ...at, algorithms: ['HS512'] })).toEqual({
        iat: NOW,
        exp: NOW + 900,
      })
    })

    test('a secret too short for the algorithm is a setup error (exit 2) with a hint', async () => {
      const result = await run(['sign', '--alg', 'HS512', '{}'])
      expect(result).toMatchObject({ code: 2, stdout: '' })
      expect(result.stderr).toBe(
        'error: express-jwt-gate: secret must be at least 64 bytes for HS512 (got 43); make one with generateSecret(64) or `npx jwt-gate secret --bytes 64`\n',
      )
    })

    test.each([
      [
        'none',
        "error: express-jwt-gate: algorithm 'none' is never accepted: an unsigned token proves nothing\n",
      ],
      [
        'hs256',
        'error: express-jwt-gate: unsupported algorithm "hs256"; use one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA\n',
      ],
    ])('--alg %s is refused by the library', async (alg, message) => {
      expect(await run(['sign', '--alg', alg, '{}'])).toEqual({
        code: 2,
        stdout: '',
        stderr: message,
      })
    })

    test('a public-key --alg with a secret says to pass the private key', async () => {
      expectUsageError(
        await run(['sign', '--alg', 'RS256', '{}']),
        'error: RS256 signs with a private key, not a secret: pass the key with --key-file PATH\n',
      )
    })

    test('an empty --kid is refused by the library', async () => {
      const result = await run(['sign', '--kid=', '{}'])
      expect(result).toMatchObject({ code: 2, stdout: '' })
      expect(result.stderr).toContain('keyId must be a non-empty string')
    })

    test.each([
      ['{"sub":', /^error: payload is not valid JSON \(.+\)\n/],
      ['[1,2]', 'payload must be a JSON object'],
      ['null', 'payload must be a JSON object'],
      ['"alice"', 'payload must be a JSON object'],
    ])('refuses the payload %s', async (payload, message) => {
      expectUsageError(await run(['sign', payload]), message)
    })

    test('refuses an empty payload on stdin, and more than one argument', async () => {
      expectUsageError(await run(['sign', '-'], { stdin: ' \n' }), 'payload is empty')
      expectUsageError(
        await run(['sign', '{}', '{}']),
        'expected at most one PAYLOAD_JSON argument, got 2',
      )
    })

    test('refuses more than 1 MiB on stdin', async () => {
      expectUsageError(
        await run(['sign', '-'], { stdin: ' '.repeat((1 << 20) + 1) }),
        'payload on stdin is larger than 1 MiB',
      )
    })

    test('suggests the option meant by a typo', async () => {
      expectUsageError(
        await run(['sign', '--expire-in', '5m', '{}']),
        'unknown option --expire-in for jwt-gate sign; did you mean --expires-in?',
      )
      expectUsageError(await run(['sign', '--exp', '5m', '{}']), 'did you mean --expires-in?')
    })

    test('an option that needs a value, given none, is refused', async () => {
      expectUsageError(
        await run(['sign', '{}', '--kid']),
        "Option '--kid <value>' argument missing",
      )
    })
  })

  describe('the secret', () => {
    test('is never taken as an argument, and never echoed', async () => {
      for (const argv of [
        ['sign', '--secret', 'hunter2-hunter2', '{}'],
        ['verify', '--secret=hunter2-hunter2', 'x.y.z'],
      ]) {
        const result = await run(argv)
        expectUsageError(result, 'the secret is never taken as an argument')
        expect(result.stderr).toContain('use --secret-env NAME or --secret-file PATH')
        expect(result.stderr).not.toContain('hunter2')
      }
    })

    test('--secret-env names the variable to read', async () => {
      const token = tokenOf(
        await run(['sign', '--secret-env', 'MY_KEY', '{}'], { env: { MY_KEY: LONG_SECRET } }),
      )
      expect(verifyToken(token, LONG_SECRET, at).exp).toBe(NOW + 900)
    })

    test.each([
      ['unset', {}],
      ['empty', { JWT_SECRET: '' }],
    ])('JWT_SECRET %s is a usage error that says how to make one', async (_name, env) => {
      expectUsageError(
        await run(['sign', '{}'], { env }),
        'error: environment variable JWT_SECRET is not set; put the secret in it (make one with: npx jwt-gate secret), or use --secret-env NAME, --secret-file PATH or, for a public-key algorithm, --key-file PATH\n',
      )
    })

    test('a missing --secret-env variable is reported without repeating its name', async () => {
      expectUsageError(
        await run(['verify', '--secret-env', 'NOPE', 'x.y.z']),
        'error: the environment variable --secret-env names is not set; pass the NAME of the variable (--secret-env JWT_SECRET), never the secret itself\n',
      )
      expectUsageError(
        await run(['verify', '--secret-env=', 'x.y.z']),
        '--secret-env needs the name',
      )
    })

    test('--secret-env and --secret-file together are refused', async () => {
      const readFile = jest.fn(() => Promise.resolve(SECRET))
      expectUsageError(
        await run(['sign', '--secret-env', 'JWT_SECRET', '--secret-file', 'k', '{}'], { readFile }),
        'error: one key at a time, but --secret-env and --secret-file were given; use only one of --secret-env, --secret-file or --key-file\n',
      )
    })

    test.each([
      ['a trailing \\n', `${SECRET}\n`, SECRET],
      ['a trailing \\r\\n', `${SECRET}\r\n`, SECRET],
      ['no trailing newline', SECRET, SECRET],
      ['two trailing newlines: only one', `${SECRET}\n\n`, `${SECRET}\n`],
      ['a newline inside', `${SECRET}\nmore`, `${SECRET}\nmore`],
    ])('--secret-file with %s: the bytes, less one newline', async (_name, contents, key) => {
      const readFile = jest.fn((_path: string) => Promise.resolve(Buffer.from(contents)))
      const token = tokenOf(await run(['sign', '--secret-file', '/keys/jwt', '{}'], { readFile }))
      expect(readFile).toHaveBeenCalledWith('/keys/jwt')
      expect(verifyToken(token, key, at).iat).toBe(NOW)
    })

    test('a secret file is read as bytes, not text', async () => {
      const key = Buffer.from(Array.from({ length: 40 }, (_, i) => 0x80 + i))
      const readFile = () => Promise.resolve(key)
      const token = tokenOf(await run(['sign', '--secret-file', 'k', '{}'], { readFile }))
      expect(verifyToken(token, key, at).iat).toBe(NOW)
    })

    test.each([[''], ['\n'], ['\r\n']])(
      'a secret file holding only %j is empty',
      async (contents) => {
        const readFile = () => Promise.resolve(contents)
        expectUsageError(
          await run(['sign', '--secret-file', 'k', '{}'], { readFile }),
          'error: the file --secret-file names is empty\n',
        )
      },
    )

    test('reads a real file by default, and names the reason it cannot', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'jwt-gate-cli-'))
      try {
        const file = join(dir, 'jwt.key')
        writeFileSync(file, `${LONG_SECRET}\n`)
        const token = tokenOf(await run(['sign', '--secret-file', file, '{}'], { env: {} }))
        expect(verifyToken(token, LONG_SECRET, at).iat).toBe(NOW)
        expectUsageError(
          await run(['sign', '--secret-file', join(dir, 'missing'), '{}']),
          'error: cannot read the file --secret-file names (ENOENT)\n',
        )
        expectUsageError(
          await run(['sign', '--secret-file', dir, '{}']),
          'error: cannot read the file --secret-file names (EISDIR)\n',
        )
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })

    test('an error without a code is reported without its message, which may quote the path', async () => {
      const readFile = (path: string) => Promise.reject(new Error(`vault sealed: ${path}`))
      const result = await run(['verify', '--secret-file', 'k', 'x.y.z'], { readFile })
      expectUsageError(result, 'error: cannot read the file --secret-file names (unreadable)\n')
      expect(result.stderr).not.toContain('vault')
    })

    test('a secret passed where a variable name or a path belongs is never repeated', async () => {
      const secret = generateSecret()
      for (const args of [
        ['--secret-env', secret],
        ['--secret-env', `$${secret}`],
        ['--secret-file', secret],
      ]) {
        for (const command of [
          ['verify', ...args, 'x.y.z'],
          ['sign', ...args, '{}'],
        ]) {
          const result = await run(command, { env: {} })
          expect(result.code).toBe(2)
          expect(result.stdout).toBe('')
          expect(result.stderr).not.toContain(secret)
          expect(result.stderr).not.toContain(secret.slice(0, 12))
        }
      }
    })

    test('a PEM key is refused as a secret', async () => {
      const pem = `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(64)}\n-----END PUBLIC KEY-----`
      const result = await run(['sign', '{}'], { env: { JWT_SECRET: pem } })
      expect(result).toMatchObject({ code: 2, stdout: '' })
      expect(result.stderr).toBe(
        "error: express-jwt-gate: secret looks like a PEM key; an HMAC secret must be random bytes (use generateSecret() or `npx jwt-gate secret`), never a public or private key: to verify RS*, PS*, ES* or EdDSA tokens with it, name its algorithm (algorithms: ['ES256'], or alg in a key ring entry)\n",
      )
    })
  })

  describe('verify', () => {
    const token = createToken({
      payload: { sub: 'alice', aud: 'api', iss: 'auth', iat: NOW, exp: NOW + 600 },
    })

    test('prints the verified payload as JSON and exits 0', async () => {
      const result = await run(['verify', token])
      expect(result).toMatchObject({ code: 0, stderr: '' })
      expect(result.stdout).toBe(
        `${JSON.stringify({ sub: 'alice', aud: 'api', iss: 'auth', iat: NOW, exp: NOW + 600 }, null, 2)}\n`,
      )
    })

    test.each([
      ['"-"', ['-']],
      ['no argument', []],
    ])('reads the token from stdin with %s, ignoring the newline', async (_name, rest) => {
      const result = await run(['verify', ...rest], { stdin: `${token}\n` })
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ sub: 'alice' })
    })

    test('verifies what sign made', async () => {
      const signed = tokenOf(await run(['sign', '{"userId":1001}']))
      expect(JSON.parse((await run(['verify', signed])).stdout)).toEqual({
        userId: 1001,
        iat: NOW,
        exp: NOW + 900,
      })
    })

    // A rewritten payload keeps the old signature: the seed's attack.
    const [h, , s] = token.split('.') as [string, string, string]
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', exp: NOW + 600 })).toString('base64url')}.${s}`

    test.each([
      ['a tampered payload', forged, [], 'signature_invalid: signature invalid'],
      [
        'another secret',
        createToken({ secret: LONG_SECRET }),
        [],
        'signature_invalid: signature invalid',
      ],
      [
        'an expired token',
        createToken({ payload: { iat: NOW - 900, exp: NOW - 1 } }),
        [],
        'token_expired: token expired',
      ],
      [
        'a token with no exp',
        createToken({ payload: { sub: 'a' } }),
        [],
        'claim_missing: exp claim is required',
      ],
      ['garbage', 'not-a-token', [], 'token_malformed: token is not three base64url segments'],
      ['another audience', token, ['--audience', 'web'], 'claim_invalid: aud claim does not match'],
      ['another issuer', token, ['--issuer', 'evil'], 'claim_invalid: iss claim does not match'],
      [
        'an HS512 token by default',
        createToken({ header: { alg: 'HS512' }, secret: SECRET, signWith: 'HS512' }),
        [],
        'algorithm_not_allowed: algorithm not allowed',
      ],
    ])(
      'refuses %s: exit 1, the code and message, never the token',
      async (_name, bad, options, message) => {
        const result = await run(['verify', ...options, bad])
        expect(result).toEqual({ code: 1, stdout: '', stderr: `error: ${message}\n` })
      },
    )

    test('refused tokens from stdin are not echoed either', async () => {
      const result = await run(['verify'], { stdin: forged })
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: signature_invalid: signature invalid\n',
      })
    })

    test('--audience and --issuer accept any of several', async () => {
      const argv = [
        'verify',
        '--audience',
        'web',
        '--audience',
        'api',
        '--issuer',
        'x',
        '--issuer',
        'auth',
      ]
      expect((await run([...argv, token])).code).toBe(0)
    })

    test('--alg HS512 accepts HS512 tokens and then refuses HS256 ones', async () => {
      const hs512 = createToken({
        header: { alg: 'HS512' },
        secret: LONG_SECRET,
        signWith: 'HS512',
      })
      const env = { JWT_SECRET: LONG_SECRET }
      expect((await run(['verify', '--alg', 'HS512', hs512], { env })).code).toBe(0)
      const hs256 = createToken({ secret: LONG_SECRET })
      expect((await run(['verify', '--alg', 'HS512', hs256], { env })).stderr).toBe(
        'error: algorithm_not_allowed: algorithm not allowed\n',
      )
      expect((await run(['verify', '--alg', 'HS256', '--alg', 'HS512', hs256], { env })).code).toBe(
        0,
      )
    })

    test('--alg none is a setup error, before the token is looked at', async () => {
      const result = await run(['verify', '--alg', 'none', token])
      expect(result).toMatchObject({ code: 2, stdout: '' })
      expect(result.stderr).toContain("algorithm 'none' is never accepted")
    })

    test('a public-key --alg with a secret says where the public key goes', async () => {
      for (const algs of [['ES256'], ['HS256', 'ES256']]) {
        expectUsageError(
          await run(['verify', ...algs.flatMap((alg) => ['--alg', alg]), token]),
          "error: ES256 verifies with a public key, not a secret: pass the key with --key-file PATH, or the issuer's JWK Set with --jwks URL\n",
        )
      }
    })

    test('a short secret is a setup error (2), not a refused token (1)', async () => {
      const result = await run(['verify', token], { env: { JWT_SECRET: 'short' } })
      expect(result).toMatchObject({ code: 2, stdout: '' })
      expect(result.stderr).toContain('secret must be at least 32 bytes for HS256 (got 5)')
    })

    test('with no secret, the token is not read at all', async () => {
      expectUsageError(await run(['verify', token], { env: {} }), 'JWT_SECRET is not set')
    })

    test('refuses a missing, empty or second token without quoting either', async () => {
      expectUsageError(
        await run(['verify'], { tty: true }),
        'no token: pass it as an argument, or pipe it in',
      )
      expectUsageError(await run(['verify', '-'], { stdin: '' }), 'token is empty')
      const result = await run(['verify', token, token])
      expectUsageError(result, 'expected at most one TOKEN argument, got 2')
      expect(result.stderr).not.toContain(token)
    })
  })

  describe('decode', () => {
    const WARNING =
      'warning: not verified: the signature was not checked, so anyone could have written this; use npx jwt-gate verify to check it\n'

    test('prints header, payload and times as JSON, and warns on stderr that nothing was verified', async () => {
      const token = createToken({
        header: { alg: 'HS256', typ: 'JWT', kid: 'k1' },
        payload: { sub: 'alice', iat: NOW - 60, nbf: NOW - 60, exp: NOW + 899 },
      })
      const result = await run(['decode', token])
      expect(result.code).toBe(0)
      expect(result.stderr).toBe(WARNING)
      expect(JSON.parse(result.stdout)).toEqual({
        header: { alg: 'HS256', typ: 'JWT', kid: 'k1' },
        payload: { sub: 'alice', iat: NOW - 60, nbf: NOW - 60, exp: NOW + 899 },
        times: {
          iat: '2027-01-15T07:59:00.000Z (issued 1m ago)',
          nbf: '2027-01-15T07:59:00.000Z (valid since 1m ago)',
          exp: '2027-01-15T08:14:59.000Z (expires in 14m 59s)',
        },
      })
    })

    test('decodes a token no secret could verify, and needs no secret', async () => {
      const token = createToken({
        secret: 'not the secret, not even long enough',
        payload: { iat: NOW + 30, nbf: NOW + 3600, exp: NOW - 1000 },
      })
      const result = await run(['decode', token], { env: {} })
      expect(result.code).toBe(0)
      expect(decoded(result.stdout).times).toEqual({
        iat: '2027-01-15T08:00:30.000Z (issued in the future, 30s from now)',
        nbf: '2027-01-15T09:00:00.000Z (becomes valid in 1h)',
        exp: '2027-01-15T07:43:20.000Z (expired 16m 40s ago)',
      })
    })

    test('an exp of exactly now reads as expired, as verification treats it', async () => {
      const result = await run(['decode', createToken({ payload: { exp: NOW } })])
      expect(decoded(result.stdout).times.exp).toBe('2027-01-15T08:00:00.000Z (expired 0s ago)')
    })

    test('describes time claims that are not dates instead of failing', async () => {
      const token = createToken({ payload: { iat: 'yesterday', nbf: null, exp: 1e20 } })
      const result = await run(['decode', token])
      expect(result.code).toBe(0)
      expect(decoded(result.stdout).times).toEqual({
        iat: 'not a NumericDate (a number of seconds since 1970)',
        nbf: 'not a NumericDate (a number of seconds since 1970)',
        exp: '100000000000000000000 seconds: beyond the dates JavaScript can show',
      })
    })

    test('a token with no time claims has no times', async () => {
      const result = await run(['decode', createToken({ payload: { sub: 'x' } })])
      expect(JSON.parse(result.stdout)).toMatchObject({ payload: { sub: 'x' }, times: {} })
    })

    test('reads the token from stdin', async () => {
      const result = await run(['decode'], { stdin: `${createToken()}\n` })
      expect(result.code).toBe(0)
      expect(decoded(result.stdout).payload).toEqual({ sub: 'alice', iat: NOW, exp: NOW + 600 })
    })

    test('a token it cannot read: exit 1 with the code, and no warning or output', async () => {
      const result = await run(['decode', 'abc.def'])
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: token_malformed: token is not three base64url segments\n',
      })
    })

    test('refuses a second argument', async () => {
      expectUsageError(await run(['decode', 'a', 'b']), 'expected at most one TOKEN argument')
    })
  })

  test('without a clock in io, every command reads the system clock', async () => {
    const before = Math.floor(Date.now() / 1000)
    const token = tokenOf(await run(['sign', '{}'], { realClock: true }))
    const { iat, exp } = decodeToken(token).payload
    expect(iat).toBeGreaterThanOrEqual(before)
    expect(exp).toBe((iat as number) + 900)
    // A token that expired at NOW (2027) is still valid on the real clock until then.
    const old = createToken({ payload: { exp: NOW } })
    expect((await run(['verify', old], { realClock: true })).code).toBe(
      Date.now() < NOW * 1000 ? 0 : 1,
    )
    const times = decoded((await run(['decode', token], { realClock: true })).stdout).times
    expect(times.exp).toMatch(/\(expires in (14m 5\ds|15m)\)$/)
  })

  describe('unexpected failures', () => {
    test('exit 3 with the message, such as a closed stdout', async () => {
      const stdout = {
        write: () => {
          throw new Error('write EPIPE')
        },
      }
      const result = await run(['secret'], { stdout })
      expect(result).toMatchObject({ code: 3, stderr: 'error: write EPIPE\n' })
    })

    test('something thrown that is not an Error is still reported', async () => {
      const stdout = {
        write: () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
          throw 'closed'
        },
      }
      expect(await run(['secret'], { stdout })).toMatchObject({
        code: 3,
        stderr: 'error: closed\n',
      })
    })
  })
})

describe('help texts', () => {
  test.each<[string[]]>([[[]], ...COMMANDS.map((command): [string[]] => [[command]])])(
    'help %j spells every command with npx, as it runs after a local install',
    async (argv) => {
      const { stdout } = await run(['help', ...argv])
      expect(stdout.match(BARE_COMMAND)).toBeNull()
      expect(stdout).toMatch(/^Usage: npx jwt-gate /)
    },
  )

  test('the top-level help says where the command is and how to get it on the PATH', async () => {
    const { stdout } = await run(['--help'])
    expect(stdout).toContain('-V, --version  print the version of express-jwt-gate')
    expect(stdout).toContain('node_modules/.bin')
    expect(stdout).toContain('"npx -p express-jwt-gate jwt-gate"')
    expect(stdout).toContain('"npm install -g express-jwt-gate"')
  })

  test('size hints follow the algorithm, from the library’s table', async () => {
    const { stdout } = await run(['secret', '--help'])
    expect(stdout).toContain('32 for HS256, 48 for HS384, 64 for HS512')
    expect(stdout).toContain('npx jwt-gate secret --bytes 64 > jwt.key')
    for (const command of ['sign', 'verify']) {
      expect((await run([command, '--help'])).stdout).toContain(
        'An HMAC secret needs at least as many bytes as its hash: 32 for HS256, 48 for\nHS384, 64 for HS512 (npx jwt-gate secret --bytes 64 makes one for HS512).',
      )
    }
  })
})

describe('hints', () => {
  test.each([
    [['sign', '{}'], 'npx jwt-gate secret'],
    [['sign', '--alg', 'HS384', '{}'], 'npx jwt-gate secret --bytes 48'],
    [['sign', '--alg', 'HS512', '{}'], 'npx jwt-gate secret --bytes 64'],
    [['verify', '--alg', 'HS384', 'x.y.z'], 'npx jwt-gate secret --bytes 48'],
    [['verify', '--alg', 'HS512', '--alg', 'HS256', 'x.y.z'], 'npx jwt-gate secret --bytes 64'],
  ])('with no JWT_SECRET, %j says to make one with %s', async (argv, command) => {
    expectUsageError(
      await run(argv, { env: {} }),
      `error: environment variable JWT_SECRET is not set; put the secret in it (make one with: ${command}), or use`,
    )
  })

  test('a secret too short for HS384 gets the HS384 hint from the library', async () => {
    expect(await run(['sign', '--alg', 'HS384', '{}'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: express-jwt-gate: secret must be at least 48 bytes for HS384 (got 43); make one with generateSecret(48) or `npx jwt-gate secret --bytes 48`\n',
    })
  })

  describe('a token with its Bearer prefix', () => {
    const token = createToken()
    const HINT =
      'error: the token starts with "Bearer ", the scheme of the Authorization header: drop the "Bearer " prefix and pass the token alone\n'

    test.each([
      ['as one argument', ['verify', `Bearer ${token}`], undefined],
      ['in lower case', ['verify', `bearer ${token}`], undefined],
      ['as two arguments', ['verify', 'Bearer', token], undefined],
      ['on stdin', ['verify', '-'], `Bearer ${token}\n`],
      ['as a whole header', ['verify'], `Authorization: Bearer ${token}\n`],
      ['to decode', ['decode', `Bearer ${token}`], undefined],
    ])('%s is refused with a hint, and not echoed', async (_name, argv, stdin) => {
      const result = await run(argv, stdin === undefined ? {} : { stdin })
      expectUsageError(result, HINT)
      for (const part of token.split('.')) expect(result.stderr).not.toContain(part)
    })

    test('a token that merely contains "Bearer" is just a bad token', async () => {
      // No space after it: a header segment that starts "Bearer", not a prefix.
      expect(await run(['verify', `Bearer${token}`])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: token_malformed: token segment is not canonical base64url\n',
      })
    })
  })

  describe('a token that is expired when made', () => {
    test.each(['0', '0s', '0m', '0d'])('--expires-in %s is refused', async (value) => {
      expectUsageError(
        await run(['sign', '--expires-in', value, '{}']),
        'error: --expires-in must be more than 0: a token that lives 0 seconds is expired when it is made\n',
      )
    })

    test.each([
      ['exactly now', NOW],
      ['in the past', NOW - 60],
    ])('a payload exp %s is signed as given, with a warning', async (_name, exp) => {
      const result = await run(['sign', JSON.stringify({ exp })])
      expect(result.code).toBe(0)
      expect(result.stderr).toBe(
        "warning: the payload's exp is not after now: this token is already expired\n",
      )
      expect(decodeToken(result.stdout.trim()).payload.exp).toBe(exp)
    })

    test('a payload exp one second ahead gets no warning', async () => {
      tokenOf(await run(['sign', JSON.stringify({ exp: NOW + 1 })]))
    })
  })
})

describe('what reaches the terminal', () => {
  // Each of these would change what a terminal shows: C0 (ESC), DEL, C1 (CSI),
  // bidirectional overrides, embeddings, isolates and marks.
  const CONTROLS =
    '\u001b[2J\u007f\u0085\u009b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c'
  // Invisible, but harmless to a terminal: escaped on a terminal only.
  const INVISIBLE = 'ad\u200bmin\u00ad\u2028\u{e0041}'
  const EMOJI = '\u{1f469}\u200d\u{1f4bb}'
  const payload = { name: `evil${CONTROLS}`, hidden: INVISIBLE, emoji: EMOJI, exp: NOW + 60 }
  const token = createToken({ header: { alg: 'HS256', kid: '\u202ekid' }, payload })
  // eslint-disable-next-line no-control-regex -- the controls are what the test looks for
  const ANY_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\p{Bidi_Control}]/u

  test('on a terminal, decode escapes controls, bidirectional and invisible characters', async () => {
    const result = await run(['decode', token], { ttyOut: true })
    expect(result.code).toBe(0)
    expect(result.stdout).not.toMatch(ANY_CONTROL)
    expect(result.stdout).not.toMatch(/[\p{Cf}\u2028]/u)
    expect(result.stdout).toContain(
      '"name": "evil\\u001b[2J\\u007f\\u0085\\u009b\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c"',
    )
    expect(result.stdout).toContain('"hidden": "ad\\u200bmin\\u00ad\\u2028\\udb40\\udc41"')
    expect(result.stdout).toContain('"kid": "\\u202ekid"')
    // Still JSON, with the token's exact values.
    expect(JSON.parse(result.stdout)).toMatchObject({ header: { kid: '\u202ekid' }, payload })
  })

  test('piped, decode escapes controls and bidirectional ones, and leaves the rest as it is', async () => {
    const result = await run(['decode', token])
    expect(result.stdout).not.toMatch(ANY_CONTROL)
    expect(result.stdout).toContain(`"hidden": "${INVISIBLE}"`)
    expect(result.stdout).toContain(`"emoji": "${EMOJI}"`)
    expect(JSON.parse(result.stdout)).toMatchObject({ header: { kid: '\u202ekid' }, payload })
  })

  test('verify escapes the payload it prints in the same way', async () => {
    const tty = await run(['verify', token], { ttyOut: true })
    expect(tty.code).toBe(0)
    expect(tty.stdout).not.toMatch(/[\u007f-\u009f\p{Cf}\u2028]/u)
    expect(JSON.parse(tty.stdout)).toEqual(payload)
    const piped = await run(['verify', token])
    expect(piped.stdout).not.toMatch(ANY_CONTROL)
    expect(JSON.parse(piped.stdout)).toEqual(payload)
  })

  test('plain text is printed unchanged, on a terminal too', async () => {
    const plain = createToken({ payload: { name: 'Zoë 日本 \u{1f600}', exp: NOW + 60 } })
    const result = await run(['verify', plain], { ttyOut: true })
    expect(result.stdout).toBe(
      `${JSON.stringify({ name: 'Zoë 日本 \u{1f600}', exp: NOW + 60 }, null, 2)}\n`,
    )
  })
})

describe('packageVersion', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jwt-gate-version-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('reads the nearest package.json named express-jwt-gate, skipping others', () => {
    const pkgDir = join(dir, 'pkg')
    mkdirSync(join(pkgDir, 'dist', 'cli', 'deeper'), { recursive: true })
    writeFileSync(join(pkgDir, 'package.json'), '{"name":"express-jwt-gate","version":"9.8.7"}')
    writeFileSync(
      join(pkgDir, 'dist', 'package.json'),
      '{"name":"something-else","version":"1.0.0"}',
    )
    writeFileSync(join(pkgDir, 'dist', 'cli', 'package.json'), 'not JSON')
    expect(packageVersion(join(pkgDir, 'dist', 'cli', 'deeper'))).toBe('9.8.7')
  })

  test('from the source, finds this package', () => {
    expect(packageVersion()).toBe(pkg.version)
  })

  test('says so when there is none', () => {
    expect(() => packageVersion(dir)).toThrow(
      new Error('cannot find the package.json of express-jwt-gate to read its version'),
    )
  })
})

describe('report', () => {
  test('a key set failure without a cause still says what failed', () => {
    let stderr = ''
    const io = { ...ioStub, stderr: { write: (text: string) => (stderr += text) } }
    const err = new InvalidTokenError({
      code: 'key_set_unavailable',
      message: 'key set unavailable',
    })
    expect(report(err, io, 'verify')).toBe(1)
    expect(stderr).toBe('error: key_set_unavailable: the JWK Set could not be fetched\n')
  })

  test('causes are said once each, a message-less one by its code, four deep at most', () => {
    let stderr = ''
    const io = { ...ioStub, stderr: { write: (text: string) => (stderr += text) } }
    const aggregate = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' })
    const chain = new Error('key set fetch failed: fetch failed', {
      cause: new Error('fetch failed', {
        cause: Object.assign(aggregate, {
          cause: new Error('b', { cause: new Error('too deep') }),
        }),
      }),
    })
    const err = new InvalidTokenError({ code: 'key_set_unavailable', message: 'x', cause: chain })
    report(err, io, 'verify')
    expect(stderr).toBe(
      'error: key_set_unavailable: the JWK Set could not be fetched (key set fetch failed: fetch failed: ECONNREFUSED: b)\n',
    )
  })
})

describe('formatSpan', () => {
  test.each([
    [0, '0s'],
    [0.4, '0s'],
    [59, '59s'],
    [60, '1m'],
    [899, '14m 59s'],
    [3600, '1h'],
    [3601, '1h'],
    [3660, '1h 1m'],
    [90061, '1d 1h'],
    [400 * 86400, '400d'],
    [-90, '1m 30s'],
  ])('%d seconds is %s', (seconds, text) => {
    expect(formatSpan(seconds)).toBe(text)
  })
})

describe('the built jwt-gate executable', () => {
  const root = resolve(__dirname, '..', '..')
  const bin = join(root, pkg.bin['jwt-gate'])

  beforeAll(() => {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run "npm run build" (npm test does)`)
  })

  /** Run the built file with Node, in a clean environment holding only `env`. */
  function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
    const result = spawnSync(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...options.env },
      ...(options.input === undefined ? {} : { input: options.input }),
    })
    return { code: result.status, stdout: result.stdout, stderr: result.stderr }
  }

  test('package.json names it, and it is an executable Node script', () => {
    expect(pkg.bin).toEqual({ 'jwt-gate': 'dist/bin/jwt-gate.js' })
    expect(readFileSync(bin, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    expect(statSync(bin).mode & 0o111).toBe(0o111)
    const direct = spawnSync(bin, ['--help'], { encoding: 'utf8' })
    expect(direct.status).toBe(0)
    expect(direct.stdout).toMatch(/^Usage: npx jwt-gate <command>/)
  })

  test('round trip: secret, then sign, verify and decode with it', () => {
    const secret = cli(['secret'])
    expect(secret).toMatchObject({ code: 0, stderr: '' })
    const env = { JWT_SECRET: secret.stdout.trim() }

    const signed = cli(
      ['sign', '--expires-in', '5m', '--kid', 'k1', '{"sub":"alice","features":["todos"]}'],
      { env },
    )
    expect(signed).toMatchObject({ code: 0, stderr: '' })
    const token = signed.stdout.trim()
    expect(verifyToken(token, env.JWT_SECRET)).toMatchObject({ sub: 'alice', features: ['todos'] })

    const verified = cli(['verify', token], { env })
    expect(verified).toMatchObject({ code: 0, stderr: '' })
    const payload = JSON.parse(verified.stdout) as Record<string, number>
    expect(payload).toMatchObject({ sub: 'alice', features: ['todos'] })
    expect(payload.exp! - payload.iat!).toBe(300)

    const decoded = cli(['decode', token])
    expect(decoded.code).toBe(0)
    expect(decoded.stderr).toMatch(/^warning: not verified/)
    const { header, times } = JSON.parse(decoded.stdout) as {
      header: object
      times: Record<string, string>
    }
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' })
    expect(times.exp).toMatch(/^\d{4}-\d\d-\d\dT.+Z \(expires in 4m 5\ds\)$|\(expires in 5m\)$/)
  })

  test('reads payloads and tokens from stdin with "-", as a pipe would', () => {
    const env = { JWT_SECRET: SECRET }
    const token = cli(['sign', '-'], { env, input: '{"sub":"bob"}\n' }).stdout
    const verified = cli(['verify', '-'], { env, input: token })
    expect(verified.code).toBe(0)
    expect(JSON.parse(verified.stdout)).toMatchObject({ sub: 'bob' })
    expect(decoded(cli(['decode', '-'], { input: token }).stdout).payload.sub).toBe('bob')
  })

  test('a secret file written by "jwt-gate secret >" works, newline and all', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwt-gate-bin-'))
    try {
      const file = join(dir, 'jwt.key')
      writeFileSync(file, cli(['secret']).stdout)
      const token = cli(['sign', '--secret-file', file, '{"a":1}']).stdout.trim()
      const env = { JWT_SECRET: readFileSync(file, 'utf8').trim() }
      expect(cli(['verify', token], { env }).code).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('--version prints the version in package.json', () => {
    expect(cli(['--version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' })
  })

  describe('installed in a project, as npm lays it out', () => {
    // A throwaway project: the package's published files (package.json and dist/, as
    // "files" says) in node_modules/express-jwt-gate, and the executable linked into
    // node_modules/.bin the way npm links it. jwt-gate is not on the PATH: only npx
    // finds it, which is what every line of the docs relies on.
    let project: string
    let env: Record<string, string>
    beforeAll(() => {
      project = mkdtempSync(join(tmpdir(), 'jwt-gate-project-'))
      const installed = join(project, 'node_modules', 'express-jwt-gate')
      mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true })
      writeFileSync(join(project, 'package.json'), '{"name":"app","private":true}\n')
      cpSync(join(root, 'package.json'), join(installed, 'package.json'))
      cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true })
      symlinkSync(
        join('..', 'express-jwt-gate', pkg.bin['jwt-gate']),
        join(project, 'node_modules', '.bin', 'jwt-gate'),
      )
      env = {
        PATH: [dirname(process.execPath), ...(process.env.PATH ?? '').split(delimiter)].join(
          delimiter,
        ),
        HOME: project,
        // Offline: if npx did not find the installed command it must fail, never fetch.
        npm_config_offline: 'true',
        npm_config_cache: join(project, '.npm'),
        npm_config_update_notifier: 'false',
        npm_config_fund: 'false',
        npm_config_audit: 'false',
      }
    })
    afterAll(() => rmSync(project, { recursive: true, force: true }))

    function bash(script: string) {
      return spawnSync('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], {
        cwd: project,
        encoding: 'utf8',
        env,
        timeout: 60_000,
      })
    }

    /** docs/cli.md, the command-line tool's page. */
    const page = () => readFileSync(join(root, 'docs', 'cli.md'), 'utf8')

    /** The ```sh blocks of docs/cli.md. */
    function scripts(): string[] {
      return [...page().matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '')
    }

    test('a bare jwt-gate is not on the PATH there', () => {
      expect(bash('command -v jwt-gate').status).toBe(1)
    })

    test('npx jwt-gate --version reads the installed package.json', () => {
      const result = bash('npx jwt-gate --version')
      expect(result).toMatchObject({ status: 0, stdout: `${pkg.version}\n` })
    })

    test('docs/cli.md’s secret example runs as written', () => {
      const [script = ''] = scripts()
      expect(script).toContain('| npx jwt-gate verify -')
      const result = bash(script)
      expect(result.status).toBe(0)
      // Once from verify, once inside decode's payload.
      expect(result.stdout.match(/"sub": "alice"/g)).toHaveLength(2)
      expect(result.stderr).toMatch(/^warning: not verified/)
    })

    test('docs/cli.md’s key-pair example runs, with the keys made here rather than by openssl', () => {
      const script = scripts()[1] ?? ''
      expect(script).toMatch(/^openssl genpkey .+ -out private\.pem$/m)
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      writeFileSync(
        join(project, 'private.pem'),
        privateKey.export({ type: 'pkcs8', format: 'pem' }),
      )
      writeFileSync(join(project, 'public.pem'), publicKey.export({ type: 'spki', format: 'pem' }))
      const result = bash(script.replace(/^openssl .*$/gm, ''))
      expect(result).toMatchObject({ status: 0, stderr: '' })
      expect(JSON.parse(result.stdout)).toMatchObject({ sub: 'alice' })
    })

    test('every command the page shows runs through npx', () => {
      const section = page()
      expect(section.match(BARE_COMMAND)).toBeNull()
      expect(
        section.match(/npx jwt-gate (secret|sign|verify|decode|help|--version)/g)?.length,
      ).toBeGreaterThan(10)
    })
  })

  test('exit codes: 1 for a refused token, 2 for a usage or setup error', () => {
    const env = { JWT_SECRET: SECRET }
    const token = signToken({ sub: 'bob', features: ['todos'] }, SECRET)
    const [h, p, s] = token.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as object
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, features: ['todos', 'invoicing'] })).toString('base64url')}.${s}`

    const refused = cli(['verify', forged], { env })
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: signature_invalid: signature invalid\n',
    })
    expect(cli(['verify', '-'], { env, input: 'x' }).code).toBe(1)

    expect(cli(['verify', token]).code).toBe(2) // no JWT_SECRET
    expect(cli(['sign', '{}'], { env: { JWT_SECRET: 'short' } }).code).toBe(2)
    expect(cli(['sing']).code).toBe(2)
    expect(cli(['sign', '--bogus']).code).toBe(2)
    expect(cli([]).code).toBe(2)
  })
})
