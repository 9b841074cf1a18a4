/**
 * jwt-gate with public-key algorithms: --key-file (PEM or JWK) for sign and verify,
 * and verify --jwks against a real JWK Set server on loopback.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeToken, verifyToken } from 'express-jwt-gate'
import type { AsymmetricAlgorithm } from 'express-jwt-gate'
import {
  ASYMMETRIC_ALGORITHMS,
  fixture,
  jwkOf,
  kindFor,
  pair,
  pairFor,
  signWith,
  type KeyKind,
} from '../helpers/keys'
import { createToken, NOW, NOW_DATE } from '../helpers/tokens'
import { expectUsageError, run, tokenOf, type Result } from './run'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jwt-gate-keys-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Write `contents` to a new file in the test's folder and return its path. */
function file(name: string, contents: string | object): string {
  const path = join(dir, name)
  writeFileSync(path, typeof contents === 'string' ? contents : JSON.stringify(contents))
  return path
}

const pem = (key: KeyObject) =>
  key.type === 'private'
    ? (key.export({ type: 'pkcs8', format: 'pem' }) as string)
    : (key.export({ type: 'spki', format: 'pem' }) as string)

/** The four files of a key pair: private and public, as PEM and as JWK. */
function keyFiles(kind: KeyKind, n = 0) {
  const { privateKey, publicKey } = pair(kind, n)
  const name = `${kind}-${n}`
  return {
    privatePem: file(`${name}.key.pem`, pem(privateKey)),
    publicPem: file(`${name}.pub.pem`, pem(publicKey)),
    privateJwk: file(`${name}.key.jwk`, jwkOf(privateKey)),
    publicJwk: file(`${name}.pub.jwk`, jwkOf(publicKey)),
  }
}

const PAYLOAD = '{"sub":"alice","features":["todos"]}'
const CLAIMS = { sub: 'alice', features: ['todos'], iat: NOW, exp: NOW + 900 }

/** A setup error of the library: exit 2, its whole message, nothing else. */
function expectSetupError(result: Result, message: string): void {
  expect(result).toEqual({ code: 2, stdout: '', stderr: `error: express-jwt-gate: ${message}\n` })
}

