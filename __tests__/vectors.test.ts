import { readFileSync } from 'node:fs'
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

/** RFC 7515 Appendix A.1, kept inside the repository so a clone anywhere can run it. */
const vector = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'rfc7515-a1.json'), 'utf8'),
) as Vector
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
      const code = thrown(() => verifyToken(flip(i), key, at)).code
      if (i > vector.token.lastIndexOf('.')) {
        expect(code).toBe('signature_invalid')
      } else {
        // A changed header or payload may no longer decode, or its header may no
        // longer name HS256; if it still reads, its signature no longer matches.
        expect([
          'token_malformed',
          'header_invalid',
          'algorithm_not_allowed',
          'signature_invalid',
        ]).toContain(code)
      }
    }
  })
})
