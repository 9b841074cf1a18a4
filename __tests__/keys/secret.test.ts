import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import {
  JwtSetupError,
  createSigner,
  createVerifier,
  generateSecret,
  signToken,
  verifyToken,
} from 'express-jwt-gate'
import { thrown } from '../helpers/tokens'

describe('generateSecret', () => {
  test('gives 32 random bytes as base64url by default, usable for HS256 at once', () => {
    const secret = generateSecret()
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32)
    expect(generateSecret()).not.toBe(secret)
    expect(verifyToken(signToken({ a: 1 }, secret), secret).a).toBe(1)
  })

  test('64 bytes, as long as the SHA-512 output, for HS512; up to 1024', () => {
    const secret = generateSecret(64)
    expect(Buffer.from(secret, 'base64url')).toHaveLength(64)
    const token = signToken({ a: 1 }, secret, { algorithm: 'HS512' })
    expect(verifyToken(token, secret, { algorithms: ['HS512'] }).a).toBe(1)
    expect(Buffer.from(generateSecret(1024), 'base64url')).toHaveLength(1024)
  })

  test.each([31, 0, -1, 32.5, NaN, '32', 1025])('refuses %j, naming the bounds', (bytes) => {
    const err = thrown(() => generateSecret(bytes as number))
    expect(err).toBeInstanceOf(JwtSetupError)
    expect(err).toMatchObject({
      option: 'bytes',
      message: 'express-jwt-gate: generateSecret needs a whole number of bytes from 32 to 1024',
    })
  })
})

/** An SSH wire-format string: a 32-bit length, then the bytes. */
function sshString(bytes: Buffer | string): Buffer {
  const body = Buffer.from(bytes)
  const length = Buffer.alloc(4)
  length.writeUInt32BE(body.length)
  return Buffer.concat([length, body])
}

/** An SSH mpint: positive, so a leading zero when the top bit is set. */
function sshMpint(base64url: string): Buffer {
  const bytes = Buffer.from(base64url, 'base64url')
  return sshString((bytes[0] as number) & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : bytes)
}

/** The one-line OpenSSH public key of `publicKey`, as `ssh-keygen` writes it. */
function openSsh(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' })
  let type: string
  let blob: Buffer
  if (jwk.kty === 'RSA') {
    type = 'ssh-rsa'
    blob = Buffer.concat([sshString(type), sshMpint(jwk.e as string), sshMpint(jwk.n as string)])
  } else if (jwk.kty === 'OKP') {
    type = 'ssh-ed25519'
    blob = Buffer.concat([sshString(type), sshString(Buffer.from(jwk.x as string, 'base64url'))])
  } else {
    type = 'ecdsa-sha2-nistp256'
    const point = Buffer.concat([
      Buffer.of(4),
      Buffer.from(jwk.x as string, 'base64url'),
      Buffer.from(jwk.y as string, 'base64url'),
    ])
    blob = Buffer.concat([sshString(type), sshString('nistp256'), sshString(point)])
  }
  return `${type} ${blob.toString('base64')} alice@laptop`
}

describe('public-key text is never an HMAC secret, in any common spelling', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ed = generateKeyPairSync('ed25519')
  const spki = (key: KeyObject) => key.export({ format: 'der', type: 'spki' })
  const wrap = (text: string, width: number) =>
    text.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n')
  const jwk = JSON.stringify(ec.publicKey.export({ format: 'jwk' }))

  test.each([
    ['JWK JSON with leading whitespace', `\n  ${jwk}`, 'a JWK'],
    ['JWK JSON with trailing newline', `${jwk}\n`, 'a JWK'],
    ['a JWK Set', JSON.stringify({ keys: [JSON.parse(jwk)] }), 'a JWK Set'],
    ['an empty JWK Set', ' {"keys":[]} ', 'a JWK Set'],
    [
      'DER as one line of base64',
      spki(ec.publicKey).toString('base64'),
      'a base64-encoded DER key',
    ],
    ['DER as base64url', spki(ed.publicKey).toString('base64url'), 'a base64-encoded DER key'],
    [
      'DER as 64-column base64 (a PEM body without its armour)',
      wrap(spki(rsa.publicKey).toString('base64'), 64),
      'a base64-encoded DER key',
    ],
    [
      'a private key as 76-column base64',
      wrap(rsa.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), 76),
      'a base64-encoded DER key',
    ],
    ['an OpenSSH RSA public key', openSsh(rsa.publicKey), 'an OpenSSH public key'],
    ['an OpenSSH Ed25519 public key', openSsh(ed.publicKey), 'an OpenSSH public key'],
    ['an OpenSSH ECDSA public key', openSsh(ec.publicKey), 'an OpenSSH public key'],
    [
      'an RFC 4716 SSH2 public key',
      `---- BEGIN SSH2 PUBLIC KEY ----\n${wrap(spki(ed.publicKey).toString('base64'), 70)}\n---- END SSH2 PUBLIC KEY ----\n`,
      'an SSH2 public key',
    ],
    [
      'PEM after other text',
      `key:\n${ec.publicKey.export({ format: 'pem', type: 'spki' }) as string}`,
      'a PEM key',
    ],
  ])('%s is refused', (_name, text, spelling) => {
    for (const secret of [text, Buffer.from(text)]) {
      const err = thrown(() => createVerifier(secret))
      expect(err).toBeInstanceOf(JwtSetupError)
      expect(err).toMatchObject({ option: 'secret' })
      expect(err.message).toMatch(new RegExp(`^express-jwt-gate: secret looks like ${spelling}; `))
      expect(thrown(() => createSigner(secret)).message).toBe(err.message)
    }
  })

  test('random secrets in every text form stay usable', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(48)
      for (const secret of [
        bytes.toString('base64'),
        bytes.toString('base64url'),
        bytes.toString('hex'),
        `{"not":"a key","padding":"0123456789","n":${i}}`,
        'ssh-rsa but not a key at all, forty characters',
      ]) {
        const token = createSigner(secret)({ i })
        expect(verifyToken(token, secret).i).toBe(i)
      }
    }
  })
})