describe('--key-file', () => {
  describe.each(ASYMMETRIC_ALGORITHMS)('%s', (alg) => {
    const kind = () => kindFor(alg)

    test('PEM: sign with the private key, verify with the public one', async () => {
      const files = keyFiles(kind())
      const token = tokenOf(
        await run(['sign', '--key-file', files.privatePem, '--alg', alg, PAYLOAD]),
      )
      expect(decodeToken(token).header).toEqual({ alg, typ: 'JWT' })
      // Checked by the library directly too, with the key object itself.
      const { publicKey } = pairFor(alg)
      expect(verifyToken(token, publicKey, { algorithms: [alg], currentDate: NOW_DATE })).toEqual(
        CLAIMS,
      )
      const verified = await run(['verify', '--key-file', files.publicPem, '--alg', alg, token])
      expect(verified).toEqual({
        code: 0,
        stdout: `${JSON.stringify(CLAIMS, null, 2)}\n`,
        stderr: '',
      })
    })

    test('JWK: sign with the private JWK, verify with the public JWK', async () => {
      const files = keyFiles(kind())
      const token = tokenOf(
        await run(['sign', '--key-file', files.privateJwk, '--alg', alg, PAYLOAD]),
      )
      const verified = await run(['verify', '--key-file', files.publicJwk, '--alg', alg, token])
      expect(verified.code).toBe(0)
      expect(JSON.parse(verified.stdout)).toEqual(CLAIMS)
    })

    test('a token from another key of the same kind is refused: exit 1', async () => {
      const other = keyFiles(kind(), 1)
      const token = signWith(alg, pairFor(alg).privateKey)
      expect(await run(['verify', '--key-file', other.publicPem, '--alg', alg, token])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: signature_invalid: signature invalid\n',
      })
    })
  })

  test('verify takes the private key or a certificate too', async () => {
    const { cert, privateKeyPem } = fixture('es256-cert')
    const token = tokenOf(
      await run([
        'sign',
        '--key-file',
        file('cert.key.pem', privateKeyPem),
        '--alg',
        'ES256',
        '{}',
      ]),
    )
    for (const key of [file('cert.pem', cert), file('cert.key.pem', privateKeyPem)]) {
      expect((await run(['verify', '--key-file', key, '--alg', 'ES256', token])).code).toBe(0)
    }
  })

  test('reads PKCS #1 and SEC1 private keys as well as PKCS #8', async () => {
    const rsa = pair('rsa').privateKey.export({ type: 'pkcs1', format: 'pem' }) as string
    const ec = pair('P-256').privateKey.export({ type: 'sec1', format: 'pem' }) as string
    for (const [key, alg] of [
      [rsa, 'PS256'],
      [ec, 'ES256'],
    ] as const) {
      const token = tokenOf(
        await run(['sign', '--key-file', file(`${alg}.legacy.pem`, key), '--alg', alg, '{}']),
      )
      expect(
        verifyToken(token, pairFor(alg).publicKey, { algorithms: [alg], currentDate: NOW_DATE })
          .iat,
      ).toBe(NOW)
    }
  })

  test('--kid goes in the header', async () => {
    const { privatePem } = keyFiles('ed25519')
    const token = tokenOf(
      await run(['sign', '--key-file', privatePem, '--alg', 'EdDSA', '--kid', 'k1', '{}']),
    )
    expect(decodeToken(token).header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'k1' })
  })

  describe('the algorithm is never guessed', () => {
    test.each([
      [
        'rsa',
        'this key suits RS256, RS384, RS512, PS256, PS384 or PS512: pass one of them with --alg',
      ],
      ['P-256', 'this key suits only ES256: pass --alg ES256'],
      ['P-521', 'this key suits only ES512: pass --alg ES512'],
      ['ed25519', 'this key suits only EdDSA: pass --alg EdDSA'],
    ] as const)('without --alg, a %s key is refused, naming what it suits', async (kind, hint) => {
      const files = keyFiles(kind)
      const message = `error: --alg is required with --key-file: the algorithm is never guessed from the key; ${hint}\n`
      expectUsageError(await run(['sign', '--key-file', files.privatePem, '{}']), message)
      expectUsageError(await run(['verify', '--key-file', files.publicJwk, 'x.y.z']), message)
    })

    test('a key that suits nothing, or cannot be read, lists every public-key algorithm', async () => {
      const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey
      const all = 'RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA'
      for (const key of [
        file('small.pem', pem(small)),
        file('garbage.pem', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
        file('bad.jwk', { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }),
      ]) {
        expectUsageError(
          await run(['verify', '--key-file', key, 'x.y.z']),
          `; pass its algorithm with --alg: ${all}\n`,
        )
      }
    })

    test('a JWK that names its alg needs no --alg; another --alg contradicts it', async () => {
      const { privateKey, publicKey } = pair('P-384')
      const privateJwk = file('es384.key.jwk', { ...jwkOf(privateKey), alg: 'ES384' })
      const publicJwk = file('es384.pub.jwk', { ...jwkOf(publicKey), alg: 'ES384' })
      const token = tokenOf(await run(['sign', '--key-file', privateJwk, '{}']))
      expect(decodeToken(token).header.alg).toBe('ES384')
      expect((await run(['verify', '--key-file', publicJwk, token])).code).toBe(0)
      expectSetupError(
        await run(['verify', '--key-file', publicJwk, '--alg', 'ES512', token]),
        'key is a JWK for "ES384", not ES512: a key\'s alg is binding',
      )
    })

    test('an HMAC --alg with a key file points to the secret options', async () => {
      const { privatePem } = keyFiles('P-256')
      const message =
        'error: HS256 uses a shared secret, not a key file: pass the secret with --secret-env NAME or --secret-file PATH\n'
      expectUsageError(
        await run(['sign', '--key-file', privatePem, '--alg', 'HS256', '{}']),
        message,
      )
      expectUsageError(
        await run([
          'verify',
          '--key-file',
          privatePem,
          '--alg',
          'ES256',
          '--alg',
          'HS256',
          'x.y.z',
        ]),
        message,
      )
    })

    test('verify with one key takes --alg once', async () => {
      const { publicPem } = keyFiles('rsa')
      expectUsageError(
        await run(['verify', '--key-file', publicPem, '--alg', 'RS256', '--alg', 'PS256', 'x.y.z']),
        'error: --key-file holds one key, and one key serves one algorithm: give --alg once, not 2 times\n',
      )
    })

    test('a token whose header names another algorithm is refused: exit 1', async () => {
      const { publicPem } = keyFiles('rsa')
      const rs256 = signWith('RS256', pair('rsa').privateKey)
      expect(await run(['verify', '--key-file', publicPem, '--alg', 'PS256', rs256])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'error: algorithm_not_allowed: algorithm not allowed\n',
      })
      // An HS256 token made with the public key as its secret: the classic confusion.
      const forged = createToken({ secret: pem(pair('rsa').publicKey) })
      expect(
        (await run(['verify', '--key-file', publicPem, '--alg', 'RS256', forged])).stderr,
      ).toBe('error: algorithm_not_allowed: algorithm not allowed\n')
    })
  })

  describe('the library checks that the key suits the algorithm', () => {
    test.each([
      ['an RSA key for ES256', 'rsa', 'ES256', 'key is an RSA key, but ES256 needs a P-256 key'],
      ['a P-384 key for ES256', 'P-384', 'ES256', 'key is a P-384 key, but ES256 needs P-256'],
      ['a P-256 key for ES512', 'P-256', 'ES512', 'key is a P-256 key, but ES512 needs P-521'],
      [
        'an Ed25519 key for RS256',
        'ed25519',
        'RS256',
        'key is an Ed25519 key, but RS256 needs an RSA key of at least 2048 bits',
      ],
      [
        'a P-256 key for EdDSA',
        'P-256',
        'EdDSA',
        'key is a P-256 key, but EdDSA needs an Ed25519 key',
      ],
    ] as const)(
      '%s: exit 2 with its message, for sign and verify',
      async (_name, kind, alg, message) => {
        const files = keyFiles(kind)
        expectSetupError(
          await run(['sign', '--key-file', files.privatePem, '--alg', alg, '{}']),
          message,
        )
        expectSetupError(
          await run(['verify', '--key-file', files.publicJwk, '--alg', alg, 'x.y.z']),
          message,
        )
      },
    )

    test('an RSA key under 2048 bits', async () => {
      const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
      expectSetupError(
        await run([
          'sign',
          '--key-file',
          file('small.key.pem', pem(small)),
          '--alg',
          'RS256',
          '{}',
        ]),
        'key is a 1024-bit RSA key; RS256 needs at least 2048 bits',
      )
    })

    test.each([
      [
        'a public PEM key',
        () => keyFiles('P-256').publicPem,
        'key is a public key; signing needs the private key',
      ],
      [
        'a certificate',
        () => file('cert.pem', fixture('es256-cert').cert),
        'key is a public key; signing needs the private key',
      ],
      [
        'a public JWK',
        () => keyFiles('P-256').publicJwk,
        'key is a public JWK (no "d"); signing needs the private key',
      ],
    ])('sign refuses %s', async (_name, path, message) => {
      expectSetupError(await run(['sign', '--key-file', path(), '--alg', 'ES256', '{}']), message)
    })

    test('an encrypted private key is refused', async () => {
      const encrypted = pair('P-256').privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'pass',
      }) as string
      const result = await run([
        'sign',
        '--key-file',
        file('enc.pem', encrypted),
        '--alg',
        'ES256',
        '{}',
      ])
      expect(result).toMatchObject({ code: 2, stdout: '' })
      expect(result.stderr).toMatch(/^error: express-jwt-gate: key is an encrypted private key; /)
    })

    test('an "oct" JWK is a secret, refused before asking for --alg', async () => {
      const oct = file('oct.jwk', {
        kty: 'oct',
        k: Buffer.from('x'.repeat(32)).toString('base64url'),
      })
      const result = await run(['sign', '--key-file', oct, '{}'])
      expect(result).toMatchObject({ code: 2, stdout: '' })
      expect(result.stderr).toMatch(
        /^error: express-jwt-gate: key is an "oct" JWK, a shared secret: /,
      )
    })
  })

  describe('the file', () => {
    const SECRETISH = 'd-PRIVATE-MATERIAL-0123456789'

    test.each([
      [
        'plain text',
        'not a key at all',
        'holds neither PEM (a key or a certificate) nor a JWK (JSON); an HMAC secret goes in --secret-file',
      ],
      ['broken JSON', `{"kty":"EC","d":"${SECRETISH}"`, 'is not valid JSON, and not PEM either'],
      ['JSON that is not a JWK', '{"keys_":[]}', 'holds JSON that is not a JWK (it has no "kty")'],
      [
        'a JWK Set',
        { keys: [{ kty: 'OKP' }] },
        'holds a JWK Set; put the one key you mean in the file, or verify against the whole set with --jwks URL',
      ],
    ])('holding %s is refused without quoting it', async (_name, contents, message) => {
      const result = await run([
        'verify',
        '--key-file',
        file('odd', contents),
        '--alg',
        'ES256',
        'x.y.z',
      ])
      expectUsageError(result, `error: the file --key-file names ${message}\n`)
      expect(result.stderr).not.toContain(SECRETISH)
    })

    test('that cannot be read is named by its error code only', async () => {
      expectUsageError(
        await run(['sign', '--key-file', join(dir, 'missing.pem'), '--alg', 'ES256', '{}']),
        'error: cannot read the file --key-file names (ENOENT)\n',
      )
      expectUsageError(
        await run(['sign', '--key-file=', '--alg', 'ES256', '{}']),
        'error: --key-file needs the path of a file\n',
      )
    })
  })
})

