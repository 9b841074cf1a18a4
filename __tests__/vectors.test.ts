import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createVerifier, decodeToken, verifyToken } from 'express-jwt-gate'
import { thrown } from './helpers/tokens'

interface Vector {
  token: string
  jwk: { k: string }
  header: object
  payload: object
  validAt: number
  expiredAt: number
}

/**
 * The shared vectors are read in place, never copied: beside the repository
 * (`../shared/vectors`), or where this machine keeps them when the repository is
 * cloned elsewhere. JWT_GATE_VECTORS names another folder.
 */
function vectorFile(name: string): string {
  const folders = [
    process.env.JWT_GATE_VECTORS,
    join(__dirname, '..', '..', 'shared', 'vectors'),
    '/work/shared/vectors',
  ].filter((folder): folder is string => folder !== undefined)
  const found = folders.map((folder) => join(folder, name)).find((file) => existsSync(file))
  if (found === undefined) throw new Error(`${name} not found in ${folders.join(', ')}`)
  return found
}

const vector = JSON.parse(readFileSync(vectorFile('rfc7515-a1.json'), 'utf8')) as Vector
const key = Buffer.from(vector.jwk.k, 'base64url')

describe('RFC 7515 Appendix A.1 (HS256)', () => {
  test('verifies at validAt, over the exact text with its CR LF and spaces', () => {
    const claims = verifyToken(vector.token, key, { currentDate: new Date(vector.validAt * 1000) })
    expect(claims).toEqual(vector.payload)
  })

  test('is expired at expiredAt and later', () => {
    const verify = (at: number) =>
      createVerifier(key, { currentDate: new Date(at * 1000) })(vector.token)
    expect(thrown(() => verify(vector.expiredAt)).code).toBe('token_expired')
    expect(thrown(() => verify(vector.expiredAt + 3600)).code).toBe('token_expired')
  })

  test('decodes to the published header and payload', () => {
    expect(decodeToken(vector.token)).toEqual({ header: vector.header, payload: vector.payload })
  })

  test('any one changed character is refused', () => {
    const at = { currentDate: new Date(vector.validAt * 1000) }
    const flip = (i: number) => {
      const c = vector.token[i] === 'A' ? 'B' : 'A'
      return vector.token.slice(0, i) + c + vector.token.slice(i + 1)
    }
    for (let i = 0; i < vector.token.length; i++) {
      if (vector.token[i] === '.') continue
      expect(() => verifyToken(flip(i), key, at)).toThrow()
    }
  })
})