describe('one key source at a time', () => {
  test.each([
    [
      ['--key-file', 'k.pem', '--jwks', 'https://a.example/jwks'],
      '--key-file and --jwks were given',
    ],
    [['--secret-env', 'S', '--key-file', 'k.pem'], '--secret-env and --key-file were given'],
    [
      ['--secret-file', 'f', '--jwks', 'https://a.example/jwks'],
      '--secret-file and --jwks were given',
    ],
    [
      ['--secret-env', 'S', '--secret-file', 'f', '--key-file', 'k'],
      '--secret-env, --secret-file and --key-file were given',
    ],
  ])('verify %j is refused', async (flags, given) => {
    expectUsageError(
      await run(['verify', ...flags, 'x.y.z']),
      `error: one key at a time, but ${given}; use only one of --secret-env, --secret-file, --key-file or --jwks\n`,
    )
  })

  test('sign lists its own three, and refuses --jwks with a reason', async () => {
    expectUsageError(
      await run(['sign', '--secret-file', 'f', '--key-file', 'k', '{}']),
      'error: one key at a time, but --secret-file and --key-file were given; use only one of --secret-env, --secret-file or --key-file\n',
    )
    expectUsageError(
      await run(['sign', '--jwks', 'https://a.example/jwks', '{}']),
      'error: --jwks is for verify: a JWK Set holds public keys, and signing needs the private key; pass it with --key-file PATH\n',
    )
  })
})

describe('verify --jwks', () => {
  const { privateKey, publicKey } = pair('P-256')
  const rsa = pair('rsa')
  /** What each path of the server answers. */
  const routes: Record<string, { status: number; body: string }> = {
    '/jwks.json': {
      status: 200,
      body: JSON.stringify({
        keys: [
          { ...jwkOf(publicKey), kid: 'ec-1', alg: 'ES256', use: 'sig' },
          // No alg: usable only when --alg settles which algorithm it serves.
          { ...jwkOf(rsa.publicKey), kid: 'rsa-1' },
        ],
      }),
    },
    '/broken': { status: 500, body: 'INTERNAL-DETAIL-NEVER-SHOWN' },
    '/not-json': { status: 200, body: 'INTERNAL-DETAIL-NEVER-SHOWN' },
  }
  let server: Server
  let base: string
  let requests = 0

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++
      const route = routes[req.url ?? ''] ?? { status: 404, body: 'not found' }
      res.writeHead(route.status, { 'content-type': 'application/json' }).end(route.body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const es256 = (kid = 'ec-1') => signWith('ES256', privateKey, { header: { alg: 'ES256', kid } })

  test('verifies a token signed by a key of the set, found by kid', async () => {
    const before = requests
    const result = await run(['verify', '--jwks', `${base}/jwks.json`, es256()])
    expect(result).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ sub: 'alice', iat: NOW, exp: NOW + 600 }, null, 2)}\n`,
      stderr: '',
    })
    expect(requests).toBe(before + 1)
  })

  test('verifies what sign --key-file --kid made', async () => {
    const key = file('jwks-ec.key.pem', pem(privateKey))
    const token = tokenOf(
      await run(['sign', '--key-file', key, '--alg', 'ES256', '--kid', 'ec-1', PAYLOAD]),
    )
    const result = await run(['verify', '--jwks', `${base}/jwks.json`, '--audience', 'x', token])
    expect(result.stderr).toBe('error: claim_missing: aud claim is required\n')
    expect(
      JSON.parse((await run(['verify', '--jwks', `${base}/jwks.json`, token])).stdout),
    ).toEqual(CLAIMS)
  })

  test('--alg limits what is accepted, and binds a key published without alg', async () => {
    const url = `${base}/jwks.json`
    const ps256 = signWith('PS256', rsa.privateKey, { header: { alg: 'PS256', kid: 'rsa-1' } })
    expect(await run(['verify', '--jwks', url, ps256])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: key_unknown: key has no alg, and the algorithms option does not settle it\n',
    })
    expect((await run(['verify', '--jwks', url, '--alg', 'PS256', ps256])).code).toBe(0)
    expect((await run(['verify', '--jwks', url, '--alg', 'PS256', es256()])).stderr).toBe(
      'error: algorithm_not_allowed: algorithm not allowed\n',
    )
    expect((await run(['verify', '--jwks', url, es256('nope')])).stderr).toBe(
      'error: key_unknown: key unknown\n',
    )
  })

  test.each([
    ['answers 500', '/broken', 'key set request answered HTTP 500'],
    ['is not JSON', '/not-json', 'key set response is not JSON'],
    ['is not there', '/missing', 'key set request answered HTTP 404'],
  ])(
    'a set that %s: exit 1, key_set_unavailable and why, never the body or the token',
    async (_name, path, why) => {
      const token = es256()
      const result = await run(['verify', '--jwks', `${base}${path}`, token])
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: key_set_unavailable: the JWK Set could not be fetched (${why})\n`,
      })
      expect(result.stderr).not.toContain('INTERNAL-DETAIL')
      expect(result.stderr).not.toContain(token.split('.')[1])
    },
  )

  test('an unreachable set: exit 1, with the network error', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    const result = await run(['verify', '--jwks', `http://127.0.0.1:${port}/jwks.json`, es256()])
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: key_set_unavailable: the JWK Set could not be fetched (key set fetch failed: fetch failed: connect ECONNREFUSED 127.0.0.1:${port})\n`,
    })
  })

  test.each([
    [
      'plain http: to another host',
      ['--jwks', 'http://auth.example.com/jwks.json'],
      'remoteKeySet needs an https: URL (plain http: only for localhost and 127.0.0.0/8 or ::1 in development), got http://auth.example.com',
    ],
    [
      'a URL with credentials',
      ['--jwks', 'https://u:p@auth.example.com/jwks.json'],
      'remoteKeySet: the URL must not hold credentials',
    ],
    [
      'an HMAC --alg',
      ['--jwks', 'https://auth.example.com/jwks.json', '--alg', 'HS256'],
      'a remote key set holds only public keys and never verifies HS256; remove it from algorithms',
    ],
  ])('%s is refused by the library before anything is fetched', async (_name, flags, message) => {
    const before = requests
    expectSetupError(await run(['verify', ...flags, es256()]), message)
    expect(requests).toBe(before)
  })
})

describe('through the built executable', () => {
  test('ES256 and RS256 round trips with key files', () => {
    const bin = join(__dirname, '..', '..', 'dist', 'bin', 'jwt-gate.js')
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run "npm run build" (npm test does)`)
    const cli = (args: string[], input?: string) =>
      spawnSync(process.execPath, [bin, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
        ...(input === undefined ? {} : { input }),
      })
    for (const [kind, alg] of [
      ['P-256', 'ES256'],
      ['rsa', 'RS256'],
    ] as [KeyKind, AsymmetricAlgorithm][]) {
      const files = keyFiles(kind)
      const signed = cli(['sign', '--key-file', files.privateJwk, '--alg', alg, PAYLOAD])
      expect(signed).toMatchObject({ status: 0, stderr: '' })
      const verified = cli(
        ['verify', '--key-file', files.publicPem, '--alg', alg, '-'],
        signed.stdout,
      )
      expect(verified).toMatchObject({ status: 0, stderr: '' })
      expect(JSON.parse(verified.stdout)).toMatchObject({ sub: 'alice', features: ['todos'] })
    }
  })
})
